"""The glassbox primer's self-checks: the right answers pass, typical mistakes fail with their
hint (tests/test_primers_common.py covers the declaration and the notebook)."""
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from xaikit.exercises.framework import run_check
from xaikit.primers import _context, get_primer
from xaikit.primers.glassbox import ROW

P = get_primer("glassbox")


@pytest.fixture(scope="module")
def ctx():
    return _context("glassbox")


def run(qid, value, ctx):
    q = P.question(qid)
    return run_check(q, {q.answers[0]: value}, ctx)


def test_s1(ctx):
    auc = roc_auc_score(ctx.y_test, ctx.ebm.predict_proba(ctx.X_test)[:, 1])
    assert run("s1", auc, ctx).status == "correct"
    r = run("s1", roc_auc_score(ctx.y_test, ctx.ebm.predict(ctx.X_test)), ctx)
    assert r.status == "incorrect" and "hard labels" in r.feedback
    assert run("s1", 1 - auc, ctx).status == "incorrect"


def test_s2_and_exact_additivity(ctx):
    row = ctx.X_test.iloc[[ROW]]
    t = ctx.ebm.eval_terms(row)[0]
    v = float(t[list(ctx.ebm.term_names_).index("worst area")])
    assert run("s2", v, ctx).status == "correct"
    r = run("s2", v + float(ctx.ebm.intercept_[0]), ctx)
    assert r.status == "incorrect" and "intercept" in r.feedback
    p = float(ctx.ebm.predict_proba(row)[0, 1])
    assert abs(t.sum() + ctx.ebm.intercept_[0] - np.log(p / (1 - p))) < 1e-9


@pytest.mark.parametrize("qid,right", [("s3", "c"), ("s4", "b")])
def test_choices(qid, right, ctx):
    assert run(qid, right, ctx).status == "correct"
    wrong = next(o for o in "abcd" if o != right)
    r = run(qid, wrong, ctx)
    assert r.status == "incorrect" and r.hint
