"""Grader part of ``interactions``: references, checks, hints and rubrics.

Never shipped to candidates, never importable in the grading kernel. The references are
computed from the same data, model and rows as the notebook (:mod:`.references`); the
H-statistic is Friedman and Popescu's (:mod:`.hstat`). Tolerances are calibrated in
``tests/test_calibration_interactions.py`` (20 generated variants).
"""
from __future__ import annotations

import numpy as np

from xaikit.exercises.framework import (AnswerFormatError, Rubric, as_array, as_float, close,
                                        correct, incorrect, partial)

from .hstat import h2_pair, h2_pairs, pd_at_rows
from .references import References, materialise, reference_context, roles

__all__ = ["References", "materialise", "reference_context", "roles", "h2_pair", "h2_pairs",
           "pd_at_rows", "CHECKS", "HINTS", "RUBRICS", "TOL_SHAP_INTERACTION", "TOL_IDENTITY",
           "TOL_H2", "TOL_PD", "TOL_PD_BIKE", "DECOY_H2_BOUND"]

#: |candidate - reference| of SHAP interaction values and SHAP values, model units. TreeSHAP
#: is deterministic; this absorbs float32 arithmetic only (recomputation is bit-identical).
TOL_SHAP_INTERACTION = 1e-5
#: the identity sum_k Phi_jk = phi_j, per row and feature, model units: float32 sums of six
#: terms (observed <= 1e-6 over 20 variants, see the calibration test).
TOL_IDENTITY = 1e-5
#: |candidate - reference| of each H^2 (unitless). Absorbs the summation order and precision of
#: the partial-dependence means (a row loop with float32 means vs the grader's batches: ~1e-8);
#: the mistakes (H instead of H^2, uncentred PDs, another sample) are >= 0.01 away (see the
#: calibration test).
TOL_H2 = 1e-4
#: |candidate - reference| of q5's 2-D partial dependence, model units (float32 predictions).
TOL_PD = 1e-4
#: the same for q6's partial dependence in rentals per hour (predictions of a few hundred).
TOL_PD_BIKE = 1e-2
#: the decoy pair's H^2 stays below this bound, the planted pair's well above it (20 variants:
#: see the calibration test for the figures). A candidate's decoy H^2 above it is a mistake.
DECOY_H2_BOUND = 0.25


def _n(ctx):
    return len(ctx.X_h), len(ctx.feature_names)


def check_q1(a, ctx):
    n, p = _n(ctx)
    si = as_array("shap_interaction", a["shap_interaction"], (n, p, p))
    sv = a["shap_values"]
    sv = None if sv is None else as_array("shap_values", sv, (n, p))
    ref = ctx.ref_shap_interaction
    if close(si, ref, TOL_SHAP_INTERACTION):
        if sv is None:
            return partial(0.5, "The interaction values are right; `shap_values` is missing.",
                           "shap_values = TreeExplainer(model).shap_values(X_h), same rows.")
        if close(sv, ctx.ref_shap_values, TOL_SHAP_INTERACTION):
            return correct("Correct: the interaction values match TreeSHAP and each row of "
                           "the matrix sums to the SHAP value of its feature.")
        return partial(0.5, "The interaction values are right, but `shap_values` are not the "
                            "SHAP values of the same rows (the identity fails).",
                       "Each matrix row sums to the SHAP value: check "
                       "shap_interaction.sum(axis=2) against shap_values.")
    off = ~np.eye(p, dtype=bool)
    doubled = np.where(off, 2 * ref, ref)
    if close(si, doubled, TOL_SHAP_INTERACTION):
        return incorrect("The off-diagonal entries are twice TreeSHAP's.",
                         "shap splits a pair's interaction in two equal halves, Phi_jk = "
                         "Phi_kj: keep the matrix as shap_interaction_values returns it.")
    if close(np.where(off, si, 0), np.where(off, ref, 0), TOL_SHAP_INTERACTION):
        return incorrect("The off-diagonal entries are right, the diagonal is not.",
                         "The diagonal holds each feature's main effect: keep it.")
    if sv is not None and np.max(np.abs(si.sum(axis=2) - sv)) <= TOL_IDENTITY:
        return incorrect("Your two arrays are consistent with each other (rows sum to the "
                         "SHAP values) but they are not those of the H sample.",
                         "Explain ctx.X_h (200 held-out rows, in order), not X_test or "
                         "X_train.")
    return incorrect("The values do not match TreeSHAP interaction values of the H sample.",
                     "shap.TreeExplainer(model).shap_interaction_values(X_h): shape "
                     "(200, 6, 6), features in column order.")


def _h2_feedback(h2, ref_h2, sqrt_hint, what):
    if close(h2, ref_h2, TOL_H2):
        return None
    if close(h2, np.sqrt(np.clip(ref_h2, 0, None)), TOL_H2):
        return incorrect(f"{what}: these are H, not H².", sqrt_hint)
    if close(np.sort(h2), np.sort(ref_h2), TOL_H2):
        return incorrect(f"{what}: the right values in the wrong order.",
                         "One value per pair, in the order of the stated pairs.")
    return False


def check_q2(a, ctx):
    h2 = as_array("h2", a["h2"], (len(ctx.pairs),))
    fb = _h2_feedback(h2, ctx.ref_h2, "Friedman and Popescu's eq. 44 gives H² (a share of "
                      "variance); do not take the square root.", "H²")
    if fb is None:
        return correct("Correct: H² of every pair on the H sample.")
    if fb is not False:
        return fb
    if close(h2, ctx.ref_h2_uncentred, TOL_H2):
        return incorrect("Your partial dependences are not centred.",
                         "Centre F_j, F_k and F_jk to mean 0 over the sample before eq. 44.")
    ok = np.abs(h2 - ctx.ref_h2) <= TOL_H2
    hint = ("The standard estimator: F_jk at row i = mean over the 200 sample rows of the "
            "prediction with columns j, k set to row i's values; the same for F_j and F_k; "
            "evaluated at the sample's own rows (ctx.X_h), nothing else.")
    if ok.any():
        return partial(0.5 * ok.mean(), f"{int(ok.sum())} of {len(ok)} pairs right.", hint)
    return incorrect("The H² values do not match the grader's on the H sample.", hint)


def _pair(name, value, names):
    if not isinstance(value, (list, tuple, np.ndarray)) or len(value) != 2:
        raise AnswerFormatError(f"`{name}` should be a list of two column names.")
    pair = [str(v) for v in value]
    unknown = sorted(set(pair) - set(names))
    if unknown or pair[0] == pair[1]:
        raise AnswerFormatError(f"`{name}` should name two distinct columns of X "
                                f"({', '.join(names)}).")
    return set(pair)


def check_q3(a, ctx):
    pair = _pair("planted_pair", a["planted_pair"], ctx.feature_names)
    if pair == set(ctx.truth["planted"]):
        return correct("Correct: this is the planted interaction.")
    if pair == set(ctx.truth["decoy"]):
        return incorrect("That is the correlated pair, which is additive.",
                         "Correlation between two features is not an interaction: look for "
                         "the largest H² (and the largest mean |SHAP interaction|).")
    return incorrect("That pair is not the planted one.",
                     "The planted pair has by far the largest H² of q2.")


def check_q4(a, ctx):
    score, notes, hint = 0.0, [], None
    if a["decoy_pair"] is not None:
        pair = _pair("decoy_pair", a["decoy_pair"], ctx.feature_names)
        if pair == set(ctx.truth["decoy"]):
            score += 0.5
        else:
            notes.append("`decoy_pair` is not the correlated pair")
            hint = ("The pair with the largest |Pearson correlation| on X_train "
                    "(X_train.corr()).")
    else:
        notes.append("`decoy_pair` missing")
    if a["decoy_h2"] is not None:
        v = as_float("decoy_h2", a["decoy_h2"])
        ref = ctx.h2_of(ctx.truth["decoy"])
        if abs(v - ref) <= TOL_H2:
            score += 0.5
        elif abs(v - np.sqrt(max(ref, 0))) <= TOL_H2:
            notes.append("`decoy_h2` is H, not H²")
            hint = hint or "Report H² (eq. 44), not its square root."
        else:
            notes.append("`decoy_h2` is not the correlated pair's H² on the H sample"
                         + (" (and it is above what an additive pair gives)"
                            if v >= DECOY_H2_BOUND else ""))
            hint = hint or "Take the correlated pair's value from your q2 answer."
    else:
        notes.append("`decoy_h2` missing")
    if score >= 1.0:
        return correct("Correct: the correlated pair, and its H² is small: no interaction.")
    if score == 0:
        return incorrect("; ".join(notes) + ".", hint)
    return partial(score, "; ".join(notes) + ".", hint)


def check_q5(a, ctx):
    g = ctx.pd_grid
    pdv = as_array("pd_planted", a["pd_planted"], (g, g))
    ref = ctx.ref_pd_planted
    if close(pdv, ref, TOL_PD):
        return correct("Correct: the 2-D partial dependence of the planted pair.")
    if close(pdv, ref.T, TOL_PD):
        return incorrect("The transpose: the pair in the wrong order.",
                         "features=[a, b] with a the earlier column of X: rows follow a's "
                         "grid, columns b's.")
    return incorrect("This is not the 2-D partial dependence of the planted pair on the H "
                     "sample.", "partial_dependence(model, X_h, features=[a, b], "
                     "kind='average', method='brute', grid_resolution=10), default "
                     "percentiles; the result's ['average'][0].")


def check_q6(a, ctx):
    score, notes, hint = 0.0, [], None
    if a["bike_h2"] is not None:
        h2 = as_array("bike_h2", a["bike_h2"], (len(ctx.bike_pairs),))
        fb = _h2_feedback(h2, ctx.ref_bike_h2, "Report H² (eq. 44), not its square root.",
                          "`bike_h2`")
        if fb is None:
            score += 0.5
        else:
            notes.append(fb.feedback if fb is not False else
                         "`bike_h2` does not match H² on the bike sample")
            hint = fb.hint if fb is not False else (
                "The same estimator as q2, on ctx.X_bike_h with the bike model's "
                "predictions (rentals per hour).")
    else:
        notes.append("`bike_h2` missing")
    if a["bike_pd"] is not None:
        pdv = as_array("bike_pd", a["bike_pd"], (24, 2))
        if close(pdv, ctx.ref_bike_pd, TOL_PD_BIKE):
            score += 0.5
        else:
            notes.append("`bike_pd` is not the 2-D partial dependence of hr x workingday on "
                         "the bike sample")
            hint = hint or ("custom_values={'hr': range(24), 'workingday': [0, 1]}, "
                            "method='brute', on ctx.X_bike_h; rentals per hour.")
    else:
        notes.append("`bike_pd` missing")
    if score >= 1.0:
        return correct("Correct: H² of the three pairs and the hour x working-day surface.")
    if score == 0:
        return incorrect("; ".join(notes) + ".", hint)
    return partial(score, "; ".join(notes) + ".", hint)


CHECKS = {"q1": check_q1, "q2": check_q2, "q3": check_q3, "q4": check_q4, "q5": check_q5,
          "q6": check_q6}

HINTS = {
    "q1": ("explainer.shap_interaction_values(X_h) has shape (n, p, p); its rows sum to "
           "explainer.shap_values(X_h).",),
    "q2": ("Eq. 44 of Friedman & Popescu (2008): centred PDs, evaluated at the sample's rows.",
           "Compute each 1-D PD once and reuse it across pairs."),
    "q3": ("The planted pair stands out in H² and in mean |SHAP interaction|.",),
    "q4": ("X_train.corr(): the pair with the largest |r|; its H² from q2.",),
    "q5": ("Order the pair as the columns of X.",),
    "q6": ("Same estimator as q2; PD grid: every hour, both day types.",),
}

RUBRICS = {
    "q7": Rubric(
        criteria=(
            "an interaction means the effect of one feature depends on the value of the "
            "other (a non-additive term); correlation is a property of the inputs, not of "
            "the model's function",
            "cites the evidence: H² of the correlated pair near 0 (like the independent "
            "additive pairs), its 2-D PD surface with parallel steps; notices that its mean "
            "|SHAP interaction| is inflated by the correlation (the trees split on both)",
            "knows the data: y holds separate one-feature terms for both features (the data "
            "card), so there is nothing to find",
            "names the caveat: with correlated features partial dependence averages over "
            "unlikely combinations (extrapolation), so H and PD can show small spurious "
            "values; the trees may split credit between the two"),
        strong="Defines interaction vs correlation, cites the measured H² and PD of the pair, "
               "explains why its SHAP interaction values are larger than 0, and mentions the "
               "extrapolation caveat.",
        adequate="Correct distinction with one piece of evidence.",
        weak="Says the pair interacts because it is correlated, or gives no evidence."),
    "q8": Rubric(
        criteria=(
            "the effect of the hour depends on the day type: on working days two commute "
            "peaks (about 8 h and 17-18 h), on weekends and holidays one broad midday hump",
            "uses numbers from the PD in rentals per hour (e.g. the peak on working days vs "
            "the same hour at weekends)",
            "turns it into planning: rebalancing/staffing before the commute peaks on "
            "working days, midday service at weekends; one hourly profile for all days "
            "would be wrong at the peaks",
            "states the limits: a model's average (PD), not a causal claim; 2011 data, one "
            "city; averages hide weather"),
        strong="Describes both profiles with numbers, says what to schedule differently, "
               "and one limit; no jargon (no 'H²' without explanation).",
        adequate="Describes the two profiles correctly in plain words.",
        weak="Only says 'hr and workingday interact' or reports H² alone."),
}
