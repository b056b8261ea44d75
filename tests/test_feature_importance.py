"""Every check of feature_importance, three ways: reference passes, known wrong answers fail
with the right hint, the untouched placeholder is not attempted. References are computed here the
way the solution notebook does (with scikit-learn and shap), not taken from the context."""
import numpy as np
import pytest
import shap
from scipy.stats import spearmanr
from sklearn.inspection import permutation_importance

from xaikit.exercises import graded_exercise, reference_context
from xaikit.exercises.feature_importance.public import GROUP
from three_way import three_way

EX = graded_exercise("feature_importance")
check, test_reference_answer_is_correct, test_placeholder_is_not_attempted = \
    three_way(EX)
@pytest.fixture(scope="module")
def ctx():
    """The grader's context (public context + references) of variant 0."""
    return reference_context("feature_importance", 0)


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
    m = r_test.importances_mean
    # q3's stated rule: no relation to rentals beyond chance (Spearman p >= 0.001), no held-out
    # gain for the model (mean held-out permutation importance below 1 rental per hour)
    unrelated = {c: spearmanr(ctx.X_train[c], ctx.trained.y_train)[1] >= 1e-3 for c in ctx.joined}
    noise = [c for c in ctx.joined if unrelated[c] and m[names.index(c)] < 1.0]
    return {"mdi": ctx.model.feature_importances_, "mean_abs_shap": np.abs(sv).mean(0),
            "_sv": sv, "perm_train": r_train.importances, "perm_test": r_test.importances,
            "noise_features": noise, "group_importance": float(np.mean(drops)), "_names": names}


def _with(ref, **changes):
    return {**ref, **changes}


def test_the_evidence_rule_finds_exactly_the_planted_noise(ref, ctx):
    assert set(ref["noise_features"]) == set(ctx.planted)


def test_noise_answer_of_another_variant_fails(ref):
    other = reference_context("feature_importance", 6)  # other planted names
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
    assert r.status == "incorrect" and "related to rentals" in r.hint and flag not in r.feedback
    # a redundant column (a drop-column check finds the model does as well without it) is
    # still not pure noise: the hint says which property the question means
    assert "redundant" in r.hint and "no relation to the target" in r.hint


def test_q3_is_compared_as_a_set(ref, ctx):
    truth = list(ctx.planted)
    for answer in (truth[::-1], tuple(truth), np.array(truth), truth + truth[:1]):
        assert check("q3", _with(ref, noise_features=answer), ctx).status == "correct"


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
    from xaikit.exercises.feature_importance.grader import group_permutation

    other = group_permutation(ctx.model, ctx.X_pi_test, ctx.y_pi_test, list(GROUP),
                              n_repeats=ctx.n_repeats, seed=12345)
    assert check("q4", _with(ref, group_importance=float(other.mean())), ctx).status == "correct"
    assert check("q4", _with(ref, group_importance=other), ctx).status == "correct"


def test_q4_index_aligned_assignment_is_recognised(ref, ctx):
    """Assigning ``X[GROUP].iloc[idx]`` (a DataFrame) aligns by index: nothing moves, 0 exactly."""
    X, y = ctx.X_pi_test, np.asarray(ctx.y_pi_test)
    rng = np.random.default_rng(ctx.pi_seed)
    base = np.mean(np.abs(y - ctx.model.predict(X)))
    drops = []
    for _ in range(ctx.n_repeats):
        idx = rng.permutation(len(X))
        Xp = X.copy()
        Xp[list(GROUP)] = X[list(GROUP)].iloc[idx]
        drops.append(np.mean(np.abs(y - ctx.model.predict(Xp))) - base)
    assert float(np.mean(drops)) == 0.0
    r = check("q4", _with(ref, group_importance=float(np.mean(drops))), ctx)
    assert r.status == "incorrect" and "index" in r.hint and "to_numpy()[idx]" in r.hint
    assert "scale" not in r.feedback


def test_q4_hints_and_protocol_never_recommend_iloc_assignment(ref, ctx):
    from xaikit.exercises.feature_importance import grader

    advice = [*EX.question("q4").hints, grader.group_permutation.__doc__.split("(a numpy")[0]]
    for wrong in (_single(ref, "atemp"), 9999.0):  # one column only; off protocol
        advice.append(check("q4", _with(ref, group_importance=wrong), ctx).hint)
    for text in advice:
        assert ".iloc[idx]" not in text, text
    assert any("to_numpy()[idx]" in text for text in advice)


# --- the public / grader boundary -------------------------------------------------------------

def test_public_context_holds_no_planted_truth():
    import re
    from pathlib import Path

    import xaikit
    from xaikit.exercises import context_for
    from xaikit.exercises.feature_importance import grader

    pub = context_for("feature_importance", 0)
    assert not hasattr(pub, "planted") and not hasattr(pub, "ref_group")
    assert tuple(sorted(pub.joined)) == pub.joined
    root = Path(xaikit.__file__).parent
    names = grader.JOINED_NAMES
    for rel in ("models.py", "importance.py", "exercises/feature_importance/public.py",
                "widgets/importance.py"):
        text = (root / rel).read_text()
        assert not re.search(r"^\s*(from|import)\s+\S*grader", text, re.M), rel
        assert not [n for n in names if n in text], rel
        for fn in ("def mdi", "def permutation(", "def group_permutation", "def mean_abs_shap"):
            assert fn not in text, (rel, fn)


def test_explorer_shows_the_model_not_the_answers(ref, ctx):
    from xaikit.exercises.feature_importance.public import explorer_importances

    res = explorer_importances(ctx.ctx, cache=False)
    assert set(res) == {"mdi", "perm_train", "perm_test", "shap"}
    for r in res.values():  # the joined columns (q3) are never shown
        assert r.feature_names == ctx.ctx.original_features and len(r.feature_names) == 12
    assert not set(ctx.ctx.explore_test_positions) & set(ctx.test_positions)
    assert not set(ctx.ctx.explore_train_positions) & set(ctx.train_positions)
    cols = [ref["_names"].index(f) for f in ctx.ctx.original_features]
    assert not np.allclose(res["mdi"].mean, ref["mdi"][cols], atol=1e-6)
    assert not np.allclose(res["perm_test"].mean, ref["perm_test"].mean(1)[cols], atol=1e-3)
    assert not np.allclose(res["shap"].mean, ref["mean_abs_shap"][cols], atol=1e-3)
    again = explorer_importances(ctx.ctx)  # through the JSON cache: same numbers
    assert all(np.array_equal(again[k].mean, res[k].mean) for k in res)


# --- the notebook's text ---------------------------------------------------------------------

def _markdown(qid):
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).parents[1] / "solutions" / EX.notebook).read_text())
    return next("".join(c["source"]) for c in nb["cells"]
                if c["cell_type"] == "markdown" and "".join(c["source"]).startswith(f"## {qid} "))


def test_q3_says_which_property_pure_noise_means():
    text = " ".join(_markdown("q3").split())
    assert "generated independently of rentals" in text
    assert "no statistical relation to the target" in text
    assert "redundant, **not** pure noise" in text  # a drop-column argument does not apply
    assert "the order does not matter" in text


def test_q4_protocol_assigns_a_numpy_array():
    text = " ".join(_markdown("q4").split())
    assert "X_PI_TEST[GROUP].to_numpy()[idx]" in text and ".iloc[idx]" not in text


# --- review items 6-9: neutral names, the stated q3 rule, notes cells, the explorer's binding --

#: Name parts that would tell a joined column's role (an ID, a version, a time or a peak).
TELLING = {"id", "no", "nr", "num", "key", "row", "record", "ticket", "log", "msg", "batch",
           "version", "app", "hour", "hr", "time", "peak", "rush", "busy", "commute", "tariff",
           "flag", "noise", "random"}


def test_joined_names_come_from_one_neutral_pool_whatever_the_role():
    from xaikit.exercises.feature_importance import grader

    pool = set(grader.JOINED_NAMES)
    assert not [n for n in pool if set(n.split("_")) & TELLING]
    by_role = [set(), set(), set()]
    for v in range(40):
        names = grader.joined_names(v)
        assert len(set(names)) == 3 and set(names) <= pool
        assert grader.planted_columns(v) == names[:2]
        for role, n in enumerate(names):
            by_role[role].add(n)
    # roles are drawn independently of the names: no name is tied to one role
    assert by_role[0] & by_role[1] & by_role[2]
    assert all(len(r) >= 6 for r in by_role)


def test_the_id_column_is_recognisable_by_its_values_only():
    from xaikit.exercises.feature_importance import grader

    for v in (0, 6):
        joined = grader.materialise(v)["joined"]
        id_name, code_name, flag_name = grader.joined_names(v)
        assert set(joined.columns) == {id_name, code_name, flag_name}
        assert joined[id_name].nunique() == len(joined)           # a distinct value per row
        assert joined[code_name].nunique() <= 6 and joined[flag_name].nunique() == 2
    text = " ".join(_markdown("q5").split())
    assert "One joined column is a record ID (a distinct value in every row)" in text


def test_q3_states_the_exact_rule_and_it_finds_the_planted_columns(ref, ctx):
    from xaikit.exercises.feature_importance import grader

    text = " ".join(_markdown("q3").split())
    for vague in ("against what chance gives", "within its spread of 0"):
        assert vague not in text, vague
    for needle in ("scipy.stats.spearmanr(X_train[c], y_train)", "**p-value ≥ 0.001**",
                   "`perm_test[j].mean()`", "**below 1 rental per hour**"):
        assert needle in text, needle
    assert (grader.NOISE_P_MIN, grader.NOISE_MAX_HELDOUT) == (1e-3, 1.0)
    assert set(ctx.ref_noise_by_rule) == set(ctx.planted) == set(ref["noise_features"])


def test_q2_open_question_has_an_ungraded_notes_cell():
    import json
    from pathlib import Path

    text = " ".join(_markdown("q2").split())
    assert "**not graded**" in text and "notes cell below" in text
    nb = json.loads((Path(__file__).parents[1] / "solutions" / EX.notebook).read_text())
    cells = ["".join(c["source"]) for c in nb["cells"]]
    i = next(i for i, c in enumerate(cells) if c.startswith("## q2 "))
    assert cells[i + 2].startswith("**Notes q2 (not graded)**")
    assert "<!-- BEGIN SOLUTION -->" not in cells[i + 2]


def test_interviewer_guide_evidence_mentions_the_relation_to_rentals():
    import json
    from pathlib import Path

    path = Path(__file__).parents[1] / "notebooks" / "interviewer" / \
        "03_feature_importance_guide.ipynb"
    text = " ".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"])
    bullet = " ".join(next(b for b in text.split("\n- ") if b.startswith("For the noise")).split())
    assert "no relation to rentals" in bullet and "p-value ≥ 0.001" in bullet
    assert "below 1 rental per hour" in bullet


def test_no_function_of_importance_takes_rows_columns_or_a_seed(ctx):
    import dataclasses
    import inspect

    import xaikit.importance as I
    from xaikit.widgets.importance import ImportanceExplorer

    allowed = {"ctx", "sample", "self", "cls", "d"}
    funcs = {}
    for name, obj in vars(I).items():
        if inspect.isfunction(obj) and obj.__module__ == I.__name__:
            funcs[name] = obj
        elif inspect.isclass(obj) and obj.__module__ == I.__name__:
            funcs.update({f"{name}.{m}": getattr(f, "__func__", f) for m, f in vars(obj).items()
                          if inspect.isfunction(getattr(f, "__func__", f))
                          and not m.startswith("__")})
    assert "shuffle_importance" in funcs
    for name, f in funcs.items():
        params = list(inspect.signature(f).parameters)
        assert set(params) <= allowed, (name, params)
        if "." not in name:
            assert params[0] == "ctx", (name, params)
    params = list(inspect.signature(ImportanceExplorer.__init__).parameters)
    assert params[:2] == ["self", "ctx"] and set(params) <= {"self", "ctx", "highlight"}
    pub = ctx.ctx
    r = I.shuffle_importance(pub, "test")
    assert r.feature_names == pub.original_features and r.samples.shape == (12, 5)
    forged = (dataclasses.replace(pub, explore_test_positions=pub.test_positions),
              dataclasses.replace(pub, explore_seed=pub.pi_seed),
              dataclasses.replace(pub, joined=()))
    for bad in forged[:2]:
        with pytest.raises(ValueError):
            I.shuffle_importance(bad, "test")
    # the joined columns (q3) are never shuffled, even when the context hides them
    assert I.shuffle_importance(forged[2], "test").feature_names == pub.original_features
    with pytest.raises(TypeError):
        I.shuffle_importance(pub.X_pi_test, "test")
