"""Feature effects: partial dependence (PDP), ICE, centered ICE, first-order ALE.

Pure computation shared by the ``pdp_ice`` checks, its widget and the notebooks; no plotting.
All effects are on the scale of the model's prediction: for the bike-sharing regressors,
**rentals per hour**.

References
----------
Friedman, J. H. (2001). Greedy function approximation: a gradient boosting machine. Annals of
Statistics 29(5) (partial dependence).
Goldstein, A., Kapelner, A., Bleich, J. & Pitkin, E. (2015). Peeking inside the black box:
visualizing statistical learning with plots of individual conditional expectation. JCGS 24(1)
(ICE and centered ICE).
Apley, D. W. & Zhu, J. (2020). Visualizing the effects of predictor variables in black box
supervised learning models. JRSS B 82(4), 1059-1086 (ALE).
Molnar, C. (2022). Interpretable Machine Learning, 2nd ed., chapters "Partial Dependence Plot",
"Individual Conditional Expectation" and "Accumulated Local Effects".
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: ALE centring conventions. "apley": subtract the count-weighted mean of the bin midpoints
#: ((ALE(z_{k-1}) + ALE(z_k)) / 2), as in Apley & Zhu's ALEPlot code; "step": subtract the
#: mean over rows of the ALE at the upper edge of each row's bin (Molnar's formula).
ALE_CENTERINGS = ("apley", "step")


@dataclass
class IceResult:
    """ICE curves and their average (the PDP) of one feature on a grid.

    Attributes
    ----------
    feature : str
    grid : ndarray of shape (n_grid,)
        Values the feature is set to, in the feature's own unit.
    ice : ndarray of shape (n_rows, n_grid)
        ``ice[i, g]``: prediction for row ``i`` with the feature set to ``grid[g]``, all other
        features as observed (rentals per hour).
    pdp : ndarray of shape (n_grid,)
        ``ice.mean(axis=0)``: the partial dependence (rentals per hour).
    """

    feature: str
    grid: np.ndarray
    ice: np.ndarray
    pdp: np.ndarray

    def centered(self, anchor_index: int = 0) -> np.ndarray:
        """Centered ICE anchored at ``grid[anchor_index]``, shape (n_rows, n_grid)."""
        return center_ice(self.ice, anchor_index)


def ice_pdp(model, X, feature: str, grid) -> IceResult:
    """ICE curves and PDP of ``feature`` on ``grid``, by ``sklearn.inspection.partial_dependence``.

    Uses ``method="brute"`` (predict on copies of ``X`` with the feature replaced by each grid
    value) and ``kind="both"``, with ``custom_values={feature: grid}`` so the grid is exactly
    the one given.

    Parameters
    ----------
    model : fitted regressor
    X : pandas.DataFrame of shape (n_rows, n_features)
        The rows whose ICE curves are drawn (and averaged into the PDP).
    feature : str
    grid : array-like of shape (n_grid,)

    Returns
    -------
    IceResult
    """
    from sklearn.inspection import partial_dependence

    grid = np.asarray(grid, dtype=float)
    res = partial_dependence(model, X, [feature], method="brute", kind="both",
                             custom_values={feature: grid})
    ice = np.asarray(res["individual"][0], dtype=float)
    return IceResult(feature=feature, grid=np.asarray(res["grid_values"][0], dtype=float),
                     ice=ice, pdp=np.asarray(res["average"][0], dtype=float))


def pdp_recursion(model, X, feature: str, grid) -> np.ndarray:
    """PDP by ``method="recursion"`` (tree traversal weighted by training cover), shape (n_grid,).

    Differs from the brute-force PDP on the same grid: it averages over the training
    distribution stored in the trees, not over ``X``. Used to recognise that mistake.
    """
    from sklearn.inspection import partial_dependence

    res = partial_dependence(model, X, [feature], method="recursion", kind="average",
                             custom_values={feature: np.asarray(grid, dtype=float)})
    return np.asarray(res["average"][0], dtype=float)


def center_ice(ice, anchor_index: int = 0) -> np.ndarray:
    """Centered ICE: each curve minus its own value at the anchor grid point.

    Parameters
    ----------
    ice : array-like of shape (n_rows, n_grid)
    anchor_index : int
        Position in the grid of the anchor (Goldstein et al. use the smallest value).

    Returns
    -------
    ndarray of shape (n_rows, n_grid)
        Zero in column ``anchor_index``; rentals per hour relative to the anchor.
    """
    ice = np.asarray(ice, dtype=float)
    return ice - ice[:, [anchor_index]]


def ice_heterogeneity(centered_ice, X, candidates, *, shape_only: bool = True) -> dict:
    """How much of the spread between centered ICE curves one split on each feature explains.

    With ``shape_only`` (default), each centered curve is first divided by its own range
    (max - min), so that curves of the same shape but different amplitude (a warm day scales
    the whole daily profile up) count as equal: what is left is the *shape* heterogeneity an
    interaction produces. For each candidate feature, a depth-1
    ``sklearn.tree.DecisionTreeRegressor`` (one split, multi-output) is fitted from that feature
    alone to the curves; the score is the fraction of the curves' total sum of squares the
    split removes (an R² in [0, 1]). A single threshold can separate {Saturday, Sunday} from
    the week only through ``workingday``, not through the ordinal ``weekday``.

    Parameters
    ----------
    centered_ice : array-like of shape (n_rows, n_grid)
        Rentals per hour relative to the anchor.
    X : pandas.DataFrame of shape (n_rows, n_features)
        The rows of the curves.
    candidates : iterable of str
        Features to score (usually all but the plotted one).
    shape_only : bool, default True

    Returns
    -------
    dict of str to float
        Share of between-curve variance explained, largest first.
    """
    from sklearn.tree import DecisionTreeRegressor

    Y = np.asarray(centered_ice, dtype=float)
    if shape_only:
        rng = np.ptp(Y, axis=1, keepdims=True)
        Y = np.divide(Y, rng, out=np.zeros_like(Y), where=rng > 0)
    sst = float(((Y - Y.mean(0)) ** 2).sum())
    out = {}
    for f in candidates:
        tree = DecisionTreeRegressor(max_depth=1, random_state=0).fit(X[[f]], Y)
        sse = float(((Y - tree.predict(X[[f]]).reshape(Y.shape)) ** 2).sum())
        out[f] = 1.0 - sse / sst if sst > 0 else 0.0
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def quantile_edges(x, n_bins: int) -> np.ndarray:
    """ALE bin edges: ``np.unique(np.quantile(x, np.linspace(0, 1, n_bins + 1)))``.

    Duplicated quantiles (a feature with few distinct values) are merged, so there can be fewer
    than ``n_bins`` bins. The first edge is the minimum of ``x``, the last its maximum.

    Returns
    -------
    ndarray of shape (n_edges,)
    """
    return np.unique(np.quantile(np.asarray(x, dtype=float), np.linspace(0, 1, int(n_bins) + 1)))


@dataclass
class AleResult:
    """First-order ALE of one feature.

    Attributes
    ----------
    feature : str
    edges : ndarray of shape (K + 1,)
        Bin edges z_0 < ... < z_K (feature unit).
    ale : ndarray of shape (K + 1,)
        Centered ALE at each edge (rentals per hour).
    uncentered : ndarray of shape (K + 1,)
        Accumulated effect with ``uncentered[0] = 0``.
    local_effects : ndarray of shape (K,)
        Mean of f(z_k, x_-j) - f(z_{k-1}, x_-j) over the rows in bin k (0 for an empty bin).
    counts : ndarray of shape (K,)
        Rows per bin.
    centering : {"apley", "step"}
    """

    feature: str
    edges: np.ndarray
    ale: np.ndarray
    uncentered: np.ndarray
    local_effects: np.ndarray
    counts: np.ndarray
    centering: str = "apley"


def ale_bin_index(x, edges) -> np.ndarray:
    """Bin of each value: k in 1..K for z_{k-1} < x <= z_k; the minimum goes to bin 1.

    Returns
    -------
    ndarray of int, shape (n,)
    """
    k = np.searchsorted(np.asarray(edges, float), np.asarray(x, float), side="left")
    return np.clip(k, 1, len(edges) - 1)


def center_ale(uncentered, counts, centering: str = "apley") -> np.ndarray:
    """Centre an accumulated effect so that its mean over the data is 0 (see ``ALE_CENTERINGS``)."""
    f = np.asarray(uncentered, float)
    w = np.asarray(counts, float)
    if centering == "apley":
        mean = float(np.sum((f[:-1] + f[1:]) / 2 * w) / w.sum())
    elif centering == "step":
        mean = float(np.sum(f[1:] * w) / w.sum())
    else:
        raise ValueError(f"centering must be one of {ALE_CENTERINGS}")
    return f - mean


def ale(model, X, feature: str, edges, centering: str = "apley") -> AleResult:
    """First-order accumulated local effects (ALE) of ``feature`` on the given bin edges.

    For each row i in bin k (``z_{k-1} < x_ij <= z_k``), the local effect is
    ``f(z_k, x_i,-j) - f(z_{k-1}, x_i,-j)``: the change of the prediction when only this
    feature moves across its own bin, the other features at the row's observed (hence
    realistic) values. Local effects are averaged per bin, accumulated from the lowest edge,
    and centred so that the effect has mean 0 over the data. An own implementation (there is no
    ALE in scikit-learn), following Apley & Zhu (2020, eq. 15-16) and their ALEPlot code.

    Parameters
    ----------
    model : fitted regressor with ``predict``
    X : pandas.DataFrame of shape (n_rows, n_features)
        Data over which local effects are averaged (the training rows in ``pdp_ice``).
    feature : str
    edges : array-like of shape (K + 1,)
        Increasing bin edges covering ``X[feature]`` (e.g. :func:`quantile_edges`).
    centering : {"apley", "step"}, default "apley"

    Returns
    -------
    AleResult
        ``ale`` in the model's output unit (rentals per hour).
    """
    edges = np.asarray(edges, dtype=float)
    x = X[feature].to_numpy(dtype=float)
    k = ale_bin_index(x, edges)
    lo, hi = X.copy(), X.copy()
    lo[feature] = edges[k - 1]
    hi[feature] = edges[k]
    d = np.asarray(model.predict(hi), float) - np.asarray(model.predict(lo), float)
    K = len(edges) - 1
    counts = np.bincount(k - 1, minlength=K)
    sums = np.bincount(k - 1, weights=d, minlength=K)
    local = np.divide(sums, counts, out=np.zeros(K), where=counts > 0)
    unc = np.concatenate([[0.0], np.cumsum(local)])
    return AleResult(feature=feature, edges=edges, ale=center_ale(unc, counts, centering),
                     uncentered=unc, local_effects=local, counts=counts, centering=centering)
