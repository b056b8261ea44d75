"""Grader part of ``shap_vs_lime``: references, checks, hints and rubrics.

Never shipped to candidates, never importable in the grading kernel. The references are
computed from the same data and model as the notebook: path-dependent TreeSHAP (log-odds of a
bad risk) and LIME under the notebook's protocol (one fresh explainer per explanation,
seeded). Tolerances are calibrated in ``tests/test_calibration_shap_vs_lime.py`` (20
variants).
"""
from __future__ import annotations

import numpy as np

from xaikit.exercises.framework import (AnswerFormatError, Rubric, as_array, as_float, close,
                                        correct, field_of, incorrect, partial)
from xaikit.exercises.shap_vs_lime.public import MODES

from .references import (LimeResult, References, jaccard_stability, lime_explain,
                         make_lime_explainer, rank_correlation, reference_context, top_k,
                         top_k_overlap, tree_shap)

#: The references are computed in :mod:`.references`; re-exported here for the callers.
__all__ = ["LimeResult", "References", "jaccard_stability", "lime_explain",
           "make_lime_explainer", "rank_correlation", "reference_context", "top_k",
           "top_k_overlap", "tree_shap", "CHECKS", "HINTS", "RUBRICS"]

#: |candidate - reference| for SHAP values and base value, log-odds. XGBoost computes
#: TreeSHAP in float32; recomputation is bit-identical, so this only absorbs float32 noise.
TOL_SHAP = 1e-6
#: local accuracy: |sum(phi) + base - margin|, log-odds (float32 sums over 20 features).
TOL_ADDITIVITY = 1e-4
#: LIME weights and scores: exact reproduction under the same seed (float64 ridge).
TOL_LIME = 1e-8
#: agreement metrics (top-k overlap fraction, Spearman rho): covers tie conventions.
TOL_AGREEMENT = 0.05
#: stability index (a mean of Jaccard indices) and LIME's default kernel width.
TOL_EXACT = 1e-9


# --- checks ----------------------------------------------------------------------------------

def _shape(ctx):
    return (len(ctx.applicants), len(ctx.feature_names))


def check_q1(a, ctx):
    sv = as_array("shap_values", a["shap_values"], _shape(ctx))
    bv = None if a["base_value"] is None else as_float("base_value", a["base_value"])
    ref = ctx.ref_shap
    if close(sv, ref.values, TOL_SHAP):
        if bv is None:
            return partial(0.5, "The SHAP values are right; `base_value` is missing.",
                           "The base value is the explainer's expected_value (log-odds).")
        additivity = np.max(np.abs(sv.sum(1) + bv - ref.margin))
        if additivity <= TOL_ADDITIVITY:
            return correct("Correct: the values match TreeSHAP and local accuracy holds "
                           "(sum of SHAP values + base value = the model's log-odds).")
        return partial(0.5, "The SHAP values are right but local accuracy fails with your "
                            "`base_value`.",
                       "Use the explainer's expected_value, on the same (log-odds) scale.")
    if close(sv, -ref.values, TOL_SHAP):
        return incorrect("These are the SHAP values of the other class (all signs flipped).",
                         "The model's class 1 is a BAD credit risk; explain class 1.")
    if bv is not None:
        p = ctx.model.predict_proba(ctx.X_applicants)[:, 1]
        if np.max(np.abs(sv.sum(1) + bv - p)) <= 1e-3:
            return incorrect("These values add up to probabilities, not log-odds.",
                             "XGBoost's TreeSHAP explains the margin (log-odds); use "
                             "shap.TreeExplainer(model) with its default model_output.")
        if np.max(np.abs(sv.sum(1) + bv - ref.margin)) <= TOL_ADDITIVITY:
            return partial(0.5, "Your values satisfy local accuracy for these applicants but "
                                "are not the path-dependent TreeSHAP values asked for.",
                           "Build TreeExplainer(model) without background data "
                           "(feature_perturbation='tree_path_dependent').")
    try:
        pos = tree_shap(ctx.model, ctx.X_test.iloc[list(ctx.applicants)])
        if close(sv, pos.values, TOL_SHAP):
            return incorrect("These are the SHAP values of other applicants.",
                             "APPLICANTS are index labels of X_test: select rows with "
                             "X_test.loc[APPLICANTS], not .iloc.")
    except IndexError:
        pass
    return incorrect("The values do not match TreeSHAP for the applicants, in log-odds.",
                     "One row per applicant, in the order of APPLICANTS, one column per "
                     "feature in X_test's column order.")


def _names_list(name, value, n_rows, k, feature_names):
    if not isinstance(value, (list, tuple, np.ndarray)):
        raise AnswerFormatError(f"`{name}` should be a list of {n_rows} lists of {k} feature "
                                f"names, got {type(value).__name__}.")
    rows = [list(np.ravel(np.asarray(r, dtype=object))) for r in value]
    if len(rows) != n_rows or any(len(r) != k for r in rows):
        raise AnswerFormatError(f"`{name}` should be a list of {n_rows} lists of {k} feature "
                                "names.")
    unknown = sorted({str(f) for r in rows for f in r} - set(feature_names))
    if unknown:
        raise AnswerFormatError(f"`{name}` names unknown features: {unknown[:3]}.")
    return rows


def check_q2(a, ctx):
    rows = _names_list("top3_features", a["top3_features"], len(ctx.applicants), 3,
                       ctx.feature_names)
    ref = np.abs(ctx.ref_shap.values)
    names = ctx.feature_names
    right = set_right = signed_right = 0
    for i, r in enumerate(rows):
        third = np.sort(ref[i])[-3]
        mags = [ref[i][names.index(f)] for f in r]
        if len(set(r)) == 3 and all(m >= third - 1e-12 for m in mags):
            set_right += 1  # the right three features ...
            right += all(a >= b - 1e-12 for a, b in zip(mags, mags[1:]))  # ... largest first
        top_signed = set(np.array(names)[np.argsort(-ctx.ref_shap.values[i])[:3]])
        signed_right += set(r) == top_signed
    if right == len(rows):
        return correct()
    hint = ("Rank by the absolute SHAP value: a large negative value matters as much as a "
            "large positive one." if signed_right > set_right else
            "The right features, in the wrong order: list them largest |SHAP value| first."
            if set_right > right else
            "For each applicant, sort the features by |SHAP value|, largest first.")
    if right:
        return partial(right / len(rows), f"{right} of {len(rows)} applicants right.", hint)
    return incorrect("None of the top-3 sets matches |SHAP|.", hint)


def check_q3(a, ctx):
    shape = _shape(ctx)
    score = 0.0
    notes, hint = [], None
    for mode, part in (("continuous", 0.35), ("binned", 0.35)):
        name = f"lime_{mode}"
        if a[name] is None:
            notes.append(f"`{name}` missing")
            continue
        w = as_array(name, a[name], shape)
        ref = ctx.ref_lime_weights(mode)
        other = ctx.ref_lime_weights("binned" if mode == "continuous" else "continuous")
        if close(w, ref, TOL_LIME):
            score += part
        elif close(w, -ref, TOL_LIME):
            notes.append(f"`{name}` explains the other class")
            hint = "labels=(1,): class 1 is a BAD credit risk; read exp.as_map()[1]."
        elif close(w, other, TOL_LIME):
            notes.append(f"`{name}` holds the other LIME mode")
            hint = "binned = discretize_continuous=True; continuous = False."
        else:
            notes.append(f"`{name}` does not reproduce LIME under the stated protocol")
            hint = hint or ("A fresh explainer per applicant with random_state=LIME_SEED, "
                            "num_features = all features, num_samples=LIME_SAMPLES; weights "
                            "placed in feature order via exp.as_map()[1].")
    if a["lime_scores"] is None:
        notes.append("`lime_scores` missing")
    else:
        ok = 0
        for mode in MODES:
            s = as_array(f"lime_scores['{mode}']", field_of("lime_scores", a["lime_scores"], mode),
                         (shape[0],))
            ok += close(s, [ctx.ref_lime(mode, x).score for x in ctx.applicants], TOL_LIME)
        score += 0.15 * ok
        if ok < 2:
            notes.append("`lime_scores` not reproduced")
            hint = hint or "lime_scores[mode] holds exp.score for each applicant."
    if score >= 1.0 - 1e-9:
        return correct("Correct: both LIME variants reproduce under the stated seed.")
    if score == 0:
        return incorrect("; ".join(notes) + ".", hint)
    return partial(score, "; ".join(notes) + ".", hint)


def check_q4(a, ctx):
    shape = (2, len(ctx.applicants))
    ov = as_array("top5_overlap", a["top5_overlap"], shape)
    rho = as_array("spearman", a["spearman"], shape)
    ref = ctx.ref_agreement()
    ok_ov = close(ov, ref["top5_overlap"], TOL_AGREEMENT)
    ok_rho = close(rho, ref["spearman"], TOL_AGREEMENT)
    if ok_ov and ok_rho:
        return correct()
    own = _own_agreement(a, ctx)
    if own is not None and close(ov, own["top5_overlap"], TOL_AGREEMENT) and \
            close(rho, own["spearman"], TOL_AGREEMENT):
        return partial(0.5, "The metrics are computed correctly from your own SHAP and LIME "
                            "values, but those are not right (see q1 and q3).")
    hint = None
    abs_ref = {m: ctx.ref_lime_weights(m) for m in MODES}
    abs_rho = np.array([[rank_correlation(np.abs(ctx.ref_shap.values[i]), np.abs(abs_ref[m][i]))
                         for i in range(shape[1])] for m in MODES])
    if close(rho, abs_rho, TOL_AGREEMENT):
        hint = "Correlate the signed attributions, not their absolute values."
    elif not ok_ov:
        hint = "Overlap = |top-5 by |SHAP|  ∩  top-5 by |LIME weight||| / 5, per applicant."
    else:
        hint = "scipy.stats.spearmanr of the 20 SHAP values vs the 20 LIME weights."
    if ok_ov or ok_rho:
        return partial(0.5, ("top5_overlap" if ok_ov else "spearman") + " is right; "
                       + ("spearman" if ok_ov else "top5_overlap") + " is not.", hint)
    return incorrect("Neither metric matches.", hint)


def _own_agreement(a, ctx):
    try:
        sv = as_array("shap_values", a.get("shap_values"), _shape(ctx))
        lime = {m: as_array(f"lime_{m}", a.get(f"lime_{m}"), _shape(ctx)) for m in MODES}
    except (AnswerFormatError, TypeError):
        return None
    return ctx.ref_agreement(sv, lime)


def check_q5(a, ctx):
    ok = []
    for mode in MODES:
        v = as_float(f"lime_stability['{mode}']", field_of("lime_stability", a["lime_stability"],
                                                            mode))
        if not 0 <= v <= 1:
            raise AnswerFormatError("A Jaccard-based stability index lies in [0, 1].")
        ok.append(abs(v - ctx.ref_stability(mode)) <= TOL_EXACT)
    if all(ok):
        return correct()
    vals = [as_float("", a["lime_stability"][m]) for m in MODES]
    hint = ("Both are 1.0: did you reuse one seed? Build a fresh explainer with "
            "random_state=seed for each seed in STABILITY_SEEDS." if vals == [1.0, 1.0] else
            "For APPLICANTS[0]: one LIME run per seed, top-5 features by |weight| per run, "
            "then the mean Jaccard index over all pairs of runs.")
    if any(ok):
        return partial(0.5, f"{MODES[ok.index(True)]} is right, the other is not.", hint)
    return incorrect("Neither stability index matches.", hint)


def check_q6(a, ctx):
    score, notes, hint = 0.0, [], None
    if a["kernel_width_scores"] is not None:
        s = as_array("kernel_width_scores", a["kernel_width_scores"], (len(ctx.kernel_widths),))
        ref = [ctx.ref_lime("continuous", ctx.applicants[0], kernel_width=w).score
               for w in ctx.kernel_widths]
        if close(s, ref, TOL_LIME):
            score += 0.7
        else:
            notes.append("`kernel_width_scores` not reproduced")
            hint = ("Continuous LIME for APPLICANTS[0], fresh explainer with "
                    "kernel_width=w and random_state=LIME_SEED, for each w in KERNEL_WIDTHS.")
    if a["default_kernel_width"] is not None:
        d = as_float("default_kernel_width", a["default_kernel_width"])
        if abs(d - ctx.default_kernel_width) <= TOL_EXACT * 1e3:
            score += 0.3
        else:
            notes.append("`default_kernel_width` is not LIME's default")
            hint = hint or "Read LimeTabularExplainer's source: kernel_width=None becomes ..."
    if score >= 1 - 1e-9:
        return correct()
    return (partial(score, "; ".join(notes) + ".", hint) if score
            else incorrect("; ".join(notes) + ".", hint))


# --- declaration: checks, hints and rubrics of the public questions ----------------------

CHECKS = {"q1": check_q1, "q2": check_q2, "q3": check_q3, "q4": check_q4, "q5": check_q5, "q6": check_q6}

HINTS = {
    "q1": ("shap.TreeExplainer(model).shap_values(X) gives log-odds for XGBoost.",
                    "Check local accuracy yourself: values.sum(1) + base == margin."),
    "q2": ("Sort by absolute value; return feature names.",),
    "q3": ("exp.as_map()[1] lists (feature index, weight) pairs for class 1.",),
    "q4": ("Row 0 compares SHAP with continuous LIME, row 1 with binned LIME.",),
    "q5": ("Mean pairwise Jaccard of the top-5 sets over the 10 seeds.",),
    "q6": ("exp.score is the R² of LIME's weighted linear fit.",),
}

RUBRICS = {
    "q7": Rubric(
        criteria=(
            "SHAP (path-dependent TreeSHAP) is exact for the model relative to the average "
            "prediction; LIME fits a local linear surrogate on perturbed samples",
            "LIME samples each feature independently (continuous mode: a normal with the "
            "training mean and sd, around the average applicant, not this one; correlations "
            "lost, impossible values), so its weights are slopes over that cloud, not "
            "contributions",
            "binning changes what a weight means (membership of the applicant's bin)",
            "reads the kernel-width scores: local fidelity (R²) is low and depends on the "
            "width, which is a free, arbitrary choice",
            "mentions scale: log-odds (SHAP) vs probability (LIME); not a per-feature "
            "rescaling, so magnitudes are not comparable and even ranks can change"),
        strong="Names at least four of the criteria and ties them to this applicant's numbers "
               "(e.g. a feature whose LIME weight sign differs from its SHAP value, the R² at "
               "width 0.5 vs 1).",
        adequate="Two or three criteria, correctly; may stay generic.",
        weak="'LIME is random' or 'both are approximations' without saying how they differ."),
    "q8": Rubric(
        criteria=(
            "recommends TreeSHAP for this tree model: exact, deterministic, additive in "
            "log-odds (explains the margin; can be shown in probability with care)",
            "uses the measured evidence: LIME's instability across seeds and low local R²",
            "states the limits of SHAP too: depends on the reference (base value), correlated "
            "features share credit, it explains the model, not the world (not causal)",
            "speaks to the analyst's use: consistent reasons for declined applicants, "
            "adverse-action style wording, protected attributes in the model",
            "proposes a check or process (monitor stability, document settings)"),
        strong="A clear recommendation backed by the notebook's own measurements, with SHAP's "
               "limits and a note on protected attributes (sex, age, foreign worker), in words "
               "an analyst can act on.",
        adequate="Recommends SHAP with one or two valid reasons; few limits.",
        weak="No recommendation, or 'use both', or claims that SHAP shows causes."),
}
