"""References of ``distillation``: the surrogates and their fidelity (the answers of q1-q3),
the grader's context (:class:`References`), and each variant's target and grouping
(:func:`materialise`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from xaikit.exercises.framework import ReferenceContext
import pandas as pd

from xaikit.distill import DEPTHS
from xaikit.exercises.distillation.public import (GROUPINGS, PRED_DEPTH, TARGETS,
                                                  DistillationContext, draw_rows, teacher)

#: a variant's target is at least this far from every depth's fidelity, so that the chosen
#: depth cannot flip within TOL_FIDELITY
TARGET_MARGIN = 0.01
#: the worst subgroup is at least this much worse than the second worst
WORST_MARGIN = 0.02


# --- the answers of q1-q3 (references) -------------------------------------------------------

def fit_surrogate(X_fit, teacher_fit, depth: int, *, min_samples_leaf: int = 1,
                  random_state: int = 0):
    """A decision-tree surrogate of the teacher (``DecisionTreeRegressor(...).fit``).

    Parameters
    ----------
    X_fit : pandas.DataFrame of shape (n_fit, n_features)
        Rows the surrogate learns from (the "transfer set").
    teacher_fit : ndarray of shape (n_fit,)
        The teacher's predictions on ``X_fit`` (rentals per hour), **not** the labels.
    depth : int
        ``max_depth`` of the tree.
    min_samples_leaf : int, default 1
    random_state : int, default 0
        Only breaks ties between equally good splits.

    Returns
    -------
    sklearn.tree.DecisionTreeRegressor
    """
    from sklearn.tree import DecisionTreeRegressor

    return DecisionTreeRegressor(max_depth=int(depth), min_samples_leaf=min_samples_leaf,
                                 random_state=random_state).fit(X_fit, np.asarray(teacher_fit))


def fidelity(teacher_pred, surrogate_pred) -> float:
    """R² of the surrogate against the teacher: ``r2_score(teacher, surrogate)``.

    Parameters
    ----------
    teacher_pred, surrogate_pred : array-like of shape (n_rows,)
        Same units (rentals per hour). Argument order matters: R² is not symmetric.

    Returns
    -------
    float
        1 = the surrogate reproduces the teacher exactly on these rows; 0 = no better than
        the teacher's mean; negative = worse than that.
    """
    from sklearn.metrics import r2_score

    return float(r2_score(np.asarray(teacher_pred, float), np.asarray(surrogate_pred, float)))


@dataclass
class FidelityCurve:
    """Surrogates of each depth and their fidelity on held-out rows.

    Attributes
    ----------
    depths : tuple of int
    fidelity : ndarray of shape (n_depths,)
        R² against the teacher on the evaluation rows.
    accuracy : ndarray of shape (n_depths,)
        R² against the labels on the same rows (for comparison only: not fidelity).
    surrogates : list of DecisionTreeRegressor
    n_leaves : ndarray of shape (n_depths,)
    """

    depths: tuple
    fidelity: np.ndarray
    accuracy: np.ndarray
    surrogates: list
    n_leaves: np.ndarray

    def surrogate(self, depth: int):
        return self.surrogates[self.depths.index(int(depth))]


def fidelity_curve(X_fit, teacher_fit, X_eval, teacher_eval, y_eval=None, *,
                   depths=DEPTHS, min_samples_leaf: int = 1,
                   random_state: int = 0) -> FidelityCurve:
    """Fit a surrogate of every depth and measure its fidelity on held-out rows.

    Parameters
    ----------
    X_fit : DataFrame (n_fit, n_features); teacher_fit : ndarray (n_fit,)
        The transfer set and the teacher's predictions on it (rentals per hour).
    X_eval : DataFrame (n_eval, n_features); teacher_eval : ndarray (n_eval,)
        Held-out rows and the teacher's predictions on them.
    y_eval : ndarray (n_eval,), optional
        Labels of the evaluation rows, to report accuracy beside fidelity.

    Returns
    -------
    FidelityCurve

    References
    ----------
    Craven & Shavlik (1996), "Extracting tree-structured representations of trained
    networks", NIPS 8; Molnar (2022), Interpretable Machine Learning, "Global Surrogate".
    """
    surrogates = [fit_surrogate(X_fit, teacher_fit, d, min_samples_leaf=min_samples_leaf,
                                random_state=random_state) for d in depths]
    preds = [s.predict(X_eval) for s in surrogates]
    fid = np.array([fidelity(teacher_eval, p) for p in preds])
    acc = (np.array([fidelity(y_eval, p) for p in preds]) if y_eval is not None
           else np.full(len(depths), np.nan))
    return FidelityCurve(tuple(depths), fid, acc, surrogates,
                         np.array([s.get_n_leaves() for s in surrogates]))


def smallest_depth(depths, fidelities, target: float):
    """The smallest depth whose fidelity is at least ``target``, or None if none is."""
    for d, f in zip(depths, fidelities):
        if f >= target:
            return int(d)
    return None


def subgroup_fidelity(teacher_eval, surrogate_eval, groups) -> dict:
    """Fidelity (R² against the teacher) within each subgroup of the evaluation rows.

    Parameters
    ----------
    teacher_eval, surrogate_eval : ndarray of shape (n_eval,)
        Rentals per hour.
    groups : array-like of shape (n_eval,)
        Group label of each row.

    Returns
    -------
    dict of str to float
        ``{label: R²}``, labels sorted. A subgroup's R² is 1 - MSE / variance of the teacher
        *within* that subgroup: a low value comes from large errors or from a teacher that
        varies little there (which one depends on the variant's grouping; see
        ``tests/test_calibration_distillation.py``).
    """
    g = np.asarray(groups).astype(str)
    t = np.asarray(teacher_eval, float)
    s = np.asarray(surrogate_eval, float)
    return {str(k): fidelity(t[g == k], s[g == k]) for k in sorted(set(g))}


class References(ReferenceContext):
    """The public context plus the grader's references (attributes are delegated)."""

    @cached_property
    def curve(self) -> FidelityCurve:
        """The surrogates of every depth and their fidelity (q1)."""
        return _curve(self.ctx)

    @property
    def ref_depth(self) -> int:
        """The smallest depth whose fidelity reaches the target (q2)."""
        return smallest_depth(self.depths, self.curve.fidelity, self.target)

    @property
    def ref_pred(self) -> np.ndarray:
        """The depth-3 surrogate's predictions on ``X_eval`` (q1)."""
        return self.curve.surrogate(PRED_DEPTH).predict(self.X_eval)

    def subgroup_fidelity(self, depth: int | None = None) -> dict:
        """Per-subgroup fidelity of the surrogate of ``depth`` (default: the chosen depth, q3)."""
        s = self.curve.surrogate(self.ref_depth if depth is None else depth)
        return subgroup_fidelity(self.teacher_eval, s.predict(self.X_eval), self.subgroups)

    @property
    def ref_worst(self) -> str:
        sf = self.subgroup_fidelity()
        return min(sf, key=sf.get)


def _curve(ctx) -> FidelityCurve:
    return fidelity_curve(ctx.X_fit, ctx.teacher_fit, ctx.X_eval, ctx.teacher_eval, ctx.y_eval,
                          depths=ctx.depths, random_state=ctx.seed)


def reference_context(ctx) -> References:
    """The grader's context for the public context ``ctx``."""
    return References(ctx)


# --- each variant's target and grouping -------------------------------------------------------

def unambiguous(ref: References) -> bool:
    """Whether the chosen depth and the least faithful subgroup are clear-cut: the target is at
    least TARGET_MARGIN from every depth's fidelity, and the worst subgroup at least
    WORST_MARGIN below the second worst."""
    if ref.ref_depth is None or np.min(np.abs(ref.curve.fidelity - ref.target)) < TARGET_MARGIN:
        return False
    vals = sorted(ref.subgroup_fidelity().values())
    return len(vals) >= 2 and vals[1] - vals[0] >= WORST_MARGIN


def choose_settings(variant: int) -> tuple[float, str]:
    """The variant's target and grouping: taken in turn from TARGETS and GROUPINGS (offset by
    the variant), skipping combinations where the chosen depth or the worst subgroup would be
    within tolerance of a tie.

    Raises
    ------
    RuntimeError
        When no combination is unambiguous.
    """
    trained = teacher()
    fit_rows, eval_rows = draw_rows(trained, variant)
    curve = None
    for k in range(len(TARGETS) * len(GROUPINGS)):
        target = TARGETS[(variant + k) % len(TARGETS)]
        grouping = GROUPINGS[(variant + k // len(TARGETS)) % len(GROUPINGS)]
        ref = References(DistillationContext(int(variant), trained, fit_rows, eval_rows,
                                             target, grouping))
        if curve is not None:
            ref.__dict__["curve"] = curve  # same rows: reuse the fitted surrogates
        curve = ref.curve
        if unambiguous(ref):
            return float(target), str(grouping)
    raise RuntimeError(f"variant {variant}: no unambiguous target/grouping")


def materialise(variant: int) -> dict:
    """The variant's data files: ``{"settings": one-row DataFrame (target, grouping)}``."""
    target, grouping = choose_settings(int(variant))
    return {"settings": pd.DataFrame({"target": [target], "grouping": [grouping]},
                                     index=pd.Index([int(variant)], name="variant"))}
