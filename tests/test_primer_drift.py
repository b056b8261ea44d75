"""Self-checks of the drift primer: right answers pass, typical mistakes fail with their hint;
PSI and the closed-form SHAP values on cases with known answers."""
import numpy as np
import pytest
from scipy.stats import ks_2samp

from xaikit.exercises.framework import run_check
from xaikit.primers import get_primer
from xaikit.primers.drift import PSI_FLOOR, build_context, psi

P = get_primer("drift")


@pytest.fixture(scope="module")
def ctx():
    return build_context()


def run(qid, answers, ctx):
    return run_check(P.question(qid), answers, ctx)


def test_psi_known_cases():
    x = np.arange(1000.0)
    assert psi(x, x) == pytest.approx(0.0, abs=1e-12)
    # all of the sample in the reference's top bin: p = 0.1 there, the others floored
    s = np.full(100, 5000.0)
    expected = (1 - 0.1) * np.log(1 / 0.1) + 9 * (PSI_FLOOR - 0.1) * np.log(PSI_FLOOR / 0.1)
    assert psi(x, s) == pytest.approx(expected, rel=1e-12)


def test_linear_shap_is_exact(ctx):
    import shap

    X = ctx.reference[["x1", "x2"]]
    # shap's default masker keeps 100 background rows; keep all 1000 (background = reference)
    e = shap.LinearExplainer(ctx.model, shap.maskers.Independent(X, max_samples=len(X)))
    mine = (X - X.mean()) * ctx.model.coef_
    assert np.allclose(e.shap_values(X), mine, atol=1e-9)


def test_d1(ctx):
    ref, win = ctx.reference["x1"], ctx.windows["covariate"]["x1"]
    assert run("d1", {"psi_x1": psi(ref, win)}, ctx).status == "correct"
    edges = np.quantile(win, np.linspace(0, 1, 11)[1:-1])
    p = np.maximum(np.bincount(np.searchsorted(edges, ref, side="right"), minlength=10) / 1000,
                   PSI_FLOOR)
    q = np.maximum(np.bincount(np.searchsorted(edges, win, side="right"), minlength=10) / 500,
                   PSI_FLOOR)
    r = run("d1", {"psi_x1": float(np.sum((q - p) * np.log(q / p)))}, ctx)
    assert r.status == "incorrect" and "reference" in r.hint


def test_d3(ctx):
    r = ks_2samp(ctx.reference["x1"], ctx.windows["covariate"]["x1"])
    assert run("d3", {"ks_shap_x1": r.statistic}, ctx).status == "correct"
    bad = run("d3", {"ks_shap_x1": r.pvalue}, ctx)
    assert bad.status == "incorrect" and "statistic" in bad.hint


def test_choices(ctx):
    assert run("d2", {"answer_d2": "b"}, ctx).status == "correct"
    r = run("d2", {"answer_d2": "d"}, ctx)
    assert r.status == "incorrect" and "inputs only" in r.hint
    assert run("d4", {"answer_d4": "c"}, ctx).status == "correct"
    assert run("d4", {"answer_d4": "d"}, ctx).status == "incorrect"


def test_worked_example_tells_the_windows_apart(ctx):
    mae = {k: np.mean(np.abs(w["y"] - ctx.model.predict(w[["x1", "x2"]])))
           for k, w in ctx.windows.items()}
    assert mae["concept"] > 2 * mae["stable"] and mae["covariate"] < 1.2 * mae["stable"]
    assert psi(ctx.reference["x1"], ctx.windows["covariate"]["x1"]) > 0.25
    assert psi(ctx.reference["x1"], ctx.windows["concept"]["x1"]) < 0.1
