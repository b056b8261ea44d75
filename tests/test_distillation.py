"""Every check of distillation, three ways: reference passes, known wrong answers fail with the
right hint, the untouched placeholder is not attempted. Plus the computation module."""
import numpy as np
import pytest
from sklearn.metrics import r2_score
from sklearn.tree import DecisionTreeRegressor

from xaikit import distill as D
from xaikit.answers import roundtrip
from xaikit.questions import context_for, get_exercise, run_check
from xaikit.questions.distillation import LABEL_FIDELITY_HINT

EX = get_exercise("distillation")


@pytest.fixture(scope="module")
def ctx():
    return context_for("distillation", 0)


@pytest.fixture(scope="module")
def ref(ctx):
    """Reference answers computed the way the solution notebook does (plain sklearn)."""
    t_fit, t_eval = ctx.teacher.predict(ctx.X_fit), ctx.teacher.predict(ctx.X_eval)
    trees = {d: DecisionTreeRegressor(max_depth=d, random_state=ctx.seed).fit(ctx.X_fit, t_fit)
             for d in ctx.depths}
    fid = np.array([r2_score(t_eval, trees[d].predict(ctx.X_eval)) for d in ctx.depths])
    depth = next(d for d, f in zip(ctx.depths, fid) if f >= ctx.target)
    pred = trees[depth].predict(ctx.X_eval)
    g = np.asarray(ctx.subgroups)
    sub = {k: float(r2_score(t_eval[g == k], pred[g == k])) for k in sorted(set(g))}
    return {"fidelity": fid, "depth3_pred": trees[3].predict(ctx.X_eval),
            "chosen_depth": depth, "subgroup_fidelity": sub,
            "worst_subgroup": min(sub, key=sub.get)}


def check(qid, answers, ctx):
    return run_check(EX.question(qid), {k: roundtrip(v) for k, v in answers.items()}, ctx)


@pytest.mark.parametrize("qid", [q.id for q in EX.questions if q.kind == "auto"])
def test_reference_answer_is_correct(qid, ref, ctx):
    r = check(qid, ref, ctx)
    assert (r.status, r.score) == ("correct", 1.0), r.feedback


@pytest.mark.parametrize("qid", [q.id for q in EX.questions if q.kind == "auto"])
def test_placeholder_is_not_attempted(qid, ctx):
    q = EX.question(qid)
    assert check(qid, {n: None for n in q.answers}, ctx).status == "not_attempted"
    assert run_check(q, {}, ctx).status == "not_attempted"


# --- q1 ---------------------------------------------------------------------------------------

def test_q1_fidelity_against_labels_fails_saying_why(ref, ctx):
    t_fit = ctx.teacher.predict(ctx.X_fit)
    acc = [r2_score(ctx.y_eval, DecisionTreeRegressor(max_depth=d, random_state=ctx.seed)
                    .fit(ctx.X_fit, t_fit).predict(ctx.X_eval)) for d in ctx.depths]
    r = check("q1", {"fidelity": acc}, ctx)
    assert r.status == "incorrect"
    assert "labels" in r.feedback and r.hint == LABEL_FIDELITY_HINT
    assert "mimics the model" in r.hint


def test_q1_surrogate_fit_to_labels(ctx):
    y_fit = ctx.trained.y_train.loc[ctx.fit_rows]
    t_eval = ctx.teacher.predict(ctx.X_eval)
    f = [r2_score(t_eval, DecisionTreeRegressor(max_depth=d, random_state=ctx.seed)
                  .fit(ctx.X_fit, y_fit).predict(ctx.X_eval)) for d in ctx.depths]
    r = check("q1", {"fidelity": f}, ctx)
    assert r.status == "incorrect" and "not the labels" in r.hint


def test_q1_depth3_surrogate_fit_to_labels_is_caught(ref, ctx):
    y_fit = ctx.trained.y_train.loc[ctx.fit_rows]
    pred = DecisionTreeRegressor(max_depth=3, random_state=ctx.seed).fit(
        ctx.X_fit, y_fit).predict(ctx.X_eval)
    r = check("q1", {**ref, "depth3_pred": pred}, ctx)
    assert r.status == "partial" and abs(r.score - 0.7) < 1e-9
    assert "fit to the labels" in r.feedback and "not the labels" in r.hint


def test_q1_depth3_fit_on_all_training_rows(ref, ctx):
    X = ctx.trained.X_train
    pred = DecisionTreeRegressor(max_depth=3, random_state=ctx.seed).fit(
        X, ctx.teacher.predict(X)).predict(ctx.X_eval)
    r = check("q1", {**ref, "depth3_pred": pred}, ctx)
    assert r.status == "partial" and "FIT_ROWS" in r.hint


def test_q1_in_sample_fidelity(ctx):
    t_fit = ctx.teacher.predict(ctx.X_fit)
    f = [r2_score(t_fit, DecisionTreeRegressor(max_depth=d, random_state=ctx.seed)
                  .fit(ctx.X_fit, t_fit).predict(ctx.X_fit)) for d in ctx.depths]
    r = check("q1", {"fidelity": f}, ctx)
    assert r.status == "incorrect" and "held-out" in r.hint


def test_q1_swapped_r2_arguments(ctx):
    f = [r2_score(s.predict(ctx.X_eval), ctx.teacher_eval) for s in ctx.curve.surrogates]
    r = check("q1", {"fidelity": f}, ctx)
    assert r.status == "incorrect" and "not symmetric" in r.hint


def test_q1_partly_right(ref, ctx):
    f = np.array(ref["fidelity"])
    f[-2:] += 0.05
    r = check("q1", {"fidelity": f}, ctx)
    assert r.status == "partial" and "7, 8" in r.feedback


def test_q1_other_variant_fails(ctx):
    other = context_for("distillation", 1)
    r = check("q1", {"fidelity": other.curve.fidelity}, ctx)
    assert r.status != "correct"


def test_q1_wrong_length_is_a_format_error(ctx):
    r = check("q1", {"fidelity": np.zeros(7), "depth3_pred": None}, ctx)
    assert r.status == "incorrect" and "shape" in r.feedback


# --- q2 ---------------------------------------------------------------------------------------

def test_q2_depth_by_accuracy_fails_saying_why(ctx):
    by_acc = D.smallest_depth(ctx.depths, ctx.curve.accuracy, ctx.target)
    assert by_acc != ctx.ref_depth
    r = check("q2", {"chosen_depth": by_acc, "fidelity": None}, ctx)
    assert r.status == "incorrect" and "labels" in r.feedback


def test_q2_off_by_one(ctx):
    r = check("q2", {"chosen_depth": ctx.ref_depth - 1}, ctx)
    assert r.status == "incorrect" and "Off by one" in r.feedback


def test_q2_fraction_is_a_format_error(ctx):
    r = check("q2", {"chosen_depth": 4.5}, ctx)
    assert r.status == "incorrect" and "whole number" in r.feedback


# --- q3 ---------------------------------------------------------------------------------------

def test_q3_wrong_worst_is_half(ref, ctx):
    other = next(k for k in ref["subgroup_fidelity"] if k != ref["worst_subgroup"])
    r = check("q3", {**ref, "worst_subgroup": other}, ctx)
    assert r.status == "partial" and r.score == 0.5 and "lowest fidelity" in r.hint


def test_q3_subgroups_against_labels(ref, ctx):
    g = np.asarray(ctx.subgroups)
    pred = ctx.curve.surrogate(ctx.ref_depth).predict(ctx.X_eval)
    sub = {k: r2_score(ctx.y_eval[g == k], pred[g == k]) for k in ref["subgroup_fidelity"]}
    r = check("q3", {**ref, "subgroup_fidelity": sub}, ctx)
    assert r.status == "partial" and r.hint == LABEL_FIDELITY_HINT


def test_q3_subgroups_at_another_depth(ref, ctx):
    sub = ctx.subgroup_fidelity(ctx.ref_depth + 1)
    r = check("q3", {**ref, "subgroup_fidelity": sub}, ctx)
    assert r.status == "partial" and "chosen depth" in r.hint


def test_q3_missing_label_is_a_format_error(ref, ctx):
    sub = dict(list(ref["subgroup_fidelity"].items())[1:])
    r = check("q3", {**ref, "subgroup_fidelity": sub}, ctx)
    assert r.status == "incorrect" and "missing" in r.feedback


# --- computation --------------------------------------------------------------------------------

def test_fidelity_is_r2_against_teacher():
    t = np.array([1.0, 2.0, 3.0, 4.0])
    assert D.fidelity(t, t) == 1.0
    assert D.fidelity(t, np.full(4, t.mean())) == 0.0


def test_rules_text_names_features(ctx):
    text = D.rules_text(ctx.curve.surrogate(2), ctx.feature_names)
    assert "hr" in text and "value" in text


def test_subgroup_fidelity_labels(ctx):
    sf = ctx.subgroup_fidelity()
    assert set(sf) == set(np.asarray(ctx.subgroups))
