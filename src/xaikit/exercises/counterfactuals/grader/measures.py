"""The grader's measures of ``counterfactuals``: the MAD scale, the distance and plausibility
(the answers of q1), and the grader's view of a counterfactual (constraints, validity,
minimality in its own changes, diversity of a set).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from xaikit import counterfactuals as CF

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
