"""Every check of interactions, three ways (reference passes, known wrong answers fail with
their hint, the placeholder is not attempted), and the H-statistic on functions with known H."""
import numpy as np
import pandas as pd
import pytest
import shap
from sklearn.inspection import partial_dependence

from xaikit.exercises import graded_exercise, reference_context
from xaikit.exercises.interactions import grader as E
from xaikit.exercises.interactions.grader.hstat import h2_pair, h2_pairs, pd_at_rows
from three_way import three_way

EX = graded_exercise("interactions")
check, test_reference_answer_is_correct, test_placeholder_is_not_attempted = \
    three_way(EX)


@pytest.fixture(scope="module")
def ctx():
    return reference_context("interactions", 0)


@pytest.fixture(scope="module")
def ref(ctx):
    """Reference answers computed with the libraries (and the grader's H estimator)."""
    expl = shap.TreeExplainer(ctx.model)
    h2 = h2_pairs(ctx.model.predict, ctx.X_h, ctx.pairs)
    planted = list(ctx.pairs[int(np.argmax(h2))])
    corr = ctx.X_train.corr().abs().to_numpy().copy()
    np.fill_diagonal(corr, 0)
    i, j = np.unravel_index(np.argmax(corr), corr.shape)
    decoy = sorted([ctx.feature_names[i], ctx.feature_names[j]], key=ctx.feature_names.index)
    pd_pl = partial_dependence(ctx.model, ctx.X_h, planted, kind="average", method="brute",
                               grid_resolution=ctx.pd_grid)["average"][0]
    bike_pd = partial_dependence(ctx.bike_model, ctx.X_bike_h, ["hr", "workingday"],
                                 kind="average", method="brute",
                                 custom_values={"hr": np.arange(24), "workingday": [0, 1]})
    return {"shap_interaction": expl.shap_interaction_values(ctx.X_h),
            "shap_values": expl.shap_values(ctx.X_h), "h2": h2, "planted_pair": planted,
            "decoy_pair": decoy, "decoy_h2": float(h2[ctx.pairs.index(tuple(decoy))]),
            "pd_planted": pd_pl,
            "bike_h2": h2_pairs(ctx.bike_model.predict, ctx.X_bike_h, ctx.bike_pairs),
            "bike_pd": bike_pd["average"][0]}


def _with(ref, **changes):
    return {**ref, **changes}


def test_planted_truth_is_what_the_reference_finds(ref, ctx):
    assert set(ref["planted_pair"]) == set(ctx.truth["planted"])
    assert set(ref["decoy_pair"]) == set(ctx.truth["decoy"])


# --- q1 -----------------------------------------------------------------------------------

def test_q1_doubled_off_diagonal_is_recognised(ref, ctx):
    si = ref["shap_interaction"]
    off = ~np.eye(si.shape[1], dtype=bool)
    r = check("q1", _with(ref, shap_interaction=np.where(off, 2 * si, si)), ctx)
    assert r.status == "incorrect" and "halves" in r.hint


def test_q1_dropped_diagonal_is_recognised(ref, ctx):
    si = ref["shap_interaction"].copy()
    si[:, np.arange(si.shape[1]), np.arange(si.shape[1])] = 0
    r = check("q1", _with(ref, shap_interaction=si), ctx)
    assert r.status == "incorrect" and "diagonal" in r.hint


def test_q1_other_rows_are_recognised(ref, ctx):
    expl = shap.TreeExplainer(ctx.model)
    X = ctx.X_test.iloc[:200]
    r = check("q1", _with(ref, shap_interaction=expl.shap_interaction_values(X),
                          shap_values=expl.shap_values(X)), ctx)
    assert r.status == "incorrect" and "X_h" in r.hint


def test_q1_wrong_shap_values_are_partial(ref, ctx):
    r = check("q1", _with(ref, shap_values=ref["shap_values"] + 0.1), ctx)
    assert r.status == "partial" and "sum(axis=2)" in r.hint
    r = check("q1", _with(ref, shap_values=None), ctx)
    assert r.status == "partial" and r.score == 0.5


def test_q1_wrong_shape_says_the_expected_shape(ref, ctx):
    r = check("q1", _with(ref, shap_interaction=ref["shap_interaction"][:10]), ctx)
    assert r.status == "incorrect" and "(200, 6, 6)" in r.feedback


# --- q2 -----------------------------------------------------------------------------------

def test_q2_h_instead_of_h2_is_recognised(ref, ctx):
    r = check("q2", _with(ref, h2=np.sqrt(ref["h2"])), ctx)
    assert r.status == "incorrect" and "square root" in r.hint


def test_q2_uncentred_is_recognised(ref, ctx):
    r = check("q2", _with(ref, h2=ctx.ref_h2_uncentred), ctx)
    assert r.status == "incorrect" and "Centre" in r.hint


def test_q2_wrong_order_is_recognised(ref, ctx):
    r = check("q2", _with(ref, h2=ref["h2"][::-1]), ctx)
    assert r.status == "incorrect" and "order" in r.hint


def test_q2_other_sample_fails(ref, ctx):
    h2 = h2_pairs(ctx.model.predict, ctx.X_explore, ctx.pairs)
    r = check("q2", _with(ref, h2=h2), ctx)
    assert r.score < 1 and "ctx.X_h" in r.hint


# --- q3, q4 ---------------------------------------------------------------------------------

def test_q3_decoy_is_recognised(ref, ctx):
    r = check("q3", _with(ref, planted_pair=list(ctx.truth["decoy"])), ctx)
    assert r.status == "incorrect" and "Correlation" in r.hint
    r = check("q3", _with(ref, planted_pair=list(ctx.truth["other"])), ctx)
    assert r.status == "incorrect" and "largest H²" in r.hint


def test_q3_format(ref, ctx):
    r = check("q3", _with(ref, planted_pair=["x1", "nope"]), ctx)
    assert r.status == "incorrect" and "two distinct columns" in r.feedback


def test_q4_mistakes(ref, ctx):
    r = check("q4", _with(ref, decoy_pair=list(ctx.truth["planted"])), ctx)
    assert r.status == "partial" and r.score == 0.5 and "Pearson" in r.hint
    r = check("q4", _with(ref, decoy_h2=float(np.sqrt(ref["decoy_h2"]))), ctx)
    assert r.status == "partial" and "not its square root" in r.hint
    r = check("q4", _with(ref, decoy_h2=0.6), ctx)
    assert r.status == "partial" and "above what an additive pair gives" in r.feedback


# --- q5, q6 ---------------------------------------------------------------------------------

def test_q5_transpose_is_recognised(ref, ctx):
    r = check("q5", _with(ref, pd_planted=ref["pd_planted"].T), ctx)
    assert r.status == "incorrect" and "earlier column" in r.hint


def test_q5_other_rows_fail(ref, ctx):
    other = partial_dependence(ctx.model, ctx.X_train, ref["planted_pair"], kind="average",
                               method="brute", grid_resolution=10)["average"][0]
    r = check("q5", _with(ref, pd_planted=other), ctx)
    assert r.status == "incorrect" and "X_h" in r.hint


def test_q6_mistakes(ref, ctx):
    r = check("q6", _with(ref, bike_h2=np.sqrt(ref["bike_h2"])), ctx)
    assert r.status == "partial" and r.score == 0.5 and "square root" in r.hint
    r = check("q6", _with(ref, bike_pd=ref["bike_pd"] - ref["bike_pd"].mean()), ctx)
    assert r.status == "partial" and "rentals per hour" in r.hint
    r = check("q6", _with(ref, bike_pd=ref["bike_pd"].T), ctx)
    assert r.status == "incorrect" and "(24, 2)" in r.feedback


def test_feedback_never_reveals_the_expected_values(ref, ctx):
    for qid, ans in (("q2", _with(ref, h2=ref["h2"] + 0.05)),
                     ("q4", _with(ref, decoy_h2=0.6)),
                     ("q3", _with(ref, planted_pair=list(ctx.truth["decoy"])))):
        r = check(qid, ans, ctx)
        text = f"{r.feedback} {r.hint}"
        for v in ref["h2"]:
            assert f"{v:.3f}" not in text
        assert str(ctx.truth["planted"]) not in text
        assert " and ".join(ctx.truth["planted"]) not in text


# --- the H-statistic on functions with known H (Friedman & Popescu 2008, eq. 44) -----------

def _grid(levels, n_features=3):
    """Full factorial of ``levels`` over ``n_features`` columns: every column centred and
    independent of the others in the sample, so the PDs have closed forms."""
    g = np.array(np.meshgrid(*[levels] * n_features, indexing="ij")).reshape(n_features, -1).T
    return pd.DataFrame(g, columns=[f"a{i}" for i in range(n_features)])


def _f(fun):
    return lambda X: fun(X["a0"].to_numpy(), X["a1"].to_numpy(), X["a2"].to_numpy())


def test_h2_additive_function_is_zero():
    X = _grid([-1.0, 0.0, 2.0])
    f = _f(lambda a, b, c: a ** 2 + np.sin(b) + 3 * c)
    assert h2_pairs(f, X, [("a0", "a1"), ("a0", "a2"), ("a1", "a2")]) == pytest.approx(0,
                                                                                       abs=1e-12)


def test_h2_pure_product_of_centred_independent_features_is_one():
    X = _grid([-1.0, 1.0])
    assert h2_pair(_f(lambda a, b, c: a * b), X, "a0", "a1") == pytest.approx(1, abs=1e-12)
    assert h2_pair(_f(lambda a, b, c: a * b), X, "a0", "a2") == 0.0  # no joint effect at all


def test_h2_mixed_case_has_its_analytic_value():
    # x, y = +-1 independent: Var(x) = Var(y) = Var(xy) = 1, H^2 = 1 / (1 + 1 + 1)
    X = _grid([-1.0, 1.0])
    assert h2_pair(_f(lambda a, b, c: a + b + a * b + 5 * c), X, "a0", "a1") == \
        pytest.approx(1 / 3, abs=1e-12)
    # a scaled mixture: 2a + b + 3ab -> 9 / (4 + 1 + 9)
    assert h2_pair(_f(lambda a, b, c: 2 * a + b + 3 * a * b), X, "a0", "a1") == \
        pytest.approx(9 / 14, abs=1e-12)


def test_pd_at_rows_matches_sklearn_brute_partial_dependence():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(30, 3)), columns=["a0", "a1", "a2"])

    class M:
        def fit(self):
            return self

        def predict(self, Z):
            Z = np.asarray(Z, float)
            return Z[:, 0] * Z[:, 1] + np.cos(Z[:, 2])

    from sklearn.base import BaseEstimator, RegressorMixin

    class Est(RegressorMixin, BaseEstimator):
        def fit(self, X, y):
            self.fitted_ = True
            return self

        predict = M.predict

    est = Est().fit(X, np.zeros(len(X)))
    ours = pd_at_rows(est.predict, X, ["a0"])
    skl = partial_dependence(est, X, ["a0"], kind="average", method="brute",
                             custom_values={"a0": X["a0"].to_numpy()})
    grid = np.asarray(skl["grid_values"][0])
    lookup = dict(zip(grid, skl["average"][0]))
    assert np.allclose(ours, [lookup[v] for v in X["a0"]], atol=1e-12)


def test_h2_pair_rejects_a_feature_with_itself():
    with pytest.raises(ValueError):
        h2_pair(lambda X: X.sum(1), _grid([-1.0, 1.0]), "a0", "a0")


def test_materialise_is_seeded_and_plants_per_variant():
    a, b = E.materialise(3)["planted"], E.materialise(3)["planted"]
    pd.testing.assert_frame_equal(a, b)
    assert a.shape == (2000, 7)
    plants = {E.roles(v)["planted"] for v in range(10)}
    assert len(plants) > 3
    for v in range(5):
        r = E.roles(v)
        assert set(r["planted"]).isdisjoint(r["decoy"])
        frame = E.materialise(v)["planted"]
        c = frame[list(r["decoy"])].corr().iloc[0, 1]
        assert 0.7 < abs(c) < 0.9
