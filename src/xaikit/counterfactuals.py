"""Counterfactual explanations: the metrics a grader recomputes, and an exhaustive search.

Pure computation (no plotting, no widgets). Conventions used throughout:

- A **decision** is ``deny`` when the model's probability of class 1 (denied) is at least
  ``threshold`` (default 0.5, probability scale, not log-odds). A counterfactual is **valid**
  when it flips a denial to an approval (probability < threshold); it is **fragile** when its
  probability is within ``FRAGILE_MARGIN`` (0.01) of the threshold.
- **Distance** (proximity) is the L1 distance on raw feature values, each feature divided by
  its median absolute deviation (MAD) over the reference data; a MAD of 0 counts as 1. The
  unit is "MADs": moving a ratio by one MAD, or a 0/1 feature or a 1-6 score by one step
  when that feature's MAD is 0, costs 1 (Wachter, Mittelstadt & Russell 2017, eq. 5).
- **Sparsity** is the number of features changed (``|x' - x| > CHANGE_TOL``).
- **Constraints** come from :class:`xaikit.datasets.FeatureInfo`: immutable features must be
  exactly equal, ``direction`` ("decrease"/"increase") and ``range`` (low, high) respected.
- **Plausibility**: the MAD-scaled L1 distance from the counterfactual to the nearest real
  applicant of the reference data is at most the 95th percentile of the nearest-neighbour
  distances among those applicants (each to its nearest *other* applicant).
- **Diversity** of a set: the mean pairwise distance between its members (MADs) and the
  number of distinct sets of changed features (Mothilal, Sharma & Tan 2020, DiCE).

References
----------
Wachter, S., Mittelstadt, B. & Russell, C. (2017). Counterfactual explanations without opening
the black box: automated decisions and the GDPR. Harvard Journal of Law & Technology 31(2).
Mothilal, R. K., Sharma, A. & Tan, C. (2020). Explaining machine learning classifiers through
diverse counterfactual explanations. FAT* 2020 (DiCE).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

#: probability of denial at or above which an application is denied
THRESHOLD = 0.5
#: a valid counterfactual whose probability is within this of the threshold is "fragile"
FRAGILE_MARGIN = 0.01
#: a feature counts as changed when |x' - x| exceeds this (raw units; absorbs JSON/float noise)
CHANGE_TOL = 1e-9
#: percentile of nearest-neighbour distances that bounds a plausible counterfactual
PLAUSIBILITY_PERCENTILE = 95.0
#: grid step of the grader's exhaustive search for ratio features (raw ratio units)
RATIO_STEP = 0.005


# --- scale, distance, decisions -----------------------------------------------------------

def mad_scale(X) -> np.ndarray:
    """Median absolute deviation of each column, with 0 replaced by 1.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Reference data, raw feature values (for the exercise: the model's training rows).

    Returns
    -------
    ndarray of shape (n_features,)
        ``median(|X[:, j] - median(X[:, j])|)``, or 1 where that is 0 (binary features and
        scores where most applicants share one value). Raw units of each feature.
    """
    A = np.asarray(X, dtype=float)
    mad = np.median(np.abs(A - np.median(A, axis=0)), axis=0)
    return np.where(mad > 0, mad, 1.0)


def distance(x, cfs, scale) -> np.ndarray:
    """MAD-weighted L1 distance of each counterfactual from the original.

    Parameters
    ----------
    x : array-like of shape (n_features,)
    cfs : array-like of shape (n_cf, n_features) or (n_features,)
    scale : array-like of shape (n_features,)
        From :func:`mad_scale`.

    Returns
    -------
    ndarray of shape (n_cf,)
        Sum over features of ``|cf_j - x_j| / scale_j``, in MADs.
    """
    C = np.atleast_2d(np.asarray(cfs, dtype=float))
    return (np.abs(C - np.asarray(x, dtype=float)) / np.asarray(scale, float)).sum(1)


def deny_probability(model, X) -> np.ndarray:
    """Probability of denial (class 1), shape (n_samples,), probability scale."""
    return np.asarray(model.predict_proba(np.asarray(X, dtype=float))[:, 1], dtype=float)


# --- constraints --------------------------------------------------------------------------

@dataclass(frozen=True)
class Constraints:
    """Which features may change, which way and within which range (raw units).

    Attributes
    ----------
    names : tuple of str, length n_features
    mutable : ndarray of bool, shape (n_features,)
    direction : tuple of {"any", "increase", "decrease", "none"}
    low, high : ndarray of shape (n_features,)
        Plausible range; -inf/inf where the feature has none.
    integer : ndarray of bool, shape (n_features,)
        Features that only take whole values (scores, 0/1 codes).
    """

    names: tuple
    mutable: np.ndarray
    direction: tuple
    low: np.ndarray
    high: np.ndarray
    integer: np.ndarray

    @classmethod
    def from_dataset(cls, dataset) -> "Constraints":
        feats = list(dataset.features.values())
        low = np.array([f.range[0] if f.range else -np.inf for f in feats], float)
        high = np.array([f.range[1] if f.range else np.inf for f in feats], float)
        X = np.asarray(dataset.X, dtype=float)
        integer = np.all(np.equal(np.mod(X, 1), 0), axis=0)
        return cls(names=tuple(f.name for f in feats),
                   mutable=np.array([f.mutable for f in feats], bool),
                   direction=tuple(f.direction for f in feats), low=low, high=high,
                   integer=integer)

    @property
    def mutable_names(self) -> list:
        return [n for n, m in zip(self.names, self.mutable) if m]

    @property
    def immutable_names(self) -> list:
        return [n for n, m in zip(self.names, self.mutable) if not m]


@dataclass
class CounterfactualReport:
    """The grader's view of one candidate counterfactual.

    Attributes
    ----------
    probability : float
        Model's probability of denial for the counterfactual.
    valid : bool
        ``probability < threshold`` (the denial flips to an approval).
    fragile : bool
        Valid, but within ``FRAGILE_MARGIN`` of the threshold.
    changed : list of str
        Features that differ from the original (sparsity = ``len(changed)``).
    immutable_changed, direction_violations, range_violations, not_whole : list of str
        Features breaking each constraint (``not_whole``: a score set to a fraction).
    distance : float
        MAD-weighted L1 distance from the original, MADs.
    nn_distance : float
        MAD-weighted L1 distance to the nearest real applicant, MADs.
    plausible : bool
        ``nn_distance <= plausibility threshold``.
    """

    probability: float
    valid: bool
    fragile: bool
    changed: list
    immutable_changed: list
    direction_violations: list
    range_violations: list
    not_whole: list
    distance: float
    nn_distance: float
    plausible: bool

    @property
    def sparsity(self) -> int:
        return len(self.changed)

    @property
    def feasible(self) -> bool:
        """No immutable change, no direction, range or whole-number violation."""
        return not (self.immutable_changed or self.direction_violations or
                    self.range_violations or self.not_whole)

    def violations(self) -> list:
        """Readable list of every broken constraint (empty when feasible)."""
        out = [f"{n} is immutable" for n in self.immutable_changed]
        out += [f"{n} moved the wrong way" for n in self.direction_violations]
        out += [f"{n} outside its plausible range" for n in self.range_violations]
        out += [f"{n} must be a whole number" for n in self.not_whole]
        return out


class Plausibility:
    """Nearest-real-applicant distances on the MAD scale (sklearn ``NearestNeighbors``).

    Parameters
    ----------
    X_ref : array-like of shape (n_ref, n_features)
        Real applicants (raw values).
    scale : array-like of shape (n_features,)
        From :func:`mad_scale`.
    percentile : float, default 95

    Attributes
    ----------
    threshold : float
        The ``percentile``-th percentile of each reference row's distance to its nearest other
        reference row, in MADs (Manhattan metric on ``X / scale``).
    """

    def __init__(self, X_ref, scale, percentile: float = PLAUSIBILITY_PERCENTILE):
        from sklearn.neighbors import NearestNeighbors

        self.scale = np.asarray(scale, float)
        Z = np.asarray(X_ref, float) / self.scale
        self.nn = NearestNeighbors(n_neighbors=2, metric="manhattan").fit(Z)
        d, _ = self.nn.kneighbors(Z)
        self.ref_distances = d[:, 1]
        self.threshold = float(np.percentile(self.ref_distances, percentile))

    def nearest(self, X) -> np.ndarray:
        """Distance of each row of ``X`` (n, n_features) to its nearest reference row, MADs."""
        Z = np.atleast_2d(np.asarray(X, float)) / self.scale
        d, _ = self.nn.kneighbors(Z, n_neighbors=1)
        return d[:, 0]


def evaluate(model, x, cfs, constraints: Constraints, scale, plausibility: Plausibility,
             threshold: float = THRESHOLD) -> list:
    """Recompute everything about each counterfactual of one applicant.

    Parameters
    ----------
    model : fitted classifier with ``predict_proba`` (class 1 = denied)
    x : array-like of shape (n_features,)
        The original applicant, raw values.
    cfs : array-like of shape (n_cf, n_features)
        Counterfactuals in the same column order.
    constraints : Constraints
    scale : ndarray of shape (n_features,)
    plausibility : Plausibility
    threshold : float, default 0.5 (probability of denial)

    Returns
    -------
    list of CounterfactualReport, length n_cf
    """
    x = np.asarray(x, float)
    C = np.atleast_2d(np.asarray(cfs, float))
    p = deny_probability(model, C)
    dist = distance(x, C, scale)
    nn = plausibility.nearest(C)
    names = np.array(constraints.names)
    out = []
    for i, c in enumerate(C):
        delta = c - x
        changed = np.abs(delta) > CHANGE_TOL
        dec = np.array([d == "decrease" for d in constraints.direction])
        inc = np.array([d == "increase" for d in constraints.direction])
        wrong = changed & ((dec & (delta > 0)) | (inc & (delta < 0)))
        out_of_range = changed & ((c < constraints.low - 1e-12) | (c > constraints.high + 1e-12))
        fraction = changed & constraints.integer & (np.abs(c - np.round(c)) > 1e-9)
        out.append(CounterfactualReport(
            probability=float(p[i]), valid=bool(p[i] < threshold),
            fragile=bool(threshold - FRAGILE_MARGIN <= p[i] < threshold),
            changed=list(names[changed]),
            immutable_changed=list(names[changed & ~constraints.mutable]),
            direction_violations=list(names[wrong & constraints.mutable]),
            range_violations=list(names[out_of_range & constraints.mutable]),
            not_whole=list(names[fraction & constraints.mutable]),
            distance=float(dist[i]), nn_distance=float(nn[i]),
            plausible=bool(nn[i] <= plausibility.threshold + 1e-12)))
    return out


def diversity(cfs, x, scale) -> dict:
    """How different the members of a counterfactual set are from each other.

    Parameters
    ----------
    cfs : array-like of shape (k, n_features)
    x : array-like of shape (n_features,)
        The original (to find which features each member changes).
    scale : ndarray of shape (n_features,)

    Returns
    -------
    dict
        ``mean_pairwise`` and ``min_pairwise``: MAD-weighted L1 distances between members
        (MADs); ``n_feature_sets``: number of distinct sets of changed features;
        ``dpp``: DiCE's determinant diversity ``det(K)``, ``K_ij = 1 / (1 + d_ij)``.
    """
    C = np.atleast_2d(np.asarray(cfs, float))
    k = len(C)
    D = np.zeros((k, k))
    for i, j in combinations(range(k), 2):
        D[i, j] = D[j, i] = distance(C[i], C[j][None], scale)[0]
    pair = D[np.triu_indices(k, 1)] if k > 1 else np.array([0.0])
    sets = {tuple(np.flatnonzero(np.abs(c - np.asarray(x, float)) > CHANGE_TOL)) for c in C}
    return {"mean_pairwise": float(pair.mean()), "min_pairwise": float(pair.min()),
            "n_feature_sets": len(sets), "dpp": float(np.linalg.det(1.0 / (1.0 + D)))}


# --- the grader's exhaustive search ---------------------------------------------------------

def feature_grid(j: int, x, constraints: Constraints, *, constrained: bool = True,
                 X_ref=None, ratio_step: float = RATIO_STEP) -> np.ndarray:
    """Candidate values of feature ``j`` for applicant ``x`` (the original value excluded).

    Constrained (the exercise's rules): immutable features get no values; whole-number
    features every whole value allowed by direction and range; ratios every ``ratio_step``
    away from the original value in the allowed direction, plus the range bound.
    Unconstrained (to show what the model would "like" to change): every feature, any
    direction; whole-number features every observed value, ratios a ``ratio_step * 5`` grid
    between the 1st and 99th percentile of ``X_ref``.

    Returns
    -------
    ndarray of shape (n_values,)
        Raw feature values, sorted by distance from ``x[j]`` (closest first).
    """
    xj = float(np.asarray(x, float)[j])
    if constrained:
        if not constraints.mutable[j]:
            return np.empty(0)
        lo, hi = constraints.low[j], constraints.high[j]
        d = constraints.direction[j]
        if constraints.integer[j]:
            vals = np.arange(np.ceil(lo), np.floor(hi) + 1)
        else:
            n_down = int(np.floor(max(xj - lo, 0) / ratio_step + 1e-9))
            n_up = int(np.floor(max(hi - xj, 0) / ratio_step + 1e-9))
            vals = np.concatenate([xj - ratio_step * np.arange(1, n_down + 1),
                                   xj + ratio_step * np.arange(1, n_up + 1), [lo, hi]])
        if d == "decrease":
            vals = vals[vals < xj]
        elif d == "increase":
            vals = vals[vals > xj]
        vals = vals[(vals >= lo - 1e-12) & (vals <= hi + 1e-12)]
    else:
        col = np.asarray(X_ref, float)[:, j]
        if np.all(np.mod(col, 1) == 0):
            vals = np.unique(col)
        else:
            lo, hi = np.percentile(col, [1, 99])
            vals = np.concatenate([np.arange(xj, lo, -5 * ratio_step)[1:],
                                   np.arange(xj, hi, 5 * ratio_step)[1:]])
    vals = np.unique(np.round(vals, 12))
    vals = vals[np.abs(vals - xj) > CHANGE_TOL]
    return vals[np.argsort(np.abs(vals - xj), kind="stable")]


@dataclass
class SearchResult:
    """The grader's exhaustive minimum for one applicant.

    Attributes
    ----------
    best : ndarray of shape (n_features,) or None
        The cheapest valid counterfactual found (None if none flips the decision).
    distance : float
        Its MAD-weighted L1 distance (MADs); ``inf`` if none.
    changed : tuple of str
    probability : float
    per_set : dict
        ``{tuple of changed feature names: (distance, counterfactual, probability)}``, the
        cheapest valid counterfactual for every feature set that has one.
    n_evaluated : int
        Number of candidate rows the model scored.
    """

    best: np.ndarray | None
    distance: float
    changed: tuple
    probability: float
    per_set: dict = field(default_factory=dict)
    n_evaluated: int = 0


def exhaustive_minimum(model, x, constraints: Constraints, scale, *, max_features: int = 2,
                       constrained: bool = True, X_ref=None, threshold: float = THRESHOLD,
                       ratio_step: float = RATIO_STEP) -> SearchResult:
    """Cheapest valid counterfactual changing 1 .. ``max_features`` features, by full grid search.

    Every single feature and every pair of features is searched on the product of their
    :func:`feature_grid` values; all candidates of one feature set are scored by one
    vectorised ``predict_proba`` call. Exact on the grid, so the true minimum is at most one
    grid step (``ratio_step``, i.e. ``ratio_step / MAD`` MADs per ratio feature) cheaper.

    Parameters
    ----------
    model : classifier, class 1 = denied
    x : array-like of shape (n_features,)
    constraints : Constraints
    scale : ndarray of shape (n_features,)
    max_features : {1, 2}
    constrained : bool, default True
        False searches every feature in both directions (the "what would the model like"
        search); it then needs ``X_ref`` for the grids.
    threshold : float, probability of denial

    Returns
    -------
    SearchResult
    """
    x = np.asarray(x, float)
    p_feat = len(x)
    grids = [feature_grid(j, x, constraints, constrained=constrained, X_ref=X_ref,
                          ratio_step=ratio_step) for j in range(p_feat)]
    usable = [j for j in range(p_feat) if len(grids[j])]
    sets = [(j,) for j in usable]
    if max_features >= 2:
        sets += list(combinations(usable, 2))
    names = constraints.names
    per_set, n_eval = {}, 0
    for s in sets:
        mesh = np.meshgrid(*[grids[j] for j in s], indexing="ij")
        C = np.repeat(x[None], mesh[0].size, axis=0)
        for j, m in zip(s, mesh):
            C[:, j] = m.ravel()
        p = deny_probability(model, C)
        n_eval += len(C)
        ok = p < threshold
        if not ok.any():
            continue
        d = distance(x, C[ok], scale)
        i = int(np.argmin(d))
        per_set[tuple(names[j] for j in s)] = (float(d[i]), C[ok][i].copy(), float(p[ok][i]))
    if not per_set:
        return SearchResult(None, float("inf"), (), float("nan"), per_set, n_eval)
    key = min(per_set, key=lambda k: (per_set[k][0], len(k)))
    d, c, p = per_set[key]
    changed = tuple(n for n, a, b in zip(names, c, x) if abs(a - b) > CHANGE_TOL)
    return SearchResult(c, d, changed, p, per_set, n_eval)


def diverse_from_search(result: SearchResult, x, scale, k: int = 3) -> np.ndarray | None:
    """A reference diverse set: the ``k`` cheapest counterfactuals with distinct feature sets.

    Takes :attr:`SearchResult.per_set` (already the cheapest per feature set), drops entries
    whose actually-changed features duplicate a cheaper one, and keeps the ``k`` cheapest.

    Returns
    -------
    ndarray of shape (k, n_features), or None if fewer than ``k`` distinct sets exist.
    """
    seen, rows = set(), []
    for key in sorted(result.per_set, key=lambda s: result.per_set[s][0]):
        c = result.per_set[key][1]
        ch = tuple(np.flatnonzero(np.abs(c - np.asarray(x, float)) > CHANGE_TOL))
        if ch in seen:
            continue
        seen.add(ch)
        rows.append(c)
        if len(rows) == k:
            return np.array(rows)
    return None
