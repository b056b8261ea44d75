"""Grader part of ``distillation``: references, checks, hints, rubrics, and each variant's
target and grouping.

Never shipped to candidates, never importable in the grading kernel. The grader refits the
same surrogates on the same rows as the notebook (``DecisionTreeRegressor`` fit to the
teacher's predictions on ``X_fit``, fidelity = R² against the teacher on ``X_eval``).
Tolerances are calibrated in ``tests/test_calibration_distillation.py`` (20 variants, 20
tie-breaking seeds).
"""
from __future__ import annotations

import numpy as np

from xaikit.exercises.distillation.public import PRED_DEPTH
from xaikit.exercises.framework import (AnswerFormatError, Rubric, as_array, as_float, correct,
                                        incorrect, partial)

from .references import (TARGET_MARGIN, WORST_MARGIN, FidelityCurve, References,
                         choose_settings, fidelity, fidelity_curve, fit_surrogate,
                         materialise, reference_context, smallest_depth,
                         subgroup_fidelity, unambiguous)

#: The references are computed in :mod:`.references`; re-exported here for the callers.
__all__ = ["TARGET_MARGIN", "WORST_MARGIN", "FidelityCurve", "References", "choose_settings",
           "fidelity", "fidelity_curve", "fit_surrogate", "materialise", "reference_context",
           "smallest_depth", "subgroup_fidelity", "unambiguous", "CHECKS", "HINTS",
           "RUBRICS"]

#: |candidate - reference| fidelity (R²). The issue's bound; it absorbs the surrogate's
#: tie-breaking between equally good splits when a different random_state is used (measured
#: at most ~0.003, at depth 8).
TOL_FIDELITY = 0.005
#: |candidate - reference| predictions of the depth-3 surrogate (rentals per hour): the same
#: tree refit on the same rows is bit-identical (no ties at depth 3); this absorbs float32
#: teacher outputs passed as float64 or the reverse.
TOL_PRED = 1e-4
LABEL_FIDELITY_HINT = (
    "Fidelity compares the surrogate with the TEACHER's predictions on the held-out rows "
    "(r2_score(teacher.predict(X_eval), surrogate.predict(X_eval))), not with the observed "
    "rentals: a surrogate explains the model, so it must be judged on how well it mimics the "
    "model, whatever the model's own errors.")


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
