"""Every check of ``debugging``, three ways: the reference passes, known wrong answers fail with
the right hint, the untouched placeholder is not attempted; plus the data derivation and the
reference helpers on cases with known answers."""
import numpy as np
import pandas as pd
import pytest
import shap
from sklearn.inspection import partial_dependence, permutation_importance
from sklearn.linear_model import LinearRegression
from xgboost import XGBRegressor

from xaikit.debugging import bikeshare_design, colleague_features
from xaikit.exercises import graded_exercise, reference_context
from xaikit.exercises.debugging.grader import references as R
from three_way import three_way

EX = graded_exercise("debugging")
check, test_reference_answer_is_correct, test_placeholder_is_not_attempted = \
    three_way(EX)
@pytest.fixture(scope="module")
def ctx():
    return reference_context("debugging", 0)


def _rmse(y, p):
    return float(np.sqrt(np.mean((np.asarray(y) - p) ** 2)))


@pytest.fixture(scope="module")
def ref(ctx):
    """The answers computed the way the solution notebook does (libraries, not References)."""
    X, y = ctx.X_all, ctx.y_all
    Xs, ys = ctx.X_test.loc[ctx.sample], ctx.y_all.loc[ctx.sample]
    pi = permutation_importance(ctx.model, Xs, ys, n_repeats=ctx.n_repeats,
                                random_state=ctx.seed, scoring="neg_root_mean_squared_error")
    sv = shap.TreeExplainer(ctx.model).shap_values(Xs)
    cols = lambda drop: [f for f in ctx.feature_names if f not in drop]  # noqa: E731
    tr, te = ctx.X_train.index, ctx.X_test.index
    fit = lambda rows, c: XGBRegressor(**ctx.recipe).fit(X.loc[rows, c], y.loc[rows])  # noqa
    nl = fit(tr, cols(["registered"]))
    rp = fit(tr, cols(["registered", "instant"]))
    early = X.index[X["mnth"] <= 8]
    late = X.index[X["mnth"] > 8]
    wt_l, rp_l = fit(early, cols(["registered"])), fit(early, cols(["registered", "instant"]))
    grid = X.loc[ctx.grid_rows, "instant"].to_numpy()
    pdp = partial_dependence(nl, X.loc[ctx.sample, cols(["registered"])], ["instant"],
                             method="brute", custom_values={"instant": grid})["average"][0]
    return {
        "perm_importance": pi.importances_mean, "mean_abs_shap": np.abs(sv).mean(0),
        "flagged": ["registered", "instant"],
        "random_rmse": {"colleague": _rmse(ctx.y_all.loc[te], ctx.model.predict(ctx.X_test)),
                        "no_leak": _rmse(y.loc[te], nl.predict(X.loc[te, cols(["registered"])])),
                        "repaired": _rmse(y.loc[te], rp.predict(
                            X.loc[te, cols(["registered", "instant"])]))},
        "later_rmse": {"with_trend": _rmse(y.loc[late], wt_l.predict(
                           X.loc[late, cols(["registered"])])),
                       "repaired": _rmse(y.loc[late], rp_l.predict(
                           X.loc[late, cols(["registered", "instant"])]))},
        "trend_pdp": pdp,
    }


def _with(ref, **changes):
    return {**ref, **changes}


def test_q1_wrong_answers(ref, ctx):
    r = check("q1", _with(ref, mean_abs_shap=np.abs(ctx.ref_shap.mean(0))), ctx)
    assert r.status == "partial" and "absolute value before the mean" in r.hint
    r2 = permutation_importance(ctx.model, ctx.X_sample, ctx.y_all.loc[ctx.sample],
                                n_repeats=ctx.n_repeats, random_state=ctx.seed, scoring="r2")
    r = check("q1", _with(ref, perm_importance=r2.importances_mean), ctx)
    assert r.status == "partial" and "R²" in r.hint
    r = check("q1", _with(ref, perm_importance=ref["perm_importance"] * 1.1,
                          mean_abs_shap=ref["mean_abs_shap"] + 1), ctx)
    assert r.status == "incorrect" and "SAMPLE" in r.hint
    r = check("q1", _with(ref, mean_abs_shap=[1, 2]), ctx)
    assert r.status == "incorrect" and "shape" in r.feedback
    for v in (ref["perm_importance"], ref["mean_abs_shap"]):
        assert f"{v[0]:.2f}" not in r.feedback


def test_q2_wrong_answers(ref, ctx):
    r = check("q2", {"flagged": ["registered"]}, ctx)
    assert r.status == "partial" and "*when*" in r.hint
    r = check("q2", {"flagged": ["instant"]}, ctx)
    assert r.status == "partial" and "not know" in r.hint
    r = check("q2", {"flagged": ["registered", "instant", "mnth"]}, ctx)
    assert r.status == "incorrect" and "Calendar" in r.hint
    r = check("q2", {"flagged": ["registered", "temp"]}, ctx)
    assert r.status == "incorrect" and "importance is not a fault" in r.hint
    r = check("q2", {"flagged": ["casual"]}, ctx)
    assert r.status == "incorrect" and "does not use" in r.feedback


def test_q2_depends_on_the_variant():
    ref3 = reference_context("debugging", 3)
    assert ref3.suspects == {"casual", "day"}
    assert check("q2", {"flagged": ["day", "casual"]}, ref3).status == "correct"
    assert check("q2", {"flagged": ["registered", "instant"]}, ref3).status == "incorrect"


def test_q3_wrong_answers(ref, ctx):
    mae = ctx.random_rmse(metric=R.mae)
    r = check("q3", {"random_rmse": mae}, ctx)
    assert r.status == "incorrect" and "sqrt" in r.hint
    r = check("q3", {"random_rmse": ctx.random_rmse(on="train")}, ctx)
    assert r.status == "incorrect" and "test rows" in r.hint
    swapped = dict(ref["random_rmse"], repaired=ref["random_rmse"]["no_leak"])
    r = check("q3", {"random_rmse": swapped}, ctx)
    assert r.status == "partial" and r.score == pytest.approx(2 / 3)
    r = check("q3", {"random_rmse": {"colleague": 1.0}}, ctx)
    assert r.status == "incorrect" and "no key" in r.feedback


def test_q4_wrong_answers(ref, ctx):
    rnd = ref["random_rmse"]
    r = check("q4", {"later_rmse": {"with_trend": rnd["no_leak"], "repaired": rnd["repaired"]}},
              ctx)
    assert r.status == "incorrect" and "mnth <= 8" in r.hint
    lat = ref["later_rmse"]
    r = check("q4", {"later_rmse": {"with_trend": lat["repaired"],
                                    "repaired": lat["with_trend"]}}, ctx)
    assert r.status == "incorrect" and "swapped" in r.feedback
    r = check("q4", {"later_rmse": ctx.later_rmse(metric=R.mae)}, ctx)
    assert r.status == "incorrect" and "sqrt" in r.hint
    kept = ctx.later_rmse(drop_extra=(ctx.leak,))
    r = check("q4", {"later_rmse": dict(lat, with_trend=kept["with_trend"])}, ctx)
    assert r.status == "partial" and "must not keep the leak" in r.hint
    r = check("q4", {"later_rmse": {k: v * 1.03 for k, v in lat.items()}}, ctx)
    assert r.status == "incorrect"


def test_q5_wrong_answers(ref, ctx):
    p = np.asarray(ref["trend_pdp"])
    r = check("q5", {"trend_pdp": p - p[0]}, ctx)
    assert r.status == "partial" and "centred" in r.feedback
    r = check("q5", {"trend_pdp": ctx.trend_pdp(model=ctx.model, cols=ctx.feature_names)}, ctx)
    assert r.status == "incorrect" and "colleague's model" in r.feedback
    r = check("q5", {"trend_pdp": p[::-1]}, ctx)
    assert r.status == "incorrect"
    r = check("q5", {"trend_pdp": p[:5]}, ctx)
    assert r.status == "incorrect" and "shape" in r.feedback


# --- the data derivation and the helpers on known answers -----------------------------------

def test_record_index_is_the_time_order():
    X, y = bikeshare_design()
    assert X["instant"].tolist() == list(range(1, len(X) + 1))
    assert X["day"].is_monotonic_increasing
    assert float(np.abs(y - X["casual"] - X["registered"]).max()) == 0.0
    # a few hours are missing: instant is not 24 * (day - 1) + hr + 1 everywhere
    assert (X["instant"] != 24 * (X["day"] - 1) + X["hr"] + 1).any()


def test_each_variant_has_one_leak_and_one_trend():
    seen = set()
    for v in range(4):
        f = colleague_features(v)
        assert len(f) == 13 and len(set(f)) == 13
        seen.add((v, tuple(sorted(set(f) & {"casual", "registered", "instant", "day"}))))
    assert len({s[1] for s in seen}) == 4


def test_pdp_of_a_linear_model_is_the_line():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(200, 2)), columns=["a", "b"])
    y = 3 * X["a"] - 2 * X["b"] + 1
    m = LinearRegression().fit(X, y)
    grid = np.array([-1.0, 0.0, 2.0])
    expected = 3 * grid - 2 * X["b"].mean() + 1
    assert np.allclose(R.pdp(m, X, "a", grid), expected)


def test_permutation_importance_of_an_unused_column_is_zero():
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(300, 2)), columns=["used", "unused"])
    y = 2 * X["used"]
    m = LinearRegression().fit(X, y)
    pi = R.perm_importance(m, X, y, n_repeats=3, seed=0)
    assert abs(pi[1]) < 1e-9 and pi[0] > 1.0


def test_rmse_and_mae_known_values():
    assert R.rmse([0, 0], [3, 4]) == pytest.approx(np.sqrt(12.5))
    assert R.mae([0, 0], [3, 4]) == pytest.approx(3.5)
