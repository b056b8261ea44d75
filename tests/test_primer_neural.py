"""The neural primer's self-checks: right answers pass, typical mistakes get their hint; the
closed forms agree with the grader's numeric methods (finite differences, a fine Riemann sum)."""
import numpy as np
import pytest

from xaikit.exercises.framework import run_check
from xaikit.exercises.neural_attribution.grader import methods as M
from xaikit.primers import _context, get_primer
from xaikit.primers.neural import TOY_COEFS, TOY_INTERCEPTS, X0, toy_forward

P = get_primer("neural")
W, B = list(TOY_COEFS), list(TOY_INTERCEPTS)


@pytest.fixture(scope="module")
def ctx():
    return _context("neural")


def run(qid, value, ctx):
    q = P.question(qid)
    return run_check(q, {q.answers[0]: value}, ctx)


def _numeric(fn, x, out=0):
    # the toy network has one output: its "logit" is f itself
    return fn(W, B, x, [out])


def test_toy_forward_matches_the_grader_forward():
    X = np.random.default_rng(0).uniform(size=(10, 2))
    assert np.allclose(M.forward(W, B, X)[0][:, 0], toy_forward(X))


def test_n1(ctx):
    fd = M.finite_difference_gradient(W, B, X0, 0)
    assert run("n1", fd, ctx).status == "correct"
    assert "ReLU" in run("n1", W[0] @ W[1][:, 0], ctx).hint
    assert run("n1", [0.0, 0.0], ctx).status == "incorrect"


def test_n2(ctx):
    ig = M.integrated_gradients(W, B, X0[None], [0], baseline=0.0, steps=10_000)[0]
    assert run("n2", ig, ctx).status == "correct"
    assert ig.sum() == pytest.approx(toy_forward(X0[None])[0] - toy_forward(np.zeros((1, 2)))[0],
                                     abs=1e-3)
    grad = M.input_gradient(W, B, X0[None], [0])[0]
    assert "gradient x input" in run("n2", X0 * grad, ctx).feedback
    assert "f(baseline)" in run("n2", [0.25, 0.25], ctx).hint  # sums to f(x) = 0.5


@pytest.mark.parametrize("qid,right,wrong", [("n3", "d", "b"), ("n4", "b", "a")])
def test_choices(qid, right, wrong, ctx):
    assert run(qid, right, ctx).status == "correct"
    r = run(qid, wrong, ctx)
    assert r.status == "incorrect" and r.hint
