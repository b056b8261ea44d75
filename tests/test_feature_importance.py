"""Every check of feature_importance, three ways: reference passes, known wrong answers fail
with the right hint, the untouched placeholder is not attempted. References are computed here the
way the solution notebook does (with scikit-learn and shap), not taken from the context."""
import numpy as np
import pytest
import shap
from sklearn.inspection import permutation_importance

from xaikit.answers import roundtrip
from xaikit.questions import context_for, get_exercise, run_check
from xaikit.questions.feature_importance import GROUP

EX = get_exercise("feature_importance")
AUTO = [q.id for q in EX.questions if q.kind == "auto"]


@pytest.fixture(scope="module")
def ctx():
    return context_for("feature_importance", 0)


def _pi(ctx, X, y, **kw):
    kw = {"scoring": "neg_mean_absolute_error", "n_repeats": ctx.n_repeats,
          "random_state": ctx.pi_seed, **kw}
    return permutation_importance(ctx.model, X, y, **kw)


@pytest.fixture(scope="module")
def ref(ctx):
    sv = shap.TreeExplainer(ctx.model).shap_values(ctx.X_shap)
    r_train = _pi(ctx, ctx.X_pi_train, ctx.y_pi_train)
    r_test = _pi(ctx, ctx.X_pi_test, ctx.y_pi_test)
    X, y = ctx.X_pi_test, np.asarray(ctx.y_pi_test)
    rng = np.random.default_rng(ctx.pi_seed)
    base = np.mean(np.abs(y - ctx.model.predict(X)))
    drops = []
    for _ in range(ctx.n_repeats):
        idx = rng.permutation(len(X))
        Xp = X.copy()
        Xp[list(GROUP)] = X[list(GROUP)].to_numpy()[idx]
        drops.append(np.mean(np.abs(y - ctx.model.predict(Xp))) - base)
    names = list(ctx.X_train.columns)
    m, sd = r_test.importances_mean, r_test.importances_std
    noise = [c for c in ctx.joined if m[names.index(c)] <= 2 * sd[names.index(c)]]
    return {"mdi": ctx.model.feature_importances_, "mean_abs_shap": np.abs(sv).mean(0),
            "_sv": sv, "perm_train": r_train.importances, "perm_test": r_test.importances,
            "noise_features": noise, "group_importance": float(np.mean(drops)), "_names": names}


def check(qid, answers, ctx):
    q = EX.question(qid)
    return run_check(q, {k: roundtrip(answers[k]) for k in q.answers}, ctx)


def _with(ref, **changes):
    return {**ref, **changes}


@pytest.mark.parametrize("qid", AUTO)
def test_reference_answer_is_correct(qid, ref, ctx):
    r = check(qid, ref, ctx)
    assert (r.status, r.score) == ("correct", 1.0), r.feedback


@pytest.mark.parametrize("qid", AUTO)
def test_placeholder_is_not_attempted(qid, ctx):
    q = EX.question(qid)
    assert check(qid, {n: None for n in q.answers}, ctx).status == "not_attempted"
    assert run_check(q, {}, ctx).status == "not_attempted"


def test_the_evidence_rule_finds_exactly_the_planted_noise(ref, ctx):
    assert set(ref["noise_features"]) == set(ctx.planted)


def test_noise_answer_of_another_variant_fails(ref):
    other = context_for("feature_importance", 6)  # other planted names
    assert check("q3", ref, other).status == "incorrect"


# --- q1 ---------------------------------------------------------------------------------------

def test_q1_signed_shap_mean_is_recognised(ref, ctx):
    r = check("q1", _with(ref, mean_abs_shap=ref["_sv"].mean(0)), ctx)
    assert r.status == "partial" and r.score == 0.5 and "np.abs" in r.hint


def test_q1_sum_instead_of_mean_is_recognised(ref, ctx):
    r = check("q1", _with(ref, mean_abs_shap=np.abs(ref["_sv"]).sum(0)), ctx)
    assert r.status == "partial" and "Divide" in r.hint


def test_q1_permutation_instead_of_mdi_fails(ref, ctx):
    r = check("q1", _with(ref, mdi=ref["perm_test"].mean(1)), ctx)
    assert r.status == "partial" and "feature_importances_" in r.hint


def test_q1_series_by_name_is_accepted(ref, ctx):
    import pandas as pd

    s = pd.Series(ref["mdi"], index=ref["_names"]).sort_values()  # other order, named
    r = check("q1", _with(ref, mdi=s), ctx)
    assert r.status == "correct"


# --- q2 ---------------------------------------------------------------------------------------

def test_q2_swapped_train_and_test_is_recognised(ref, ctx):
    r = check("q2", _with(ref, perm_train=ref["perm_test"], perm_test=ref["perm_train"]), ctx)
    assert r.status == "incorrect" and "swapped" in r.hint


def test_q2_other_seed_is_recognised(ref, ctx):
    other = _pi(ctx, ctx.X_pi_test, ctx.y_pi_test, random_state=ctx.pi_seed + 1).importances
    r = check("q2", _with(ref, perm_test=other), ctx)
    assert r.status == "partial" and r.score == 0.5 and "PI_SEED" in r.hint


def test_q2_default_r2_scoring_is_recognised(ref, ctx):
    r2 = _pi(ctx, ctx.X_pi_test, ctx.y_pi_test, scoring=None).importances
    r = check("q2", _with(ref, perm_test=r2), ctx)
    assert r.status == "partial" and "neg_mean_absolute_error" in r.hint


def test_q2_means_only_get_partial_credit(ref, ctx):
    r = check("q2", _with(ref, perm_train=ref["perm_train"].mean(1),
                          perm_test=ref["perm_test"].mean(1)), ctx)
    assert r.status == "partial" and r.score == 0.5 and "importances" in r.hint


def test_q2_transposed_is_a_format_error(ref, ctx):
    r = check("q2", _with(ref, perm_test=ref["perm_test"].T), ctx)
    assert r.status == "incorrect" and "transposed" in r.feedback


# --- q3 ---------------------------------------------------------------------------------------

def test_q3_informative_joined_column_is_rejected(ref, ctx):
    flag = (set(ctx.joined) - set(ctx.planted)).pop()
    r = check("q3", _with(ref, noise_features=list(ctx.joined)), ctx)
    assert r.status == "incorrect" and "real accuracy" in r.hint and flag not in r.feedback


def test_q3_real_feature_is_rejected(ref, ctx):
    r = check("q3", _with(ref, noise_features=[*ctx.planted, "holiday"]), ctx)
    assert r.status == "incorrect" and "UCI" in r.hint


def test_q3_missing_id_gets_the_mdi_hint(ref, ctx):
    r = check("q3", _with(ref, noise_features=[ctx.planted[1]]), ctx)
    assert r.status == "partial" and r.score == 0.5 and "MDI" in r.hint


def test_q3_unknown_name_is_a_format_error(ref, ctx):
    r = check("q3", _with(ref, noise_features=["record id"]), ctx)
    assert r.status == "incorrect" and "unknown" in r.feedback


# --- q4 ---------------------------------------------------------------------------------------

def _single(ref, f):
    return float(ref["perm_test"][ref["_names"].index(f)].mean())


def test_q4_sum_of_singles_is_recognised(ref, ctx):
    r = check("q4", _with(ref, group_importance=_single(ref, "temp") + _single(ref, "atemp")),
              ctx)
    assert r.status == "incorrect" and "ONE row order" in r.hint


def test_q4_one_column_only_is_recognised(ref, ctx):
    r = check("q4", _with(ref, group_importance=_single(ref, "atemp")), ctx)
    assert r.status == "incorrect" and "both" in r.hint


def test_q4_r2_scale_is_recognised(ref, ctx):
    r = check("q4", _with(ref, group_importance=0.12), ctx)
    assert r.status == "incorrect" and "rentals per hour" in r.hint


def test_q4_another_seed_is_accepted_and_repeats_array_too(ref, ctx):
    from xaikit.importance import group_permutation

    other = group_permutation(ctx.model, ctx.X_pi_test, ctx.y_pi_test, list(GROUP),
                              n_repeats=ctx.n_repeats, seed=12345)
    assert check("q4", _with(ref, group_importance=float(other.mean())), ctx).status == "correct"
    assert check("q4", _with(ref, group_importance=other), ctx).status == "correct"
