"""Self-checks of the uncertainty primer: right answers pass, typical mistakes fail with their
hint, the placeholder is not attempted."""
import numpy as np
import pytest
from sklearn.inspection import permutation_importance

from xaikit.answers import roundtrip
from xaikit.exercises.framework import run_check
from xaikit.primers import _context, get_primer

P = get_primer("uncertainty")


@pytest.fixture(scope="module")
def ctx():
    return _context("uncertainty")


def run(qid, value, ctx):
    q = P.question(qid)
    return run_check(q, {q.answers[0]: roundtrip(value)}, ctx)


def _boot_bmi(ctx, seed):
    """The u1 protocol written out with the library calls."""
    n = len(ctx.X_test)
    idx = np.random.default_rng(seed).integers(0, n, size=(ctx.n_boot, n))
    j = list(ctx.X_test.columns).index("bmi")
    return np.array([permutation_importance(
        ctx.model, ctx.X_test.iloc[i], ctx.y_test.iloc[i], scoring="neg_mean_absolute_error",
        n_repeats=ctx.n_repeats, random_state=ctx.pi_seed).importances_mean[j] for i in idx])


def test_u1_right_and_wrong(ctx):
    b = _boot_bmi(ctx, ctx.u1_seed)
    right = np.percentile(b, [2.5, 97.5])
    assert run("u1", right, ctx).status == "correct"
    assert "swapped" in run("u1", right[::-1], ctx).feedback
    assert "90 %" in run("u1", np.percentile(b, [5, 95]), ctx).feedback
    r = run("u1", np.percentile(_boot_bmi(ctx, ctx.boot_seed), [2.5, 97.5]), ctx)
    assert r.status == "incorrect" and "U1_SEED" in r.hint  # the worked example's seed
    rep = permutation_importance(ctx.model, ctx.X_test, ctx.y_test,
                                 scoring="neg_mean_absolute_error", n_repeats=ctx.n_boot,
                                 random_state=ctx.pi_seed).importances[
        list(ctx.X_test.columns).index("bmi")]
    r = run("u1", [rep.mean() - 1.96 * rep.std(), rep.mean() + 1.96 * rep.std()], ctx)
    assert r.status == "incorrect" and "ONE call" in r.feedback and "PATIENTS" in r.hint
    assert run("u1", [1.0, 2.0, 3.0], ctx).status == "incorrect"  # shape
    assert run("u1", None, ctx).status == "not_attempted"


@pytest.mark.parametrize("qid,right", [("u2", "b"), ("u3", "c"), ("u4", "d")])
def test_choices(ctx, qid, right):
    assert run(qid, right, ctx).status == "correct"
    for wrong in set("abcd") - {right}:
        r = run(qid, wrong, ctx)
        assert r.status == "incorrect" and r.hint
    assert run(qid, "e", ctx).status == "incorrect"


def test_the_worked_example_shows_the_monte_carlo_law(ctx):
    """KernelSHAP's spread falls with the budget and its error to exact TreeSHAP is of the same
    size (what the notebook states)."""
    import shap

    bg, x = ctx.X_train.iloc[:20], ctx.X_test.iloc[[0]]
    e = shap.KernelExplainer(ctx.model.predict, bg)
    sd = []
    for n in (50, 800):
        v = []
        for s in range(5):
            np.random.seed(s)
            v.append(e.shap_values(x, nsamples=n, l1_reg=False, silent=True)[0])
        sd.append(np.std(v, axis=0, ddof=1).mean())
    assert sd[1] < sd[0] / 2
