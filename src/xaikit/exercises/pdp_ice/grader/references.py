"""References of ``pdp_ice``: ICE, PDP and centered ICE (q1, q2), the shape-heterogeneity
ranking (q3), first-order ALE (q4), and the grader's context (:class:`References`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from xaikit.exercises.framework import ReferenceContext

#: ALE centring conventions. "apley": subtract the count-weighted mean of the bin midpoints
#: ((ALE(z_{k-1}) + ALE(z_k)) / 2), as in Apley & Zhu's ALEPlot code; "step": subtract the
#: mean over rows of the ALE at the upper edge of each row's bin (Molnar's formula).
ALE_CENTERINGS = ("apley", "step")


# --- ICE, PDP, centered ICE (q1, q2) -----------------------------------------------------------

@dataclass
class IceResult:
    """ICE curves of one feature on a grid, ``ice`` (n_rows, n_grid): ``ice[i, g]`` predicts row
    ``i`` with the feature set to ``grid[g]`` (rentals per hour); ``pdp`` = ``ice.mean(0)``."""

    feature: str
    grid: np.ndarray
    ice: np.ndarray
    pdp: np.ndarray

    def centered(self, anchor_index: int = 0) -> np.ndarray:
        """Centered ICE anchored at ``grid[anchor_index]``, shape (n_rows, n_grid)."""
        return center_ice(self.ice, anchor_index)


def ice_pdp(model, X, feature: str, grid) -> IceResult:
    """ICE curves and PDP of ``feature`` on ``grid`` by ``sklearn.inspection.partial_dependence``
    (``method="brute"``, ``kind="both"``, ``custom_values={feature: grid}``).

    ``X``: DataFrame of shape (n_rows, n_features); ``grid``: shape (n_grid,).
    """
    from sklearn.inspection import partial_dependence

    grid = np.asarray(grid, dtype=float)
    res = partial_dependence(model, X, [feature], method="brute", kind="both",
                             custom_values={feature: grid})
    return IceResult(feature=feature, grid=np.asarray(res["grid_values"][0], dtype=float),
                     ice=np.asarray(res["individual"][0], dtype=float),
                     pdp=np.asarray(res["average"][0], dtype=float))


def pdp_recursion(model, X, feature: str, grid) -> np.ndarray:
    """PDP by ``method="recursion"`` (tree traversal weighted by training cover), shape
    (n_grid,). Differs from the brute-force PDP: it averages over the training distribution
    stored in the trees and leaves out the initial prediction. Used to recognise that mistake."""
    from sklearn.inspection import partial_dependence

    res = partial_dependence(model, X, [feature], method="recursion", kind="average",
                             custom_values={feature: np.asarray(grid, dtype=float)})
    return np.asarray(res["average"][0], dtype=float)


def center_ice(ice, anchor_index: int = 0) -> np.ndarray:
    """Centered ICE (Goldstein et al. 2015): each curve of ``ice`` (n_rows, n_grid) minus its
    own value at grid position ``anchor_index``; same shape, zero in that column."""
    ice = np.asarray(ice, dtype=float)
    return ice - ice[:, [anchor_index]]


def ice_heterogeneity(centered_ice, X, candidates, *, shape_only: bool = True) -> dict:
    """How much of the spread between centered ICE curves one split on each feature explains.

    With ``shape_only`` (default, what q3 asks), each centered curve is first divided by its
    own range (max - min), so that curves of the same shape but different amplitude (a warm
    day scales the whole daily profile up) count as equal: what is left is the *shape*
    heterogeneity. For each candidate, a depth-1 ``sklearn.tree.DecisionTreeRegressor``
    (``random_state=0``, multi-output) is fitted from that feature alone to the curves; the
    score is the fraction of the curves' total sum of squares the split removes (R² =
    1 - SSE / SST over all values, ``r2_score(..., multioutput="variance_weighted")``; not the
    tree's ``score``, which averages the columns' R² with equal weights). With
    ``shape_only=False`` the raw centered curves are used: any spread left after centring
    signals an interaction (Goldstein et al. 2015), and amplitude (temperature, season) then
    competes with shape.

    ``centered_ice``: (n_rows, n_grid); ``X``: the curves' rows (n_rows, n_features).
    Returns ``{feature: R² of one split}``, largest first.
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


# --- ALE (q4) ----------------------------------------------------------------------------------

def quantile_edges(x, n_bins: int) -> np.ndarray:
    """ALE bin edges ``np.unique(np.quantile(x, np.linspace(0, 1, n_bins + 1)))``, shape
    (K + 1,), K <= n_bins (duplicates merged); first edge the minimum, last the maximum."""
    return np.unique(np.quantile(np.asarray(x, dtype=float), np.linspace(0, 1, int(n_bins) + 1)))


@dataclass
class AleResult:
    """First-order ALE of one feature: ``edges``, ``ale`` (centred), ``uncentered`` (0 at the
    first edge), all of shape (K + 1,) in rentals per hour; ``local_effects`` (mean of
    f(z_k) - f(z_{k-1}) over bin k's rows, 0 if empty) and ``counts``, shape (K,)."""

    feature: str
    edges: np.ndarray
    ale: np.ndarray
    uncentered: np.ndarray
    local_effects: np.ndarray
    counts: np.ndarray
    centering: str = "apley"


def ale_bin_index(x, edges) -> np.ndarray:
    """Bin of each value, shape (n,): k in 1..K for z_{k-1} < x <= z_k; the minimum in bin 1."""
    k = np.searchsorted(np.asarray(edges, float), np.asarray(x, float), side="left")
    return np.clip(k, 1, len(edges) - 1)


def center_ale(uncentered, counts, centering: str = "apley") -> np.ndarray:
    """Centre an accumulated effect to mean 0 over the data (see ``ALE_CENTERINGS``)."""
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

    A row in bin k (``z_{k-1} < x <= z_k``) contributes ``f(z_k, x_-j) - f(z_{k-1}, x_-j)``;
    these local effects are averaged per bin, accumulated from the lowest edge and centred to
    mean 0 over the data (Apley & Zhu 2020, eq. 15-16, and their ALEPlot code).

    ``X``: the rows local effects are averaged over (``X_train`` in q4); ``edges``: shape
    (K + 1,); ``centering``: one of ``ALE_CENTERINGS``.
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


# --- references ----------------------------------------------------------------------------------

class References(ReferenceContext):
    """The public context plus the grader's references (attributes are delegated)."""

    @cached_property
    def ref_ice(self) -> IceResult:
        return ice_pdp(self.model, self.X_rows, self.feature, self.grid)

    @cached_property
    def ref_recursion(self) -> np.ndarray:
        return pdp_recursion(self.model, self.X_rows, self.feature, self.grid)

    @cached_property
    def ref_hr(self) -> IceResult:
        return ice_pdp(self.model, self.X_rows, "hr", self.hr_grid)

    @property
    def anchor_index(self) -> int:
        return int(np.flatnonzero(self.hr_grid == self.anchor_hour)[0])

    @cached_property
    def ref_hr_centered(self) -> np.ndarray:
        return self.ref_hr.centered(self.anchor_index)

    def heterogeneity(self, shape_only: bool = True) -> dict:
        """R² of one split on each feature but ``hr``, on the range-scaled (default) or raw
        centered hour curves, largest first."""
        key = f"_heterogeneity_{shape_only}"
        if key not in self.__dict__:
            self.__dict__[key] = ice_heterogeneity(
                self.ref_hr_centered, self.X_rows,
                [f for f in self.feature_names if f != "hr"], shape_only=shape_only)
        return self.__dict__[key]

    @property
    def ref_driver(self) -> str:
        return next(iter(self.heterogeneity()))

    @cached_property
    def ref_ale_edges(self) -> np.ndarray:
        return quantile_edges(self.X_train[self.ale_feature], self.ale_bins)

    @cached_property
    def ref_ale(self) -> AleResult:
        return ale(self.model, self.X_train, self.ale_feature, self.ref_ale_edges)


def reference_context(ctx) -> References:
    """The grader's context for the public context ``ctx``."""
    return References(ctx)
