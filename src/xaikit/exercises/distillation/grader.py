"""Grader part of ``distillation``: references, checks, hints, rubrics, and each variant's
target and grouping.

Never shipped to candidates, never importable in the grading kernel. The grader refits the
same surrogates on the same rows as the notebook (``DecisionTreeRegressor`` fit to the
teacher's predictions on ``X_fit``, fidelity = R² against the teacher on ``X_eval``).
Tolerances are calibrated in ``tests/test_calibration_distillation.py`` (20 variants, 20
tie-breaking seeds).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from xaikit.distill import DEPTHS
from xaikit.exercises.distillation.public import (GROUPINGS, PRED_DEPTH, TARGETS,
                                                  DistillationContext, draw_rows, teacher)
from xaikit.exercises.framework import (AnswerFormatError, Rubric, as_array, as_float, correct,
                                        incorrect, partial)

#: |candidate - reference| fidelity (R²). The issue's bound; it absorbs the surrogate's
#: tie-breaking between equally good splits when a different random_state is used (measured
#: at most ~0.003, at depth 8).
TOL_FIDELITY = 0.005
#: |candidate - reference| predictions of the depth-3 surrogate (rentals per hour): the same
#: tree refit on the same rows is bit-identical (no ties at depth 3); this absorbs float32
#: teacher outputs passed as float64 or the reverse.
TOL_PRED = 1e-4
#: a variant's target is at least this far from every depth's fidelity, so that the chosen
#: depth cannot flip within TOL_FIDELITY
TARGET_MARGIN = 0.01
#: the worst subgroup is at least this much worse than the second worst
WORST_MARGIN = 0.02
LABEL_FIDELITY_HINT = (
    "Fidelity compares the surrogate with the TEACHER's predictions on the held-out rows "
    "(r2_score(teacher.predict(X_eval), surrogate.predict(X_eval))), not with the observed "
    "rentals: a surrogate explains the model, so it must be judged on how well it mimics the "
    "model, whatever the model's own errors.")


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


class References:
    """The public context plus the grader's references (attributes are delegated)."""

    def __init__(self, ctx):
        self.ctx = ctx

    def __getattr__(self, name):
        return getattr(self.ctx, name)

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


# --- checks ----------------------------------------------------------------------------------

def _alternatives(ctx) -> dict:
    """Fidelity arrays of typical mistakes, keyed by their hint."""
    from sklearn.metrics import r2_score

    c = ctx.curve
    out = {LABEL_FIDELITY_HINT: c.accuracy}
    out["The surrogates must learn the teacher's predictions (teacher.predict(X_fit)), not "
        "the labels: a tree fit to the labels is a second model, not a surrogate."] = np.array(
        [r2_score(ctx.teacher_eval, fit_surrogate(
            ctx.X_fit, ctx.trained.y_train.loc[ctx.fit_rows], d, random_state=ctx.seed)
            .predict(ctx.X_eval)) for d in ctx.depths])
    out["Measure fidelity on the held-out EVAL_ROWS, not on the rows the surrogate was fit "
        "to: in-sample fidelity is optimistic."] = np.array(
        [fidelity(ctx.teacher_fit, s.predict(ctx.X_fit)) for s in c.surrogates])
    out["r2_score(y_true, y_pred): the teacher's predictions are y_true, the surrogate's "
        "y_pred (R² is not symmetric)."] = np.array(
        [r2_score(s.predict(ctx.X_eval), ctx.teacher_eval) for s in c.surrogates])
    out["Evaluate on X_test.loc[EVAL_ROWS] (the variant's held-out rows), not all of "
        "X_test."] = np.array(
        [fidelity(ctx.teacher.predict(ctx.trained.X_test), s.predict(ctx.trained.X_test))
         for s in c.surrogates])
    out["Fit on X_train.loc[FIT_ROWS] (the variant's transfer set), not all of "
        "X_train."] = fidelity_curve(
        ctx.trained.X_train, ctx.teacher.predict(ctx.trained.X_train), ctx.X_eval,
        ctx.teacher_eval, depths=ctx.depths, random_state=ctx.seed).fidelity
    return out


def _check_fidelity(f, ctx):
    """(score in [0, 1], feedback, hint) for the fidelity array."""
    ref = ctx.curve.fidelity
    ok = np.abs(f - ref) <= TOL_FIDELITY
    if ok.all():
        return 1.0, "", None
    for hint, alt in _alternatives(ctx).items():
        if np.all(np.abs(f - alt) <= TOL_FIDELITY):
            if hint == LABEL_FIDELITY_HINT:
                return 0.0, ("`fidelity` holds accuracies against the observed rentals (labels), "
                             "not fidelities against the teacher"), hint
            return 0.0, "`fidelity` is not the fidelity asked for", hint
    if np.allclose(f, ref[::-1], atol=TOL_FIDELITY):
        return 0.0, "`fidelity` is in reverse order", "fidelity[i] is for depth DEPTHS[i] = i + 1."
    wrong = [str(d) for d, o in zip(ctx.depths, ok) if not o]
    hint = ("DecisionTreeRegressor(max_depth=d, random_state=SURROGATE_SEED) fit to "
            "teacher.predict(X_fit); fidelity = r2_score(teacher.predict(X_eval), "
            "surrogate.predict(X_eval)).")
    if ok.any():
        return 0.5 * ok.mean(), f"`fidelity` is wrong at depth(s) {', '.join(wrong)}", hint
    return 0.0, "`fidelity` matches at no depth", hint


def _check_pred(p, ctx):
    """(ok, feedback, hint) for the depth-3 surrogate's held-out predictions."""
    ref = ctx.ref_pred
    if np.all(np.abs(p - ref) <= TOL_PRED):
        return True, "", None
    labels = fit_surrogate(ctx.X_fit, ctx.trained.y_train.loc[ctx.fit_rows], PRED_DEPTH,
                           random_state=ctx.seed).predict(ctx.X_eval)
    if np.all(np.abs(p - labels) <= TOL_PRED):
        return False, "`depth3_pred` comes from a tree fit to the labels", (
            "The surrogates must learn the teacher's predictions (teacher.predict(X_fit)), not "
            "the labels: a tree fit to the labels is a second model, not a surrogate.")
    full = fit_surrogate(ctx.trained.X_train, ctx.teacher.predict(ctx.trained.X_train),
                         PRED_DEPTH, random_state=ctx.seed).predict(ctx.X_eval)
    if np.all(np.abs(p - full) <= TOL_PRED):
        return False, "`depth3_pred` comes from a tree fit to all of X_train", (
            "Fit on X_train.loc[FIT_ROWS] (the variant's transfer set), not all of X_train.")
    if np.all(np.abs(p - ctx.teacher_eval) <= TOL_PRED):
        return False, "`depth3_pred` holds the teacher's predictions", (
            "depth3_pred = the depth-3 surrogate's predictions on X_eval.")
    return False, "`depth3_pred` does not match the depth-3 surrogate", (
        "depth3_pred = surrogate of depth 3 (fit as in q1) .predict(X_eval), in EVAL_ROWS order.")


def check_q1(a, ctx):
    parts, score = [], 0.0
    if a["fidelity"] is not None:
        s, fb, h = _check_fidelity(as_array("fidelity", a["fidelity"], (len(ctx.depths),)), ctx)
        score += 0.7 * s
        parts.append((s == 1.0, fb, h))
    else:
        parts.append((False, "`fidelity` missing", None))
    if a["depth3_pred"] is not None:
        ok, fb, h = _check_pred(as_array("depth3_pred", a["depth3_pred"],
                                         (len(ctx.eval_rows),)), ctx)
        score += 0.3 * ok
        parts.append((ok, fb, h))
    else:
        parts.append((False, "`depth3_pred` missing", None))
    if score >= 1 - 1e-9:
        return correct("Correct: the surrogates' fidelity (R² against the teacher on the "
                       "held-out rows) is reproduced at every depth, and the depth-3 surrogate "
                       "is the one asked for.")
    notes = "; ".join(fb for ok, fb, _ in parts if not ok) + "."
    hint = next((h for ok, _, h in parts if not ok and h), None)
    return partial(round(score, 4), notes, hint) if score else incorrect(notes, hint)


def check_q2(a, ctx):
    d = as_float("chosen_depth", a["chosen_depth"])
    if d != int(d):
        raise AnswerFormatError("`chosen_depth` should be a whole number (a depth 1-8).")
    d = int(d)
    if d == ctx.ref_depth:
        return correct(f"Correct: the smallest depth with fidelity ≥ {ctx.target:g}.")
    hint = f"The smallest depth whose fidelity (q1) is at least TARGET = {ctx.target:g}."
    if d == smallest_depth(ctx.depths, ctx.curve.accuracy, ctx.target):
        return incorrect("This depth reaches the target in accuracy against the labels, not "
                         "in fidelity against the teacher.", LABEL_FIDELITY_HINT)
    if d == ctx.ref_depth + 1 or d == ctx.ref_depth - 1:
        return incorrect("Off by one.", "Depths start at 1; fidelity[i] belongs to depth i + 1; "
                                        "'at least' includes equality.")
    return incorrect("Not the smallest depth that reaches the target.", hint)


def _dict_answer(name, value, keys):
    if not isinstance(value, dict):
        raise AnswerFormatError(f"`{name}` should be a dict {{subgroup label: R²}}, got "
                                f"{type(value).__name__}.")
    missing = [k for k in keys if k not in value]
    extra = [k for k in value if k not in keys]
    if missing or extra:
        raise AnswerFormatError(f"`{name}` should have exactly the labels of SUBGROUPS as keys"
                                f" (missing {missing[:3]}, unexpected {extra[:3]}).")
    return {k: as_float(f"{name}[{k!r}]", value[k]) for k in keys}


def check_q3(a, ctx):
    ref = ctx.subgroup_fidelity()
    score, notes, hint = 0.0, [], None
    if a["subgroup_fidelity"] is not None:
        sf = _dict_answer("subgroup_fidelity", a["subgroup_fidelity"], list(ref))
        diff = np.array([abs(sf[k] - ref[k]) for k in ref])
        if np.all(diff <= TOL_FIDELITY):
            score += 0.5
        else:
            notes.append("`subgroup_fidelity` does not match")
            hint = ("At the grader's chosen depth (q2), R² of the surrogate against the "
                    "teacher within each subgroup of the evaluation rows.")
            g = ctx.subgroups
            labels_based = {k: fidelity(ctx.y_eval[g == k],
                                        ctx.curve.surrogate(ctx.ref_depth)
                                        .predict(ctx.X_eval)[g == k]) for k in ref}
            if all(abs(sf[k] - labels_based[k]) <= TOL_FIDELITY for k in ref):
                hint = LABEL_FIDELITY_HINT
            else:
                for d in ctx.depths:
                    other = ctx.subgroup_fidelity(d)
                    if d != ctx.ref_depth and all(abs(sf[k] - other[k]) <= TOL_FIDELITY
                                                  for k in ref):
                        hint = "Use the surrogate of the chosen depth (q2), not another depth."
                        break
    else:
        notes.append("`subgroup_fidelity` missing")
    if a["worst_subgroup"] is not None:
        w = a["worst_subgroup"]
        if not isinstance(w, str) or w not in ref:
            raise AnswerFormatError("`worst_subgroup` should be one of the labels in "
                                    "SUBGROUPS (a string).")
        if w == ctx.ref_worst:
            score += 0.5
        else:
            notes.append("`worst_subgroup` is not the least faithful subgroup")
            hint = hint or "Least faithful = lowest fidelity (R² against the teacher)."
    else:
        notes.append("`worst_subgroup` missing")
    if score >= 1 - 1e-9:
        return correct("Correct: per-subgroup fidelity and the least faithful subgroup.")
    if score:
        return partial(score, "; ".join(notes) + ".", hint)
    return incorrect("; ".join(notes) + ".", hint)


# --- declaration: checks, hints and rubrics of the public questions ----------------------------

CHECKS = {"q1": check_q1, "q2": check_q2, "q3": check_q3}

HINTS = {
    "q1": ("Fit to teacher.predict(X_fit), score against teacher.predict(X_eval).",),
    "q2": ("The first depth whose fidelity is at least TARGET.",),
    "q3": ("Split the evaluation rows by SUBGROUPS; R² against the teacher in each.",),
}

RUBRICS = {
    "q4": Rubric(
        criteria=(
            "turns the depth-3 surrogate's rules into plain sentences with units (rentals per "
            "hour, hours of the day, temperature on its normalised scale explained)",
            "states the depth-3 surrogate's fidelity (q1) and what it means: the rules "
            "reproduce only that share of the teacher's variation; the rest is not explained",
            "says what the rules do NOT say: they describe the teacher, not the world (not "
            "causal: warmer weather 'raising' rentals is a pattern of 2011 data), and where "
            "the depth-3 surrogate is least faithful (its own per-subgroup fidelity, not the "
            "chosen depth's figures of q3) they should not be trusted",
            "mentions that thresholds are artefacts of the fit (another sample gives other "
            "cut points) and correlated features (temp/atemp) can swap"),
        strong="Clear rules a manager can read, with the depth-3 fidelity caveat, the subgroup "
               "where the depth-3 rules are weakest named with its depth-3 figure, and the "
               "model-not-world distinction.",
        adequate="Readable rules and one caveat.",
        weak="Pastes export_text output, presents the rules as facts about cyclists, or "
             "quotes the chosen (deeper) surrogate's figures as if they were the depth-3 "
             "rules'."),
    "q5": Rubric(
        criteria=(
            "fidelity measures how well the surrogate mimics the teacher; accuracy against the "
            "labels measures how well it predicts rentals: a surrogate can be accurate and "
            "unfaithful (or the reverse)",
            "the surrogate is meant to explain the teacher's behaviour, including its errors",
            "high fidelity overall can hide low fidelity in a subgroup (q3), and held-out rows "
            "matter (in-sample fidelity is optimistic)"),
        strong="All three, using the notebook's numbers (fidelity vs accuracy at the chosen "
               "depth, the worst subgroup).",
        adequate="The first criterion, correctly.",
        weak="Confuses fidelity with accuracy."),
}
