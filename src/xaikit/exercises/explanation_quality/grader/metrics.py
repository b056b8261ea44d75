"""Faithfulness metrics of ``explanation_quality`` (grader side), written from the papers.

No well-kept permissive library computes these for tabular scikit-learn / XGBoost models
(Quantus is GPL-3 and needs torch or tensorflow; OpenXAI is unmaintained and torch-based), so
they are implemented here and unit-tested on cases with known answers
(``tests/test_explanation_quality.py``).

References
----------
Petsiuk, Das & Saenko (2018), "RISE: Randomized Input Sampling for Explanation of Black-box
Models", BMVC: deletion and insertion curves and their areas.
Alvarez-Melis & Jaakkola (2018), "On the Robustness of Interpretability Methods", ICML WHI:
stability of explanations under small input perturbations.
Adebayo et al. (2018), "Sanity Checks for Saliency Maps", NeurIPS: model-parameter and data
(label) randomisation tests, compared with Spearman rank correlation of absolute values.
"""
from __future__ import annotations

import numpy as np

__all__ = ["feature_order", "perturbation_curves", "curve_area", "rank_correlation",
           "stability", "randomisation_similarity"]


def feature_order(attributions, *, rank: str = "abs", descending: bool = True) -> np.ndarray:
    """Per row, the features from most to least important.

    Parameters
    ----------
    attributions : array-like of shape (n, p)
    rank : {"abs", "signed"}
        Rank by ``|attribution|`` (the protocol) or by the signed value (a typical mistake).
    descending : bool
        Largest first (the protocol); ``False`` is the ascending mistake.

    Returns
    -------
    ndarray of int, shape (n, p)
        Feature indices; ties are broken by feature index (a stable sort).
    """
    a = np.asarray(attributions, dtype=float)
    key = np.abs(a) if rank == "abs" else a
    return np.argsort(-key if descending else key, axis=1, kind="stable")


def perturbation_curves(predict, X, attributions, baseline, *, kind: str = "deletion",
                        rank: str = "abs", descending: bool = True) -> np.ndarray:
    """Deletion or insertion curves of one explainer on rows ``X`` (Petsiuk et al. 2018).

    Deletion: start from the row, replace features one at a time by ``baseline`` in the order
    of :func:`feature_order`, and record ``predict`` after each step. Insertion: start from the
    all-baseline row and put the row's true values back in the same order.

    Parameters
    ----------
    predict : callable
        ``(m, p) array -> (m,)`` model output, e.g. the probability of class 1.
    X : array-like of shape (n, p)
    attributions : array-like of shape (n, p)
    baseline : array-like of shape (p,)
        The value a removed feature takes (the protocol: the training mean).
    kind : {"deletion", "insertion"}
    rank, descending : see :func:`feature_order`

    Returns
    -------
    ndarray of shape (n, p + 1)
        Column ``k`` is the output after ``k`` steps; column 0 is the row itself (deletion) or
        the all-baseline row (insertion), column ``p`` the other end.

    Raises
    ------
    ValueError
        For an unknown ``kind`` or mismatched shapes.
    """
    X = np.asarray(X, dtype=float)
    A = np.asarray(attributions, dtype=float)
    base = np.broadcast_to(np.asarray(baseline, dtype=float), X.shape[1:])
    if A.shape != X.shape:
        raise ValueError(f"attributions {A.shape} and rows {X.shape} differ in shape")
    if kind not in ("deletion", "insertion"):
        raise ValueError(f"kind must be 'deletion' or 'insertion', got {kind!r}")
    n, p = X.shape
    order = feature_order(A, rank=rank, descending=descending)
    start, fill = (X, np.tile(base, (n, 1))) if kind == "deletion" else (np.tile(base, (n, 1)), X)
    Z = np.repeat(start[:, None, :], p + 1, axis=1)  # (n, p + 1, p)
    rows = np.arange(n)
    for k in range(1, p + 1):
        j = order[:, k - 1]
        Z[:, k:, :][rows, :, j] = fill[rows, j][:, None]
    return np.asarray(predict(Z.reshape(n * (p + 1), p)), dtype=float).reshape(n, p + 1)


def curve_area(curves, *, x: str = "fraction") -> np.ndarray:
    """Trapezoid area under each curve, over the fraction of features ``k / p`` in [0, 1].

    Parameters
    ----------
    curves : array-like of shape (n, p + 1) or (p + 1,)
    x : {"fraction", "steps"}
        ``"steps"`` integrates over ``k = 0 .. p`` instead (a typical mistake: ``p`` times
        the area).

    Returns
    -------
    ndarray of shape (n,) (or a 0-d array for one curve)
    """
    c = np.asarray(curves, dtype=float)
    m = c.shape[-1] - 1
    grid = np.linspace(0.0, 1.0, m + 1) if x == "fraction" else np.arange(m + 1, dtype=float)
    return np.trapezoid(c, grid, axis=-1)


def rank_correlation(a, b) -> float:
    """Spearman rank correlation of two vectors (``scipy.stats.spearmanr``, average ranks).

    A constant vector has no ranking: the correlation is then defined as 1.0 when the two
    vectors are identical and 0.0 otherwise (an explainer returning constants is perfectly
    stable and fails the randomisation tests).
    """
    from scipy.stats import spearmanr

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return 1.0 if np.array_equal(a, b) else 0.0
    return float(spearmanr(a, b).statistic)


def stability(attr, attr_noisy, *, absolute: bool = False) -> float:
    """Mean over rows of the Spearman rank correlation between the attributions of ``x`` and
    of ``x + noise`` (the signed values; ``absolute=True`` ranks ``|values|`` instead).

    Parameters
    ----------
    attr, attr_noisy : array-like of shape (n, p)

    Returns
    -------
    float in [-1, 1]; 1 for an explainer whose ranking does not move.
    """
    A, B = np.asarray(attr, dtype=float), np.asarray(attr_noisy, dtype=float)
    if absolute:
        A, B = np.abs(A), np.abs(B)
    return float(np.mean([rank_correlation(a, b) for a, b in zip(A, B)]))


def randomisation_similarity(attr, attr_random, *, absolute: bool = True) -> float:
    """Adebayo et al.'s similarity between explanations of the trained and the randomised
    model: mean over rows of the Spearman rank correlation of ``|attributions|``.

    A faithful explainer's explanation changes when the model is randomised (low value); a
    value near 1 means the explanation does not depend on what the model learnt.
    """
    return stability(attr, attr_random, absolute=absolute)
