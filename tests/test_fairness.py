"""Every check of fairness, three ways (reference passes, known wrong answers fail with their
hint, the placeholder is not attempted), and unit tests of the grader's methods on cases with
known answers."""
import numpy as np
import pandas as pd
import pytest

from xaikit.exercises import graded_exercise, reference_context
from xaikit.exercises.fairness import grader as G
from three_way import three_way

EX = graded_exercise("fairness")
check, test_reference_answer_is_correct, test_placeholder_is_not_attempted = \
    three_way(EX)


@pytest.fixture(scope="module")
def ctx():
    return reference_context("fairness", 0)


@pytest.fixture(scope="module")
def ref(ctx):
    """Reference answers computed the way the solution notebook does."""
    import shap
    from fairlearn.metrics import (demographic_parity_difference, demographic_parity_ratio,
                                   equalized_odds_difference)

    yp = (ctx.model.predict_proba(ctx.X_audit)[:, 1] >= ctx.threshold).astype(int)
    y, s = ctx.y_audit, ctx.groups["sex"]
    m, a2 = ctx.metrics("sex", yp), ctx.groups[ctx.second_attribute]
    auc, per = ctx.ref_proxy
    sv = shap.TreeExplainer(ctx.model).shap_values(ctx.X_audit)
    mg = ctx.model.predict(ctx.X_audit, output_margin=True)
    male, female = (s == "Male").to_numpy(), (s == "Female").to_numpy()
    mp = ctx.ref_mitigated
    return {
        "y_pred": yp, "selection_rates": m["selection_rates"],
        "dp_difference": demographic_parity_difference(y, yp, sensitive_features=s),
        "dp_ratio": demographic_parity_ratio(y, yp, sensitive_features=s),
        "tpr": m["tpr"], "fpr": m["fpr"],
        "eo_difference": equalized_odds_difference(y, yp, sensitive_features=s),
        "second_metrics": {
            "dp_difference": demographic_parity_difference(y, yp, sensitive_features=a2),
            "dp_ratio": demographic_parity_ratio(y, yp, sensitive_features=a2),
            "eo_difference": equalized_odds_difference(y, yp, sensitive_features=a2)},
        "dp_ci": ctx.ref_dp_ci(yp), "proxy_auc": auc, "proxy_feature_auc": per,
        "top_proxy": ctx.feature_names[int(np.argmax(per))],
        "margin_gap": float(mg[male].mean() - mg[female].mean()),
        "shap_gap": sv[male].mean(0) - sv[female].mean(0),
        "mitigated_pred": mp, "mitigated_dp": ctx.metrics("sex", mp)["dp_difference"],
        "accuracy_cost": ctx.accuracy(yp) - ctx.accuracy(mp),
    }


def _with(ref, **changes):
    return {**ref, **changes}


def _wrong(qid, answers, ctx, fragment):
    r = check(qid, answers, ctx)
    assert r.status in ("incorrect", "partial") and r.score < 1, r
    assert fragment in (r.hint or ""), r.hint
    return r


# --- q1 -------------------------------------------------------------------------------------

def test_q1_labels_instead_of_predictions(ref, ctx):
    _wrong("q1", _with(ref, y_pred=ctx.y_true), ctx, "y_pred =")


def test_q1_base_rates_instead_of_selection_rates(ref, ctx):
    truth = ctx.metrics("sex", ctx.y_true)["selection_rates"]
    _wrong("q1", _with(ref, selection_rates=truth), ctx, "base rates")


def test_q1_inverted_ratio_and_signed_difference(ref, ctx):
    _wrong("q1", _with(ref, dp_ratio=1 / ref["dp_ratio"]), ctx, "min / max")
    _wrong("q1", _with(ref, dp_difference=-ref["dp_difference"]), ctx, "max - min")


# --- q2 -------------------------------------------------------------------------------------

def test_q2_swapped_rates(ref, ctx):
    _wrong("q2", _with(ref, tpr=ref["fpr"], fpr=ref["tpr"]), ctx, "swapped")


def test_q2_precision_instead_of_tpr(ref, ctx):
    prec = dict(zip(G.GROUPS["sex"], G._precision(ctx, ref["y_pred"])))
    _wrong("q2", _with(ref, tpr=prec), ctx, "precision")


def test_q2_mean_of_gaps(ref, ctx):
    gaps = [abs(ref[k]["Male"] - ref[k]["Female"]) for k in ("tpr", "fpr")]
    _wrong("q2", _with(ref, eo_difference=float(np.mean(gaps))), ctx, "LARGER")


# --- q3 -------------------------------------------------------------------------------------

def test_q3_other_attribute_is_recognised(ref, ctx):
    other = "age_group" if ctx.second_attribute == "race" else "race"
    m = ctx.metrics(other)
    r = check("q3", _with(ref, second_metrics={k: m[k] for k in ref["second_metrics"]}), ctx)
    assert r.status == "incorrect" and "SECOND_ATTRIBUTE" in r.hint


def test_q3_five_race_codes_are_recognised():
    ctx = reference_context("fairness", 0)
    assert ctx.second_attribute == "race"
    raw = ctx.dataset.frame.loc[ctx.audit_rows, "race"].to_numpy()
    m = G.group_metrics(ctx.y_true, ctx.ref_y_pred, raw)
    r = check("q3", {"second_metrics": {k: m[k] for k in ("dp_difference", "dp_ratio",
                                                          "eo_difference")}}, ctx)
    assert r.status == "incorrect" and "binary" in r.hint


# --- q4 -------------------------------------------------------------------------------------

def test_q4_swapped_rows_and_other_seed(ref, ctx):
    _wrong("q4", _with(ref, dp_ci=ref["dp_ci"][::-1]), ctx, "Row 0")
    r = _wrong("q4", _with(ref, dp_ci=ctx.ref_dp_ci(seed=ctx.boot_seed + 1)), ctx, "default_rng")
    assert r.status == "partial"


def test_q4_interval_of_a_selection_rate_fails(ref, ctx):
    s = ctx.groups["sex"].to_numpy()
    rate = ctx.ref_y_pred[s == "Male"].mean()
    r = check("q4", _with(ref, dp_ci=[[rate - 0.02, rate + 0.02]] * 2), ctx)
    assert r.status == "incorrect"


# --- q5 -------------------------------------------------------------------------------------

def test_q5_flipped_auc(ref, ctx):
    _wrong("q5", _with(ref, proxy_auc=1 - ref["proxy_auc"]), ctx, "1 - AUC")
    _wrong("q5", _with(ref, proxy_feature_auc=1 - ref["proxy_feature_auc"]), ctx, "1 - AUC")


def test_q5_wrong_top_proxy(ref, ctx):
    other = [f for f in ctx.feature_names if f != ref["top_proxy"]][0]
    _wrong("q5", _with(ref, top_proxy=other), ctx, "highest AUC")


# --- q6 -------------------------------------------------------------------------------------

def test_q6_reversed_gap(ref, ctx):
    _wrong("q6", _with(ref, margin_gap=-ref["margin_gap"], shap_gap=-ref["shap_gap"]), ctx,
           "Male minus Female")


def test_q6_probability_gap(ref, ctx):
    s = ctx.groups["sex"].to_numpy()
    pgap = ctx.proba[s == "Male"].mean() - ctx.proba[s == "Female"].mean()
    _wrong("q6", _with(ref, margin_gap=pgap), ctx, "probability")


def test_q6_contributions_that_do_not_sum(ref, ctx):
    sg = np.array(ref["shap_gap"], float)
    sg[0] += 0.1
    _wrong("q6", _with(ref, shap_gap=sg), ctx, "sum")


# --- q7 -------------------------------------------------------------------------------------

def test_q7_equalised_odds_constraint(ref, ctx):
    eo = ctx.mitigation("equalized_odds")
    r = check("q7", _with(ref, mitigated_pred=eo), ctx)
    assert r.status == "incorrect" and "equalised-odds" in r.hint


def test_q7_constant_predictions_meet_the_bound_but_fail(ref, ctx):
    zeros = np.zeros(len(ctx.audit_rows), int)
    r = check("q7", _with(ref, mitigated_pred=zeros, mitigated_dp=0.0,
                          accuracy_cost=ctx.accuracy(ref["y_pred"]) - ctx.accuracy(zeros)), ctx)
    assert r.status == "incorrect" and "constant" in r.hint


def test_q7_cost_sign(ref, ctx):
    _wrong("q7", _with(ref, accuracy_cost=-ref["accuracy_cost"]), ctx, "Sign")


def test_feedback_never_shows_expected_values(ref, ctx):
    wrong = _with(ref, dp_difference=0.5, proxy_auc=0.5, margin_gap=0.1)
    for qid in ("q1", "q5", "q6"):
        r = check(qid, wrong, ctx)
        for v in (ref["dp_difference"], ref["proxy_auc"], ref["margin_gap"]):
            assert f"{v:.3f}" not in r.feedback + (r.hint or "")


# --- the grader's methods on cases with known answers -------------------------------------

def test_group_metrics_known_case():
    y = np.array([1, 1, 0, 0, 1, 1, 0, 0])
    yp = np.array([1, 0, 1, 0, 1, 1, 0, 0])
    s = np.array(["a"] * 4 + ["b"] * 4)
    m = G.group_metrics(y, yp, s)
    assert m["selection_rates"] == {"a": 0.5, "b": 0.5}
    assert m["tpr"] == {"a": 0.5, "b": 1.0} and m["fpr"] == {"a": 0.5, "b": 0.0}
    assert m["dp_difference"] == 0 and m["dp_ratio"] == 1 and m["eo_difference"] == 0.5


def test_bootstrap_known_cases():
    s = np.array(["a", "b"] * 50)
    same = G.bootstrap_dp(np.tile([1, 1], 50), [s], n_boot=50, seed=0)
    assert np.allclose(same, 0)  # both groups always selected: every resample gives 0
    apart = G.bootstrap_dp(np.tile([1, 0], 50), [s], n_boot=50, seed=0)
    assert np.allclose(apart, 1)  # a always, b never: every resample gives 1
    y = np.random.default_rng(1).integers(0, 2, 400)
    ci = G.bootstrap_dp(y, [np.repeat(["a", "b"], 200)], n_boot=300, seed=3)[0]
    point = abs(y[:200].mean() - y[200:].mean())
    assert ci[0] <= point <= ci[1] and ci[1] - ci[0] < 0.25


def test_gap_decomposition_sums_to_the_gap():
    rng = np.random.default_rng(0)
    phi = rng.normal(size=(50, 4))
    margin = 0.7 + phi.sum(1)  # local accuracy with base value 0.7
    s = np.where(rng.random(50) < 0.4, "F", "M")
    gap, contrib = G.gap_decomposition(phi, margin, s, ("F", "M"))
    assert abs(contrib.sum() - gap) < 1e-12
    assert abs(gap - (margin[s == "M"].mean() - margin[s == "F"].mean())) < 1e-12


def test_proxy_auc_known_cases():
    X = pd.DataFrame({"copy": np.repeat([0.0, 1.0], 50), "noise": np.tile([0.0, 1.0], 50)})
    s = np.repeat(["Female", "Male"], 50)
    auc, per = G.proxy_aucs(X, s, X, s, depth=2, seed=0)
    assert auc == 1.0 and per[0] == 1.0 and per[1] == 0.5
