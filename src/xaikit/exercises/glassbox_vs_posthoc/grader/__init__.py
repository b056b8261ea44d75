"""Grader part of ``glassbox_vs_posthoc``: planted truth, references, checks, hints, rubrics.

Never shipped to candidates, never importable in the grading kernel. The references refit the
EBMs exactly as the notebook states (``ctx.ebm_params``, bit-identical under ``n_jobs=1`` and
a fixed ``random_state``; cached with joblib in the private model cache). Tolerances are
calibrated in ``tests/test_calibration_glassbox_vs_posthoc.py`` (20 variants).
"""
from __future__ import annotations

import numpy as np

from xaikit.exercises.framework import (AnswerFormatError, Rubric, as_array, as_float, correct,
                                        field_of, incorrect, partial)
from xaikit.exercises.glassbox_vs_posthoc.public import SYN_FEATURES

from .references import (References, auc, fit_ebm, pair_share_of, pair_terms, pearson,
                         reference_context, shape_on_grid, term_contributions,
                         tree_shap_values)
from .rubrics import RUBRICS
from .truth import materialise, planted, true_shape

__all__ = ["References", "reference_context", "materialise", "planted", "true_shape",
           "fit_ebm", "term_contributions", "shape_on_grid", "tree_shap_values", "auc",
           "pearson", "pair_terms", "pair_share_of", "CHECKS", "HINTS", "RUBRICS"]

#: |AUC - reference AUC| where the grader cannot recompute the AUC from submitted predictions
#: (q4; the issue's "within 0.01"), and q1's partial credit for an EBM close to the stated one.
#: The stated EBMs refit bit-identically (difference 0); over 20 variants another random_state
#: moves q1's AUC by up to 0.015 (not the stated protocol), and swapping q4's two EBMs is
#: >= 0.015 away, so a swap is caught.
TOL_AUC = 0.01
#: q1: max |submitted - reference EBM probability|. The stated EBM refits bit-identically
#: (difference 0); any other seed, bag count or round limit moves some probability by > 1e-3.
TOL_PROBA = 1e-6
#: |reported AUC - AUC recomputed from the same submitted predictions|: float noise only.
TOL_AUC_SELF = 1e-6
#: q1 xgb AUC: the model is given and deterministic; float noise only.
TOL_AUC_EXACT = 1e-9
#: q2 correlations: the same EBM and TreeSHAP give identical values (shap vs XGBoost's
#: pred_contribs: 0 difference); Spearman instead of Pearson is >= 0.049 away in 20 variants.
TOL_CORR = 0.005
#: q3: an EBM's shape is "recovered" when its Pearson correlation with the true shape on the
#: grid is at least this for every informative feature. Over 20 variants the stated EBM reaches
#: >= 0.877 and an EBM with another seed >= 0.904; shifting the rows by one feature fails in
#: 20/20 variants.
SHAPE_CORR_MIN = 0.8
#: q3 scale: least-squares slope of the candidate's shape on the true shape (log-odds per
#: log-odds); the stated EBM gives 0.51-1.06 (bagging and rounds shrink), another seed
#: 0.53-1.11, the same shapes as probabilities <= 0.23 (20 variants).
SHAPE_SLOPE = (0.4, 1.5)
#: q3: |candidate - reference EBM shape| (log-odds) that counts as the same EBM (float noise).
TOL_SHAPE = 1e-6
#: q5 pair share: same EBM, same rows -> float noise (ddof=1: 1e-16); the pairs' share of
#: term importances is >= 0.0147 away, the std ratio (sqrt) >= 0.2, in 20 variants.
TOL_SHARE = 0.005


def _dict_numbers(name, value, keys):
    return {k: as_float(f"{name}['{k}']", field_of(name, value, k)) for k in keys}


# --- q1 ----------------------------------------------------------------------------------------

def check_q1(a, ref):
    notes, hint, score = [], None, 0.0
    y = ref.trained.y_test
    if a.get("ebm_credit_proba") is not None:
        p = as_array("ebm_credit_proba", a["ebm_credit_proba"], (len(ref.X_test),))
        own = auc(y, p)
        target = ref.ref_credit_auc["ebm"]
        proba_ok = np.max(np.abs(p - ref.ref_credit_proba)) <= TOL_PROBA
        if proba_ok:
            score += 0.4
        elif np.all(np.isin(p, (0.0, 1.0))):
            notes.append("`ebm_credit_proba` holds hard 0/1 labels")
            hint = "Use predict_proba(X_test)[:, 1], not predict: AUC ranks scores."
        elif np.max(np.abs(1 - p - ref.ref_credit_proba)) <= TOL_PROBA:
            notes.append("`ebm_credit_proba` holds the probabilities of the other class")
            hint = "Column 1 of predict_proba is the probability of class 1 (bad risk)."
        elif abs(own - target) <= TOL_AUC:
            score += 0.2
            notes.append("`ebm_credit_proba` comes from an EBM close to, but not, the stated one")
            hint = ("Fit ExplainableBoostingClassifier(**EBM_PARAMS, interactions=0) on "
                    "X_train, y_train exactly as given (same seed, bags and rounds).")
        else:
            notes.append("`ebm_credit_proba` is not the stated EBM's probability of bad risk")
            hint = ("ExplainableBoostingClassifier(**EBM_PARAMS, interactions=0) fitted on "
                    "X_train, y_train; predict_proba(X_test)[:, 1].")
        if a.get("credit_auc") is not None:
            e = as_float("credit_auc['ebm']", field_of("credit_auc", a["credit_auc"], "ebm"))
            if abs(e - own) <= TOL_AUC_SELF:
                score += 0.2 if proba_ok else 0.0
            else:
                notes.append("`credit_auc['ebm']` is not the AUC of your own predictions")
                hint = hint or "roc_auc_score(y_test, ebm_credit_proba)."
    else:
        notes.append("`ebm_credit_proba` missing")
    if a.get("credit_auc") is not None:
        x = as_float("credit_auc['xgb']", field_of("credit_auc", a["credit_auc"], "xgb"))
        target = ref.ref_credit_auc["xgb"]
        if abs(x - target) <= TOL_AUC_EXACT:
            score += 0.4
        else:
            hard = auc(y, ref.model.predict(ref.X_test))
            train = auc(ref.trained.y_train, ref.model.predict_proba(ref.X_train)[:, 1])
            notes.append("`credit_auc['xgb']` is not XGBoost's held-out AUC")
            hint = hint or ("AUC of hard labels: use predict_proba(X_test)[:, 1]."
                            if abs(x - hard) <= 1e-9 else
                            "That is the training AUC: score the held-out rows X_test."
                            if abs(x - train) <= 1e-9 else
                            "roc_auc_score(y_test, xgb.predict_proba(X_test)[:, 1]).")
    else:
        notes.append("`credit_auc` missing")
    if score >= 1 - 1e-9:
        return correct("Correct: both held-out AUCs are right.")
    msg = "; ".join(notes) + "."
    return partial(score, msg, hint) if score else incorrect(msg, hint)


# --- q2 ----------------------------------------------------------------------------------------

def check_q2(a, ref):
    keys = list(ref.numeric)
    got = _dict_numbers("shape_shap_corr", a["shape_shap_corr"], keys)
    want = ref.ref_shape_shap_corr()
    ok = [abs(got[k] - want[k]) <= TOL_CORR for k in keys]
    if all(ok):
        return correct("Correct: the EBM's shape functions and XGBoost's SHAP dependence agree "
                       "to the degree you measured.")
    spear = ref.ref_shape_shap_corr(method="spearman")
    value = ref.ref_shape_shap_corr(versus="value")
    if all(abs(got[k] - spear[k]) <= TOL_CORR for k in keys):
        hint = "These are rank (Spearman) correlations: the question asks for Pearson's r."
    elif all(abs(got[k] - value[k]) <= TOL_CORR for k in keys):
        hint = ("You correlated SHAP values with the raw feature values; correlate them with "
                "the EBM's contribution of the same feature (ebm.eval_terms(X_test)).")
    else:
        hint = ("Per feature, over the 300 rows of X_test: Pearson r between the EBM term's "
                "contribution (log-odds, eval_terms) and the feature's TreeSHAP value.")
    n = sum(ok)
    if n:
        return partial(n / len(keys), f"{n} of {len(keys)} correlations right.", hint)
    return incorrect("None of the correlations matches.", hint)


# --- q3 ----------------------------------------------------------------------------------------

def check_q3(a, ref):
    S = as_array("ebm_shapes", a["ebm_shapes"], (len(SYN_FEATURES), len(ref.grid)))
    if np.max(np.abs(S - ref.ref_shapes)) <= TOL_SHAPE:
        return correct("Correct: these are the stated EBM's shape functions; they recover "
                       "the true shapes of the informative features.")
    T = ref.true_shapes
    corrs = [pearson(S[j], T[j]) for j in ref.informative]
    corrs = [-1.0 if np.isnan(c) else c for c in corrs]
    slopes = [float(np.polyfit(T[j], S[j], 1)[0]) for j in ref.informative]
    recovered = [c >= SHAPE_CORR_MIN for c in corrs]
    in_scale = [SHAPE_SLOPE[0] <= s <= SHAPE_SLOPE[1] for s in slopes]
    if all(recovered) and all(in_scale):
        return correct("Correct: your shape functions recover the true shapes on the log-odds "
                       "scale (not the stated EBM's exact numbers: other settings?).")
    if all(recovered):
        return partial(0.5, "The shapes have the right form but not the log-odds scale.",
                       "Read the term's score (eval_terms or term_scores_), in log-odds; do "
                       "not pass through predict_proba.")
    if np.max(np.abs(S[::-1] - ref.ref_shapes)) <= TOL_SHAPE:
        return incorrect("The rows are not in feature order.",
                         "Row j is feature x(j+1): x1 first, x6 last.")
    n = sum(recovered)
    hint = ("One row per feature in the order x1..x6, one column per GRID value; the EBM "
            "fitted on the additive target (interactions=0); the value of the feature's own "
            "term when the feature equals the grid value.")
    if n:
        return partial(0.5 * n / len(corrs), f"{n} of {len(corrs)} informative shapes "
                       "recovered.", hint)
    return incorrect("The shapes do not follow the informative features.", hint)


# --- q4 ----------------------------------------------------------------------------------------

def check_q4(a, ref):
    score, notes, hint = 0.0, [], None
    if a.get("interaction_auc") is not None:
        keys = ("ebm_main", "ebm_pairs", "xgb")
        got = _dict_numbers("interaction_auc", a["interaction_auc"], keys)
        want = ref.ref_interaction_auc
        ok = {k: abs(got[k] - want[k]) <= TOL_AUC for k in keys}
        score += 0.5 * sum(ok.values()) / 3
        if not all(ok.values()):
            notes.append("AUC not right for " + ", ".join(k for k in keys if not ok[k]))
            swapped = (abs(got["ebm_main"] - want["ebm_pairs"]) <= TOL_AUC and
                       abs(got["ebm_pairs"] - want["ebm_main"]) <= TOL_AUC and
                       abs(want["ebm_main"] - want["ebm_pairs"]) > TOL_AUC)
            hint = ("ebm_main and ebm_pairs are swapped." if swapped else
                    "On the interaction data (target y_interaction), held-out rows: EBM with "
                    "interactions=0, EBM with interactions=N_PAIRS, and the given XGBoost.")
    else:
        notes.append("`interaction_auc` missing")
    if a.get("failing_pair") is not None:
        pair = a["failing_pair"]
        if not isinstance(pair, (list, tuple, np.ndarray)) or len(pair) != 2:
            raise AnswerFormatError("`failing_pair` should be a list of two feature names.")
        pair = {str(p) for p in np.ravel(np.asarray(pair, dtype=object))}
        if not pair <= set(SYN_FEATURES) or len(pair) != 2:
            raise AnswerFormatError("`failing_pair` should name two distinct features of "
                                    "x1..x6.")
        if pair == set(ref.planted_pair):
            score += 0.5
        else:
            notes.append("`failing_pair` is not the pair the additive EBM cannot represent")
            hint = hint or ("Rank the pairs EBM's pair terms by importance "
                            "(term_importances()), or look for the pair whose 2-D "
                            "dependence is not a sum of two curves.")
    else:
        notes.append("`failing_pair` missing")
    if score >= 1 - 1e-9:
        return correct()
    msg = "; ".join(notes) + "."
    return partial(score, msg, hint) if score else incorrect(msg, hint)


# --- q5 ----------------------------------------------------------------------------------------

def check_q5(a, ref):
    v = as_float("pair_share", a["pair_share"])
    want = ref.ref_pair_share
    if abs(v - want) <= TOL_SHARE:
        return correct()
    if abs(v - np.sqrt(want)) <= TOL_SHARE:
        hint = "That is a ratio of standard deviations: the share is a ratio of variances."
    elif abs(v - pair_importance_share(ref)) <= TOL_SHARE:
        hint = ("That is the pairs' share of term importances (mean |contribution|); the "
                "question asks for the share of the variance of the log-odds.")
    elif abs(v - (1 - want)) <= TOL_SHARE:
        hint = "That is the main effects' share; the question asks for the pair terms'."
    else:
        hint = ("On X_test of the interaction data: T = pairs_ebm.eval_terms(X_test); "
                "Var(sum of the pair columns) / Var(sum of all columns).")
    return incorrect("The pair share does not match.", hint)


def pair_importance_share(ref) -> float:
    """The pairs' share of the summed term importances (a typical mistake of q5)."""
    imp = np.asarray(ref.ebm_int_pairs.term_importances(), float)
    is_pair = np.array([len(f) == 2 for f in ref.ebm_int_pairs.term_features_])
    return float(imp[is_pair].sum() / imp.sum())


CHECKS = {"q1": check_q1, "q2": check_q2, "q3": check_q3, "q4": check_q4, "q5": check_q5}

HINTS = {
    "q1": ("AUC ranks probabilities: roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]).",),
    "q2": ("ebm.eval_terms(X) gives each term's log-odds contribution per row; TreeSHAP of an "
           "XGBoost classifier is in log-odds too.",),
    "q3": ("Build a (41, 6) frame with the feature at the grid values and read its own term.",),
    "q4": ("Compare the pairs EBM's pair terms: one of them carries far more than the others.",),
    "q5": ("Variance of a sum of columns of eval_terms, over the held-out rows.",),
}
