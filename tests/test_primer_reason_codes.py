"""Primer ``reason_codes``: every self-check three ways (right passes, typical wrong answers
fail with their hint, the placeholder is not attempted), and the facts its notebook states."""
import numpy as np
import pytest
import shap

from xaikit.answers import roundtrip
from xaikit.exercises.framework import run_check
from xaikit.primers import _context, get_primer
from xaikit.primers.reason_codes import GROUPS, select_reasons


@pytest.fixture(scope="module")
def primer():
    return get_primer("reason_codes"), _context("reason_codes")


def _check(primer, qid, value):
    p, ctx = primer
    q = p.question(qid)
    return run_check(q, {q.answers[0]: roundtrip(value)}, ctx)


def test_closed_form_equals_shap_with_the_full_reference(primer):
    _, ctx = primer
    masker = shap.maskers.Independent(ctx.reference, max_samples=len(ctx.reference))
    sv = shap.LinearExplainer(ctx.logit, masker).shap_values(ctx.X_new.loc[[ctx.applicant]])
    np.testing.assert_allclose(sv[0], ctx.phi(ctx.applicant, ctx.reference).to_numpy(),
                               atol=1e-9)


def test_r1(primer):
    _, ctx = primer
    b = ctx.check_applicant
    assert _check(primer, "r1", ctx.phi(b, ctx.reference)["debt_ratio"]).status == "correct"
    r = _check(primer, "r1", ctx.phi(b, ctx.X_train)["debt_ratio"])
    assert r.status == "incorrect" and "APPROVED" in r.hint
    r = _check(primer, "r1", ctx.logit.coef_[0][1] * ctx.X_new.loc[b, "debt_ratio"])
    assert r.status == "incorrect" and "mean" in r.hint
    assert _check(primer, "r1", None).status == "not_attempted"


def test_r2(primer):
    _, ctx = primer
    b = ctx.check_applicant
    right = ctx.reasons(b)
    assert _check(primer, "r2", right).status == "correct"
    r = _check(primer, "r2", ["age", *right][:4])
    assert r.status == "incorrect" and "never" in r.hint
    wrong_ref = ctx.reasons(b, ctx.X_train)
    assert wrong_ref != right  # the check applicant's reasons depend on the reference
    r = _check(primer, "r2", wrong_ref)
    assert r.status == "incorrect" and "reference" in r.hint
    assert _check(primer, "r2", None).status == "not_attempted"


@pytest.mark.parametrize("qid,right", [("r3", "c"), ("r4", "b")])
def test_choices(primer, qid, right):
    assert _check(primer, qid, right).status == "correct"
    for wrong in "abcd".replace(right, ""):
        r = _check(primer, qid, wrong)
        assert r.status == "incorrect" and r.hint


def test_notebook_facts(primer):
    """What the notebook says: age pushes A toward denial although it has no true effect, the
    constrained model is monotone in utilisation and the unconstrained one is not (thin file)."""
    from sklearn.inspection import partial_dependence

    _, ctx = primer
    g = ctx.grouped(ctx.phi(ctx.applicant, ctx.reference))
    assert 0.1 < g["age"] < 0.3 and "age" not in ctx.reasons(ctx.applicant)
    assert select_reasons(g, excluded=("age", "sex"))[0] == "income_and_debt"
    assert set(GROUPS) >= {"age", "sex"}
    for m, monotone in ((ctx.hgb_mono, True), (ctx.hgb, False)):
        pdp = partial_dependence(m, ctx.X_train, ["utilisation"],
                                 response_method="decision_function", grid_resolution=20)
        steps = np.diff(pdp["average"][0])
        assert (steps.min() >= -1e-9) == monotone
    pdp = partial_dependence(ctx.hgb, ctx.X_train, ["utilisation"],
                             response_method="decision_function", grid_resolution=20)
    assert pdp["average"][0][0] > pdp["average"][0][1] + 0.3  # the thin-file effect at 0
