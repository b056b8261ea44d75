"""Grader part of ``uncertainty``: the planted data, references, checks, hints and rubrics.

Never shipped to candidates, never importable in the grading kernel. Every reference is
recomputed from the variant's data and models under the notebook's protocol (all seeds fixed,
so the numbers reproduce); tolerances are calibrated in
``tests/test_calibration_uncertainty.py`` (20 variants).
"""
from __future__ import annotations

import numpy as np

from xaikit.exercises.framework import AnswerFormatError, Rubric, as_array, close

from .common import (TOL_CI_OTHER_SEEDS, TOL_KERNEL, TOL_MSE, TOL_PI, TOL_SD_RATIO,
                     TOL_TREE, TOL_TREE_SD, _bools, _names, _score)
from .credit_checks import check_q4, check_q5, check_q6
from .references import (References, bootstrap_importances, bootstrap_indices,
                         interventional_tree_shap, kernel_repeats, materialise,
                         overlapping_pairs, overlaps, percentile_interval, permutation_means,
                         ranking_of, reference_context, roles, supported_steps)

__all__ = ["References", "bootstrap_importances", "bootstrap_indices",
           "interventional_tree_shap", "kernel_repeats", "materialise", "overlapping_pairs",
           "overlaps", "percentile_interval", "permutation_means", "ranking_of",
           "reference_context", "roles", "supported_steps", "CHECKS", "HINTS", "RUBRICS",
           "TOL_CI_OTHER_SEEDS", "TOL_KERNEL", "TOL_MSE", "TOL_PI", "TOL_SD_RATIO", "TOL_TREE",
           "TOL_TREE_SD", "check_q4", "check_q5", "check_q6"]

# --- helpers ----------------------------------------------------------------------------

def _repeat_intervals(ref):
    """The typical mistake's intervals, built from the permutation repeats of ONE fit on the
    evaluation rows (``n_repeats`` = ``N_REPEATS`` or ``N_BOOT``): their percentiles, mean +-
    1.96 sd, and mean +- 1.96 sd / sqrt(n_repeats); shape (6, p, 2)."""
    from sklearn.inspection import permutation_importance

    from .references import SCORING

    out = []
    lo = (100 - ref.ci_level) / 2
    for n in (ref.n_repeats, ref.n_boot):
        r = permutation_importance(ref.model, ref.X_eval, ref.y_eval, n_repeats=n,
                                   random_state=ref.pi_seed, scoring=SCORING, n_jobs=1)
        m, s = r.importances_mean, r.importances_std
        out += [np.percentile(r.importances, [lo, 100 - lo], axis=1).T,
                np.c_[m - 1.96 * s, m + 1.96 * s],
                np.c_[m - 1.96 * s / np.sqrt(n), m + 1.96 * s / np.sqrt(n)]]
    return np.array(out)


# --- q1: bootstrap intervals ------------------------------------------------------------------

def check_q1(a, ref):
    p = len(ref.feature_names)
    parts, notes, hint = [], [], None
    if a["pi_point"] is None:
        notes.append("`pi_point` missing")
    else:
        pt = as_array("pi_point", a["pi_point"], (p,))
        if close(pt, ref.ref_pi_point, TOL_PI):
            parts.append(0.2)
        elif close(-pt, ref.ref_pi_point, TOL_PI):
            notes.append("`pi_point` has the wrong sign")
            hint = "Importance = drop of the score: read `importances_mean` as sklearn returns it."
        else:
            notes.append("`pi_point` does not reproduce the stated permutation importance")
            hint = ("permutation_importance(model, X_EVAL, Y_EVAL, n_repeats=N_REPEATS, "
                    "random_state=PI_SEED, scoring='neg_mean_squared_error').importances_mean")
    if a["boot_pi"] is None:
        notes.append("`boot_pi` missing")
    else:
        boot = as_array("boot_pi", a["boot_pi"], (ref.n_boot, p))
        if close(boot, ref.ref_boot, TOL_PI):
            parts.append(0.4)
        else:
            notes.append("`boot_pi` does not reproduce the stated bootstrap")
            hint = hint or ("Resample the ROWS: idx = np.random.default_rng(BOOT_SEED)"
                            ".integers(0, 300, size=(N_BOOT, 300)); resample b is "
                            "X_EVAL.iloc[idx[b]], Y_EVAL.iloc[idx[b]], each with "
                            "random_state=PI_SEED.")
    if a["ci"] is None:
        notes.append("`ci` missing")
        return _score(parts, notes, hint)
    ci = as_array("ci", a["ci"], (p, 2))
    if np.any(ci[:, 0] > ci[:, 1]):
        raise AnswerFormatError("`ci` holds one row (low, high) per feature: low <= high.")
    width = np.maximum(ref.ref_ci[:, 1] - ref.ref_ci[:, 0], 1e-12)
    if close(ci, ref.ref_ci, TOL_PI):
        parts.append(0.4)
        return _score(parts, notes, hint, "Correct: the bootstrap reproduces under the "
                                          "stated seeds.")
    lo = (100 - ref.ci_level) / 2
    if close(ci, percentile_interval(ref.ref_boot, 90), TOL_PI) or \
            close(ci, percentile_interval(ref.ref_boot, 99), TOL_PI):
        notes.append("`ci` has another level than 95 %")
        hint = f"np.percentile(boot_pi, [{lo}, {100 - lo}], axis=0).T"
    elif any(np.max(np.abs(ci - r) / width[:, None]) <= 0.05
             for r in _repeat_intervals(ref)) or \
            np.median((ci[:, 1] - ci[:, 0]) / width) < 0.5:
        notes.append("`ci` is far narrower than the sampling uncertainty of the rows")
        hint = ("The spread of the permutation repeats of ONE fit on the same rows is the "
                "noise of the shuffles, not the uncertainty due to which rows you evaluated "
                "on: resample the rows with replacement and recompute the importance.")
    elif np.max(np.abs(ci - ref.ref_ci) / width[:, None]) <= TOL_CI_OTHER_SEEDS:
        own = None
        if a["boot_pi"] is not None:
            own = percentile_interval(as_array("boot_pi", a["boot_pi"], (ref.n_boot, p)))
        if own is not None and close(ci, own, TOL_PI):
            parts.append(0.2)
            notes.append("`ci` is the percentile interval of your own resamples, which "
                         "are not the stated ones")
        else:
            notes.append("`ci` is of the right size but not reproduced")
        hint = hint or "Use the stated seeds so that your numbers can be reproduced."
    else:
        notes.append("`ci` does not match the 95 % percentile interval of the bootstrap")
        hint = hint or "ci[j] = np.percentile(boot_pi[:, j], [2.5, 97.5])."
    return _score(parts, notes, hint)


# --- q2: the retrained models -------------------------------------------------------------

def check_q2(a, ref):
    k, p = len(ref.rashomon), len(ref.feature_names)
    parts, notes, hint = [], [], None
    if a["rashomon_pi"] is None:
        notes.append("`rashomon_pi` missing")
    else:
        pi = as_array("rashomon_pi", a["rashomon_pi"], (k, p))
        if close(pi, ref.ref_rashomon_pi, TOL_PI):
            parts.append(0.7)
        elif np.allclose(pi, pi[0], atol=TOL_PI, rtol=0):
            notes.append("every row of `rashomon_pi` is the same")
            hint = ("One row per model of ctx.rashomon (rashomon[k].model), not the first "
                    "model five times.")
        else:
            notes.append("`rashomon_pi` does not reproduce the stated permutation importances")
            hint = ("For each model: permutation_importance(m, X_EVAL, Y_EVAL, n_repeats="
                    "RASHOMON_REPEATS, random_state=PI_SEED, scoring="
                    "'neg_mean_squared_error').importances_mean (all rows of X_EVAL).")
    if a["rashomon_mse"] is None:
        notes.append("`rashomon_mse` missing")
    else:
        mse = as_array("rashomon_mse", a["rashomon_mse"], (k,))
        if close(mse, ref.ref_rashomon_mse, TOL_MSE):
            parts.append(0.3)
        else:
            notes.append("`rashomon_mse` is not each model's MSE on the evaluation rows")
            if close(mse, np.sqrt(ref.ref_rashomon_mse), TOL_MSE):
                hint = hint or "The mean squared error, not its square root."
            else:
                hint = hint or ("np.mean((Y_EVAL - m.predict(X_EVAL)) ** 2) for each model, "
                                "on X_EVAL (not the training rows).")
    return _score(parts, notes, hint)


# --- q3: the decision -----------------------------------------------------------------------

def check_q3(a, ref):
    names = ref.feature_names
    p = len(names)
    parts, notes, hint = [], [], None
    ranking = supported = None
    if a["ranking"] is None:
        notes.append("`ranking` missing")
    else:
        ranking = _names("ranking", a["ranking"], p, names)
        if ranking == ref.ref_ranking:
            parts.append(0.3)
        elif ranking == ref.ref_ranking[::-1]:
            notes.append("`ranking` is in the wrong order")
            hint = "Largest importance first."
        else:
            notes.append("`ranking` is not the order of your q1 point estimates")
            hint = "Sort the features by `pi_point` (q1), largest first."
    if a["supported"] is None:
        notes.append("`supported` missing")
    else:
        supported = _bools("supported", a["supported"], p - 1)
        if supported == ref.ref_supported and (ranking is None or ranking == ref.ref_ranking):
            parts.append(0.4)
        elif all(supported):
            notes.append("every step of the ranking is declared supported")
            hint = ("A ranking read from point estimates alone says nothing about "
                    "uncertainty: a step is supported only when the two 95 % intervals do "
                    "not overlap.")
        else:
            own = _own_steps(a, ref, ranking)
            if own is not None and own == supported:
                parts.append(0.2)
                notes.append("`supported` follows your own intervals, which are not right "
                             "(q1)")
            else:
                notes.append("`supported` does not follow the overlap rule")
                hint = hint or ("supported[i] is True when ci of ranking[i] lies wholly above "
                                "ci of ranking[i + 1] (low of the upper > high of the lower).")
    if a["tie"] is None:
        notes.append("`tie` missing")
    else:
        tie = _names("tie", a["tie"], 2, names)
        if set(tie) == set(ref.truth["tie"]):
            if tie == list(ref.truth["tie"]):
                parts.append(0.3)
            else:
                parts.append(0.2)
                notes.append("`tie` is the right pair, not in column order")
                hint = hint or "List the tie's two columns in the order of the columns."
        else:
            notes.append("`tie` is not the pair the data cannot tell apart")
            hint = hint or ("The tie is the adjacent pair of the ranking whose intervals "
                            "overlap; two features with different point estimates can still "
                            "be indistinguishable.")
    return _score(parts, notes, hint, "Correct: only the supported steps are claimed, and the "
                                      "tie is declared a tie.")


def _own_steps(a, ref, ranking):
    try:
        ci = as_array("ci", a.get("ci"), (len(ref.feature_names), 2))
    except (AnswerFormatError, TypeError):
        return None
    return supported_steps(ranking or ref.ref_ranking, ci, ref.feature_names)


# --- declaration ------------------------------------------------------------------------------

CHECKS = {"q1": check_q1, "q2": check_q2, "q3": check_q3, "q4": check_q4, "q5": check_q5,
          "q6": check_q6}

HINTS = {
    "q1": ("Resample the evaluation rows with replacement, B times, and recompute the "
           "importance on each resample.",),
    "q2": ("ctx.rashomon holds five models that differ only in their seed.",),
    "q3": ("A step of the ranking is supported when the two intervals do not overlap.",),
    "q4": ("np.random.seed(seed) right before each shap_values call; l1_reg=False.",),
    "q5": ("TreeSHAP is computed exactly: the same input gives the same output.",),
    "q6": ("Same protocol as q1 on German credit, scoring='roc_auc'.",),
}

RUBRICS = {
    "q7": Rubric(
        criteria=(
            "sampling uncertainty of the evaluation rows (bootstrap): shrinks with more "
            "evaluation data, is what the q1 intervals measure",
            "model (Rashomon) uncertainty: equally good models (q2: MSEs within noise of each "
            "other) rely on the features differently; more compute does not remove it; "
            "report the range over the set of good models (model class reliance, Fisher, "
            "Rudin & Dominici 2019; Breiman 2001)",
            "Monte-Carlo error of a sampled explainer (KernelSHAP, LIME, permutation "
            "repeats): a property of the estimator, shrinks like 1/sqrt(budget); exact "
            "TreeSHAP has none, but is exact for the MODEL, not for the data",
            "the repeats of one permutation-importance fit measure only the shuffle noise, "
            "not the data's uncertainty",
            "uses the numbers: the tie's order flips between models or resamples; the sd of "
            "KernelSHAP at 64 vs 1024 samples"),
        strong="Separates all three sources, says which lever reduces each (data, nothing / "
               "report a set, compute) and backs each with a number from the notebook.",
        adequate="Two sources correctly, with some numbers.",
        weak="'Explanations are noisy' or only 'use more samples'; confuses repeat spread with "
             "a confidence interval."),
    "q8": Rubric(
        criteria=(
            "what is supported: checking_status is the most important feature (its interval "
            "clears the others') where q6 shows it; the order among the next features is "
            "not supported by 300 held-out applicants",
            "states the level and rule (95 % percentile bootstrap, overlap = not "
            "distinguishable; conservative) and the scale (drop of ROC AUC)",
            "does not present a point-estimate ranking as a finding; proposes reporting "
            "intervals or tiers",
            "names what the intervals do not cover: other equally good models (Rashomon), "
            "the importance is of this model, not causal, not of the world"),
        strong="A short committee-ready statement with tiers and the caveats, tied to q6's "
               "numbers.",
        adequate="Says which features are distinguishable, few caveats.",
        weak="Reports the point-estimate top five as a ranking."),
}
