"""The fairness primer's self-checks: the right answer passes, the typical mistakes fail with
their hint (computed from the primer's own context, never pasted)."""
import numpy as np
import pytest

from xaikit.exercises.framework import run_check
from xaikit.primers import _context, get_primer

P = get_primer("fairness")


@pytest.fixture(scope="module")
def ctx():
    return _context("fairness")


def run(qid, value, ctx):
    q = P.question(qid)
    return run_check(q, {q.answers[0]: value}, ctx)


def test_s1_ratio(ctx):
    r = ctx.approval_rates()
    assert run("s1", min(r.values()) / max(r.values()), ctx).status == "correct"
    d = ctx.approval_rates(1 - ctx.approved)
    res = run("s1", min(d.values()) / max(d.values()), ctx)
    assert res.status == "incorrect" and "favourable" in res.hint
    res = run("s1", max(r.values()) / min(r.values()), ctx)
    assert res.status == "incorrect" and "min / max" in res.hint


def test_s2_s4_choices(ctx):
    assert run("s2", "b", ctx).status == "correct"
    assert run("s2", "a", ctx).status == "incorrect"
    assert run("s4", "c", ctx).status == "correct"
    assert run("s4", "b", ctx).status == "incorrect"


def test_s3_top_feature(ctx):
    gap = ctx.shap_gap
    assert run("s3", max(gap, key=gap.get), ctx).status == "correct"
    res = run("s3", min(gap, key=gap.get), ctx)
    assert res.status == "incorrect" and "POSITIVE" in res.hint
    assert run("s3", "no such column", ctx).status == "incorrect"


def test_decomposition_identity_on_the_primer_model(ctx):
    import shap

    sv = shap.TreeExplainer(ctx.model).shap_values(ctx.X_test).astype(float)
    margin = ctx.model.predict(ctx.X_test, output_margin=True).astype(float)
    g = ctx.age_group == "under 25"
    gap = margin[g].mean() - margin[~g].mean()
    assert abs((sv[g].mean(0) - sv[~g].mean(0)).sum() - gap) < 1e-5
    assert np.isclose(sum(ctx.shap_gap.values()), gap, atol=1e-5)
