"""Calibration of the reason_codes tolerances over 20 variants (kept as a test).

For each tolerance: how far correct answers computed by other legitimate routes are (must sit
well under it), and how far the typical wrong answers are (must sit well above it). Run with
``-s`` to see the figures.
"""
import numpy as np
import pytest
import shap
from scipy.special import expit

from xaikit.exercises.reason_codes import grader as G
from xaikit.exercises.reason_codes.public import build_context

VARIANTS = range(20)


@pytest.fixture(scope="module")
def contexts():
    return [G.reference_context(build_context(v)) for v in VARIANTS]


def _loop_ice(m, ctx, f):
    X = ctx.X_test.loc[ctx.ice_rows]
    out = np.empty((len(X), len(ctx.grids[f])))
    for k, v in enumerate(ctx.grids[f]):
        Xm = X.copy()
        Xm[f] = float(v)  # the column becomes float: another legitimate route
        out[:, k] = m.predict(Xm, output_margin=True)
    return out


def test_violation_tolerance(contexts):
    route, pdp_gap, prob_gap, ratio = 0.0, [], [], []
    for ctx in contexts:
        models = {"constrained": ctx.model, "unconstrained": ctx.unconstrained.model}
        ref = ctx.ref_violation
        pg, qg = 0.0, 0.0
        for k, m in models.items():
            for f, s in ctx.monotone.items():
                ice = _loop_ice(m, ctx, f)
                route = max(route, abs(G.max_violation(ice, s) - ref[k][f]))
                pg = max(pg, abs(ctx.ref_pdp_violation[k][f] - ref[k][f]))
                qg = max(qg, abs(G.max_violation(expit(ice), s) - ref[k][f]))
        pdp_gap.append(pg)
        prob_gap.append(qg)
        v = sorted(ctx.ref_pdp_violation["unconstrained"].values(), reverse=True)
        ratio.append(v[0] / max(v[1], 1e-12))
        assert max(ref["constrained"].values()) <= G.TOL_VIOLATION / 100  # the constraint holds
    print(f"\nq1: loop-vs-batch ICE route max diff {route:.2e} log-odds (tol {G.TOL_VIOLATION}); "
          f"PDP-instead-of-ICE mistake min {min(pdp_gap):.3f}; probability-scale mistake min "
          f"{min(prob_gap):.3f}; contradicting feature: top/second PDP violation min ratio "
          f"{min(ratio):.2f}")
    assert route <= G.TOL_VIOLATION / 10
    assert min(pdp_gap) > 10 * G.TOL_VIOLATION and min(prob_gap) > 10 * G.TOL_VIOLATION
    assert min(ratio) > 1.5  # the contradicting feature is not a near tie in any variant


def test_shap_tolerance(contexts):
    route, path_dep, all_train, additivity = 0.0, [], [], 0.0
    for ctx in contexts:
        ref = ctx.ref_shap
        expl = shap.TreeExplainer(ctx.model, ctx.X_reference.to_numpy(np.float32),
                                  feature_perturbation="interventional")
        alt = expl.shap_values(ctx.X_applicants.to_numpy(np.float32))
        route = max(route, float(np.abs(alt - ref.values).max()),
                    abs(float(expl.expected_value) - ref.base_value))
        additivity = max(additivity, float(np.abs(ref.values.sum(1) + ref.base_value
                                                  - ref.margin).max()))
        pd_vals = shap.TreeExplainer(ctx.model).shap_values(ctx.X_applicants)
        path_dep.append(float(np.abs(pd_vals - ref.values).max()))
        tr, _ = G.interventional_shap(ctx.model, ctx.X_applicants, ctx.X_train)
        all_train.append(float(np.abs(tr - ref.values).max()))
    print(f"\nq3: float32-numpy route max diff {route:.2e} (tol {G.TOL_SHAP}); local accuracy "
          f"max {additivity:.2e} (tol {G.TOL_ADDITIVITY}); path-dependent mistake min "
          f"{min(path_dep):.3f}; all-training-rows background min {min(all_train):.3f}")
    assert route <= G.TOL_SHAP / 10 and additivity <= G.TOL_ADDITIVITY / 10
    assert min(path_dep) > 100 * G.TOL_SHAP and min(all_train) > 100 * G.TOL_SHAP


def test_rank_tolerance_and_mistakes(contexts):
    gaps, differs = [], {"path-dependent": 0, "no exclusion": 0, "by |value|": 0}
    for ctx in contexts:
        g = ctx.grouped()
        names = ctx.group_names
        keep = [j for j, n in enumerate(names) if n not in ctx.excluded]
        for row in g:
            vals = sorted((row[j] for j in keep), reverse=True)[:5] + [0.0]
            gaps.append(min(abs(a - b) for a, b in zip(vals, vals[1:])))
        pd_vals = shap.TreeExplainer(ctx.model).shap_values(ctx.X_applicants)
        differs["path-dependent"] += ctx.reasons_from(pd_vals) != ctx.ref_reasons
        differs["no exclusion"] += [G.select_reasons(r, names) for r in g] != ctx.ref_reasons
        by_abs = [[names[j] for j in sorted(keep, key=lambda j: (-abs(r[j]), j))[:4]] for r in g]
        differs["by |value|"] += by_abs != ctx.ref_reasons
        assert all(G.reasons_match(r, row, names, excluded=ctx.excluded, tol=G.TOL_RANK)
                   for r, row in zip(ctx.ref_reasons, g))
    print(f"\nq4: smallest gap between consecutive ranked concept values (top 5 and 0) "
          f"{min(gaps):.2e} log-odds (tie tol {G.TOL_RANK}); variants (of 20) where a mistake "
          f"changes the reasons: {differs}")
    assert np.quantile(gaps, 0.05) > 10 * G.TOL_RANK
    assert all(v >= 15 for v in differs.values())
