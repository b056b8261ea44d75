"""Every check of glassbox_vs_posthoc, three ways (reference passes, known wrong answers fail
with the right hint, the placeholder is not attempted), plus the planted truth, the EBM's
determinism and additivity, and the public side (no EBM, no held-out rows)."""
import numpy as np
import pandas as pd
import pytest
import shap
from sklearn.metrics import roc_auc_score

from xaikit.exercises import graded_exercise, reference_context
from xaikit.exercises.glassbox_vs_posthoc import grader as G
from xaikit.exercises.glassbox_vs_posthoc.grader import truth
from xaikit.exercises.glassbox_vs_posthoc.public import GRID, SYN_FEATURES
from three_way import three_way

EID = "glassbox_vs_posthoc"
EX = graded_exercise(EID)
check, test_reference_answer_is_correct, test_placeholder_is_not_attempted = \
    three_way(EX)


@pytest.fixture(scope="module")
def ctx():
    return reference_context(EID, 0)


@pytest.fixture(scope="module")
def ref(ctx):
    """Reference answers computed the way the solution notebook does (with the libraries)."""
    p = ctx.ebm_credit.predict_proba(ctx.X_test)[:, 1]
    terms = pd.DataFrame(ctx.ebm_credit.eval_terms(ctx.X_test), columns=ctx.ebm_credit.term_names_)
    sv = shap.TreeExplainer(ctx.model).shap_values(ctx.X_test)
    I = ctx.interaction
    top = G.pair_terms(ctx.ebm_int_pairs)[0][1]
    return {
        "ebm_credit_proba": p,
        "credit_auc": {"ebm": roc_auc_score(ctx.trained.y_test, p),
                       "xgb": roc_auc_score(ctx.trained.y_test,
                                            ctx.model.predict_proba(ctx.X_test)[:, 1])},
        "shape_shap_corr": {f: float(np.corrcoef(terms[f], sv[:, ctx.feature_names.index(f)])[0, 1])
                            for f in ctx.numeric},
        "ebm_shapes": np.array([G.shape_on_grid(ctx.ebm_additive, f, GRID, SYN_FEATURES)
                                for f in SYN_FEATURES]),
        "interaction_auc": {
            "ebm_main": roc_auc_score(I.y_test, ctx.ebm_int_main.predict_proba(I.X_test)[:, 1]),
            "ebm_pairs": roc_auc_score(I.y_test, ctx.ebm_int_pairs.predict_proba(I.X_test)[:, 1]),
            "xgb": roc_auc_score(I.y_test, I.model.predict_proba(I.X_test)[:, 1])},
        "failing_pair": list(top),
        "pair_share": G.pair_share_of(ctx.ebm_int_pairs, I.X_test),
    }


def _with(ref, **changes):
    return {**ref, **changes}


AUTO = [q.id for q in EX.questions if q.kind == "auto"]


# --- known wrong answers -------------------------------------------------------------------------

def test_q1_wrong_answers(ref, ctx):
    p = ref["ebm_credit_proba"]
    r = check("q1", _with(ref, ebm_credit_proba=1 - p,
                          credit_auc={**ref["credit_auc"], "ebm": 1 - ref["credit_auc"]["ebm"]}), ctx)
    assert r.status == "partial" and "class 1" in r.hint and r.score == pytest.approx(0.4)
    hard = (p >= 0.5).astype(float)
    r = check("q1", _with(ref, ebm_credit_proba=hard), ctx)
    assert r.status == "partial" and "predict_proba" in r.hint
    xgb_hard = roc_auc_score(ctx.trained.y_test, ctx.model.predict(ctx.X_test))
    r = check("q1", _with(ref, credit_auc={**ref["credit_auc"], "xgb": xgb_hard}), ctx)
    assert r.status == "partial" and r.score == pytest.approx(0.6) and "hard labels" in r.hint
    train = roc_auc_score(ctx.trained.y_train, ctx.model.predict_proba(ctx.X_train)[:, 1])
    r = check("q1", _with(ref, credit_auc={**ref["credit_auc"], "xgb": train}), ctx)
    assert "training AUC" in r.hint
    r = check("q1", _with(ref, credit_auc={**ref["credit_auc"], "ebm": 0.5}), ctx)
    assert r.status == "partial" and "own predictions" in r.feedback
    r = check("q1", _with(ref, ebm_credit_proba=np.full(700, 0.3)), ctx)
    assert r.status == "incorrect" and "shape" in r.feedback  # training rows
    other = G.fit_ebm(ctx.X_train, ctx.trained.y_train, {**ctx.ebm_params, "outer_bags": 1,
                                                         "max_rounds": 3}, 0, cache=False)
    r = check("q1", _with(ref, ebm_credit_proba=other.predict_proba(ctx.X_test)[:, 1]), ctx)
    assert r.status in ("partial", "incorrect") and r.score < 1 and "EBM_PARAMS" in r.hint


def test_q2_wrong_answers(ref, ctx):
    r = check("q2", {"shape_shap_corr": ctx.ref_shape_shap_corr(method="spearman")}, ctx)
    assert r.status == "incorrect" and "Spearman" in r.hint
    r = check("q2", {"shape_shap_corr": ctx.ref_shape_shap_corr(versus="value")}, ctx)
    assert r.status == "incorrect" and "raw feature values" in r.hint
    half = dict(ref["shape_shap_corr"], age_years=0.0)
    r = check("q2", {"shape_shap_corr": half}, ctx)
    assert r.status == "partial" and r.score == pytest.approx(2 / 3)
    r = check("q2", {"shape_shap_corr": {"duration_months": 0.5}}, ctx)
    assert r.status == "incorrect" and "no key" in r.feedback


def test_q3_wrong_answers(ref, ctx):
    S = ref["ebm_shapes"]
    r = check("q3", {"ebm_shapes": 1 / (1 + np.exp(-S))}, ctx)  # probability scale
    assert r.status != "correct"
    r = check("q3", {"ebm_shapes": 0.25 * S}, ctx)
    assert r.status == "partial" and "log-odds" in r.hint
    r = check("q3", {"ebm_shapes": S[::-1]}, ctx)
    assert r.status == "incorrect" and "feature order" in r.feedback
    r = check("q3", {"ebm_shapes": np.roll(S, 1, axis=0)}, ctx)
    assert r.status in ("incorrect", "partial") and r.score < 0.5
    r = check("q3", {"ebm_shapes": S[:, :20]}, ctx)
    assert r.status == "incorrect" and "shape" in r.feedback
    # another legitimate EBM (other seed): not the stated numbers, but the truth is recovered
    other = G.fit_ebm(ctx.additive.X_train, ctx.additive.y_train,
                      {**ctx.ebm_params, "random_state": 7}, 0)
    r = check("q3", {"ebm_shapes": ctx.shapes_of(other)}, ctx)
    assert r.status == "correct" and "other settings" in r.feedback


def test_q4_wrong_answers(ref, ctx):
    a = ref["interaction_auc"]
    swapped = {**a, "ebm_main": a["ebm_pairs"], "ebm_pairs": a["ebm_main"]}
    r = check("q4", _with(ref, interaction_auc=swapped), ctx)
    assert r.status == "partial" and "swapped" in r.hint
    second = G.pair_terms(ctx.ebm_int_pairs)[1][1]
    r = check("q4", _with(ref, failing_pair=list(second)), ctx)
    assert r.status == "partial" and r.score == pytest.approx(0.5) and "importance" in r.hint
    r = check("q4", _with(ref, failing_pair=list(ref["failing_pair"])[::-1]), ctx)
    assert r.status == "correct"  # any order
    r = check("q4", _with(ref, failing_pair=["x1", "x1"]), ctx)
    assert r.status == "incorrect" and "distinct" in r.feedback
    r = check("q4", _with(ref, failing_pair="x1 & x2"), ctx)
    assert r.status == "incorrect"


def test_q5_wrong_answers(ref, ctx):
    share = ref["pair_share"]
    r = check("q5", {"pair_share": np.sqrt(share)}, ctx)
    assert r.status == "incorrect" and "standard deviations" in r.hint
    r = check("q5", {"pair_share": G.pair_importance_share(ctx)}, ctx)
    assert r.status == "incorrect" and "importances" in r.hint
    r = check("q5", {"pair_share": 1 - share}, ctx)
    assert r.status == "incorrect" and "main effects" in r.hint


def test_feedback_never_contains_expected_values(ref, ctx):
    wrong = {"ebm_credit_proba": 1 - ref["ebm_credit_proba"], "credit_auc": {"ebm": 0.1, "xgb": 0.1},
             "shape_shap_corr": {f: 0.0 for f in ctx.numeric}, "ebm_shapes": np.zeros((6, 41)),
             "interaction_auc": {"ebm_main": 0.5, "ebm_pairs": 0.5, "xgb": 0.5},
             "failing_pair": ["x1", "x2"] if set(ctx.planted_pair) != {"x1", "x2"} else ["x3", "x4"],
             "pair_share": 0.99}
    secrets = [f"{v:.3f}" for v in (*ctx.ref_credit_auc.values(), *ctx.ref_interaction_auc.values(),
                                    ctx.ref_pair_share, *ctx.ref_shape_shap_corr().values())]
    secrets += [" & ".join(ctx.planted_pair), str(list(ctx.planted_pair))]
    for qid in AUTO:
        r = check(qid, wrong, ctx)
        text = f"{r.feedback} {r.hint}"
        assert not any(s in text for s in secrets), (qid, text)


# --- the truth, the EBM, the public side ---------------------------------------------------------

def test_true_shapes_are_centred_and_planted_per_variant():
    x = np.linspace(-1, 1, 200_001)
    for fam, f in truth.SHAPES.items():
        assert abs(f(x).mean()) < 1e-3, fam  # mean 0 over U(-1, 1)
    draws = [truth.planted(v) for v in range(20)]
    assert len({d["pair"] for d in draws}) > 5
    for d in draws:
        assert sum(s is not None for s in d["shapes"].values()) == 4 and len(set(d["pair"])) == 2


def test_materialise_is_deterministic_and_follows_the_truth():
    a, b = truth.materialise(3)["synthetic"], truth.materialise(3)["synthetic"]
    pd.testing.assert_frame_equal(a, b)
    assert a.shape == (2000, 8) and a[list(SYN_FEATURES)].abs().max().max() <= 1
    # the labels follow the true log-odds: the truth's AUC beats chance clearly
    for target, inter in (("y_additive", False), ("y_interaction", True)):
        assert roc_auc_score(a[target], truth.true_logit(3, a, inter)) > 0.75


def test_pure_interaction_has_no_main_effect():
    """The planted product averages to 0 along either feature (why a GAM cannot fit it)."""
    rng = np.random.default_rng(0)
    xa, xb = rng.uniform(-1, 1, (2, 400_000))
    bins = np.digitize(xa, np.linspace(-1, 1, 11))
    prod = truth.INTERACTION_STRENGTH * xa * xb
    assert max(abs(prod[bins == k].mean()) for k in range(1, 11)) < 0.02


def test_ebm_is_deterministic_and_additive(ctx):
    """interpret-core's EBM, n_jobs=1 and a fixed random_state: bit-identical refits; its terms
    plus the intercept give the logit of predict_proba (the glass box's exact explanation)."""
    X, y = ctx.interaction.X_train, ctx.interaction.y_train
    fits = [G.fit_ebm(X, y, ctx.ebm_params, ctx.n_pairs, cache=False) for _ in range(2)]
    p = [f.predict_proba(ctx.interaction.X_test)[:, 1] for f in fits]
    assert np.array_equal(p[0], p[1])
    T = G.term_contributions(fits[0], ctx.interaction.X_test)
    logit = np.log(p[0] / (1 - p[0]))
    assert np.abs(T.sum(axis=1).to_numpy() + fits[0].intercept_[0] - logit).max() < 1e-9


def test_pair_share_known_case():
    """pair_share_of on a fake EBM whose terms are known: Var(pair) / Var(all)."""
    class Fake:
        term_names_ = ["a", "b", "a & b"]

        def eval_terms(self, X):
            return np.column_stack([X["a"], X["b"], 2 * X["a"] * X["b"]])

    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.choice([-1.0, 1.0], 1000), "b": rng.choice([-1.0, 1.0], 1000)})
    want = np.var(2 * X.a * X.b) / np.var(X.a + X.b + 2 * X.a * X.b)
    assert G.pair_share_of(Fake(), X) == pytest.approx(want)


def test_explorer_uses_training_rows_only(ctx):
    from xaikit.glassbox import explorer_shap

    data = explorer_shap(ctx.ctx)
    assert data["German credit"].X.index.equals(ctx.X_train.index)
    assert data["generated (additive)"].X.index.equals(ctx.additive.X_train.index)
    assert not set(data["German credit"].X.index) & set(ctx.X_test.index)


def test_widget_controls_update(ctx):
    """Each feature change redraws its header (speed: ``benchmarks/widget_latency.py``, not a
    timed assert); the dataset toggle swaps the feature list."""
    from xaikit.widgets.glassbox import GlassboxExplorer

    w = GlassboxExplorer(ctx.ctx)
    headers = []
    for feat in ("duration_months", "age_years"):
        w.feature.value = feat
        headers.append(w.header.value)
        assert feat in w.header.value
    assert headers[0] != headers[1]
    w.dataset.value = "generated (additive)"
    assert w.feature.value == "x1" and "x1" in w.header.value
