"""Grader part of ``debugging``: references, checks, hints and rubrics.

Never shipped to candidates. Every reference is recomputed from the variant's data and model
(:mod:`.references`): the colleague's model, the recipe refitted on the stated rows and columns.
Tolerances are calibrated in ``tests/test_calibration_debugging.py`` (20 variants).
"""
from __future__ import annotations

import numpy as np

from xaikit.exercises.debugging.grader.references import TARGET_PARTS, TREND_COLUMNS
from xaikit.exercises.debugging.public import LATER_KEYS, RANDOM_KEYS
from xaikit.exercises.framework import (AnswerFormatError, Rubric, as_array, as_float, close,
                                        correct, field_of, incorrect, partial)

from .references import References, mae, perm_importance, reference_context, rmse

__all__ = ["References", "reference_context", "CHECKS", "HINTS", "RUBRICS"]

#: permutation importance, rentals per hour: sklearn under the stated seed is bit-identical;
#: this absorbs float64 summation order only (DataFrame vs numpy input).
TOL_PI = 1e-6
#: mean |SHAP|, rentals per hour: XGBoost computes TreeSHAP in float32.
TOL_SHAP = 1e-3
#: RMSE of a refitted model, relative. The notebook fixes the recipe, rows and column order
#: (XGBoost's result depends on the column order: another order moves an RMSE by up to ~3 %),
#: so this absorbs only numerical noise (numpy vs DataFrame input, float32 predictions);
#: calibrated: legitimate routes ~0, the nearest mistake (dropping only the leak) >= 2.7 %.
TOL_RMSE_REL = 0.005
#: later-period RMSE of the refitted models, relative: the bound stated in the notebook
#: (1 %); same sources as TOL_RMSE_REL; nearest mistake (keeping the trend) >= 7 %.
TOL_LATER_REL = 0.01
#: partial dependence, rentals per hour: float32 predictions averaged over 400 rows
#: (sklearn's brute force vs a hand-written loop); the colleague's model is >= 18 away.
TOL_PDP = 0.05


def _rel_close(value, ref, tol):
    return abs(float(value) - float(ref)) <= tol * max(abs(float(ref)), 1e-9)


def _dict_of(name, value, keys):
    return {k: as_float(f"{name}['{k}']", field_of(name, value, k)) for k in keys}


# --- q1 --------------------------------------------------------------------------------------

def check_q1(a, ref):
    p = len(ref.feature_names)
    score, notes, hint = 0.0, [], None
    if a["perm_importance"] is None:
        notes.append("`perm_importance` missing")
    else:
        pi = as_array("perm_importance", a["perm_importance"], (p,))
        exp = ref.ref_perm_importance
        if close(pi, exp, TOL_PI * max(1.0, float(np.max(np.abs(exp))))):
            score += 0.5
        else:
            notes.append("`perm_importance` does not reproduce the protocol")
            r2 = perm_importance(ref.model, ref.X_sample, ref.y_all.loc[ref.sample],
                                 n_repeats=ref.n_repeats, seed=ref.seed, scoring="r2")
            if close(pi, r2, 1e-6):
                hint = ("That is the drop in R²; the question asks for the increase of the "
                        "RMSE: scoring='neg_root_mean_squared_error'.")
            elif close(np.argsort(-pi, kind="stable"), np.argsort(-exp, kind="stable"), 0):
                hint = ("Same ranking, other numbers: use the audit sample X_test.loc[SAMPLE], "
                        "n_repeats=N_REPEATS and random_state=SEED.")
            else:
                hint = ("sklearn.inspection.permutation_importance(model, X_test.loc[SAMPLE], "
                        "y, n_repeats=N_REPEATS, random_state=SEED, scoring="
                        "'neg_root_mean_squared_error').importances_mean, in feature order.")
    if a["mean_abs_shap"] is None:
        notes.append("`mean_abs_shap` missing")
    else:
        ms = as_array("mean_abs_shap", a["mean_abs_shap"], (p,))
        if close(ms, ref.ref_mean_abs_shap, TOL_SHAP):
            score += 0.5
        else:
            notes.append("`mean_abs_shap` does not match TreeSHAP on the audit sample")
            if close(np.abs(ms), np.abs(ref.ref_shap.mean(axis=0)), TOL_SHAP):
                hint = hint or ("Take the absolute value before the mean: positive and "
                                "negative contributions cancel in a signed mean.")
            else:
                hint = hint or ("shap.TreeExplainer(model).shap_values(X_test.loc[SAMPLE]), "
                                "then the mean of the absolute values per column.")
    if score >= 1 - 1e-9:
        return correct("Correct: both audits reproduce on the audit sample.")
    msg = "; ".join(notes) + "."
    return partial(score, msg, hint) if score else incorrect(msg, hint)


# --- q2 --------------------------------------------------------------------------------------

def check_q2(a, ref):
    value = a["flagged"]
    if isinstance(value, str) or not isinstance(value, (list, tuple, np.ndarray)):
        raise AnswerFormatError("`flagged` should be a list of feature names.")
    names = [str(v) for v in np.ravel(np.asarray(value, dtype=object))]
    unknown = sorted(set(names) - set(ref.feature_names))
    if unknown:
        raise AnswerFormatError(f"`flagged` names columns the model does not use: {unknown[:3]}.")
    got = set(names)
    if got == ref.suspects:
        return correct("Correct: a part of the target and a record-position trend.")
    extra = got - ref.suspects
    found = got & ref.suspects
    if extra & {"mnth", "season", "weekday", "workingday", "holiday", "hr"}:
        hint = ("Calendar columns are known ahead of time and repeat every year: a forecast "
                "may use them. Flag only what is unknown at prediction time or cannot repeat.")
    elif extra:
        hint = ("A large importance is not a fault by itself: weather is known (forecast) at "
                "prediction time and plausibly causes demand.")
    elif ref.leak not in got:
        hint = ("Which column could you not know when the forecast is made? Compare it with "
                "the target, row by row (see the data card).")
    else:
        hint = ("Which column only says *when* the row was recorded, and would take values in "
                "2012 the model never saw?")
    if found and not extra:
        return partial(0.5, "One of the suspects is flagged, one is missing.", hint)
    return incorrect("The flagged set is not the set of suspects.", hint)


# --- q3, q4 ------------------------------------------------------------------------------------

def _match_all(got, exp, tol):
    return all(_rel_close(got[k], exp[k], tol) for k in exp)


def check_q3(a, ref):
    got = _dict_of("random_rmse", a["random_rmse"], RANDOM_KEYS)
    exp = ref.ref_random_rmse
    ok = {k: _rel_close(got[k], exp[k], TOL_RMSE_REL) for k in RANDOM_KEYS}
    if all(ok.values()):
        return correct("Correct: the random-split errors with and without the suspects.")
    if _match_all(got, ref.random_rmse(metric=mae), TOL_RMSE_REL):
        return incorrect("These are mean absolute errors.", "RMSE = sqrt(mean((y - pred)²)).")
    if _match_all(got, {k: v ** 2 for k, v in exp.items()}, TOL_RMSE_REL):
        return incorrect("These are squared errors.", "Take the square root of the MSE.")
    if _match_all(got, ref.random_rmse(on="train"), TOL_RMSE_REL):
        return incorrect("These are training-row errors.",
                         "Evaluate every model on the colleague's test rows X_test.index.")
    if not ok["colleague"]:
        hint = "'colleague': the given model on X_test, as it is."
    else:
        hint = ("Refit XGBRegressor(**RECIPE) on the colleague's training rows with the "
                "colleague's columns minus the leak ('no_leak') and minus both suspects "
                "('repaired'), then score on the colleague's test rows.")
    n = sum(ok.values())
    msg = f"{n} of 3 errors reproduced."
    return partial(n / 3, msg, hint) if n else incorrect(msg, hint)


def check_q4(a, ref):
    got = _dict_of("later_rmse", a["later_rmse"], LATER_KEYS)
    exp = ref.ref_later_rmse
    ok = {k: _rel_close(got[k], exp[k], TOL_LATER_REL) for k in LATER_KEYS}
    if all(ok.values()):
        return correct("Correct: within the stated bound of the grader's later-period errors.")
    rnd = ref.ref_random_rmse
    if _rel_close(got["with_trend"], rnd["no_leak"], TOL_LATER_REL) or \
            _rel_close(got["repaired"], rnd["repaired"], TOL_LATER_REL):
        return incorrect("These are random-split errors.",
                         "Train on January-August (mnth <= 8), test on September-December.")
    if _match_all(got, ref.later_rmse(metric=mae), TOL_LATER_REL):
        return incorrect("These are mean absolute errors.", "RMSE = sqrt(mean((y - pred)²)).")
    if _rel_close(got["with_trend"], exp["repaired"], TOL_LATER_REL) and \
            _rel_close(got["repaired"], exp["with_trend"], TOL_LATER_REL):
        return incorrect("The two values are swapped.",
                         "'with_trend' keeps the trend column, 'repaired' drops it.")
    if _match_all(got, ref.later_rmse(on="train"), TOL_LATER_REL):
        return incorrect("These are errors on the training months.",
                         "Score on September-December.")
    hint = ("Train XGBRegressor(**RECIPE) on the rows with mnth <= 8 and score on mnth >= 9, "
            "columns: the colleague's minus the leak ('with_trend'), minus both ('repaired').")
    if not ok["with_trend"] and _rel_close(
            got["with_trend"], ref.later_rmse(drop_extra=(ref.leak,))["with_trend"],
            TOL_LATER_REL):
        hint = "'with_trend' must not keep the leak: drop it, keep the trend column."
    n = sum(ok.values())
    msg = f"{n} of 2 later-period errors within the bound."
    return partial(n / 2, msg, hint) if n else incorrect(msg, hint)


# --- q5 ----------------------------------------------------------------------------------------

def check_q5(a, ref):
    got = as_array("trend_pdp", a["trend_pdp"], (len(ref.grid_rows),))
    exp = ref.ref_trend_pdp
    if close(got, exp, TOL_PDP):
        return correct("Correct: the partial dependence of the trend column.")
    if close(got, exp - exp[0], TOL_PDP):
        return partial(0.5, "Your curve is centred.",
                       "Report the PDP itself (mean prediction), not relative to January.")
    if close(got, ref.trend_pdp(model=ref.model, cols=ref.feature_names), TOL_PDP):
        return incorrect("That is the colleague's model (with the leak).",
                         "Use the q3 'no_leak' model: no leak, trend kept.")
    if close(got, ref.trend_pdp(model=ref.fitted("later", (ref.leak,))), TOL_PDP):
        return incorrect("That is the later-period model.",
                         "Use the q3 'no_leak' model, fitted on the random split.")
    return incorrect("The curve does not match the partial dependence under the protocol.",
                     "sklearn.inspection.partial_dependence(no_leak_model, X on SAMPLE, "
                     "[trend], custom_values={trend: its values on GRID_ROWS}, "
                     "method='brute'), the 'average' row.")


CHECKS = {"q1": check_q1, "q2": check_q2, "q3": check_q3, "q4": check_q4, "q5": check_q5}

HINTS = {
    "q1": ("Both audits use the audit sample X_test.loc[SAMPLE] and the model's own columns.",),
    "q2": ("Ask of each column: would I know it when I make the forecast, and will it mean "
           "the same next year?",),
    "q3": ("One recipe, three column sets, the colleague's own train/test rows.",),
    "q4": ("Same recipe; rows by month: train mnth <= 8, test mnth >= 9.",),
    "q5": ("The grid is the trend column's values on GRID_ROWS, in order.",),
}

_LEAKS, _TRENDS = " / ".join(TARGET_PARTS), " / ".join(TREND_COLUMNS)

RUBRICS = {
    "q6": Rubric(
        criteria=(
            f"proves the leak with data: the leak column ({_LEAKS}) plus the other part "
            "equals the target exactly on every row (bikers = casual + registered)",
            "says why it is a leak: the count is made during the very hour being forecast, "
            "so it is not known at prediction time; the random-split error collapses with it",
            f"identifies the trend column ({_TRENDS}) as the row's position in 2011: it "
            "stands in for the scheme's growth and for season, not a cause",
            "reads the PDP: it steps up in spring and falls from September although the "
            "scheme kept growing in 2011; the trend absorbs seasonal effects the weather "
            "columns miss (daylight, school/tourist season) and confounds them with growth",
            "notes that trees extrapolate flat: on later dates the trend is frozen at its "
            "last training value, so it cannot help a forecast"),
        strong="Four or five criteria, with the notebook's numbers (identity error 0, RMSE "
               "with / without, the PDP's fall after summer).",
        adequate="The leak proven and explained, the trend named, the PDP described without "
                 "a mechanism.",
        weak="'The feature is too important' as the only argument; no proof of the leak."),
    "q7": Rubric(
        criteria=(
            "states plainly what is wrong and by how much: the excellent score came from a "
            "part of the target; without it and the trend the later-period error is the "
            "honest figure (quotes it)",
            "recommends removing the leak and the record index / day number, keeping weather "
            "and calendar, and validating on a later period (time-based split or rolling "
            "origin)",
            "process: write down what is known at prediction time for every feature (a data "
            "contract), review features against it before training",
            "process: validation that mimics deployment (train past, test future), a sanity "
            "baseline, importance/SHAP reviews with a 'too good to be true' alarm",
            "tone: blameless, concrete, offers help; notes what the model can still be used "
            "for (e.g. nowcasting is not the use case)"),
        strong="A short, kind, actionable note with the numbers and at least two process "
               "safeguards that would have caught both problems.",
        adequate="Names both problems and one safeguard.",
        weak="Blames, or only says 'use a temporal split' without the leak, or no numbers."),
}
