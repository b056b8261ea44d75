"""Every check of explanation_quality, three ways (reference passes, known wrong answers fail with
the right hint, placeholder -> not_attempted), plus unit tests of the metrics written from the
papers (Petsiuk et al. 2018; Alvarez-Melis & Jaakkola 2018; Adebayo et al. 2018) on cases with
known answers, of the explainers, the randomised model, the generated data and the explorer."""
import numpy as np
import pytest

from xaikit.exercises import graded_exercise, reference_context
from xaikit.exercises.explanation_quality.grader import metrics as M
from xaikit.exercises.explanation_quality.grader import references as R
from xaikit.exercises.explanation_quality.public import LETTERS
from three_way import three_way

EX = graded_exercise("explanation_quality")
check, test_reference_answer_is_correct, test_placeholder_is_not_attempted = \
    three_way(EX)


@pytest.fixture(scope="module")
def ctx():
    return reference_context("explanation_quality", 0)


@pytest.fixture(scope="module")
def ref(ctx):
    return {"deletion_curve_A": ctx.ref_deletion_curve_A,
            "deletion_auc": ctx.auc("deletion"), "insertion_auc": ctx.auc("insertion"),
            "credit_deletion_auc": ctx.auc("deletion", credit=True),
            "credit_insertion_auc": ctx.auc("insertion", credit=True),
            "stability": ctx.ref_stability(),
            "credit_stability": ctx.ref_stability(credit=True),
            "model_randomisation": ctx.ref_randomisation("random_model"),
            "label_randomisation": ctx.ref_randomisation("label_random"),
            "credit_model_randomisation": ctx.ref_randomisation("credit_random_model"),
            "credit_label_randomisation": ctx.ref_randomisation("credit_label_random"),
            "verdicts": {L: "unfaithful" if L == ctx.letter_of("correlation") else "faithful"
                         for L in LETTERS}}


def _with(ref, **changes):
    return {**ref, **changes}


@pytest.mark.parametrize("mistake,words", [
    ("signed", "|attribution|"), ("ascending", "MOST important"), ("steps", "FRACTION"),
    ("zero_baseline", "MEAN"), ("mean", "trapezoid"), ("no_step0", "step 0")])
def test_q1_typical_mistakes(mistake, words, ref, ctx):
    wrong = _with(ref, deletion_auc=ctx.auc("deletion", mistake=mistake),
                  insertion_auc=ctx.auc("insertion", mistake=mistake))
    r = check("q1", wrong, ctx)
    assert r.status in ("partial", "incorrect") and r.score < 1, mistake
    assert words in r.hint, (mistake, r.hint)
    assert str(round(ref["deletion_auc"]["A"], 3)) not in r.feedback + r.hint


def test_q1_curve_without_step0_and_wrong_curve(ref, ctx):
    r = check("q1", _with(ref, deletion_curve_A=ref["deletion_curve_A"][1:]), ctx)
    assert r.status == "partial" and "step 0" in r.hint
    r = check("q1", _with(ref, deletion_curve_A=ref["deletion_curve_A"][::-1]), ctx)
    assert r.status == "partial" and r.score == pytest.approx(0.8)
    r = check("q1", _with(ref, insertion_auc=ref["deletion_auc"]), ctx)
    assert r.status == "partial" and "insertion starts" in r.hint
    # deletion in ascending order gives the insertion areas (reversed curves): recognised
    r = check("q1", _with(ref, deletion_auc=ctx.auc("deletion", mistake="ascending")), ctx)
    assert r.status == "partial" and "MOST important" in r.hint


def test_q2_mistakes(ref, ctx):
    for mistake, words in (("zero_baseline", "MEAN"), ("signed", "|attribution|")):
        wrong = _with(ref, credit_deletion_auc=ctx.auc("deletion", credit=True, mistake=mistake),
                      credit_insertion_auc=ctx.auc("insertion", credit=True, mistake=mistake))
        r = check("q2", wrong, ctx)
        assert r.score < 1 and words in r.hint, (mistake, r.hint)
    # the generated data's areas in place of credit's
    r = check("q2", _with(ref, credit_deletion_auc=ref["deletion_auc"],
                          credit_insertion_auc=ref["insertion_auc"]), ctx)
    assert r.status == "incorrect"


def test_q3_mistakes(ref, ctx):
    r = check("q3", _with(ref, stability=ctx.ref_stability(absolute=True)), ctx)
    assert r.score < 1 and "SIGNED" in r.hint
    pearson = {L: float(np.mean([np.corrcoef(a, b)[0, 1] for a, b in zip(
        ctx.attributions(L), ctx.attributions(L, "noisy"))])) for L in LETTERS}
    r = check("q3", _with(ref, stability=pearson), ctx)
    assert r.score < 1 and "Pearson" in r.hint
    r = check("q3", _with(ref, stability={L: 1.0 for L in LETTERS}), ctx)
    assert r.score < 1 and "noisy rows" in r.hint
    r = check("q3", _with(ref, stability={"A": 0.5}), ctx)
    assert r.status == "incorrect" and "no key" in r.feedback


def test_q3_credit_mistakes(ref, ctx):
    r = check("q3", _with(ref, credit_stability=ctx.ref_stability(absolute=True, credit=True)),
              ctx)
    assert r.status == "partial" and r.score < 1 and "SIGNED" in r.hint
    pearson = {L: float(np.mean([np.corrcoef(a, b)[0, 1] for a, b in zip(
        ctx.attributions(L, "credit"), ctx.attributions(L, "credit_noisy"))])) for L in LETTERS}
    r = check("q3", _with(ref, credit_stability=pearson), ctx)
    assert r.score < 1 and "Pearson" in r.hint
    r = check("q3", _with(ref, credit_stability=ctx.ref_credit_stability_unscaled()), ctx)
    assert r.score < 1 and "standard deviation" in r.hint
    r = check("q3", _with(ref, credit_stability={L: 1.0 for L in LETTERS}), ctx)
    assert r.score < 1 and "noisy rows" in r.hint
    # the generated data's stabilities in place of credit's: no credit point
    r = check("q3", _with(ref, credit_stability=ref["stability"]), ctx)
    assert r.status == "partial" and r.score == pytest.approx(2 / 3)
    r = check("q3", _with(ref, credit_stability=None), ctx)
    assert r.status == "partial" and r.score == pytest.approx(2 / 3) and "missing" in r.feedback
    r = check("q3", _with(ref, stability=None), ctx)
    assert r.status == "partial" and r.score == pytest.approx(1 / 3)
    for v in (ref["credit_stability"]["A"], ref["stability"]["A"]):
        assert str(round(v, 3)) not in r.feedback + r.hint


def test_q4_mistakes(ref, ctx):
    signed = _with(ref, model_randomisation=ctx.ref_randomisation("random_model", absolute=False),
                   label_randomisation=ctx.ref_randomisation("label_random", absolute=False))
    r = check("q4", signed, ctx)
    assert r.score < 1 and "|attributions|" in r.hint
    swapped = _with(ref, model_randomisation=ref["label_randomisation"],
                    label_randomisation=ref["model_randomisation"])
    r = check("q4", swapped, ctx)
    assert r.score < 1 and "ctx.random_model" in r.hint
    r = check("q4", _with(ref, label_randomisation=None), ctx)
    assert r.status == "partial" and r.score == pytest.approx(0.625)


def test_q4_credit_mistakes(ref, ctx):
    signed = _with(ref, credit_model_randomisation=ctx.ref_randomisation(
        "credit_random_model", absolute=False), credit_label_randomisation=ctx.ref_randomisation(
        "credit_label_random", absolute=False))
    r = check("q4", signed, ctx)
    assert r.status == "partial" and 0.75 <= r.score < 1 and "|attributions|" in r.hint
    swapped = _with(ref, credit_model_randomisation=ref["credit_label_randomisation"],
                    credit_label_randomisation=ref["credit_model_randomisation"])
    r = check("q4", swapped, ctx)
    assert r.score < 1 and "ctx.credit_random_model" in r.hint
    ones = {L: 1.0 for L in LETTERS}
    r = check("q4", _with(ref, credit_model_randomisation=ones), ctx)
    assert r.score < 1 and "DESTROYED" in r.hint and "ctx.credit_random_model" in r.hint
    r = check("q4", _with(ref, credit_model_randomisation=None, credit_label_randomisation=None),
              ctx)
    assert r.status == "partial" and r.score == pytest.approx(0.75) and "missing" in r.feedback
    # the generated data's similarities in place of credit's
    r = check("q4", _with(ref, credit_model_randomisation=ref["model_randomisation"],
                          credit_label_randomisation=ref["label_randomisation"]), ctx)
    assert r.score < 1
    for v in ref["credit_model_randomisation"].values():
        assert f"{v:.3f}" not in r.feedback + r.hint


def test_q5_mistakes(ref, ctx):
    ignorer = ctx.letter_of("correlation")
    shap_letter, lime_letter = ctx.letter_of("treeshap"), ctx.letter_of("lime")
    wrong = {L: "unfaithful" if L == shap_letter else "faithful" for L in LETTERS}
    r = check("q5", _with(ref, verdicts=wrong), ctx)
    assert r.status == "incorrect" and "randomised" in r.hint
    both = {L: "unfaithful" if L in (ignorer, lime_letter) else "faithful" for L in LETTERS}
    r = check("q5", _with(ref, verdicts=both), ctx)
    assert r.status == "partial" and "randomisations" in r.hint
    # right verdicts, but the candidate's own q4 numbers point elsewhere
    flipped = {L: 0.1 if L == ignorer else 1.0 for L in LETTERS}
    r = check("q5", _with(ref, model_randomisation=flipped, label_randomisation=flipped), ctx)
    assert r.status == "partial" and "q4" in r.hint
    # right verdicts, generated numbers fine, but the candidate's credit numbers point elsewhere
    r = check("q5", _with(ref, credit_model_randomisation=flipped,
                          credit_label_randomisation=flipped), ctx)
    assert r.status == "partial" and "both data sets" in r.hint
    # without credit numbers the generated ones decide alone
    r = check("q5", _with(ref, credit_model_randomisation=None, credit_label_randomisation=None),
              ctx)
    assert r.status == "correct"
    r = check("q5", _with(ref, verdicts={L: "maybe" for L in LETTERS}), ctx)
    assert r.status == "incorrect" and "one of" in r.feedback


# --- the metrics on cases with known answers ---------------------------------------------------

class Linear:
    """f(x) = w . x + c, with ``predict_proba``-like access for the curves."""

    def __init__(self, w, c=0.0):
        self.w, self.c = np.asarray(w, float), float(c)

    def __call__(self, Z):
        return np.asarray(Z, float) @ self.w + self.c


def test_deletion_insertion_closed_form_for_a_linear_model():
    """Exact SHAP values of a linear model with independent features are w_j (x_j - mu_j);
    deleting the top-k features (baseline mu) removes exactly their contributions."""
    rng = np.random.default_rng(1)
    w, mu = np.array([2.0, -1.0, 0.5, 0.0, 3.0]), rng.normal(size=5)
    X = rng.normal(size=(4, 5))
    f = Linear(w, 0.3)
    phi = w * (X - mu)
    dele = M.perturbation_curves(f, X, phi, mu, kind="deletion")
    ins = M.perturbation_curves(f, X, phi, mu, kind="insertion")
    for i in range(4):
        order = np.argsort(-np.abs(phi[i]), kind="stable")
        cum = np.r_[0.0, np.cumsum(phi[i][order])]
        np.testing.assert_allclose(dele[i], f(X[i:i + 1])[0] - cum, atol=1e-12)
        np.testing.assert_allclose(ins[i], f(mu[None])[0] + cum, atol=1e-12)
    assert dele.shape == (4, 6) and np.allclose(dele[:, -1], f(mu[None])[0])


def test_curve_area_of_known_shapes():
    assert M.curve_area(np.linspace(1, 0, 11)) == pytest.approx(0.5)
    assert M.curve_area(np.full(5, 0.3)) == pytest.approx(0.3)
    assert M.curve_area(np.array([1.0, 0.0, 0.0])) == pytest.approx(0.25)  # one step of 1/2
    assert M.curve_area(np.linspace(1, 0, 11), x="steps") == pytest.approx(5.0)
    np.testing.assert_allclose(M.curve_area(np.array([[0, 1.0], [1, 1]])), [0.5, 1.0])


def test_feature_order_ties_and_direction():
    a = np.array([[0.0, -2.0, 2.0, 1.0]])
    assert M.feature_order(a).tolist() == [[1, 2, 3, 0]]
    assert M.feature_order(a, rank="signed").tolist() == [[2, 3, 0, 1]]
    assert M.feature_order(a, descending=False).tolist() == [[0, 3, 1, 2]]


def test_rank_correlation_and_constant_explainer():
    assert M.rank_correlation([1, 2, 3], [10, 20, 30]) == pytest.approx(1.0)
    assert M.rank_correlation([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    const = np.ones((3, 4))
    # a constant explainer is perfectly stable and fails both sanity checks (similarity 1)
    assert M.stability(const, const) == 1.0
    assert M.randomisation_similarity(const, const) == 1.0
    assert M.rank_correlation([1, 1, 1], [1, 2, 3]) == 0.0


def test_explainers(ctx):
    from xaikit.faithfulness import CorrelationAttribution, randomise_leaves

    X = ctx.X_rows
    shap_letter = ctx.letter_of("treeshap")
    phi = ctx.explainers[shap_letter](ctx.model, X)
    margin = ctx.model.predict(X, output_margin=True)
    # local accuracy in log-odds: sum of the values = margin - a constant (the base value)
    assert np.ptp(phi.sum(1) - margin) < 1e-4
    c = ctx.explainers[ctx.letter_of("correlation")]
    np.testing.assert_array_equal(c(ctx.model, X), c(ctx.random_model, X))
    assert isinstance(c._method, CorrelationAttribution)
    lime = ctx.explainers[ctx.letter_of("lime")]
    np.testing.assert_array_equal(lime(ctx.model, X.iloc[:2]), lime(ctx.model, X.iloc[:2]))
    # the randomised model: same structure, other outputs, deterministic per seed
    r1, r2 = randomise_leaves(ctx.model, 0), randomise_leaves(ctx.model, 0)
    p0, p1 = ctx.model.predict_proba(X)[:, 1], r1.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(p1, r2.predict_proba(X)[:, 1])
    assert np.abs(p0 - p1).max() > 0.05
    assert len(r1.get_booster().get_dump()) == len(ctx.model.get_booster().get_dump())


def test_generated_data_matches_its_card():
    t = R.truth(3)
    frame = R.materialise(3)["synthetic"]
    assert frame.shape == (2000, 9) and set(frame["y"].unique()) == {0, 1}
    assert len(t["support"]) == 3 and t["decoy"] not in t["support"]
    assert 0.5 < frame[t["decoy"]].corr(frame[t["linear"][0]]) < 0.85
    others = [c for c in R.NAMES if c not in t["support"] and c != t["decoy"]]
    assert max(abs(frame[c].corr(frame["y"])) for c in others) < 0.1


def test_rows_and_letters(ctx):
    assert not set(ctx.rows) & set(ctx.explore_rows)
    assert not set(ctx.credit_rows) & set(ctx.credit_explore_rows)
    assert (ctx.model.predict_proba(ctx.X_rows)[:, 1] >= 0.5).all()
    assert sorted(ctx.methods.values()) == ["correlation", "lime", "treeshap"]


def test_public_context_carries_no_letter_to_method_map(ctx):
    """The mapping exists publicly (explainer_letters) but the context does not hand it out:
    no attribute of the public context is a dict naming the methods."""
    public = ctx.ctx
    assert not hasattr(public, "_methods")
    names = {"treeshap", "lime", "correlation"}
    for k, v in vars(public).items():
        assert not (isinstance(v, dict) and names & {str(x) for x in v.values()}), k


def test_credit_destroyed_models(ctx):
    """Credit's label-randomised model: the credit model's settings and 700 training rows, the
    labels permuted among them (same test rows), reproducible; the leaf-randomised model:
    same trees, other outputs."""
    from xaikit.exercises.explanation_quality.public import credit_label_random
    from xaikit.models import CREDIT_XGB_PARAMS

    credit, shuffled = ctx.credit, credit_label_random()
    assert shuffled.model is ctx.credit_label_random_model
    assert shuffled.X_train.index.equals(credit.X_train.index)
    assert shuffled.y_train.equals(credit.y_train) and shuffled.X_test.equals(credit.X_test)
    assert shuffled.model.get_params()["n_estimators"] == CREDIT_XGB_PARAMS["n_estimators"]
    same = np.sort(shuffled.X_train.to_numpy(), axis=0)
    np.testing.assert_array_equal(same, np.sort(credit.X_train.to_numpy(), axis=0))
    moved = (shuffled.X_train.to_numpy() != credit.X_train.to_numpy()).any(axis=1).mean()
    assert moved > 0.9  # the pairs (features, label) are permuted
    assert shuffled.card.metrics["test_auc"] < 0.65 < credit.card.metrics["test_auc"]
    X = ctx.X_credit_rows
    r = ctx.credit_random_model
    assert len(r.get_booster().get_dump()) == len(credit.model.get_booster().get_dump())
    assert np.abs(r.predict_proba(X)[:, 1] - credit.model.predict_proba(X)[:, 1]).max() > 0.05


def test_widget_controls_update(ctx):
    """Each control change redraws (speed: ``benchmarks/widget_latency.py``, not a timed
    assert); the data toggle swaps the row and feature lists."""
    from xaikit.widgets.faithfulness import FaithfulnessExplorer

    w = FaithfulnessExplorer(ctx.ctx)
    summaries = []
    for f in ("x2", "x5"):
        w.feature.value = f
        summaries.append(w.summary.value)
        assert f in w.summary.value and w.last_update_ms is not None
    assert summaries[0] != summaries[1]
    w.data.value = "German credit"
    assert w.feature.value == "checking_status" and "German credit" in w.summary.value
    assert set(w.row.options[i][1] for i in range(len(w.row.options))) == \
        set(ctx.credit_explore_rows)
