"""Grader part of ``feature_importance``: planted columns, references, checks, hints, rubrics.

Never shipped to candidates, never importable in the grading kernel.

The planted truth: of the three columns joined to the bike-sharing data (:func:`materialise`),
two are pure noise drawn independently of everything else (a high-cardinality random ID and a
random low-cardinality code), one is an informative commute-peak flag; their names come from
one neutral pool (:data:`JOINED_NAMES`), drawn independently of the roles. The references are
computed from the same model and rows as the notebook: MDI, scikit-learn's
``permutation_importance`` (neg. MAE, ``n_repeats``, ``random_state=pi_seed``) on the training
and held-out samples, mean |SHAP| (path-dependent TreeSHAP) on ``X_shap``, and the group
permutation of ``temp`` + ``atemp``. Importances are in rentals per hour except MDI.
Tolerances are calibrated in ``tests/test_calibration_feature_importance.py`` (20 cases).

References
----------
Breiman, L. (2001). Random forests. Machine Learning 45, 5-32 (MDI and permutation importance).
Strobl, C. et al. (2007). Bias in random forest variable importance measures. BMC
Bioinformatics 8, 25 (MDI favours high-cardinality features).
Fisher, A., Rudin, C. & Dominici, F. (2019). All models are wrong, but many are useful. JMLR 20
(model reliance, permutation of groups).
Lundberg, S. M. et al. (2020). From local explanations to global understanding with explainable
AI for trees. Nature Machine Intelligence 2, 56-67 (TreeSHAP, mean |SHAP|).
"""
from __future__ import annotations

import numpy as np

from xaikit.exercises.feature_importance.public import GROUP
from xaikit.exercises.framework import (AnswerFormatError, Rubric, as_array, as_float, close,
                                        correct, incorrect, partial)

from .references import (JOINED_NAMES, NOISE_MAX_HELDOUT, NOISE_P_MIN, References,
                         group_permutation, joined_names, mae, materialise, mdi,
                         mean_abs_shap, noise_by_rule, permutation, planted_columns,
                         reference_context)

#: The planted columns and the references are in :mod:`.references`; re-exported here for
#: the callers.
__all__ = ["JOINED_NAMES", "NOISE_MAX_HELDOUT", "NOISE_P_MIN", "References",
           "group_permutation", "joined_names", "mae", "materialise", "mdi", "mean_abs_shap",
           "noise_by_rule", "permutation", "planted_columns", "reference_context", "CHECKS",
           "HINTS", "RUBRICS"]

#: MDI and permutation importances: same model, same rows, same seed give bit-identical
#: numbers; this only absorbs float64 summation order.
TOL_EXACT = 1e-12
#: mean |SHAP|, rentals per hour: TreeSHAP of a forest in float64 (observed local-accuracy
#: error ~1e-12 over 20 cases); loose enough for a per-row vs batched computation.
TOL_SHAP = 1e-6
#: group importance computed with another random permutation stream than the stated protocol
#: (another seed or generator), rentals per hour. The mean over n_repeats repeats varies with
#: the seed by a standard deviation of ~0.7 (20 seeds); 3.0 is ~4 standard deviations, and the
#: typical mistakes (sum of the single importances, one column only) are >= 5 away.
TOL_GROUP = 3.0
#: "group >= larger single importance" may fail by at most this much (rentals per hour).
TOL_GROUP_ORDER = 0.05
#: a group importance this close to 0 is the index-alignment no-op (nothing was shuffled).
TOL_NO_OP = 1e-9


# --- checks ----------------------------------------------------------------------------------

def _vector(name, value, ctx):
    p = len(ctx.feature_names)
    if hasattr(value, "index") and hasattr(value, "to_numpy") and not isinstance(value, dict):
        try:  # a pandas Series indexed by feature name: put it in column order
            if set(map(str, value.index)) == set(ctx.feature_names):
                return as_array(name, value.loc[ctx.feature_names].to_numpy(dtype=float), (p,))
        except (KeyError, TypeError, ValueError):
            pass
    if isinstance(value, dict):
        missing = set(ctx.feature_names) - set(value)
        if missing:
            raise AnswerFormatError(f"`{name}` is a dict without {sorted(missing)[:3]}.")
        return as_array(name, [value[f] for f in ctx.feature_names], (p,))
    return as_array(name, value, (p,))


def _verdict(score, notes, hint, done="Correct."):
    if score >= 1 - 1e-9:
        return correct(done)
    msg = "; ".join(notes) + "."
    return partial(score, msg, hint) if score else incorrect(msg, hint)


def check_q1(a, ctx):
    score, notes, hint = 0.0, [], None
    if a["mdi"] is None:
        notes.append("`mdi` missing")
    else:
        m = _vector("mdi", a["mdi"], ctx)
        if close(m, ctx.ref_mdi.mean, TOL_EXACT):
            score += 0.5
        else:
            notes.append("`mdi` is not the forest's impurity importance")
            hint = "model.feature_importances_ (one value per column of X_train, in order)."
    if a["mean_abs_shap"] is None:
        notes.append("`mean_abs_shap` missing")
    else:
        s = _vector("mean_abs_shap", a["mean_abs_shap"], ctx)
        sv = ctx.ref_shap_values
        if close(s, ctx.ref_shap.mean, TOL_SHAP):
            score += 0.5
        elif close(s, sv.mean(axis=0), TOL_SHAP):
            notes.append("`mean_abs_shap` averages signed SHAP values")
            hint = ("Positive and negative contributions cancel in a signed mean: take "
                    "np.abs(shap_values).mean(axis=0).")
        elif close(s, np.abs(sv).sum(axis=0), TOL_SHAP * len(sv)):
            notes.append("`mean_abs_shap` is a sum over rows, not a mean")
            hint = "Divide by the number of rows (or use .mean(axis=0))."
        else:
            notes.append("`mean_abs_shap` does not match TreeSHAP on X_SHAP")
            hint = hint or ("shap.TreeExplainer(model).shap_values(X_SHAP), then the mean of "
                            "the absolute values per column.")
    return _verdict(score, notes, hint)


def _perm(name, value, ctx):
    p = len(ctx.feature_names)
    arr = as_array(name, value, None)
    if arr.shape == (ctx.n_repeats, p) and p != ctx.n_repeats:
        raise AnswerFormatError(f"`{name}` is transposed: store result.importances, shape "
                                f"({p}, {ctx.n_repeats}) (features x repeats).")
    if arr.shape == (p,):
        return arr
    return as_array(name, value, (p, ctx.n_repeats))


def check_q2(a, ctx):
    score, notes, hint = 0.0, [], None
    refs = {"perm_train": ctx.ref_perm_train, "perm_test": ctx.ref_perm_test}
    other = {"perm_train": ctx.ref_perm_test, "perm_test": ctx.ref_perm_train}
    for name in ("perm_train", "perm_test"):
        if a[name] is None:
            notes.append(f"`{name}` missing")
            continue
        v = _perm(name, a[name], ctx)
        ref = refs[name]
        if v.ndim == 1:
            if close(v, ref.mean, TOL_EXACT):
                score += 0.25
                notes.append(f"`{name}` holds only the means")
                hint = "Store result.importances (every repeat), not importances_mean."
            else:
                notes.append(f"`{name}` does not reproduce")
            continue
        if close(v, ref.samples, TOL_EXACT):
            score += 0.5
        elif close(v, other[name].samples, TOL_EXACT):
            notes.append(f"`{name}` was computed on the other sample")
            hint = ("Training vs held-out swapped: perm_train on (X_PI_TRAIN, y_PI_TRAIN), "
                    "perm_test on (X_PI_TEST, y_PI_TEST).")
        elif np.all(np.abs(v.mean(1) - ref.mean) <= 4 * ref.std + 0.5):
            notes.append(f"`{name}` is close but does not reproduce exactly")
            hint = hint or ("Same call, same numbers: random_state=PI_SEED, "
                            "n_repeats=N_REPEATS, scoring='neg_mean_absolute_error', "
                            "on exactly the given sample.")
        else:
            notes.append(f"`{name}` does not match")
            hint = hint or ("scoring='neg_mean_absolute_error' (importance = MAE increase in "
                            "rentals per hour), random_state=PI_SEED, n_repeats=N_REPEATS.")
    return _verdict(score, notes, hint, "Correct: both reproduce sklearn's "
                                        "permutation_importance with the stated seed.")


def check_q3(a, ctx):
    v = a["noise_features"]
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, (list, tuple, np.ndarray)):
        raise AnswerFormatError("`noise_features` should be a list of feature names.")
    # a set: the order of the names (and repeats) is not asked
    names = {str(x).strip() for x in np.ravel(np.asarray(v, dtype=object))}
    unknown = sorted(names - set(ctx.feature_names))
    if unknown:
        raise AnswerFormatError(f"`noise_features` names unknown features: {unknown[:3]}.")
    truth = set(ctx.ref_noise_by_rule)  # the question's rule (= the planted noise columns)
    id_col = ctx.planted[0]
    if names == truth:
        return correct("Correct: exactly the joined columns with no relation to rentals.")
    extra, missing = names - truth, truth - names
    original = extra - set(ctx.joined)
    if original:
        hint = ("The 12 UCI columns are real measurements of the hour; small importance in this "
                "model is not the same as noise. The question is about the joined columns.")
    elif extra:
        hint = ("One joined column you named is clearly related to rentals (its Spearman "
                "p-value with y_train is far below 0.001, and its held-out permutation "
                "importance is well above 1 rental per hour). A column that other columns make redundant, "
                "so that a model can do without it, is still not pure noise: pure noise has "
                "no relation to the target at all.")
    elif id_col in missing:
        hint = ("MDI and training permutation rank one noise column above several real "
                "features; look at the held-out permutation importance instead.")
    else:
        hint = ("One more joined column meets the question's rule: Spearman p-value with "
                "y_train >= 0.001 and mean held-out permutation importance below 1 rental per "
                "hour.")
    found = len(names & truth)
    if found and not extra:
        return partial(0.5, f"{found} of {len(truth)} noise columns named, no false alarm.",
                       hint)
    return incorrect(f"The set is not right ({len(extra)} informative column(s) named as "
                     f"noise, {len(missing)} noise column(s) missed).", hint)


def check_q4(a, ctx):
    v = a["group_importance"]
    arr = as_array("group_importance", v, None)
    if arr.ndim == 1 and arr.size == ctx.n_repeats:
        g = float(arr.mean())
    else:
        g = as_float("group_importance", v)
    ref = float(ctx.ref_group.mean())
    singles = [ctx.single_test(f) for f in GROUP]
    if abs(g - ref) <= TOL_GROUP and g >= max(singles) - TOL_GROUP_ORDER:
        return correct("Correct: permuting temp and atemp together costs more accuracy than "
                       "either alone.")
    if abs(g) <= TOL_NO_OP:
        return incorrect("Your group importance is exactly 0: the shuffled values went back "
                         "to their own rows.",
                         "Assigning a DataFrame aligns it by index label: "
                         "X_perm[GROUP] = X_PI_TEST[GROUP].iloc[idx] puts every row back in "
                         "place. Assign a numpy array: X_PI_TEST[GROUP].to_numpy()[idx].")
    if abs(g - sum(singles)) <= 0.5 and abs(g - ref) > TOL_GROUP:
        return incorrect("This is the sum of the two single importances.",
                         "Permute both columns with ONE row order (the same idx for both) and "
                         "measure the MAE increase once.")
    if any(abs(g - s) <= 0.5 for s in singles):
        return incorrect("This equals one single-feature importance: only one column moved.",
                         "Give both temp and atemp the shuffled rows: "
                         "X_perm[GROUP] = X_PI_TEST[GROUP].to_numpy()[idx].")
    if 0 <= g < 1.0:
        return incorrect("The value is on the wrong scale.",
                         "Importance = MAE(permuted) - MAE(original) in rentals per hour, on "
                         "X_PI_TEST, averaged over N_REPEATS permutations.")
    if g < max(singles):
        return incorrect("Your group importance is below a single-feature importance.",
                         "Shuffling both columns removes at least the information of either "
                         "one; use one permutation for both columns.")
    return incorrect("The group importance does not match the protocol.",
                     "rng = np.random.default_rng(PI_SEED); per repeat idx = "
                     "rng.permutation(len(X_PI_TEST)); both columns take "
                     "X_PI_TEST[GROUP].to_numpy()[idx].")


# --- declaration: checks, hints and rubrics of the public questions ----------------------

CHECKS = {"q1": check_q1, "q2": check_q2, "q3": check_q3, "q4": check_q4}

HINTS = {
    "q1": ("model.feature_importances_; shap.TreeExplainer(model).shap_values(X_SHAP).",),
    "q2": ("sklearn.inspection.permutation_importance(model, X, y, scoring="
           "'neg_mean_absolute_error', n_repeats=N_REPEATS, random_state=PI_SEED)",),
    "q3": ("Pure noise = no statistical relation to rentals at all. The question's rule: "
           "Spearman p-value with y_train >= 0.001 AND mean held-out permutation importance "
           "below 1 rental per hour.",),
    "q4": ("One permutation index for both columns, assigned as a numpy array "
           "(.to_numpy()[idx]); MAE increase on X_PI_TEST.",),
}

RUBRICS = {
    "q5": Rubric(
        criteria=(
            "MDI is computed on the training data from the impurity decrease of the splits",
            "a column with many distinct values offers many candidate thresholds, so by "
            "chance it finds splits that reduce training impurity (overfitting deep trees), "
            "which MDI credits",
            "that gain does not generalise: held-out permutation importance is ~0 (and "
            "train permutation > test permutation for it)",
            "cites their own numbers (the ID's MDI rank vs its held-out importance)"),
        strong="Explains the cardinality bias mechanism (many thresholds, training-set "
               "impurity) and backs it with the train/test contrast from the notebook.",
        adequate="Says MDI favours high-cardinality features, without the mechanism or the "
                 "numbers.",
        weak="'MDI is biased' with no reason, or claims the ID is informative."),
    "q6": Rubric(
        criteria=(
            "r ≈ 0.99: the forest can use either; splits (and MDI/SHAP credit) are shared",
            "permuting one leaves its twin intact, so the model loses little: each single "
            "permutation importance understates 'temperature'; permuting them together does "
            "not",
            "permuting one alone also creates unrealistic rows (hot temp, cold atemp)"),
        strong="Both mechanisms (shared credit; substitution when one is permuted) with the "
               "group-vs-single numbers.",
        adequate="One mechanism, correctly.",
        weak="'They are correlated' with no consequence stated."),
    "q7": Rubric(
        criteria=(
            "'what does the model rely on / use to make predictions': mean |SHAP| (size of "
            "the contributions to this model's outputs) or training permutation importance; "
            "MDI only as a rough, biased proxy",
            "'what would hurt accuracy if lost': held-out permutation importance (the MAE "
            "increase on new data), with the caveat that a correlated twin can stand in",
            "neither says what would happen if a feature were removed and the model "
            "retrained (drop-column importance), nor anything causal",
            "mentions units: SHAP and permutation in rentals per hour, MDI a share"),
        strong="Maps each question to the right method with the reason, and names the "
               "retraining and correlation caveats.",
        adequate="Right mapping, thin reasons.",
        weak="Treats the three as interchangeable, or picks MDI for accuracy."),
}
