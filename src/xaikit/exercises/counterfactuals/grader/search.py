"""The grader's exhaustive search of ``counterfactuals``: the candidate grid of a feature and
the cheapest valid counterfactual changing one or two features.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from xaikit import counterfactuals as CF


# --- the grader's exhaustive search ---------------------------------------------------------

def feature_grid(j: int, x, constraints, *, constrained: bool = True,
                 ratio_step: float = CF.RATIO_STEP) -> np.ndarray:
    """Candidate values of feature ``j`` for applicant ``x`` (the original value excluded).

    Whole-number features: every whole value of the range (the observed values where the
    feature has no range); ratios: every ``ratio_step`` from the applicant's value, plus the
    range's bounds. Constrained (the exercise's rules): immutable features get no values and
    the direction is respected. Unconstrained (what the model would "like" to change): every
    feature, either direction, on the same grid.

    Returns
    -------
    ndarray of shape (n_values,)
        Raw values, sorted by distance from ``x[j]`` (closest first).
    """
    xj = float(np.asarray(x, float)[j])
    if constrained and not constraints.mutable[j]:
        return np.empty(0)
    lo, hi = constraints.low[j], constraints.high[j]
    lo = lo if np.isfinite(lo) else constraints.data_low[j]
    hi = hi if np.isfinite(hi) else constraints.data_high[j]
    if constraints.integer[j]:
        vals = np.arange(np.ceil(lo), np.floor(hi) + 1)
    else:
        n_down = int(np.floor(max(xj - lo, 0) / ratio_step + 1e-9))
        n_up = int(np.floor(max(hi - xj, 0) / ratio_step + 1e-9))
        vals = np.concatenate([xj - ratio_step * np.arange(1, n_down + 1),
                               xj + ratio_step * np.arange(1, n_up + 1), [lo, hi]])
    if constrained and constraints.direction[j] == "decrease":
        vals = vals[vals < xj]
    elif constrained and constraints.direction[j] == "increase":
        vals = vals[vals > xj]
    vals = vals[(vals >= lo - 1e-12) & (vals <= hi + 1e-12)]
    vals = np.unique(np.round(vals, 12))
    vals = vals[np.abs(vals - xj) > CF.CHANGE_TOL]
    return vals[np.argsort(np.abs(vals - xj), kind="stable")]


@dataclass
class SearchResult:
    """The grader's exhaustive minimum for one applicant.

    Attributes
    ----------
    best : ndarray of shape (n_features,) or None
    distance : float
        MADs; ``inf`` if nothing flips.
    changed : tuple of str
    probability : float
    per_set : dict
        ``{feature names: (distance, counterfactual, probability)}``: the cheapest valid
        counterfactual of every feature set that needs all its changes (empty entries left
        out; only filled by a search with ``per_set=True``).
    n_evaluated : int
        Number of candidate rows the model scored.
    """

    best: np.ndarray | None
    distance: float
    changed: tuple
    probability: float
    per_set: dict = field(default_factory=dict)
    n_evaluated: int = 0


def exhaustive_minimum(model, x, constraints, scale, *, max_features: int = 2,
                       constrained: bool = True, threshold: float = CF.THRESHOLD,
                       ratio_step: float = CF.RATIO_STEP, per_set: bool = True) -> SearchResult:
    """Cheapest valid counterfactual changing 1 or 2 features, by full grid search.

    Every single feature and every pair is searched on the product of their
    :func:`feature_grid` values, scored by one vectorised ``predict_proba`` call per feature
    set. A pair's candidate is kept only when neither of its two changes flips the decision
    alone (minimal in its own changes). Exact on the grid: the true minimum is at most one grid
    step per ratio cheaper. With ``per_set=False`` only the overall minimum is wanted, so pair
    values that cost more than the cheapest flip found so far are skipped.
    """
    x = np.asarray(x, float)
    scale = np.asarray(scale, float)
    names = constraints.names
    grids = [feature_grid(j, x, constraints, constrained=constrained, ratio_step=ratio_step)
             for j in range(len(x))]
    usable = [j for j in range(len(x)) if len(grids[j])]
    cost = {j: np.abs(grids[j] - x[j]) / scale[j] for j in usable}
    alone, table, n_eval, bound = {}, {}, 0, np.inf

    def keep(key, C, p, d):
        nonlocal bound
        ok = np.flatnonzero(p < threshold)
        if len(ok):
            i = ok[np.argmin(d[ok])]
            table[key] = (float(d[i]), C[i].copy(), float(p[i]))
            bound = min(bound, float(d[i]))

    for j in usable:
        C = np.repeat(x[None], len(grids[j]), axis=0)
        C[:, j] = grids[j]
        alone[j] = CF.deny_probability(model, C)
        n_eval += len(C)
        keep((names[j],), C, alone[j], cost[j])
    pairs = list(combinations(usable, 2)) if max_features >= 2 else []
    if not per_set:
        pairs.sort(key=lambda s: len(grids[s[0]]) * len(grids[s[1]]))
    for j, k in pairs:
        ij = np.flatnonzero(alone[j] >= threshold)  # a change that flips alone is not needed
        ik = np.flatnonzero(alone[k] >= threshold)
        if not per_set:
            ij, ik = ij[cost[j][ij] < bound], ik[cost[k][ik] < bound]
        A, B = (m.ravel() for m in np.meshgrid(ij, ik, indexing="ij"))
        d = cost[j][A] + cost[k][B]
        if not per_set:
            A, B, d = A[d < bound], B[d < bound], d[d < bound]
        if not len(A):
            continue
        C = np.repeat(x[None], len(A), axis=0)
        C[:, j], C[:, k] = grids[j][A], grids[k][B]
        n_eval += len(C)
        keep((names[j], names[k]), C, CF.deny_probability(model, C), d)
    if not table:
        return SearchResult(None, float("inf"), (), float("nan"), {}, n_eval)
    key = min(table, key=lambda s: (table[s][0], len(s)))
    d, c, p = table[key]
    return SearchResult(c, d, key, p, table if per_set else {}, n_eval)
