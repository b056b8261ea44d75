"""The faithfulness primer's self-checks: the right answers pass, the typical wrong ones fail
with their hint; the closed forms the primer relies on hold (exact SHAP of a linear model,
its deletion curve, the model-free explainer's similarity of 1)."""
import numpy as np
import pytest
from scipy.stats import spearmanr

from xaikit.exercises.framework import run_check
from xaikit.primers import _context, get_primer
from xaikit.primers.faithfulness import deletion_curve, exact_shap

P = get_primer("faithfulness")


def run(qid, value):
    q = P.question(qid)
    return run_check(q, {q.answers[0]: value}, _context("faithfulness"))


@pytest.fixture(scope="module")
def ctx():
    return _context("faithfulness")


def test_closed_forms(ctx):
    mean = ctx.X.mean().to_numpy()
    R = ctx.rows.to_numpy()
    phi = exact_shap(ctx.model, R, mean)
    # local accuracy of exact linear SHAP in log-odds: f(x) = f(mean) + sum(phi)
    f = ctx.model.decision_function(R)
    np.testing.assert_allclose(phi.sum(1), f - ctx.model.decision_function(mean[None])[0],
                               atol=1e-9)
    # the deletion curve in closed form: sigmoid(f(x) - cumulative top contributions)
    c = deletion_curve(ctx.model, R[0], phi[0], mean)
    order = np.argsort(-np.abs(phi[0]), kind="stable")
    logit = f[0] - np.r_[0, np.cumsum(phi[0][order])]
    np.testing.assert_allclose(c, 1 / (1 + np.exp(-logit)), atol=1e-9)
    assert (ctx.model.predict_proba(R)[:, 1] >= 0.5).all() and len(R) == 20
    a = np.abs(R - mean)
    assert np.mean([spearmanr(u, v).statistic for u, v in zip(a, a)]) == pytest.approx(1.0)


def test_f1(ctx):
    mean = ctx.X.mean().to_numpy()
    x = ctx.rows.to_numpy()[0]
    c = deletion_curve(ctx.model, x, exact_shap(ctx.model, x[None], mean)[0], mean)
    assert run("f1", float(np.trapezoid(c, np.linspace(0, 1, 6)))).status == "correct"
    r = run("f1", float(np.trapezoid(c)))
    assert r.status == "incorrect" and "fraction" in r.hint
    r = run("f1", float(np.trapezoid(c[1:], np.linspace(0, 1, 5))))
    assert r.status == "incorrect" and "step 0" in r.hint


def test_f2(ctx):
    mean = ctx.X.mean().to_numpy()
    a = exact_shap(ctx.model, ctx.rows, mean)
    b = exact_shap(ctx.shuffled, ctx.rows, mean)
    v = float(np.mean([spearmanr(np.abs(u), np.abs(w)).statistic for u, w in zip(a, b)]))
    assert run("f2", v).status == "correct" and v < 0.9
    signed = float(np.mean([spearmanr(u, w).statistic for u, w in zip(a, b)]))
    assert "|attributions|" in run("f2", signed).hint
    assert run("f2", 1.0).status == "incorrect"


def test_choices():
    assert run("f3", "b").status == "correct" and run("f3", "a").status == "incorrect"
    assert run("f4", "c").status == "correct" and run("f4", "d").status == "incorrect"
