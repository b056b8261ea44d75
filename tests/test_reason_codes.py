"""Every check of reason_codes, three ways (reference passes, known wrong answers fail with
their hint, the placeholder is not attempted), plus unit tests of the reason-selection and
monotonicity methods on cases with known answers."""
import numpy as np
import pytest
import shap

from xaikit.exercises import graded_exercise, reference_context
from xaikit.exercises.reason_codes import grader as G
from xaikit.reason_codes import GROUPS, render_notice
from three_way import three_way

EX = graded_exercise("reason_codes")
check, test_reference_answer_is_correct, test_placeholder_is_not_attempted = \
    three_way(EX)


@pytest.fixture(scope="module")
def ctx():
    return reference_context("reason_codes", 0)


def _ice(m, ctx, f):
    """ICE margins the way the solution notebook does (a loop over the grid)."""
    X = ctx.X_test.loc[ctx.ice_rows]
    out = np.empty((len(X), len(ctx.grids[f])))
    for k, v in enumerate(ctx.grids[f]):
        Xm = X.copy()
        Xm[f] = v
        out[:, k] = m.predict(Xm, output_margin=True)
    return out


@pytest.fixture(scope="module")
def ref(ctx):
    """Reference answers computed the way the solution notebook does (with the libraries)."""
    models = {"constrained": ctx.model, "unconstrained": ctx.unconstrained.model}
    mv = {k: {f: G.max_violation(_ice(m, ctx, f), s) for f, s in ctx.monotone.items()}
          for k, m in models.items()}
    pdp = {f: G.max_violation(_ice(models["unconstrained"], ctx, f).mean(0), s)
           for f, s in ctx.monotone.items()}
    expl = shap.TreeExplainer(ctx.model, ctx.X_reference, feature_perturbation="interventional")
    sv = expl.shap_values(ctx.X_applicants)
    used = ctx.model.get_booster().get_score(importance_type="weight")
    reasons = ctx.reasons_from(sv)
    return {"max_violation": mv, "contradicting_feature": max(pdp, key=pdp.get),
            "unused_features": sorted(set(ctx.feature_names) - set(used)),
            "shap_values": sv, "base_value": float(expl.expected_value), "reasons": reasons,
            "notices": [render_notice(a, ctx.readable(a), r)
                        for a, r in zip(ctx.applicants, reasons)]}


def _with(ref, **changes):
    return {**ref, **changes}


# --- q1 ---------------------------------------------------------------------------------------

def test_q1_pdp_instead_of_ice_is_recognised(ref, ctx):
    r = check("q1", _with(ref, max_violation=ctx.ref_pdp_violation), ctx)
    assert r.status == "partial" and "ICE" in r.hint


def test_q1_probability_scale_is_recognised(ref, ctx):
    prob = {k: {f: G._prob_violation(ctx, k, f, s) for f, s in ctx.monotone.items()}
            for k in G.KINDS}
    r = check("q1", _with(ref, max_violation=prob), ctx)
    assert r.status == "partial" and "log-odds" in r.hint


def test_q1_wrong_direction_for_employment_is_recognised(ref, ctx):
    plus = {k: {f: G.max_violation(ctx.ice(k, f), 1) for f in ctx.monotone} for k in G.KINDS}
    r = check("q1", _with(ref, max_violation=plus), ctx)
    assert r.status == "partial" and "employment_since" in r.hint


def test_q1_wrong_contradicting_feature_fails_that_part(ref, ctx):
    other = next(f for f in ctx.monotone if f != ref["contradicting_feature"])
    r = check("q1", _with(ref, contradicting_feature=other), ctx)
    assert r.status == "partial" and r.score == pytest.approx(0.7)


def test_q1_unknown_feature_is_a_format_error(ref, ctx):
    r = check("q1", _with(ref, contradicting_feature="age_years"), ctx)
    assert r.status == "incorrect" and "one of" in r.feedback


# --- q2 ---------------------------------------------------------------------------------------

def test_q2_protected_is_not_unused(ref, ctx):
    r = check("q2", _with(ref, unused_features=["telephone", "age_years"]), ctx)
    assert r.status == "incorrect" and "Protected is not unused" in r.hint


def test_q2_empty_list_fails(ref, ctx):
    r = check("q2", _with(ref, unused_features=[]), ctx)
    assert r.status == "incorrect" and "get_score" in r.hint


# --- q3 ---------------------------------------------------------------------------------------

def test_q3_path_dependent_shap_is_recognised(ref, ctx):
    expl = shap.TreeExplainer(ctx.model)
    r = check("q3", _with(ref, shap_values=expl.shap_values(ctx.X_applicants),
                          base_value=float(expl.expected_value)), ctx)
    assert r.status == "incorrect" and "REFERENCE" in r.hint


def test_q3_whole_training_set_as_background_is_recognised(ref, ctx):
    sv, base = G.interventional_shap(ctx.model, ctx.X_applicants, ctx.X_train)
    r = check("q3", _with(ref, shap_values=sv, base_value=base), ctx)
    assert r.status == "incorrect" and "not all training" in r.hint


def test_q3_unconstrained_model_is_recognised(ref, ctx):
    sv, base = G.interventional_shap(ctx.unconstrained.model, ctx.X_applicants, ctx.X_reference)
    r = check("q3", _with(ref, shap_values=sv, base_value=base), ctx)
    assert r.status == "incorrect" and "constrained" in r.hint


def test_q3_flipped_sign_and_wrong_base(ref, ctx):
    r = check("q3", _with(ref, shap_values=-ref["shap_values"]), ctx)
    assert r.status == "incorrect" and "BAD" in r.hint
    r = check("q3", _with(ref, base_value=0.0), ctx)
    assert r.status == "partial" and r.score == 0.5


def test_q3_wrong_shape_says_the_expected_shape(ref, ctx):
    r = check("q3", _with(ref, shap_values=ref["shap_values"][:2]), ctx)
    assert r.status == "incorrect" and "(6, 20)" in r.feedback


# --- q4 ---------------------------------------------------------------------------------------

def test_q4_protected_concept_is_recognised(ref, ctx):
    bad = [["marital_status_and_sex", *r[:3]] for r in ref["reasons"]]
    r = check("q4", _with(ref, reasons=bad), ctx)
    assert r.status == "incorrect" and "Protected" in r.hint


def test_q4_unused_concept_is_recognised(ref, ctx):
    bad = [[*r[:3], "telephone"] for r in ref["reasons"]]
    r = check("q4", _with(ref, reasons=bad), ctx)
    assert r.status == "incorrect" and "does not use" in r.hint


def test_q4_no_exclusion_is_recognised(ref, ctx):
    """Without exclusions the protected concepts enter the top four of some applicants."""
    g = ctx.grouped()
    names = ctx.group_names
    no_excl = [G.select_reasons(row, names) for row in g]
    assert no_excl != ref["reasons"]
    r = check("q4", _with(ref, reasons=no_excl), ctx)
    assert r.score < 1 and "Protected" in r.hint


def test_q4_more_than_four_is_recognised(ref, ctx):
    long = [G.select_reasons(row, ctx.group_names, excluded=ctx.excluded, max_reasons=6)
            for row in ctx.grouped()]
    r = check("q4", _with(ref, reasons=long), ctx)
    assert r.score < 1 and "four" in r.hint


def test_q4_path_dependent_reasons_are_recognised(ref, ctx):
    pd_vals = shap.TreeExplainer(ctx.model).shap_values(ctx.X_applicants)
    wrong = ctx.reasons_from(pd_vals)
    assert wrong != ref["reasons"]
    r = check("q4", _with(ref, reasons=wrong), ctx)
    assert r.score < 1 and "path-dependent" in r.hint


def test_q4_absolute_ranking_is_recognised(ref, ctx):
    g = ctx.grouped()
    keep = [j for j, n in enumerate(ctx.group_names) if n not in ctx.excluded]
    by_abs = [[ctx.group_names[j] for j in sorted(keep, key=lambda j: (-abs(row[j]), j))[:4]]
              for row in g]
    assert by_abs != ref["reasons"]
    r = check("q4", _with(ref, reasons=by_abs), ctx)
    assert r.score < 1 and "push toward denial" in r.hint


def test_q4_feature_names_instead_of_concepts(ref, ctx):
    r = check("q4", _with(ref, reasons=[["duration_months"]] * len(ctx.applicants)), ctx)
    assert r.status == "incorrect" and "concepts" in r.hint


def test_q4_one_wrong_applicant_is_partial(ref, ctx):
    rows = [list(r) for r in ref["reasons"]]
    rows[0] = rows[0][::-1]
    r = check("q4", _with(ref, reasons=rows), ctx)
    assert r.status == "partial" and r.score == pytest.approx(5 / 6)


# --- q5 ---------------------------------------------------------------------------------------

def test_q5_jargon_is_recognised(ref, ctx):
    bad = [n + "\n(ranked by SHAP value)" for n in ref["notices"]]
    r = check("q5", _with(ref, notices=bad), ctx)
    assert r.status == "incorrect" and "SHAP" in r.hint


def test_q5_notices_from_wrong_reasons(ref, ctx):
    rows = [list(r)[::-1] for r in ref["reasons"]]
    notices = [render_notice(a, ctx.readable(a), rr) for a, rr in zip(ctx.applicants, rows)]
    r = check("q5", _with(ref, reasons=rows, notices=notices), ctx)
    assert r.score < 1 and "q4" in r.hint


def test_q5_wrong_order_of_applicants(ref, ctx):
    r = check("q5", _with(ref, notices=ref["notices"][::-1]), ctx)
    assert r.status == "incorrect" and "order of APPLICANTS" in r.hint


# --- the methods, on cases with known answers ---------------------------------------------------

def test_max_violation_known_cases():
    assert G.max_violation([[0, 1, 2], [1, 1, 3]], 1) == 0.0
    assert G.max_violation([[0, 2, 1.5]], 1) == pytest.approx(0.5)
    assert G.max_violation([[0, 2, 1.5]], -1) == pytest.approx(2.0)
    assert G.max_violation([3.0, 2.0, 2.5], 1) == pytest.approx(1.0)


def test_group_values_sums_columns():
    v = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])
    out = G.group_values(v, ["a", "b", "c"], {"ab": ("a", "b"), "c": ("c",)})
    np.testing.assert_allclose(out, [[3.0, 3.0], [-0.5, 0.0]])


def test_select_reasons_known_cases():
    names = ["a", "b", "c", "d", "e", "f"]
    row = [0.5, -1.0, 2.0, 0.5, 0.1, 3.0]
    assert G.select_reasons(row, names) == ["f", "c", "a", "d"]          # tie: group order
    assert G.select_reasons(row, names, excluded={"f"}) == ["c", "a", "d", "e"]
    assert G.select_reasons([-1, 0, -2], ["x", "y", "z"]) == []          # nothing pushes
    assert G.select_reasons(row, names, max_reasons=2) == ["f", "c"]


def test_reasons_match_accepts_ties_and_rejects_the_rest():
    names = ["a", "b", "c", "d", "e"]
    row = [1.0, 1.0, 0.5, 0.2, 0.0]
    assert G.reasons_match(["a", "b", "c", "d"], row, names)
    assert G.reasons_match(["b", "a", "c", "d"], row, names)             # exact tie
    assert not G.reasons_match(["a", "b", "c"], row, names)              # d left out
    assert not G.reasons_match(["a", "b", "d", "c"], row, names)         # wrong order
    assert not G.reasons_match(["a", "b", "c", "d", "e"], row, names)    # more than four
    assert G.reasons_match(["a", "b", "c", "d"], [1, 1, .5, .2, .2 + 1e-7], names, tol=1e-6)


def test_every_feature_in_one_concept(ctx):
    feats = [f for fs in GROUPS.values() for f in fs]
    assert sorted(feats) == sorted(ctx.feature_names)


def test_render_notice_refuses_protected_and_too_many(ctx):
    a = ctx.applicants[0]
    with pytest.raises(ValueError):
        render_notice(a, ctx.readable(a), ["age"])
    with pytest.raises(ValueError):
        render_notice(a, ctx.readable(a), ["savings", "purpose", "employment",
                                           "checking_account", "other_debtors"])


def test_preview_never_offers_the_questions_applicants(ctx):
    from xaikit.reason_codes import preview_applicants

    offered = preview_applicants(ctx.ctx)
    assert offered and not set(offered) & set(ctx.applicants)
