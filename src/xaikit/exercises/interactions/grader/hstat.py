"""Friedman and Popescu's pairwise H-statistic (grader side: computing it is q2's task).

Source: J. H. Friedman and B. E. Popescu (2008), "Predictive learning via rule ensembles",
Annals of Applied Statistics 2(3), 916-954, section 8.1, eq. (44):

    H^2_jk = sum_i [F_jk(x_ij, x_ik) - F_j(x_ij) - F_k(x_ik)]^2 / sum_i F_jk(x_ij, x_ik)^2

where ``F_j``, ``F_k`` and ``F_jk`` are the partial dependence functions of the model,
each **centred** to mean zero over the data, evaluated at the data's own points, and each
partial dependence is the standard estimator (eq. 40): the mean prediction over the same
rows with the chosen column(s) set to the evaluation point. No maintained library computes it
for an arbitrary model (``interpret`` computes a related FAST statistic for its own EBMs).
"""
from __future__ import annotations

import numpy as np

__all__ = ["pd_at_rows", "h2_pair", "h2_pairs"]


def pd_at_rows(predict, X, columns, *, batch_rows: int = 200_000) -> np.ndarray:
    """Partial dependence of ``columns`` evaluated at each row's own values, not centred.

    For row ``i``: ``mean_l predict(X_l with X[columns] := X_i[columns])`` over all rows ``l``
    of ``X`` (Friedman 2001, eq. 40 of Friedman & Popescu 2008). Rows sharing the same values
    of ``columns`` are computed once.

    Parameters
    ----------
    predict : callable
        ``predict(DataFrame) -> array (n,)``, the model's output (any scale).
    X : pandas.DataFrame, shape (n, p)
        The sample: both the rows averaged over and the evaluation points.
    columns : sequence of str
        One or two column names.
    batch_rows : int
        Largest number of rows sent to ``predict`` at once.

    Returns
    -------
    ndarray, shape (n,)
        In the model's output units.
    """
    import pandas as pd

    columns = list(columns)
    vals = X[columns].to_numpy(dtype=float)
    uniq, inverse = np.unique(vals, axis=0, return_inverse=True)
    inverse = np.ravel(inverse)
    n = len(X)
    per_batch = max(1, batch_rows // n)
    base = X.to_numpy(dtype=float)
    pos = [X.columns.get_loc(c) for c in columns]
    means = np.empty(len(uniq))
    for start in range(0, len(uniq), per_batch):
        chunk = uniq[start:start + per_batch]
        big = np.tile(base, (len(chunk), 1))
        for m, p in enumerate(pos):
            big[:, p] = np.repeat(chunk[:, m], n)
        pred = np.asarray(predict(pd.DataFrame(big, columns=X.columns)), dtype=float)
        means[start:start + len(chunk)] = pred.reshape(len(chunk), n).mean(axis=1)
    return means[inverse]


def h2_pair(predict, X, j: str, k: str, *, cache: dict | None = None) -> float:
    """Friedman and Popescu's H^2_jk of columns ``j`` and ``k`` on the sample ``X`` (eq. 44).

    Parameters
    ----------
    predict : callable
        ``predict(DataFrame) -> array (n,)``.
    X : pandas.DataFrame, shape (n, p)
        The sample (rows averaged over and evaluation points).
    j, k : str
        Two distinct column names.
    cache : dict, optional
        Reused 1-D partial dependences, keyed by column name.

    Returns
    -------
    float
        In [0, 1] for the usual cases (it can exceed 1 when the 1-D effects cancel the joint
        one); 0.0 when the centred joint partial dependence is identically 0 (no effect).

    Raises
    ------
    ValueError
        If ``j == k``.
    """
    if j == k:
        raise ValueError("H^2_jk needs two distinct columns")
    cache = {} if cache is None else cache
    for c in (j, k):
        if c not in cache:
            f = pd_at_rows(predict, X, [c])
            cache[c] = f - f.mean()
    fjk = pd_at_rows(predict, X, [j, k])
    fjk = fjk - fjk.mean()
    den = float(np.sum(fjk ** 2))
    if den <= 1e-24:
        return 0.0
    return float(np.sum((fjk - cache[j] - cache[k]) ** 2) / den)


def h2_pairs(predict, X, pairs) -> np.ndarray:
    """:func:`h2_pair` for each ``(j, k)`` of ``pairs``, 1-D partial dependences shared.

    Returns
    -------
    ndarray, shape (len(pairs),)
    """
    cache: dict = {}
    return np.array([h2_pair(predict, X, j, k, cache=cache) for j, k in pairs])
