"""Calibration of the drift tolerances and alert rules over 20 variants (kept as a test).

Legitimate other routes (SHAP in one batch instead of per window, shap.Explainer's interface,
PCA by numpy SVD) must sit well under the tolerances; the typical mistakes well above; the
stated rules (ALERT_MARGIN, ERROR_MARGIN) must find the planted windows in every variant.
Run with ``-s`` to see the figures.
"""
import numpy as np
import pytest
import shap

from xaikit.exercises.drift import grader as G
from xaikit.exercises.drift.public import build_context

VARIANTS = range(20)


@pytest.fixture(scope="module")
def contexts():
    return [G.reference_context(build_context(v)) for v in VARIANTS]


def test_shap_tolerance(contexts):
    route, signed = 0.0, np.inf
    ctx = contexts[0]
    e = shap.TreeExplainer(ctx.model, data=ctx.X_background, feature_perturbation="interventional")
    sizes = [len(ctx.window(w)[0]) for w in ctx.windows]
    import pandas as pd
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


def test_rules_find_the_planted_windows(contexts):
    cov_ratio, other_ratio, con_ratio, unalt_ratio = np.inf, 0.0, np.inf, 0.0
    for c in contexts:
        t = c.truth
        score = c.ref_shap_ks.max(1)
        thr = c.threshold(c.ref_shap_ks)
        others = [w for w in c.monitored_windows if w != t["covariate"]]
        cov_ratio = min(cov_ratio, score[t["covariate"]] / thr)
        other_ratio = max(other_ratio, score[others].max() / thr)
        m = c.ref_mae
        et = c.error_margin * m[list(c.control_windows)].max()
        unalt = [w for w in others if w != t["concept"]]
        con_ratio = min(con_ratio, m[t["concept"]] / et)
        unalt_ratio = max(unalt_ratio, m[unalt].max() / et)
        assert c.alerts(c.ref_shap_ks) == [t["covariate"]] and c.ref_concept == t["concept"]
    print(f"q4: covariate score / threshold >= {cov_ratio:.2f}; other monitored <= "
          f"{other_ratio:.2f}\nq5: concept MAE / error threshold >= {con_ratio:.2f}; unaltered "
          f"monitored <= {unalt_ratio:.2f}")
    assert cov_ratio >= 1.3 and other_ratio <= 0.8 and con_ratio >= 1.05 and unalt_ratio <= 0.95
