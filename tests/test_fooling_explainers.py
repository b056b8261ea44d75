"""Every check of fooling_explainers, three ways (reference passes, known wrong answers fail
with the right hint, placeholder -> not_attempted), plus unit tests of the black-box format,
the planted scaffold (Slack et al. 2020) and the reference methods on cases with known answers."""
import numpy as np
import pandas as pd
import pytest

from xaikit.exercises import graded_exercise, reference_context
from xaikit.exercises.fooling_explainers.grader import references as R
from xaikit.exercises.fooling_explainers.grader import scaffold as S
from xaikit.exercises.fooling_explainers.public import CONTROLS, SENSITIVE, VERDICTS
from xaikit.fooling import NodeTableModel, non_integer_count, record_calls
from three_way import three_way

EX = graded_exercise("fooling_explainers")
check, test_reference_answer_is_correct, test_placeholder_is_not_attempted = \
    three_way(EX)


@pytest.fixture(scope="module")
def ctx():
    return reference_context("fooling_explainers", 0)


@pytest.fixture(scope="module")
def ref(ctx):
    q1 = ctx.ref_q1
    return {"lime_top": q1["lime_top"], "shap_top": q1["shap_top"],
            "sensitive_share": q1["sensitive_share"], "flip_rates": dict(ctx.ref_flip_rates),
            **ctx.ref_ood, "verdict": VERDICTS[1]}


def _with(ref, **changes):
    out = dict(ref)
    out.update(changes)
    return out


def test_q1_signed_top_and_raw_share(ref, ctx):
    q1 = ctx.ref_q1
    names = ctx.feature_names
    signed = [names[int(np.argmax(w))] for w in q1["lime_weights"]]
    if signed != q1["lime_top"]:
        r = check("q1", _with(ref, lime_top=signed), ctx)
        assert r.status == "partial" and "absolute" in r.hint
    j = names.index(SENSITIVE)
    raw = np.array([np.abs(q1["lime_weights"][:, j]), np.abs(q1["shap_values"][:, j])])
    r = check("q1", _with(ref, sensitive_share=raw), ctx)
    assert r.status == "partial" and "Divide" in r.hint
    r = check("q1", _with(ref, lime_top=[SENSITIVE] * 5, shap_top=[SENSITIVE] * 5,
                          sensitive_share=np.ones((2, 5)) * 0.5), ctx)
    assert r.status == "incorrect"


def test_q2_wrong_answers(ref, ctx):
    X, m = ctx.X_test, ctx.model
    changed = m.predict(X) != m.predict(R.flip(X, SENSITIVE))
    women = (X[SENSITIVE] == 1).to_numpy()
    cases = {"count": (float(changed.sum()), "not a count"),
             "women only": (float(changed[women].mean()), "every row"),
             "probabilities": (float(np.mean(m.predict_proba(R.flip(X, SENSITIVE))[:, 1]
                                             != m.predict_proba(X)[:, 1])), "DECISIONS")}
    for name, (v, hint) in cases.items():
        if name == "count":  # a count is out of range: a format error, not a hint
            r = check("q2", _with(ref, flip_rates={**ref["flip_rates"], SENSITIVE: v}), ctx)
            assert r.status in ("invalid", "incorrect", "partial"), name
            continue
        r = check("q2", _with(ref, flip_rates={**ref["flip_rates"], SENSITIVE: v}), ctx)
        assert r.status == "partial" and hint in r.hint, (name, r.hint)
    r = check("q2", _with(ref, flip_rates={**ref["flip_rates"], CONTROLS[0]: 0.5}), ctx)
    assert r.status == "partial" and "control" in r.hint


def test_q3_wrong_answers(ref, ctx):
    r = check("q3", _with(ref, ood_share_lime=1 - ref["ood_share_lime"],
                          ood_share_real=1 - ref["ood_share_real"]), ctx)
    assert r.status == "incorrect" and "PERTURBED" in r.hint
    r = check("q3", _with(ref, ood_share_lime=0.06, ood_share_real=0.07), ctx)  # IsolationForest
    assert r.status == "incorrect" and "domain classifier" in r.hint
    r = check("q3", _with(ref, ood_share_real=0.5), ctx)
    assert r.status == "partial" and "X_test" in r.hint


@pytest.mark.parametrize("v", [VERDICTS[0], VERDICTS[2], VERDICTS[3]])
def test_q4_wrong_verdicts(v, ref, ctx):
    r = check("q4", _with(ref, verdict=v), ctx)
    assert r.status == "incorrect" and r.hint


def test_feedback_never_reveals_the_expected_value(ref, ctx):
    wrong = _with(ref, flip_rates={f: 0.9 for f in ref["flip_rates"]}, ood_share_lime=0.1)
    for qid in ("q2", "q3"):
        r = check(qid, wrong, ctx)
        text = f"{r.feedback} {r.hint}"
        for v in list(ctx.ref_flip_rates.values()) + list(ctx.ref_ood.values()):
            assert f"{v:.2f}" not in text and f"{v:.3f}" not in text


# --- units: the node-table black box, the scaffold, the reference methods ------------------

def test_node_table_model_on_a_hand_made_tree():
    nodes = pd.DataFrame({"feature": ["a", "", "n_non_integer", "", ""],
                          "threshold": [1.0, np.nan, 0.5, np.nan, np.nan],
                          "left": [1, -1, 3, -1, -1], "right": [2, -1, 4, -1, -1],
                          "p1": [np.nan, 0.1, np.nan, 0.9, 0.3]})
    m = NodeTableModel(nodes, ["a", "b"])
    X = np.array([[0.0, 5.0], [2.0, 5.0], [2.0, 5.5], [1.0, 0.0]])
    assert np.allclose(m.predict_proba(X)[:, 1], [0.1, 0.9, 0.3, 0.1])
    assert m.predict(X).tolist() == [0, 1, 0, 0]
    assert non_integer_count(X).tolist() == [0, 0, 1, 0]
    with pytest.raises(ValueError):
        NodeTableModel(nodes.assign(feature=["zz", "", "", "", ""]), ["a", "b"])


def test_scaffold_routes_real_rows_to_the_biased_model(ctx):
    """On whole-valued rows the black box equals the biased rule; on rows with a non-whole
    value, the innocuous rule (the planted truth of Slack et al.'s attack)."""
    X = ctx.X_test
    conds = S.model_conditions(ctx.variant)

    def rule(Z, cs):
        score = sum(((Z[f] > lo) & (Z[f] <= hi)).astype(int) for f, lo, hi in cs)
        return np.array(S.P_BY_SCORE)[score.to_numpy()]

    assert np.allclose(ctx.model.predict_proba(X)[:, 1], rule(X, conds["biased"]))
    Z = X.copy()
    Z["age_years"] += 0.25
    assert np.allclose(ctx.model.predict_proba(Z)[:, 1], rule(Z, conds["innocuous"]))
    assert S.innocuous_feature(ctx.variant) in S.INNOCUOUS


def test_flip_and_share_helpers_on_known_cases():
    X = pd.DataFrame({SENSITIVE: [0.0, 1.0, 2.0, 3.0], "telephone": [0.0, 1.0, 1.0, 0.0]})
    assert R.flip(X, SENSITIVE)[SENSITIVE].tolist() == [1.0, 2.0, 1.0, 1.0]
    assert R.flip(X, "telephone")["telephone"].tolist() == [1.0, 0.0, 0.0, 1.0]
    assert R.share_of([1.0, -3.0], 1) == 0.75 and R.share_of([0.0, 0.0], 0) == 0.0


def test_recorder_keeps_lime_samples(ctx):
    rec = record_calls(ctx.model.predict_proba)
    p = rec(ctx.X_test.iloc[:3])
    assert rec.rows.shape == (3, 20) and p.shape == (3, 2)
    w, samples = R.lime_run(ctx, ctx.X_audit.iloc[0], num_samples=200)
    assert samples.shape == (200, 20)
    assert np.allclose(samples[0], ctx.X_audit.iloc[0].to_numpy(float))  # LIME's first row
