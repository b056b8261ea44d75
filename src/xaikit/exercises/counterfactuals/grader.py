"""Grader part of ``counterfactuals``: the search, references, checks, hints and rubrics.

Never shipped to candidates, never importable in the grading kernel. The grader recomputes
every property of a candidate's counterfactual from the same model and data: the decision
(probability of denial < 0.5), the constraints (:mod:`xaikit.counterfactuals`), minimality in
its own changes (resetting any changed feature must undo the flip), the MAD-weighted L1
distance against its own exhaustive minimum over changes of one or two features, and
plausibility against the training applicants other than the applicant. Tolerances are
calibrated in ``tests/test_calibration_counterfactuals.py`` (20 variants).

Conventions:

- **Distance** (proximity) is the L1 distance on raw feature values, each feature divided by
  its median absolute deviation (MAD) over the training rows; a MAD of 0 counts as 1. The unit
  is "MADs" (Wachter, Mittelstadt & Russell 2017, eq. 5).
- **Minimal in its own changes**: every changed feature is needed; setting any one of them
  back to the applicant's value leaves the application denied (Wachter et al. 2017; DiCE's
  sparsity post-processing, Mothilal, Sharma & Tan 2020).
- **Plausibility**: the distance from the counterfactual to the nearest training applicant
  *other than the applicant* (an applicant who is a training row is not its own evidence) is
  at most the 95th percentile of each training applicant's distance to its nearest other one.
- **Diversity** of a set: distinct sets of changed features and the pairwise distances
  between members (Mothilal, Sharma & Tan 2020, DiCE).

References
----------
Wachter, S., Mittelstadt, B. & Russell, C. (2017). Counterfactual explanations without opening
the black box: automated decisions and the GDPR. Harvard Journal of Law & Technology 31(2).
Mothilal, R. K., Sharma, A. & Tan, C. (2020). Explaining machine learning classifiers through
diverse counterfactual explanations. FAT* 2020 (DiCE).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import combinations

import numpy as np

from xaikit import counterfactuals as CF
from xaikit.exercises.counterfactuals.public import (DIVERSITY_MIN_PAIRWISE, K_MAX,
                                                     N_APPLICANTS)
from xaikit.exercises.framework import (AnswerFormatError, Rubric, as_array, as_float, correct,
                                        incorrect, partial)

#: |candidate MAD - reference MAD| (raw units): float64 medians; absorbs summation order.
TOL_MAD = 1e-6
#: |candidate - reference| plausibility threshold (MADs): a percentile of float64 distances.
TOL_PLAUSIBILITY = 1e-6
#: a minimal counterfactual may cost at most this factor times the grader's exhaustive grid
#: minimum. Absorbs searches on a different grid anchoring (calibrated).
PROXIMITY_FACTOR = 1.2
#: a diverse set's mean distance may be at most this factor times the grader's reference set
#: (greedy: cheapest per feature set, in order of cost). Absorbs a different but sensible
#: choice of the three feature sets, e.g. the most spread-out three of the six cheapest
#: (calibrated); still rejects sets of extreme changes.
SET_PROXIMITY_FACTOR = 2.0
#: applicants whose constrained minimum is cheaper than this (MADs) are not used: below it the
#: 0.005 grid step of a ratio (0.05-0.11 MADs) is a large fraction of the answer.
MIN_REFERENCE_DISTANCE = 0.5
#: percentile of nearest-neighbour distances that bounds a plausible counterfactual
PLAUSIBILITY_PERCENTILE = 95.0


# --- scale, distance, plausibility (the answers of q1) -------------------------------------

def mad_scale(X) -> np.ndarray:
    """Median absolute deviation of each column, with 0 replaced by 1.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Reference data, raw values (for the exercise: the model's training rows).

    Returns
    -------
    ndarray of shape (n_features,)
        ``median(|X[:, j] - median(X[:, j])|)``, or 1 where that is 0. Raw units.
    """
    A = np.asarray(X, dtype=float)
    mad = np.median(np.abs(A - np.median(A, axis=0)), axis=0)
    return np.where(mad > 0, mad, 1.0)


def distance(x, cfs, scale) -> np.ndarray:
    """MAD-weighted L1 distance of each row of ``cfs`` (n, p) from ``x`` (p,), in MADs."""
    C = np.atleast_2d(np.asarray(cfs, dtype=float))
    return (np.abs(C - np.asarray(x, dtype=float)) / np.asarray(scale, float)).sum(1)


class Plausibility:
    """Nearest-real-applicant distances on the MAD scale (sklearn ``NearestNeighbors``).

    Parameters
    ----------
    X_ref : pandas.DataFrame of shape (n_ref, n_features)
        Real applicants (raw values); its index labels let :meth:`nearest` leave one out.
    scale : array-like of shape (n_features,)
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
        self.labels = list(X_ref.index)
        Z = np.asarray(X_ref, float) / self.scale
        self.nn = NearestNeighbors(n_neighbors=2, metric="manhattan").fit(Z)
        d, _ = self.nn.kneighbors(Z)
        self.threshold = float(np.percentile(d[:, 1], percentile))

    def nearest(self, X, exclude=None) -> np.ndarray:
        """Distance of each row of ``X`` (n, p) to its nearest reference row, MADs, leaving
        out the reference row labelled ``exclude`` (the applicant itself) when there is one."""
        Z = np.atleast_2d(np.asarray(X, float)) / self.scale
        d, i = self.nn.kneighbors(Z, n_neighbors=2)
        if exclude is None or exclude not in self.labels:
            return d[:, 0]
        own = self.labels.index(exclude)
        return np.where(i[:, 0] == own, d[:, 1], d[:, 0])


# --- the grader's view of a counterfactual (reproduces the q2 / q3 checks) ------------------

@dataclass
class ConstraintReport:
    """Which features an edit changes and which constraints it breaks.

    Attributes
    ----------
    changed : list of str
        Features that differ from the original (sparsity = ``len(changed)``).
    immutable_changed, direction_violations, range_violations, not_whole : list of str
        Features breaking each constraint (``not_whole``: a score set to a fraction).
    """

    changed: list
    immutable_changed: list
    direction_violations: list
    range_violations: list
    not_whole: list

    @property
    def sparsity(self) -> int:
        return len(self.changed)

    @property
    def feasible(self) -> bool:
        """No immutable change, no direction, range or whole-number violation."""
        return not (self.immutable_changed or self.direction_violations or
                    self.range_violations or self.not_whole)


def constraint_report(x, c, constraints) -> ConstraintReport:
    """Compare an edited applicant ``c`` with the original ``x`` under ``constraints``.

    Parameters
    ----------
    x, c : array-like of shape (n_features,)
        Original and edited applicant, raw values, in ``constraints.names`` order.
    constraints : xaikit.counterfactuals.Constraints

    Returns
    -------
    ConstraintReport
        Range bounds are compared within ``xaikit.counterfactuals.RANGE_TOL``.
    """
    x = np.asarray(x, float)
    c = np.asarray(c, float)
    delta = c - x
    changed = np.abs(delta) > CF.CHANGE_TOL
    dec = np.array([d == "decrease" for d in constraints.direction])
    inc = np.array([d == "increase" for d in constraints.direction])
    wrong = changed & ((dec & (delta > 0)) | (inc & (delta < 0)))
    out_of_range = changed & ((c < constraints.low - CF.RANGE_TOL) |
                              (c > constraints.high + CF.RANGE_TOL))
    fraction = changed & constraints.integer & (np.abs(c - np.round(c)) > 1e-9)
    names = np.array(constraints.names)
    mut = constraints.mutable
    return ConstraintReport(changed=list(names[changed]),
                            immutable_changed=list(names[changed & ~mut]),
                            direction_violations=list(names[wrong & mut]),
                            range_violations=list(names[out_of_range & mut]),
                            not_whole=list(names[fraction & mut]))


@dataclass
class CounterfactualReport(ConstraintReport):
    """:class:`ConstraintReport` plus what the grader measures.

    Attributes
    ----------
    probability : float
    valid, fragile : bool
    redundant : list of str
        Changed features that can be set back to the applicant's value with the decision
        still flipped (a counterfactual must need every change it makes).
    distance, nn_distance : float
        MADs from the applicant, and to the nearest other training applicant.
    plausible : bool
    """

    probability: float = float("nan")
    valid: bool = False
    fragile: bool = False
    redundant: list = field(default_factory=list)
    distance: float = float("nan")
    nn_distance: float = float("nan")
    plausible: bool = False


def evaluate(model, x, cfs, constraints, scale, plausibility, threshold=CF.THRESHOLD,
             label=None) -> list:
    """Recompute everything about each counterfactual ``cfs`` (n, p) of applicant ``x`` (p,).

    ``label`` is the applicant's index label (left out of the plausibility reference).
    Returns a list of :class:`CounterfactualReport`, length n.
    """
    x = np.asarray(x, float)
    C = np.atleast_2d(np.asarray(cfs, float))
    p = CF.deny_probability(model, C)
    dist = distance(x, C, scale)
    nn = plausibility.nearest(C, exclude=label)
    out = []
    for i, c in enumerate(C):
        base = constraint_report(x, c, constraints)
        redundant = []
        if p[i] < threshold and base.sparsity > 1:
            idx = [constraints.names.index(n) for n in base.changed]
            R = np.repeat(c[None], len(idx), axis=0)
            for r, j in enumerate(idx):
                R[r, j] = x[j]
            still = CF.deny_probability(model, R) < threshold
            redundant = [base.changed[r] for r in np.flatnonzero(still)]
        out.append(CounterfactualReport(
            **vars(base), probability=float(p[i]), valid=bool(p[i] < threshold),
            fragile=bool(threshold - CF.FRAGILE_MARGIN <= p[i] < threshold),
            redundant=redundant, distance=float(dist[i]), nn_distance=float(nn[i]),
            plausible=bool(nn[i] <= plausibility.threshold + 1e-12)))
    return out


def diversity(cfs, x, scale) -> dict:
    """``mean_pairwise``, ``min_pairwise`` (MADs) and ``n_feature_sets`` of a set (k, p)."""
    C = np.atleast_2d(np.asarray(cfs, float))
    pair = [distance(C[i], C[j][None], scale)[0] for i, j in combinations(range(len(C)), 2)]
    pair = np.array(pair or [0.0])
    sets = {tuple(np.flatnonzero(np.abs(c - np.asarray(x, float)) > CF.CHANGE_TOL)) for c in C}
    return {"mean_pairwise": float(pair.mean()), "min_pairwise": float(pair.min()),
            "n_feature_sets": len(sets)}


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


# --- the variant's applicants (written as a variant data file for the public part) ----------

@lru_cache(maxsize=None)
def _pool():
    """The model, constraints, scale, plausibility and every applicant the model denies.

    Recourse is asked for applicants of the whole data set, not only the test rows: 46 denied
    test applicants (15 eligible) are too few for variants to differ (151 denied in all).
    Training rows are left out of their own plausibility reference (:meth:`Plausibility.nearest`).
    """
    from xaikit.models import hmda_model

    trained = hmda_model()
    constraints = CF.Constraints.from_dataset(trained.dataset)
    scale = mad_scale(trained.X_train)
    plaus = Plausibility(trained.X_train, scale)
    X = trained.dataset.X
    p = CF.deny_probability(trained.model, X)
    denied = [int(a) for a in X.index[p >= CF.THRESHOLD]]
    return trained, constraints, scale, plaus, denied


_SEARCH_CACHE: dict = {}


def reference_search(label: int, constrained: bool = True) -> SearchResult:
    """The grader's exhaustive search for applicant ``label`` (row of ``dataset.X``; cached)."""
    key = (int(label), bool(constrained))
    if key not in _SEARCH_CACHE:
        trained, constraints, scale, _, _ = _pool()
        _SEARCH_CACHE[key] = exhaustive_minimum(
            trained.model, trained.dataset.X.loc[label].to_numpy(float), constraints, scale,
            max_features=K_MAX, constrained=constrained, per_set=constrained)
    return _SEARCH_CACHE[key]


def reference_diverse(label: int):
    """The grader's diverse set of 3 for ``label``: the plausible per-set minima in order of
    cost, skipping one closer than ``DIVERSITY_MIN_PAIRWISE`` to a member already taken.

    Returns ndarray (3, n_features) or None.
    """
    _, _, scale, plaus, _ = _pool()
    res = reference_search(label)
    rows = []
    for key in sorted(res.per_set, key=lambda s: res.per_set[s][0]):
        c = res.per_set[key][1]
        if plaus.nearest(c, exclude=label)[0] > plaus.threshold:
            continue
        if any(distance(r, c[None], scale)[0] < DIVERSITY_MIN_PAIRWISE for r in rows):
            continue
        rows.append(c)
        if len(rows) == 3:
            return np.array(rows)
    return None


def _eligible(label: int, need_diverse: bool) -> bool:
    _, _, _, plaus, _ = _pool()
    res = reference_search(label)
    if res.best is None or res.distance < MIN_REFERENCE_DISTANCE:
        return False
    if plaus.nearest(res.best, exclude=label)[0] > plaus.threshold:
        return False
    return reference_diverse(label) is not None if need_diverse else True


def _traps_immutable(label: int) -> bool:
    _, constraints, _, _, _ = _pool()
    res = reference_search(label, constrained=False)
    return res.best is not None and bool(set(res.changed) & set(constraints.immutable_names))


@lru_cache(maxsize=None)
def _diverse_order() -> tuple:
    """The applicants that can be asked for a diverse set, shuffled once (seed 40_000)."""
    *_, denied = _pool()
    order = np.random.default_rng(40_000).permutation(denied)
    return tuple(int(a) for a in order if _eligible(int(a), need_diverse=True))


@lru_cache(maxsize=64)
def select_applicants(variant: int) -> tuple:
    """``(applicants, trap)`` of ``variant``: see :func:`public.build_context`.

    The q3 applicant walks through :func:`_diverse_order` (variant ``v`` takes entry
    ``v mod n``: consecutive variants never share it); the other two and the trap come from
    the denied applicants shuffled with seed ``40_000 + variant``.
    """
    *_, denied = _pool()
    diverse = _diverse_order()
    chosen = [diverse[int(variant) % len(diverse)]]
    order = [int(a) for a in np.random.default_rng(40_000 + int(variant)).permutation(denied)]
    for a in order:
        if len(chosen) == N_APPLICANTS:
            break
        if a not in chosen and _eligible(a, need_diverse=False):
            chosen.append(a)
    if len(chosen) < N_APPLICANTS:
        raise RuntimeError("not enough eligible denied applicants")
    trap = next(a for a in order if a not in chosen and _traps_immutable(a))
    return tuple(chosen), trap


def materialise(variant: int) -> dict:
    """The variant's data files: ``{"applicants": DataFrame}`` indexed by label, column
    ``role`` ("question" in order, then "trap")."""
    import pandas as pd

    chosen, trap = select_applicants(int(variant))
    return {"applicants": pd.DataFrame({"role": ["question"] * len(chosen) + ["trap"]},
                                       index=pd.Index([*chosen, trap], name="label"))}


class References:
    """The public context plus the grader's references (attributes are delegated)."""

    def __init__(self, ctx):
        self.ctx = ctx
        _, _, self.scale, self.plausibility, _ = _pool()

    def __getattr__(self, name):
        return getattr(self.ctx, name)

    def search(self, label, constrained=True) -> SearchResult:
        return reference_search(label, constrained)

    @cached_property
    def ref_minimal(self) -> np.ndarray:
        """The grader's minimal counterfactual of each applicant, shape (3, 12)."""
        return np.array([self.search(a).best for a in self.applicants])

    @cached_property
    def ref_diverse(self) -> np.ndarray:
        return reference_diverse(self.diverse_applicant)

    def evaluate(self, label, cfs) -> list:
        return evaluate(self.model, self.X_all.loc[label].to_numpy(float), cfs,
                        self.constraints, self.scale, self.plausibility, self.threshold,
                        label=label)


def reference_context(ctx) -> References:
    """The grader's context for the public context ``ctx``."""
    return References(ctx)



# --- checks ----------------------------------------------------------------------------------

def _rows(name, value, n_rows, ctx) -> np.ndarray:
    """An answer of n_rows counterfactuals as an array (n_rows, 12) in feature order."""
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        missing = [f for f in ctx.feature_names if f not in value.columns]
        if missing:
            raise AnswerFormatError(f"`{name}` has no column(s) {missing[:3]}: use the columns "
                                    "of X_test.")
        value = value[ctx.feature_names].to_numpy(dtype=float)
    return as_array(name, value, (n_rows, len(ctx.feature_names)))


def _check_mad(mad, ctx):
    """(ok, feedback, hint) for the MAD scale."""
    if np.all(np.abs(mad - ctx.scale) <= TOL_MAD):
        return True, "", None
    raw = np.median(np.abs(ctx.X_train - ctx.X_train.median()), axis=0)
    if np.any(mad == 0) or np.all(np.abs(mad - raw) <= TOL_MAD):
        return False, "some features of `mad` are 0: the distance would divide by zero", \
            "Where the MAD is 0 (most applicants share one value), use 1."
    hint = "MAD = median(|x - median(x)|) per feature, over X_train, with 0 replaced by 1."
    for other, what in ((ctx.X_test, "the test rows"), (ctx.dataset.X, "all rows")):
        if np.all(np.abs(mad - mad_scale(other)) <= TOL_MAD):
            return False, f"`mad` is the MAD of {what}", \
                "The scale is fixed by the model's training applicants (X_train)."
    std = ctx.X_train.std().to_numpy()
    meandev = (ctx.X_train - ctx.X_train.mean()).abs().mean().to_numpy()
    for alt, what in ((std, "the standard deviation"),
                      (meandev, "the mean absolute deviation from the mean")):
        if np.allclose(mad, alt, atol=1e-4) or np.allclose(mad, np.where(alt > 0, alt, 1),
                                                           atol=1e-4):
            return False, f"`mad` is {what}, not the median absolute deviation", hint
    return False, "`mad` does not match", hint


def _check_threshold(t, ctx):
    if abs(t - ctx.plausibility.threshold) <= TOL_PLAUSIBILITY:
        return True, "", None
    hint = ("For each training applicant, the MAD-weighted L1 distance to its nearest OTHER "
            "training applicant (NearestNeighbors(n_neighbors=2, metric='manhattan') on "
            "X_train / mad, second column); then the 95th percentile.")
    if abs(t) <= 1e-12:
        return False, "`plausibility_threshold` is 0", (
            "Each applicant is its own nearest neighbour at distance 0: take the nearest "
            "other applicant (n_neighbors=2, second column).")
    return False, "`plausibility_threshold` does not match", hint


def check_q1(a, ctx):
    parts = []
    if a["mad"] is not None:
        parts.append(_check_mad(as_array("mad", a["mad"], (len(ctx.feature_names),)), ctx))
    else:
        parts.append((False, "`mad` missing", None))
    if a["plausibility_threshold"] is not None:
        parts.append(_check_threshold(as_float("plausibility_threshold",
                                               a["plausibility_threshold"]), ctx))
    else:
        parts.append((False, "`plausibility_threshold` missing", None))
    score = 0.5 * sum(ok for ok, _, _ in parts)
    if score == 1:
        return correct("Correct: the MAD scale of the training applicants (0 counted as 1) and "
                       "the 95th percentile of their nearest-neighbour distances.")
    notes = "; ".join(f for ok, f, _ in parts if not ok) + "."
    hint = next((h for ok, _, h in parts if not ok and h), None)
    return partial(score, notes, hint) if score else incorrect(notes, hint)


def _row_problems(rep, ref_distance, ctx) -> tuple[list, str | None]:
    """Problems of one counterfactual (ordered by importance) and the hint of the first."""
    probs, hint = [], None
    if not rep.changed:
        return ["it is the original applicant, unchanged"], "Change at least one mutable feature."
    if rep.immutable_changed:
        probs.append("changes immutable " + ", ".join(f"`{n}`" for n in rep.immutable_changed))
        if "black" in rep.immutable_changed:
            hint = ("`black` is a protected attribute the applicant cannot change: a "
                    "counterfactual that changes it is not recourse. Search only dir, hir, "
                    "lvr, ccs and mcs.")
        else:
            hint = ("Only dir, hir, lvr, ccs and mcs may change "
                    "(dataset.features[name].mutable).")
    if rep.direction_violations:
        probs.append("moves " + ", ".join(f"`{n}`" for n in rep.direction_violations)
                     + " the wrong way")
        hint = hint or ("Every mutable feature here may only decrease (lower ratio, better "
                        "score): dataset.features[name].direction.")
    if rep.range_violations:
        probs.append(", ".join(f"`{n}`" for n in rep.range_violations) + " out of range")
        hint = hint or "Stay within dataset.features[name].range."
    if rep.not_whole:
        probs.append(", ".join(f"`{n}`" for n in rep.not_whole) + " not a whole score")
        hint = hint or "ccs (1-6) and mcs (1-4) are whole-number scores."
    if rep.sparsity > ctx.k:
        probs.append(f"changes {rep.sparsity} features (at most {ctx.k})")
        hint = hint or f"Change at most {ctx.k} features."
    if not rep.valid:
        probs.append(f"the model still denies (probability of denial {rep.probability:.3f} ≥ "
                     f"{ctx.threshold:g})")
        hint = hint or ("A counterfactual must flip the decision: predict_proba(...)[:, 1] < "
                        "0.5 (probability, not log-odds).")
    elif rep.redundant:
        probs.append("changes " + ", ".join(f"`{n}`" for n in rep.redundant) + " without need "
                     "(the decision still flips with it set back to the applicant's value)")
        hint = hint or ("Change only what the flip needs: set each changed feature back to the "
                        "applicant's value in turn; if the model still approves, that change "
                        "is not needed (a pair whose one change flips alone is a one-feature "
                        "counterfactual plus a needless change).")
    if not probs and rep.distance > PROXIMITY_FACTOR * ref_distance + 1e-9:
        probs.append(f"valid but not minimal (distance {rep.distance:.2f} MADs is more than "
                     f"{PROXIMITY_FACTOR:g} × the cheapest the grader found)")
        hint = ("Search every single mutable feature and every pair on a grid at least as fine "
                "as the grader's (ratios in steps of 0.005 from the applicant's value, scores "
                "in whole steps) and keep the cheapest valid one.")
    if not probs and not rep.plausible:
        probs.append(f"implausible (nearest other real applicant {rep.nn_distance:.2f} MADs "
                     "away)")
        hint = ("Prefer a change that lands near real applicants: its nearest training "
                "applicant other than the applicant must be within plausibility_threshold "
                "(q1).")
    return probs, hint


def check_q2(a, ctx):
    cfs = _rows("counterfactuals", a["counterfactuals"], len(ctx.applicants), ctx)
    good, notes, hints, fragile = 0, [], [], []
    for i, label in enumerate(ctx.applicants):
        rep = ctx.evaluate(label, cfs[i][None])[0]
        probs, hint = _row_problems(rep, ctx.search(label).distance, ctx)
        if probs:
            notes.append(f"applicant {label}: " + "; ".join(probs))
            hints.append(hint)
            if not rep.changed or rep.immutable_changed:
                for j, other in enumerate(ctx.applicants):
                    if j != i and not ctx.evaluate(other, cfs[i][None])[0].immutable_changed:
                        hints[-1] = ("Row i must be a counterfactual of APPLICANTS[i] (index "
                                     "labels of X_all: use X_all.loc).")
        else:
            good += 1
            if rep.fragile:
                fragile.append(str(label))
    flag = (f" Fragile (within {CF.FRAGILE_MARGIN:g} of the threshold): applicant(s) "
            f"{', '.join(fragile)}; say so when you report them." if fragile else "")
    if good == len(ctx.applicants):
        return correct("Correct: each counterfactual flips the decision, needs every change it "
                       "makes, respects the constraints, is plausible and within the allowed "
                       "distance of the minimum." + flag)
    hint = next(h for h in hints if h)
    if good:
        return partial(good / len(ctx.applicants), "; ".join(notes) + "." + flag, hint)
    return incorrect("; ".join(notes) + ".", hint)


def check_q3(a, ctx):
    label = ctx.diverse_applicant
    cfs = _rows("diverse_set", a["diverse_set"], 3, ctx)
    reps = ctx.evaluate(label, cfs)
    notes, hint, score = [], None, 0.0
    ok_members = 0
    for i, rep in enumerate(reps):
        probs, h = _row_problems(rep, np.inf, ctx)
        if probs:
            notes.append(f"member {i}: " + "; ".join(probs))
            hint = hint or h
        else:
            ok_members += 1
    score += 0.5 * ok_members / 3
    x = ctx.X_all.loc[label].to_numpy(float)
    div = diversity(cfs, x, ctx.scale)
    diverse = div["n_feature_sets"] == 3 and div["min_pairwise"] >= DIVERSITY_MIN_PAIRWISE
    if diverse:
        score += 0.3
    else:
        if div["min_pairwise"] < 1e-9:
            notes.append("two members are identical")
        elif div["n_feature_sets"] < 3:
            notes.append("two members change the same set of features")
        else:
            notes.append(f"two members are closer than {DIVERSITY_MIN_PAIRWISE:g} MADs")
        hint = hint or ("Diverse = three different options: each member changes a different "
                        "set of features, and any two are at least "
                        f"{DIVERSITY_MIN_PAIRWISE:g} MADs apart.")
    ref_mean = float(distance(x, ctx.ref_diverse, ctx.scale).mean())
    mean = float(np.mean([r.distance for r in reps]))
    if ok_members == 3 and diverse:
        if mean <= SET_PROXIMITY_FACTOR * ref_mean + 1e-9:
            score += 0.2
        else:
            notes.append(f"the set is valid and diverse but expensive (mean distance {mean:.2f}"
                         " MADs)")
            hint = ("For each feature set take its cheapest valid counterfactual that needs "
                    "all its changes, then pick the cheapest three that are diverse.")
    if score >= 1 - 1e-9:
        return correct(f"Correct: three valid, minimal, feasible, plausible and diverse "
                       f"counterfactuals (mean pairwise distance {div['mean_pairwise']:.2f} "
                       "MADs).")
    if score == 0:
        return incorrect("; ".join(notes) + ".", hint)
    return partial(round(score, 4), "; ".join(notes) + ".", hint)


# --- declaration: checks, hints and rubrics of the public questions ----------------------

CHECKS = {"q1": check_q1, "q2": check_q2, "q3": check_q3}

HINTS = {
    "q1": ("np.median(np.abs(X - np.median(X, axis=0)), axis=0), then 0 -> 1.",
           "sklearn.neighbors.NearestNeighbors(metric='manhattan') on X_train / mad."),
    "q2": ("Score every single change and every pair of changes of the mutable features on a "
           "grid in one predict_proba call; keep the cheapest valid one that needs both of "
           "its changes.",),
    "q3": ("Keep the cheapest valid counterfactual of every feature set from your q2 search "
           "(pairs only where neither change flips alone), then choose three different ones.",),
}

RUBRICS = {
    "q4": Rubric(
        criteria=(
            "states the recourse concretely for one applicant (which feature, from what to "
            "what, in the applicant's terms: e.g. a larger down payment lowering the loan-to-"
            "value ratio to X) and that it is the model's decision boundary, not a guarantee",
            "not causal: the counterfactual describes the model, not the world; lowering the "
            "ratio might change other things (income, other ratios move together), and a "
            "model trained on 1990 data encodes correlations, not mechanisms",
            "mentions fragility / validity over time: a retrained model or a probability "
            "close to the threshold may not honour it",
            "offers options (the diverse set, each needing all its changes) and lets the "
            "applicant pick what is feasible",
            "mentions plausibility/feasibility limits and that immutable and protected "
            "features are never suggested"),
        strong="A short, plain-language message for one applicant with a concrete option and "
               "alternatives, plus a clear statement that it describes the model's rule, not "
               "a cause, with the fragility caveat.",
        adequate="A correct recourse statement and a generic 'not causal' remark.",
        weak="Restates the numbers, or promises approval, or claims the change causes "
             "approval."),
    "q5": Rubric(
        criteria=(
            "reads the demo: without constraints the cheapest way to flip the decision changes "
            "an immutable feature (for most denied applicants denied mortgage insurance, the "
            "industry unemployment rate or a public bad credit record; never `black` as the "
            "cheapest flip): the model's decision is sensitive to what the applicant cannot "
            "change, so an unconstrained counterfactual is not actionable recourse",
            "explains why constraints are needed: immutable features, directions and ranges "
            "encode what is actionable",
            "reads the second demo: some denied Black applicants would be approved if only "
            "`black` changed; flags a fairness problem: the model uses a protected attribute "
            "(ECOA / Regulation B in the US, GDPR Art. 22, EU AI Act for credit scoring) and "
            "should be audited, not just hidden from the explanation",
            "notes that the MAD scale makes 0/1 flips cheap (a MAD of 0 counted as 1), so "
            "'cheapest' depends on the distance chosen"),
        strong="Connects the demo to model sensitivity and fairness, proposes an audit "
               "(e.g. disparate impact, dropping or constraining the feature) and notes the "
               "role of the distance scale.",
        adequate="Says immutable features must be excluded from recourse and that the model "
                 "depends on them.",
        weak="'The search must be constrained' with no word on what it says about the "
             "model."),
}
