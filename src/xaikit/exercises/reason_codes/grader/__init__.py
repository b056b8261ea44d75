"""Grader part of ``reason_codes``: checks, hints, rubrics and tolerances.

Never shipped to candidates. The references (:mod:`.references`) are recomputed from the same
models, rows and reference population as the notebook: ICE margins on the stated grids,
interventional TreeSHAP against the variant's reference population (log-odds), grouped by
concept, with protected and unused concepts excluded and at most four reasons that push toward
denial. Tolerances are calibrated in ``tests/test_calibration_reason_codes.py`` (20 variants).
"""
from __future__ import annotations

import numpy as np

from xaikit.exercises.framework import (AnswerFormatError, as_array, as_float, close,
                                        correct, field_of, incorrect, partial)
from xaikit.reason_codes import render_notice

from .references import (References, group_values, interventional_shap, max_violation,
                         reasons_match, reference_context, select_reasons)

__all__ = ["References", "group_values", "interventional_shap", "max_violation",
           "reasons_match", "reference_context", "select_reasons", "CHECKS", "HINTS",
           "RUBRICS"]

#: |candidate - reference| of a maximal monotonicity violation, log-odds. XGBoost predicts in
#: float32: predicting the grid row by row or in one batch differs by < 1e-6; a probability-
#: scale or PDP-based answer is off by > 0.01 (calibration).
TOL_VIOLATION = 1e-4
#: |candidate - reference| of interventional SHAP values and base value, log-odds: shap's
#: TreeExplainer and shap.Explainer with an Independent masker agree to ~1e-7 (float32 model
#: thresholds); path-dependent TreeSHAP or another background is off by > 0.01.
TOL_SHAP = 1e-5
#: local accuracy |sum(phi) + base - margin|, log-odds (float32 margins over 20 features)
TOL_ADDITIVITY = 1e-4
#: ties in reason ranking: grouped values within this many log-odds may come in either order
#: (and a concept within it of 0 may be listed or not); absorbs the SHAP route noise above.
TOL_RANK = 1e-5

KINDS = ("constrained", "unconstrained")


# --- q1: monotonicity on a grid -----------------------------------------------------------

def _violations(a, ctx):
    mv = a["max_violation"]
    return {k: {f: as_float(f"max_violation['{k}']['{f}']",
                            field_of(f"max_violation['{k}']", field_of("max_violation", mv, k), f))
                for f in ctx.monotone} for k in KINDS}


def _prob_violation(ctx, kind, f, s):
    from scipy.special import expit

    return max_violation(expit(ctx.ice(kind, f)), s)


def check_q1(a, ctx):
    score, notes, hint = 0.0, [], None
    if a["max_violation"] is not None:
        mv = _violations(a, ctx)
        ref = ctx.ref_violation
        ok = {k: all(abs(mv[k][f] - ref[k][f]) <= TOL_VIOLATION for f in ctx.monotone)
              for k in KINDS}
        if all(ok.values()):
            score += 0.7
        else:
            bad = [k for k in KINDS if not ok[k]]
            notes.append(f"`max_violation` is not right for the {' and '.join(bad)} model")
            pdp = ctx.ref_pdp_violation
            prob = {k: {f: _prob_violation(ctx, k, f, s) for f, s in ctx.monotone.items()}
                    for k in KINDS}
            plus = {k: {f: max_violation(ctx.ice(k, f), 1) for f in ctx.monotone} for k in KINDS}

            def same(other):
                return all(abs(mv[k][f] - other[k][f]) <= TOL_VIOLATION for k in KINDS
                           for f in ctx.monotone)
            if same(pdp):
                hint = ("Those are the violations of the PDP (the mean curve); check every ICE "
                        "curve: a mean can hide rows whose curve goes the wrong way.")
            elif same(prob):
                hint = "Measure on the model's margin (log-odds of a bad risk), not probability."
            elif same(plus):
                hint = ("employment_since is constrained to -1: longer employment must never "
                        "RAISE the risk, so its violations are increases.")
            elif ok["constrained"] and not ok["unconstrained"]:
                hint = "Use ctx.unconstrained.model for the unconstrained model."
            else:
                hint = ("For each model and feature: set the feature to each value of "
                        "GRIDS[feature] in every row of ICE_ROWS, predict the margin, and take "
                        "the largest step against the constraint's direction (0 if none).")
    if a["contradicting_feature"] is not None:
        cf = a["contradicting_feature"]
        if not isinstance(cf, str) or cf not in ctx.monotone:
            raise AnswerFormatError("`contradicting_feature` should be one of the constrained "
                                    f"features {list(ctx.monotone)}.")
        if cf == ctx.ref_contradicting:
            score += 0.3
        else:
            notes.append("`contradicting_feature` is not the one whose PDP contradicts its "
                         "constraint most")
            ice = ctx.ref_violation["unconstrained"]
            hint = hint or ("Rank by the PDP (mean of the ICE curves) of the unconstrained model, "
                            "in log-odds." if cf == max(ice, key=ice.get) else
                            "Compare the largest step of each PDP against its constraint.")
    if score >= 1 - 1e-9:
        return correct("Correct: the constrained model never violates its constraints on the "
                       "grid, and you found where the unconstrained one does.")
    if not notes:
        notes.append("part of the answer is missing")
    msg = "; ".join(notes) + "."
    return partial(score, msg, hint) if score else incorrect(msg, hint)


# --- q2: unused feature ---------------------------------------------------------------------

def check_q2(a, ctx):
    v = a["unused_features"]
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, (list, tuple, np.ndarray)):
        raise AnswerFormatError("`unused_features` should be a list of feature names.")
    got = sorted(str(x) for x in v)
    unknown = set(got) - set(ctx.feature_names)
    if unknown:
        raise AnswerFormatError(f"`unused_features` names unknown features: {sorted(unknown)[:3]}.")
    if got == ctx.ref_unused:
        return correct()
    if set(got) & set(ctx.protected):
        return incorrect("The model does use the protected attributes you listed.",
                         "Protected is not unused: the model splits on them (that is why they "
                         "must be excluded from reasons). Look at which features no tree splits "
                         "on: model.get_booster().get_score(importance_type='weight').")
    return incorrect("That is not the set of features no tree splits on.",
                     "model.get_booster().get_score(importance_type='weight') lists the "
                     "features with at least one split; the others are unused.")


# --- q3: SHAP against the reference ---------------------------------------------------------

def check_q3(a, ctx):
    n = (len(ctx.applicants), len(ctx.feature_names))
    sv = as_array("shap_values", a["shap_values"], n)
    bv = None if a["base_value"] is None else as_float("base_value", a["base_value"])
    ref = ctx.ref_shap
    if close(sv, ref.values, TOL_SHAP):
        if bv is not None and abs(bv - ref.base_value) <= TOL_SHAP and \
                np.max(np.abs(sv.sum(1) + bv - ref.margin)) <= TOL_ADDITIVITY:
            return correct("Correct: interventional SHAP against the reference population; "
                           "the values add up to margin minus the reference's mean margin.")
        return partial(0.5, "The SHAP values are right; `base_value` is not.",
                       "The base value is the mean margin (log-odds) of the reference "
                       "population: the explainer's expected_value.")
    if close(sv, -ref.values, TOL_SHAP):
        return incorrect("The signs are flipped: these explain the good-risk class.",
                         "Class 1 is a BAD risk; explain the margin of class 1.")
    X = ctx.X_applicants
    import shap

    pd_vals = np.asarray(shap.TreeExplainer(ctx.model).shap_values(X), float)
    if close(sv, pd_vals, TOL_SHAP):
        return incorrect("These are path-dependent TreeSHAP values (no reference population).",
                         "Pass the reference rows as background: shap.TreeExplainer(model, "
                         "X_train.loc[REFERENCE], feature_perturbation='interventional').")
    un_vals, _ = interventional_shap(ctx.unconstrained.model, X, ctx.X_reference)
    if close(sv, un_vals, TOL_SHAP):
        return incorrect("These explain the unconstrained model.",
                         "Decisions and reasons are the constrained model's (ctx.model).")
    if bv is not None and np.max(np.abs(sv.sum(1) + bv - ref.margin)) <= TOL_ADDITIVITY:
        return incorrect("Your values add up to the margin, but against another reference.",
                         "The background must be exactly the reference population "
                         "X_train.loc[REFERENCE] (100 approved applicants), not all training "
                         "rows.")
    return incorrect("The values do not match interventional SHAP against the reference, in "
                     "log-odds.",
                     "One row per applicant in the order of APPLICANTS, columns in X_test's "
                     "order; margin (log-odds) scale, the default model_output.")


# --- q4: reasons ------------------------------------------------------------------------------

def _reason_lists(name, value, n):
    if not isinstance(value, (list, tuple, np.ndarray)) or len(value) != n:
        raise AnswerFormatError(f"`{name}` should be a list of {n} lists of concept names.")
    out = []
    for r in value:
        if isinstance(r, str) or not isinstance(r, (list, tuple, np.ndarray)):
            raise AnswerFormatError(f"`{name}` should be a list of {n} lists of concept names.")
        out.append([str(x) for x in np.ravel(np.asarray(r, dtype=object))])
    return out


def _row_ok(ctx, i, lst):
    return reasons_match(lst, ctx.grouped()[i], ctx.group_names, excluded=ctx.excluded,
                         max_reasons=ctx.max_reasons, tol=TOL_RANK)


def _diagnose(ctx, rows):
    """A hint for the most likely mistake behind wrong reason lists."""
    protected = set(ctx.protected) | {g for g, fs in ctx.groups.items()
                                      if set(fs) & set(ctx.protected)}
    listed = {x for r in rows for x in r}
    if listed & protected:
        return ("Protected attributes (sex/marital status, age, foreign worker) are never a "
                "stated reason, however large their SHAP value.")
    if listed - set(ctx.group_names):
        return ("State business concepts (keys of GROUPS), not feature names: sum the SHAP "
                "values of each concept's features.")
    if listed & (set(ctx.group_names) & ctx.excluded):
        return ("A concept whose feature the model does not use (q2) cannot be a reason for "
                "its decision.")
    if any(len(r) > ctx.max_reasons for r in rows):
        return "At most four principal reasons (Regulation B, comment 9(b)(2)-1)."
    import shap

    X = ctx.X_applicants
    alternatives = [
        (np.asarray(shap.TreeExplainer(ctx.model).shap_values(X), float),
         "Those are the reasons under path-dependent TreeSHAP; use interventional SHAP against "
         "the reference population REFERENCE (q3)."),
    ]
    for values, hint in alternatives:
        if rows == ctx.reasons_from(values):
            return hint
    g = ctx.grouped()
    by_abs = [[ctx.group_names[j] for j in sorted(
        (j for j in range(g.shape[1]) if ctx.group_names[j] not in ctx.excluded),
        key=lambda j: (-abs(g[i, j]), j))[:ctx.max_reasons]] for i in range(len(g))]
    if rows == by_abs:
        return ("A reason must push toward denial: rank by the signed grouped value and keep "
                "only positive ones, not by |value|.")
    feat = ctx.ref_shap.values
    names = ctx.feature_names
    owner = {f: gname for gname, fs in ctx.groups.items() for f in fs}
    per_feature = []
    for i in range(len(feat)):
        seen = []
        for j in sorted(range(len(names)), key=lambda j: (-feat[i, j], j)):
            gname = owner.get(names[j])
            if gname and gname not in ctx.excluded and feat[i, j] > 0 and gname not in seen:
                seen.append(gname)
        per_feature.append(seen[:ctx.max_reasons])
    if rows == per_feature:
        return ("Group first, then rank: sum the SHAP values of each concept's features, and "
                "rank the concepts by these sums.")
    return ("Sum the SHAP values (q3) over each concept's features, drop excluded concepts, keep "
            "the positive sums, largest first, at most four.")


def check_q4(a, ctx):
    rows = _reason_lists("reasons", a["reasons"], len(ctx.applicants))
    ok = [_row_ok(ctx, i, r) for i, r in enumerate(rows)]
    if all(ok):
        return correct("Correct: at most four concepts per applicant, each pushing toward "
                       "denial, none protected or unused, largest first.")
    hint = _diagnose(ctx, rows)
    k = sum(ok)
    msg = f"{k} of {len(rows)} applicants' reasons are right."
    return partial(k / len(rows), msg, hint) if k else incorrect(msg, hint)


# --- q5: notices ------------------------------------------------------------------------------

JARGON = ("shap", "log-odds", "logit", "feature", "_")


def check_q5(a, ctx):
    v = a["notices"]
    n = len(ctx.applicants)
    if not isinstance(v, (list, tuple)) or len(v) != n or not all(isinstance(s, str) for s in v):
        raise AnswerFormatError(f"`notices` should be a list of {n} strings.")
    own = a.get("reasons")
    right, hint = 0, None
    for i, (label, text) in enumerate(zip(ctx.applicants, v)):
        readable = ctx.readable(label)
        if text == render_notice(label, readable, ctx.ref_reasons[i]):
            right += 1
            continue
        low = text.lower()
        if any(j in low for j in JARGON):
            hint = hint or ("A notice is for the applicant: no SHAP, log-odds or column names; "
                            "use render_notice, which states each concept in plain words.")
        elif f"applicant no. {label}" not in low:
            hint = hint or "One notice per applicant, in the order of APPLICANTS."
        elif own is not None and i < len(own) and isinstance(own[i], (list, tuple)) and \
                text == render_notice(label, readable, list(own[i])):
            hint = hint or "The notice follows your reasons, which are not right (q4)."
        else:
            hint = hint or ("render_notice(label, dataset.describe_row(X_test.loc[label]), "
                            "reasons[i]) with the applicant's own values.")
    if right == n:
        return correct()
    msg = f"{right} of {n} notices state the right reasons with the applicant's own values."
    return partial(right / n, msg, hint) if right else incorrect(msg, hint)


CHECKS = {"q1": check_q1, "q2": check_q2, "q3": check_q3, "q4": check_q4, "q5": check_q5}

HINTS = {
    "q1": ("ICE on the margin: model.predict(X_mod, output_margin=True) for each grid value.",),
    "q2": ("A feature no tree splits on has a SHAP value of exactly 0 for everyone.",),
    "q3": ("shap.TreeExplainer(model, X_train.loc[REFERENCE], "
           "feature_perturbation='interventional').",),
    "q4": ("Group, exclude, keep what pushes toward denial, rank, cut at four.",),
    "q5": ("render_notice(label, readable values, reasons).",),
}

from .rubrics import RUBRICS  # noqa: E402
