"""Every check of pdp_ice, three ways: reference passes, known wrong answers fail with the right
hint, the untouched placeholder is not attempted. References are computed here the way the
solution notebook does (by hand and with scikit-learn), not taken from the context."""
import numpy as np
import pytest
from sklearn.inspection import partial_dependence
from sklearn.tree import DecisionTreeRegressor

from xaikit.answers import roundtrip
from xaikit.questions import context_for, get_exercise, run_check

EX = get_exercise("pdp_ice")


def _reference(ctx):
    X, model = ctx.X_rows, ctx.model
    ice = np.empty((len(X), len(ctx.grid)))
    for g, v in enumerate(ctx.grid):
        Xm = X.copy()
        Xm[ctx.feature] = v
        ice[:, g] = model.predict(Xm)
    hr = partial_dependence(model, X, ["hr"], method="brute", kind="individual",
                            custom_values={"hr": ctx.hr_grid})["individual"][0]
    k = int(np.flatnonzero(ctx.hr_grid == ctx.anchor_hour)[0])
    centered = hr - hr[:, [k]]
    shape = centered / np.ptp(centered, axis=1, keepdims=True)
    scores = {f: DecisionTreeRegressor(max_depth=1, random_state=0).fit(X[[f]], shape)
              .score(X[[f]], shape) for f in X.columns.drop("hr")}
    x = ctx.X_train["temp"].to_numpy()
    edges = np.unique(np.quantile(x, np.linspace(0, 1, ctx.ale_bins + 1)))
    K = len(edges) - 1
    b = np.clip(np.searchsorted(edges, x, side="left"), 1, K)
    lo, hi = ctx.X_train.copy(), ctx.X_train.copy()
    lo["temp"], hi["temp"] = edges[b - 1], edges[b]
    d = model.predict(hi) - model.predict(lo)
    n = np.bincount(b - 1, minlength=K)
    unc = np.concatenate([[0.0], np.cumsum(np.bincount(b - 1, weights=d, minlength=K) / n)])
    ale = unc - np.sum((unc[:-1] + unc[1:]) / 2 * n) / n.sum()
    return {"ice": ice, "pdp": ice.mean(0), "ice_hr_centered": centered, "_hr": hr,
            "ice_driver": max(scores, key=scores.get), "ale_edges": edges, "ale_temp": ale,
            "_unc": unc, "_n": n, "_local": d, "_bins": b}


@pytest.fixture(scope="module")
def ctx():
    return context_for("pdp_ice", 1)  # anchor hour 1, feature hum: mistakes are distinguishable


@pytest.fixture(scope="module")
def ref(ctx):
    return _reference(ctx)


def check(qid, answers, ctx):
    q = EX.question(qid)
    return run_check(q, {k: roundtrip(answers[k]) for k in q.answers}, ctx)


def _with(ref, **changes):
    return {**ref, **changes}


AUTO = [q.id for q in EX.questions if q.kind == "auto"]


@pytest.mark.parametrize("qid", AUTO)
def test_reference_answer_is_correct(qid, ref, ctx):
    r = check(qid, ref, ctx)
    assert (r.status, r.score) == ("correct", 1.0), r.feedback


@pytest.mark.parametrize("qid", AUTO)
def test_reference_answer_is_correct_in_variant_0(qid):
    c = context_for("pdp_ice", 0)
    r = check(qid, _reference(c), c)
    assert (r.status, r.score) == ("correct", 1.0), r.feedback


@pytest.mark.parametrize("qid", AUTO)
def test_placeholder_is_not_attempted(qid, ctx):
    q = EX.question(qid)
    assert check(qid, {n: None for n in q.answers}, ctx).status == "not_attempted"
    assert run_check(q, {}, ctx).status == "not_attempted"


def test_answers_of_another_variant_fail(ref):
    other = context_for("pdp_ice", 5)
    for qid in ("q1", "q2", "q4"):
        assert check(qid, ref, other).status == "incorrect"


# --- q1 ---------------------------------------------------------------------------------------

def test_q1_recursion_pdp_is_recognised(ref, ctx):
    rec = partial_dependence(ctx.model, ctx.X_rows, [ctx.feature], method="recursion",
                             custom_values={ctx.feature: ctx.grid})["average"][0]
    r = check("q1", _with(ref, pdp=rec), ctx)
    assert r.status == "partial" and r.score == 0.5 and "recursion" in r.hint


def test_q1_median_is_not_the_pdp(ref, ctx):
    r = check("q1", _with(ref, pdp=np.median(ref["ice"], axis=0)), ctx)
    assert r.status == "partial" and "mean" in r.hint


def test_q1_centered_ice_is_recognised(ref, ctx):
    r = check("q1", _with(ref, ice=ref["ice"] - ref["ice"][:, [0]]), ctx)
    assert r.status == "partial" and "centring comes in q2" in r.hint


def test_q1_transposed_ice_is_a_format_error(ref, ctx):
    r = check("q1", _with(ref, ice=ref["ice"].T), ctx)
    assert r.status == "incorrect" and "transposed" in r.feedback


def test_q1_ice_of_other_rows_fails(ref, ctx):
    X = ctx.X_test.iloc[:len(ctx.X_rows)]
    ice = partial_dependence(ctx.model, X, [ctx.feature], method="brute", kind="individual",
                             custom_values={ctx.feature: ctx.grid})["individual"][0]
    r = check("q1", _with(ref, ice=ice, pdp=ice.mean(0)), ctx)
    assert r.status == "incorrect" and "X_ROWS" in r.hint


def test_q1_pdp_must_be_the_mean_of_the_candidates_ice(ref, ctx):
    ice = ref["ice"] + 1.0
    r = check("q1", _with(ref, ice=ice), ctx)  # right pdp, wrong ice: pdp != mean(ice)
    assert r.status == "partial" and r.score == 0.25


# --- q2 ---------------------------------------------------------------------------------------

def test_q2_raw_ice_is_not_centered(ref, ctx):
    r = check("q2", _with(ref, ice_hr_centered=ref["_hr"]), ctx)
    assert r.status == "incorrect" and "ANCHOR_HOUR" in r.hint


def test_q2_mean_centering_is_recognised(ref, ctx):
    hr = ref["_hr"]
    r = check("q2", _with(ref, ice_hr_centered=hr - hr.mean(1, keepdims=True)), ctx)
    assert r.status == "incorrect" and "anchor" in r.hint


def test_q2_pdp_subtracted_is_recognised(ref, ctx):
    hr = ref["_hr"]
    r = check("q2", _with(ref, ice_hr_centered=hr - hr.mean(0)), ctx)
    assert r.status == "incorrect" and "own value" in r.hint


def test_q2_wrong_anchor_is_recognised(ref, ctx):
    assert ctx.anchor_hour != 0
    hr = ref["_hr"]
    r = check("q2", _with(ref, ice_hr_centered=hr - hr[:, [0]]), ctx)
    assert r.status == "incorrect" and "HR_GRID" in r.hint


# --- q3 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,needle", [("weekday", "0/1"), ("holiday", "0/1"),
                                         ("hr", "other features"), ("temp", "shape")])
def test_q3_other_features_are_rejected(name, needle, ref, ctx):
    r = check("q3", _with(ref, ice_driver=name), ctx)
    assert r.status == "incorrect" and needle in r.hint


def test_q3_unknown_name_is_a_format_error(ref, ctx):
    r = check("q3", _with(ref, ice_driver="working day"), ctx)
    assert r.status == "incorrect" and "not a feature" in r.feedback


# --- q4 ---------------------------------------------------------------------------------------

def test_q4_equal_width_bins_are_recognised(ref, ctx):
    x = ctx.X_train["temp"]
    r = check("q4", _with(ref, ale_edges=np.linspace(x.min(), x.max(), ctx.ale_bins + 1)), ctx)
    assert r.status == "incorrect" and "quantile" in r.hint


def test_q4_uncentered_ale_is_partial(ref, ctx):
    r = check("q4", _with(ref, ale_temp=ref["_unc"]), ctx)
    assert r.status == "partial" and "mean 0" in r.hint


def test_q4_step_centering_is_accepted(ref, ctx):
    unc, n = ref["_unc"], ref["_n"]
    r = check("q4", _with(ref, ale_temp=unc - np.sum(unc[1:] * n) / n.sum()), ctx)
    assert r.status == "correct"


def test_q4_summed_local_effects_are_recognised(ref, ctx):
    K = len(ref["ale_edges"]) - 1
    sums = np.concatenate([[0.0], np.cumsum(np.bincount(ref["_bins"] - 1, weights=ref["_local"],
                                                        minlength=K))])
    r = check("q4", _with(ref, ale_temp=sums - sums.mean()), ctx)
    assert r.status == "incorrect" and "Average" in r.hint


def test_q4_pdp_instead_of_ale_is_recognised(ref, ctx):
    pdp = partial_dependence(ctx.model, ctx.X_train, ["temp"], method="brute",
                             custom_values={"temp": ref["ale_edges"]})["average"][0]
    r = check("q4", _with(ref, ale_temp=pdp - pdp.mean()), ctx)
    assert r.status == "incorrect" and "PDP" in r.hint
