"""The interactions primer's self-checks: right answers pass, typical mistakes get their hint;
i2's closed form agrees with the grader's H-statistic estimator."""
import numpy as np
import pandas as pd
import pytest
import shap

from xaikit.exercises.framework import run_check
from xaikit.exercises.interactions.grader.hstat import h2_pair
from xaikit.primers import _context, get_primer

P = get_primer("interactions")


@pytest.fixture(scope="module")
def ctx():
    return _context("interactions")


def run(qid, value, ctx):
    q = P.question(qid)
    return run_check(q, {q.answers[0]: value}, ctx)


def test_i1(ctx):
    ref = shap.TreeExplainer(ctx.model).shap_interaction_values(ctx.X_s.iloc[:1])[0]
    assert run("i1", ref, ctx).status == "correct"
    off = ~np.eye(5, dtype=bool)
    assert "half" in run("i1", np.where(off, 2 * ref, ref), ctx).hint
    assert "diagonal" in run("i1", np.where(off, ref, 0), ctx).hint
    assert run("i1", ref + 0.1, ctx).status == "incorrect"


def test_i2_closed_form_matches_the_estimator(ctx):
    toy = pd.DataFrame({"a": [-1.0, -1.0, 1.0, 1.0], "b": [-1.0, 1.0, -1.0, 1.0]})
    f = lambda X: X["a"] + 2 * X["b"] + 2 * X["a"] * X["b"]  # noqa: E731
    value = h2_pair(f, toy, "a", "b")
    assert value == pytest.approx(4 / 9)
    assert run("i2", value, ctx).status == "correct"
    assert "not H²" in run("i2", np.sqrt(value), ctx).feedback
    assert "main effects" in run("i2", 1 - value, ctx).feedback


@pytest.mark.parametrize("qid,right", [("i3", "c"), ("i4", "b")])
def test_choices(qid, right, ctx):
    assert run(qid, right, ctx).status == "correct"
    for wrong in "abcd".replace(right, ""):
        r = run(qid, wrong, ctx)
        assert r.status == "incorrect" and r.hint
