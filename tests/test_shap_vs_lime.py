"""Every check of shap_vs_lime, three ways: reference passes, known wrong answers fail with
the right hint, the untouched placeholder is not attempted."""
import dataclasses

import numpy as np
import pytest
import shap

from xaikit.exercises import graded_exercise, reference_context
from xaikit.exercises.shap_vs_lime import grader as E
from xaikit.exercises.shap_vs_lime.public import MODES
from three_way import three_way

EX = graded_exercise("shap_vs_lime")
check, test_reference_answer_is_correct, test_placeholder_is_not_attempted = \
    three_way(EX)


@pytest.fixture(scope="module")
def ctx():
    return reference_context("shap_vs_lime", 0)


@pytest.fixture(scope="module")
def ref(ctx):
    """Reference answers computed the way the solution notebook does (with the libraries)."""
    explainer = shap.TreeExplainer(ctx.model)
    sv = explainer.shap_values(ctx.X_applicants)
    lime = {m: ctx.ref_lime_weights(m) for m in MODES}
    ag = ctx.ref_agreement()
    return {
        "shap_values": sv, "base_value": float(explainer.expected_value),
        "top3_features": [E.top_k(r, ctx.feature_names, 3) for r in sv],
        "lime_continuous": lime["continuous"], "lime_binned": lime["binned"],
        "lime_scores": {m: [ctx.ref_lime(m, a).score for a in ctx.applicants] for m in MODES},
        "top5_overlap": ag["top5_overlap"], "spearman": ag["spearman"],
        "lime_stability": {m: ctx.ref_stability(m) for m in MODES},
        "kernel_width_scores": [ctx.ref_lime("continuous", ctx.applicants[0], kernel_width=w).score
                                for w in ctx.kernel_widths],
        "default_kernel_width": 0.75 * np.sqrt(20),
    }


def _with(ref, **changes):
    return {**ref, **changes}


# --- q1 ---------------------------------------------------------------------------------------

def test_q1_other_class_is_recognised(ref, ctx):
    r = check("q1", _with(ref, shap_values=-ref["shap_values"]), ctx)
    assert r.status == "incorrect" and "class 1" in r.hint


def test_q1_probability_scale_is_recognised(ref, ctx):
    bg = ctx.X_train.iloc[:100]
    expl = shap.TreeExplainer(ctx.model, bg, model_output="probability")
    sv = expl.shap_values(ctx.X_applicants)
    r = check("q1", _with(ref, shap_values=sv, base_value=float(expl.expected_value)), ctx)
    assert r.status == "incorrect" and "log-odds" in r.hint


def test_q1_iloc_instead_of_loc_is_recognised(ref, ctx):
    # labels that are also valid positions, so .iloc silently picks other applicants
    labels = [int(a) for a in ctx.X_test.index if a < len(ctx.X_test)][:5]
    c = E.References(dataclasses.replace(ctx.ctx, applicants=labels))
    sv = shap.TreeExplainer(c.model).shap_values(c.X_test.iloc[labels])
    r = check("q1", _with(ref, shap_values=sv), c)
    assert r.status == "incorrect" and ".loc" in r.hint


def test_q1_interventional_shap_is_partial(ref, ctx):
    expl = shap.TreeExplainer(ctx.model, ctx.X_train.iloc[:100])
    sv = expl.shap_values(ctx.X_applicants)
    r = check("q1", _with(ref, shap_values=sv, base_value=float(expl.expected_value)), ctx)
    assert r.status == "partial" and "background" in r.hint


def test_q1_wrong_base_value_is_partial(ref, ctx):
    r = check("q1", _with(ref, base_value=0.0), ctx)
    assert r.status == "partial" and r.score == 0.5


def test_q1_wrong_shape_says_the_expected_shape(ref, ctx):
    r = check("q1", _with(ref, shap_values=ref["shap_values"][:2]), ctx)
    assert r.status == "incorrect" and "(5, 20)" in r.feedback


def test_q1_nan_is_rejected(ref, ctx):
    sv = ref["shap_values"].copy()
    sv[0, 0] = np.nan
    r = check("q1", _with(ref, shap_values=sv), ctx)
    assert r.status == "incorrect" and "NaN" in r.feedback


# --- q2 ---------------------------------------------------------------------------------------

def test_q2_signed_ranking_gets_the_absolute_value_hint(ref, ctx):
    names = np.array(ctx.feature_names)
    signed = [list(names[np.argsort(-row)[:3]]) for row in ref["shap_values"]]
    r = check("q2", _with(ref, top3_features=signed), ctx)
    assert r.status in ("incorrect", "partial") and r.score < 1 and "absolute" in r.hint


def test_q2_smallest_first_is_not_correct(ref, ctx):
    """"Largest first" is asked: the right three features in reverse order do not score."""
    reversed_ = [list(reversed(r)) for r in ref["top3_features"]]
    r = check("q2", _with(ref, top3_features=reversed_), ctx)
    assert r.status == "incorrect" and "order" in r.hint


def test_q2_unknown_feature_names_are_a_format_error(ref, ctx):
    r = check("q2", _with(ref, top3_features=[["a", "b", "c"]] * 5), ctx)
    assert r.status == "incorrect" and "unknown features" in r.feedback


# --- q3 ---------------------------------------------------------------------------------------

def test_q3_other_class_is_recognised(ref, ctx):
    r = check("q3", _with(ref, lime_continuous=-ref["lime_continuous"],
                          lime_binned=-ref["lime_binned"]), ctx)
    assert r.score < 1 and "class 1" in r.hint.lower() or "labels=(1,)" in r.hint


def test_q3_swapped_modes_are_recognised(ref, ctx):
    r = check("q3", _with(ref, lime_continuous=ref["lime_binned"],
                          lime_binned=ref["lime_continuous"]), ctx)
    assert r.status == "partial" and r.score == pytest.approx(0.3) and "discretize" in r.hint


def test_q3_another_seed_does_not_reproduce(ref, ctx):
    other = np.array([ctx.ref_lime("continuous", a, seed=123).weights for a in ctx.applicants])
    r = check("q3", _with(ref, lime_continuous=other), ctx)
    assert r.score < 1 and "reproduce" in r.feedback


# --- q4 ---------------------------------------------------------------------------------------

def test_q4_absolute_value_correlation_gets_hint(ref, ctx):
    rho_abs = np.array([[E.rank_correlation(np.abs(s), np.abs(l))
                         for s, l in zip(ref["shap_values"], ref[f"lime_{m}"])] for m in MODES])
    r = check("q4", _with(ref, spearman=rho_abs), ctx)
    assert r.status == "partial" and "signed" in r.hint


def test_q4_consistent_with_own_wrong_inputs_is_half(ref, ctx):
    wrong_shap = -ref["shap_values"]
    own = ctx.ref_agreement(wrong_shap, {m: ref[f"lime_{m}"] for m in MODES})
    r = check("q4", _with(ref, shap_values=wrong_shap, **own), ctx)
    assert r.status == "partial" and r.score == 0.5 and "your own" in r.feedback


def test_q4_rows_swapped_fail(ref, ctx):
    r = check("q4", _with(ref, top5_overlap=ref["top5_overlap"][::-1],
                          spearman=ref["spearman"][::-1]), ctx)
    assert r.score < 1


# --- q5 ---------------------------------------------------------------------------------------

def test_q5_one_seed_reused_is_recognised(ref, ctx):
    r = check("q5", _with(ref, lime_stability={"continuous": 1.0, "binned": 1.0}), ctx)
    assert r.score < 1 and "seed" in r.hint


def test_q5_top3_instead_of_top5_fails(ref, ctx):
    a = ctx.applicants[0]
    rows = [ctx.ref_lime("continuous", a, seed=s, num_samples=ctx.stability_samples).weights
            for s in ctx.stability_seeds]
    wrong = {"continuous": E.jaccard_stability(rows, 3), "binned": 0.5}
    r = check("q5", _with(ref, lime_stability=wrong), ctx)
    assert r.status == "incorrect"


def test_q5_at_the_q3_sample_size_fails(ref, ctx):
    """q5 states its own (smaller) sample budget: the q3 budget gives other indices."""
    a = ctx.applicants[0]
    wrong = {m: E.jaccard_stability([ctx.ref_lime(m, a, seed=s).weights
                                     for s in ctx.stability_seeds], ctx.top_k) for m in MODES}
    assert wrong != ref["lime_stability"]
    r = check("q5", _with(ref, lime_stability=wrong), ctx)
    assert r.status == "incorrect"


def test_q5_out_of_range_is_a_format_error(ref, ctx):
    r = check("q5", _with(ref, lime_stability={"continuous": 3.0, "binned": 1.0}), ctx)
    assert r.status == "incorrect" and "[0, 1]" in r.feedback


# --- q6 ---------------------------------------------------------------------------------------

def test_q6_wrong_default_width_is_partial(ref, ctx):
    r = check("q6", _with(ref, default_kernel_width=np.sqrt(20)), ctx)
    assert r.status == "partial" and r.score == pytest.approx(0.7)


def test_q6_binned_lime_scores_fail(ref, ctx):
    wrong = [ctx.ref_lime("binned", ctx.applicants[0], kernel_width=w).score
             for w in ctx.kernel_widths]
    r = check("q6", _with(ref, kernel_width_scores=wrong), ctx)
    assert r.status == "partial" and r.score == pytest.approx(0.3)


# --- the exercise as a whole ----------------------------------------------------------------

def test_variants_choose_different_applicants():
    a, b = reference_context("shap_vs_lime", 0), reference_context("shap_vs_lime", 1)
    assert a.applicants != b.applicants


def test_answers_of_another_variant_fail(ref):
    other = reference_context("shap_vs_lime", 1)
    r = check("q1", ref, other)
    assert r.status != "correct"


def test_declaration_is_complete():
    assert EX.auto_points == 10 and EX.manual_points == 5
    assert len(EX.questions) >= 6
    for q in EX.questions:
        assert q.minutes > 0 and q.level in ("junior", "mid", "senior")
        assert q.hints or q.rubric


def test_feedback_never_contains_the_expected_values(ref, ctx):
    """A wrong answer's feedback and hint carry no number of the reference."""
    wrong = _with(ref, shap_values=ref["shap_values"] * 1.1, lime_stability={"continuous": 0.1,
                                                                            "binned": 0.2})
    for qid in ("q1", "q5"):
        r = check(qid, wrong, ctx)
        text = f"{r.feedback} {r.hint}"
        for v in (ref["base_value"], *ref["lime_stability"].values()):
            assert f"{v:.3f}" not in text
