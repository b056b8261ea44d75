"""Grader part of ``drift``: planted stream, references, checks, hints and rubrics.

Never shipped to candidates, never importable in the grading kernel. The references are
computed from the variant's own stream, model, background and reference sample
(:mod:`.references`); the planted windows come from :func:`materialise`. Tolerances are
calibrated in ``tests/test_calibration_drift.py`` (40 variants).

References
----------
Lundberg, S. M. et al. (2020). From local explanations to global understanding with explainable
AI for trees. Nature Machine Intelligence 2, 56-67 (interventional TreeSHAP).
Gama, J., Zliobaite, I., Bifet, A., Pechenizkiy, M. & Bouchachia, A. (2014). A survey on concept
drift adaptation. ACM Computing Surveys 46(4), 44 (covariate shift vs concept drift).
Rabanser, S., Günnemann, S. & Lipton, Z. (2019). Failing loudly: an empirical study of methods
for detecting dataset shift. NeurIPS (univariate KS tests per feature, aggregated).
"""
from __future__ import annotations

import numpy as np

from xaikit.exercises.framework import (AnswerFormatError, Rubric, as_array, as_float, close,
                                        correct, incorrect, partial)

from .references import (References, ks_statistics, interventional_shap, materialise, planted,
                         reference_context, score_threshold, window_rows)

__all__ = ["References", "interventional_shap", "materialise", "planted", "reference_context",
           "score_threshold", "window_rows", "CHECKS", "HINTS", "RUBRICS"]

#: mean |SHAP| and MAE, rentals per hour: the same explainer on the same rows is bit-identical;
#: this absorbs batch order and float64 summation order (calibration: <= 1e-12).
TOL_SHAP = 1e-6
#: KS statistics, PCA centroids and the threshold: recomputation differs by float64 rounding
#: only (calibration: <= 1e-12); a wrong route moves them by >= 1e-3.
TOL_EXACT = 1e-6


def _n(ctx):
    return len(ctx.windows), len(ctx.feature_names)


def _path_dependent_mean(ctx):
    import shap

    e = shap.TreeExplainer(ctx.model)
    return np.array([np.abs(e.shap_values(ctx.window(w)[0])).mean(0) for w in ctx.windows])


def check_q1(a, ctx):
    m = as_array("mean_abs_shap", a["mean_abs_shap"], _n(ctx))
    ok_w = close(m, ctx.ref_mean_abs_shap, TOL_SHAP)
    ref_row = np.abs(ctx.ref_shap_reference).mean(0)
    r = a["ref_mean_abs_shap"]
    ok_r = r is not None and close(as_array("ref_mean_abs_shap", r, (_n(ctx)[1],)), ref_row,
                                   TOL_SHAP)
    if ok_w and ok_r:
        return correct("Correct: mean |SHAP| per window and for the reference sample.")
    if ok_w:
        return partial(0.7, "The windows are right; `ref_mean_abs_shap` is not.",
                       "The reference row is mean |SHAP| over X_REFERENCE (441 rows).")
    signed = np.array([v.mean(0) for v in ctx.ref_shap_windows])
    if close(m, signed, TOL_SHAP):
        return incorrect("These are mean signed SHAP values.",
                         "Take the absolute value before averaging over a window's rows.")
    if close(m, _path_dependent_mean(ctx), 1e-3):
        return incorrect("These are path-dependent TreeSHAP values (no background).",
                         "Pass the background: shap.TreeExplainer(model, data=X_BACKGROUND, "
                         "feature_perturbation='interventional').")
    return incorrect("The values do not match interventional TreeSHAP with the background.",
                     "One row per window 0-9 (stream['window']), one column per feature in "
                     "FEATURES order; background = X_BACKGROUND (20 rows).")


def check_q2(a, ctx):
    ks = as_array("input_ks", a["input_ks"], _n(ctx))
    if close(ks, ctx.ref_input_ks, TOL_EXACT):
        return correct()
    from scipy.stats import ks_2samp

    xr = np.asarray(ctx.X_reference, float)
    pv = np.array([[ks_2samp(xr[:, j], np.asarray(ctx.window(w)[0], float)[:, j]).pvalue
                    for j in range(xr.shape[1])] for w in ctx.windows])
    if close(ks, pv, TOL_EXACT):
        return incorrect("These are p-values, not KS statistics.",
                         "Use ks_2samp(...).statistic: the largest gap between the two CDFs.")
    bg = np.array([ks_statistics(ctx.X_background, ctx.window(w)[0]) for w in ctx.windows])
    if close(ks, bg, TOL_EXACT):
        return incorrect("Compared with the 20-row SHAP background, not the reference sample.",
                         "The reference is X_REFERENCE (the 441 training hours).")
    return incorrect("The KS statistics do not match.",
                     "ks_2samp(X_REFERENCE[f], window[f]).statistic, rows = windows 0-9, "
                     "columns = FEATURES.")


def check_q3(a, ctx):
    ks = as_array("shap_ks", a["shap_ks"], _n(ctx))
    if close(ks, ctx.ref_shap_ks, TOL_EXACT):
        return correct()
    if close(ks, ctx.ref_input_ks, TOL_EXACT):
        return incorrect("These are the input KS statistics of q2.",
                         "Compare the SHAP values of the window with those of X_REFERENCE.")
    absks = np.array([ks_statistics(np.abs(ctx.ref_shap_reference), np.abs(v))
                      for v in ctx.ref_shap_windows])
    if close(ks, absks, TOL_EXACT):
        return incorrect("KS on |SHAP|: the sign of an attribution was dropped.",
                         "Use the signed SHAP values.")
    return incorrect("The KS statistics on the SHAP values do not match.",
                     "SHAP values of X_REFERENCE and of each window with the same explainer "
                     "(background X_BACKGROUND), then ks_2samp per feature.")


def _alerts(name, value):
    if not isinstance(value, (list, tuple, np.ndarray)):
        raise AnswerFormatError(f"`{name}` should be a list of window numbers.")
    return sorted(int(w) for w in np.ravel(np.asarray(value, dtype=float)))


def _threshold_hint(t, ks, ctx):
    """A targeted hint when the threshold ``t`` matches a typical mistake (else None)."""
    ks = np.asarray(ks)
    scores, c = ks.max(1), list(ctx.control_windows)
    if abs(t - ctx.alert_margin * scores.max()) <= TOL_EXACT:
        return "Calibrate on the control windows 0-2 only (audited: no drift)."
    if abs(t - ctx.alert_margin * ks[c].mean(1).max()) <= TOL_EXACT:
        return "A window's score is the largest KS over the features, not the mean."
    if abs(t - scores[c].max()) <= TOL_EXACT:
        return "Apply the margin: threshold = ALERT_MARGIN x the largest control score."
    return None


def check_q4(a, ctx):
    score, notes, hint = 0.0, [], None
    for kind, ks in (("input", ctx.ref_input_ks), ("shap", ctx.ref_shap_ks)):
        t_name, al_name = f"{kind}_threshold", f"{kind}_alerts"
        if a[t_name] is None:
            notes.append(f"`{t_name}` missing")
        elif abs(as_float(t_name, a[t_name]) - ctx.threshold(ks)) <= TOL_EXACT:
            score += 0.25
        else:
            notes.append(f"`{t_name}` does not match")
            hint = hint or _threshold_hint(as_float(t_name, a[t_name]), ks, ctx)
        if a[al_name] is None:
            notes.append(f"`{al_name}` missing")
        elif _alerts(al_name, a[al_name]) == ctx.alerts(ks):
            score += 0.25
        else:
            notes.append(f"`{al_name}` does not match")
            hint = hint or ("Alert = a monitored window (3-9) whose score (largest KS over the "
                            "features) is above the threshold of the same kind.")
    if score >= 1 - 1e-9:
        return correct("Correct: both thresholds and both alert lists.")
    hint = hint or ("score(w) = max over features of the KS row; threshold = ALERT_MARGIN x "
                    "max over windows 0-2 of the score; the same rule for inputs and SHAP.")
    return partial(score, "; ".join(notes) + ".", hint) if score else \
        incorrect("; ".join(notes) + ".", hint)


def check_q5(a, ctx):
    m = as_array("window_mae", a["window_mae"], (len(ctx.windows),))
    score, notes, hint = 0.0, [], None
    if close(m, ctx.ref_mae, TOL_SHAP):
        score += 0.4
    else:
        rmse = np.array([np.sqrt(np.mean((ctx.window(w)[1].to_numpy()
                                          - ctx.model.predict(ctx.window(w)[0])) ** 2))
                         for w in ctx.windows])
        hint = ("That is the RMSE; the question asks for the mean absolute error."
                if close(m, rmse, TOL_SHAP) else
                "MAE = mean |bikers - model.predict(X)| over the window's hours.")
        notes.append("`window_mae` does not match")
    cov = a["covariate_windows"]
    if cov is None:
        notes.append("`covariate_windows` missing")
    elif _alerts("covariate_windows", cov) == ctx.ref_covariate:
        score += 0.3
    else:
        notes.append("`covariate_windows` is not the list of windows whose inputs moved")
        hint = hint or ("Covariate shift moves the inputs: the monitored windows with an input "
                        "alert (q4).")
    con = a["concept_window"]
    if con is None:
        notes.append("`concept_window` missing")
    elif int(as_float("concept_window", con)) == ctx.ref_concept:
        score += 0.3
    else:
        notes.append("`concept_window` is not the window whose relation changed")
        hint = hint or ("Concept drift changes the error while the inputs and attributions stay "
                        "within the control range: an error alert without an input alert.")
    if score >= 1 - 1e-9:
        return correct("Correct: the error per window, the covariate-shift windows and the "
                       "concept-drift window.")
    return partial(score, "; ".join(notes) + ".", hint) if score else \
        incorrect("; ".join(notes) + ".", hint)


def check_q6(a, ctx):
    c = as_array("pca_centroids", a["pca_centroids"], (len(ctx.windows), 2))
    e = a["pca_explained"]
    pca, ref = ctx.ref_pca
    signs = np.sign(np.sum(c * ref, axis=0))  # a component's sign is arbitrary
    signs[signs == 0] = 1
    ok_c = close(c * signs, ref, TOL_EXACT)
    ok_e = e is not None and close(as_array("pca_explained", e, (2,)),
                                   pca.explained_variance_ratio_, TOL_EXACT)
    if ok_c and ok_e:
        return correct("Correct (up to the sign of each component, which PCA leaves free).")
    from sklearn.decomposition import PCA

    pooled = PCA(2).fit(np.vstack(ctx.ref_shap_windows))
    alt = np.array([pooled.transform(v).mean(0) for v in ctx.ref_shap_windows])
    s2 = np.sign(np.sum(c * alt, axis=0))
    s2[s2 == 0] = 1
    if close(c * s2, alt, TOL_EXACT):
        return incorrect("PCA fitted on the pooled windows.",
                         "Fit the PCA on the reference SHAP values only, then project the "
                         "windows: the drifted window must not shape the axes.")
    if ok_c:
        return partial(0.7, "The centroids are right; `pca_explained` is not.",
                       "pca.explained_variance_ratio_ of the 2-component PCA.")
    return incorrect("The centroids do not match.",
                     "PCA(n_components=2).fit(SHAP of X_REFERENCE); centroid = mean of "
                     "pca.transform(SHAP of the window) over its rows.")


CHECKS = {"q1": check_q1, "q2": check_q2, "q3": check_q3, "q4": check_q4, "q5": check_q5,
          "q6": check_q6}

HINTS = {
    "q1": ("shap.TreeExplainer(model, data=X_BACKGROUND, feature_perturbation="
           "'interventional').shap_values(X) gives rentals per hour.",),
    "q2": ("scipy.stats.ks_2samp(a, b).statistic, per feature and window.",),
    "q3": ("The same KS test, on SHAP values instead of inputs.",),
    "q4": ("score = max over features; threshold from windows 0-2 only; the same rule for "
           "inputs and SHAP values.",),
    "q5": ("The error rises where the inputs moved and where the relation changed; only the "
           "first raises input alerts.",),
    "q6": ("sklearn.decomposition.PCA(2) fitted on the reference SHAP values.",),
}

RUBRICS = {
    "q7": Rubric(
        criteria=(
            "the SHAP values of a fixed model are a function of the inputs only: if P(x) does "
            "not move, neither do they, so concept drift (P(y|x) changes) is invisible to them",
            "concept drift shows in the error (needs labels, often late) or in the residuals",
            "attribution drift weighs input drift by what the model uses: in the 16-31 July "
            "heat wave the input KS of temp is large but its SHAP KS stays in the control "
            "range (the trees are flat above the training temperatures); the window's score "
            "rises far less on attributions than on inputs",
            "the windows where the inputs moved also have a higher error (extrapolation into "
            "autumn weather): the error alone cannot tell covariate shift from concept drift",
            "PCA: a linear 2-D projection of 9-D attributions fitted on the reference; keeps "
            "the largest-variance directions, can hide drift in the others; centroids hide "
            "spread; t-SNE/UMAP distort distances"),
        strong="Four or more criteria, tied to the windows' numbers (which window moved in "
               "which feature, the MAE ratio, the PCA picture).",
        adequate="States that attributions cannot show concept drift and why, plus one more "
                 "criterion.",
        weak="'SHAP detects all drift', or no distinction between the two kinds."),
    "q8": Rubric(
        criteria=(
            "monitor inputs, predictions and attributions per window against a fixed reference; "
            "error when labels arrive (delay); alert thresholds calibrated on drift-free "
            "history, with a margin, and a review process",
            "multiple testing (9 features x many windows) and autocorrelated hours make KS "
            "p-values invalid: calibrate empirically instead of p < 0.05",
            "seasonality: an October window differs from a June-July reference by design; "
            "compare with the same season last year or a rolling reference",
            "a time-series model (lags, rolling means): features depend on past targets, so "
            "concept drift leaks into the inputs; validate with time-ordered splits, never "
            "random; explain lag features with care (correlated, the background must respect "
            "time)",
            "what to do on alert: investigate, retrain on recent data, fall back"),
        strong="A concrete plan covering reference, statistics, thresholds, label delay, "
               "seasonality and what a time-series model changes.",
        adequate="Three criteria, correctly.",
        weak="'Retrain every week' or 'watch accuracy' without a plan."),
}
