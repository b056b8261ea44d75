"""Calibration of the drift tolerances and alert rules over 40 variants (kept as a test).

Legitimate other routes (SHAP in one batch instead of per window, PCA by numpy SVD) must sit
well under the tolerances; the typical mistakes well above; the stated rules (ALERT_MARGIN for
inputs and attributions, ERROR_MARGIN for the error) must give every decision the checks rely on
a margin of at least 25 %: a window's score is >= 1.25 x its threshold (alert) or
<= threshold / 1.25 (no alert). Run with ``-s`` to see the figures (the minimum margin over the
variants for each decision).
"""
import numpy as np
import pandas as pd
import pytest
import shap

from xaikit.exercises.drift import grader as G
from xaikit.exercises.drift.public import build_context

VARIANTS = range(40)
#: every decision must clear its threshold by this factor, either way
MIN_MARGIN = 1.25
#: the real covariate shift of the calendar (see the data card): heat wave and autumn
COVARIATE = [3, 6, 7, 8, 9]


@pytest.fixture(scope="module")
def contexts():
    return [G.reference_context(build_context(v)) for v in VARIANTS]


def test_shap_tolerance(contexts):
    signed = np.inf
    ctx = contexts[0]
    e = shap.TreeExplainer(ctx.model, data=ctx.X_background, feature_perturbation="interventional")
    sizes = [len(ctx.window(w)[0]) for w in ctx.windows]
    allv = e.shap_values(pd.concat([ctx.window(w)[0] for w in ctx.windows]))
    batch = np.array([np.abs(p).mean(0) for p in np.split(allv, np.cumsum(sizes)[:-1])])
    route = float(np.abs(batch - ctx.ref_mean_abs_shap).max())
    for c in contexts:
        s = np.array([v.mean(0) for v in c.ref_shap_windows])
        signed = min(signed, float(np.abs(s - c.ref_mean_abs_shap).max()))
    print(f"\nq1: one batch vs per window {route:.1e} (tol {G.TOL_SHAP}); signed-mean mistake "
          f">= {signed:.2f} rentals per hour")
    assert route <= G.TOL_SHAP / 100 and signed >= 100 * G.TOL_SHAP


def test_pca_route(contexts):
    worst = 0.0
    for c in contexts[:5]:
        pca, cents = c.ref_pca
        X = c.ref_shap_reference - c.ref_shap_reference.mean(0)
        _, _, vt = np.linalg.svd(X, full_matrices=False)
        alt = np.array([((v - c.ref_shap_reference.mean(0)) @ vt[:2].T).mean(0)
                        for v in c.ref_shap_windows])
        alt *= np.sign(np.sum(alt * cents, 0))
        worst = max(worst, float(np.abs(alt - cents).max()))
    print(f"q6: numpy SVD vs sklearn PCA centroids {worst:.1e} (tol {G.TOL_EXACT})")
    assert worst <= G.TOL_EXACT / 100


def _margin(score, threshold, alert):
    """How far a decision clears its threshold (>= 1 means the decision is right)."""
    return score / threshold if alert else threshold / score


def test_rules_decide_every_window_with_a_margin(contexts):
    worst = {}  # decision -> (min margin over variants, window, variant)

    def note(name, m, w, v):
        if name not in worst or m < worst[name][0]:
            worst[name] = (m, w, v)

    for c in contexts:
        t, v = c.truth, c.variant
        for kind, ks in (("input", c.ref_input_ks), ("attribution", c.ref_shap_ks)):
            score, thr = ks.max(1), c.threshold(ks)
            assert c.alerts(ks) == COVARIATE, (v, kind)
            for w in c.monitored_windows:
                alert = w in COVARIATE
                label = "heat wave 3" if w == 3 else ("autumn 6-9" if alert else "August 4-5")
                note(f"{kind} alert, {label}", _margin(score[w], thr, alert), w, v)
        m, et = c.ref_mae, c.ref_error_threshold
        assert c.ref_concept == t["concept"] and c.ref_covariate == COVARIATE, v
        note("error alert, concept window", _margin(m[t["concept"]], et, True), t["concept"], v)
        other = [w for w in (4, 5) if w != t["concept"]][0]
        note("no error alert, other August window", _margin(m[other], et, False), other, v)
    print("decision: min margin over variants (window, variant)")
    for name, (m, w, v) in worst.items():
        print(f"  {name:40s} {m:5.2f}  (window {w}, variant {v})")
    c0 = contexts[0]
    print(f"rules: ALERT_MARGIN {c0.alert_margin}, ERROR_MARGIN {c0.error_margin}; concept "
          f"windows {sorted({c.truth['concept'] for c in contexts})}, factors "
          f"{min(c.truth['factor'] for c in contexts)}-{max(c.truth['factor'] for c in contexts)}")
    assert min(m for m, _, _ in worst.values()) >= MIN_MARGIN


def test_typical_threshold_mistakes_are_far(contexts):
    """The threshold mistakes the q4 hints name differ from the rule by far more than
    TOL_EXACT (no mistake can pass by rounding)."""
    gap = np.inf
    for c in contexts[:5]:
        for ks in (c.ref_input_ks, c.ref_shap_ks):
            t, cw = c.threshold(ks), list(c.control_windows)
            for wrong in (c.alert_margin * ks.max(1).max(), ks.max(1)[cw].max(),
                          c.alert_margin * ks[cw].mean(1).max()):
                gap = min(gap, abs(wrong - t))
    print(f"q4: typical threshold mistakes differ from the rule by >= {gap:.3f} (tol "
          f"{G.TOL_EXACT})")
    assert gap >= 1000 * G.TOL_EXACT
