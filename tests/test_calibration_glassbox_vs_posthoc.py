"""Calibration of the glassbox_vs_posthoc tolerances over 20 variants (kept as a test).

For each tolerance: how far correct answers computed by other legitimate routes sit (well under
it), and how far the typical wrong answers sit (above it). Run with ``-s`` to see the figures.
The EBMs are cached by the grader (joblib, private cache): a cold run fits 5 EBMs per variant.
"""
import numpy as np
import pytest
import xgboost

from xaikit.exercises.glassbox_vs_posthoc import grader as G
from xaikit.exercises.glassbox_vs_posthoc.public import SYN_FEATURES, build_context

VARIANTS = range(20)


@pytest.fixture(scope="module")
def refs():
    return [G.reference_context(build_context(v)) for v in VARIANTS]


def _other_seed(ref, which):
    t = {"credit": ref.trained, "additive": ref.additive}[which]
    return G.fit_ebm(t.X_train, t.y_train, {**ref.ebm_params, "random_state": 7}, 0)


def test_q1_probabilities_and_auc(refs):
    refit, seed_diff, seed_auc = 0.0, [], []
    for i, r in enumerate(refs):
        p = r.ref_credit_proba
        if i < 5:  # uncached refits (the cache would hide a non-deterministic fit): 5 suffice
            again = G.fit_ebm(r.X_train, r.trained.y_train, r.ebm_params, 0, cache=False)
            refit = max(refit, float(np.abs(again.predict_proba(r.X_test)[:, 1] - p).max()))
        other = _other_seed(r, "credit").predict_proba(r.X_test)[:, 1]
        seed_diff.append(float(np.abs(other - p).max()))
        seed_auc.append(abs(G.auc(r.trained.y_test, other) - r.ref_credit_auc["ebm"]))
    print(f"\nCALIB q1: refit max |dp| {refit:.1e} (TOL_PROBA {G.TOL_PROBA}); another seed: max |dp| "
          f">= {min(seed_diff):.1e}, |dAUC| up to {max(seed_auc):.3f} (TOL_AUC {G.TOL_AUC})")
    assert refit == 0.0 and min(seed_diff) > 100 * G.TOL_PROBA


def test_q2_correlation(refs):
    route, spear = 0.0, []
    for r in refs:
        want = r.ref_shape_shap_corr()
        contribs = r.model.get_booster().predict(xgboost.DMatrix(r.X_test), pred_contribs=True)
        for f in r.numeric:
            alt = G.pearson(r.ref_credit_terms[f], contribs[:, r.feature_names.index(f)])
            route = max(route, abs(alt - want[f]))
        s = r.ref_shape_shap_corr(method="spearman")
        spear.append(min(abs(s[f] - want[f]) for f in r.numeric))
    print(f"\nCALIB q2: shap vs xgboost pred_contribs route |dr| {route:.1e}; Spearman vs Pearson "
          f"|dr| >= {min(spear):.3f} (TOL_CORR {G.TOL_CORR})")
    assert route < G.TOL_CORR / 10 and min(spear) > 2 * G.TOL_CORR


def test_q3_shape_recovery(refs):
    ref_corr, seed_corr, slopes, seed_slopes, prob_slopes, roll_caught = [], [], [], [], [], 0
    for r in refs:
        T = r.true_shapes
        other = r.shapes_of(_other_seed(r, "additive"))
        prob = 1 / (1 + np.exp(-(r.ebm_additive.intercept_[0] + r.ref_shapes)))
        for j in r.informative:
            ref_corr.append(G.pearson(r.ref_shapes[j], T[j]))
            seed_corr.append(G.pearson(other[j], T[j]))
            slopes.append(np.polyfit(T[j], r.ref_shapes[j], 1)[0])
            seed_slopes.append(np.polyfit(T[j], other[j], 1)[0])
            prob_slopes.append(np.polyfit(T[j], prob[j], 1)[0])
        rolled = np.roll(r.ref_shapes, 1, axis=0)
        roll_caught += any(not (G.pearson(rolled[j], T[j]) >= G.SHAPE_CORR_MIN)
                           for j in r.informative)
    print(f"\nCALIB q3: stated EBM corr with truth >= {min(ref_corr):.3f}, another seed >= "
          f"{min(seed_corr):.3f} (SHAPE_CORR_MIN {G.SHAPE_CORR_MIN}); slopes {min(slopes):.2f}-"
          f"{max(slopes):.2f}, another seed {min(seed_slopes):.2f}-{max(seed_slopes):.2f}, "
          f"probability scale <= {max(prob_slopes):.2f} (SHAPE_SLOPE {G.SHAPE_SLOPE}); "
          f"wrong feature order caught in {roll_caught}/20 variants")
    assert min(ref_corr) >= G.SHAPE_CORR_MIN + 0.05 and min(seed_corr) >= G.SHAPE_CORR_MIN
    assert G.SHAPE_SLOPE[0] < min(slopes + seed_slopes) and max(slopes + seed_slopes) < G.SHAPE_SLOPE[1]
    assert max(prob_slopes) < G.SHAPE_SLOPE[0] and roll_caught == 20


def test_q4_pair_and_aucs(refs):
    found, ratio, gap = 0, [], []
    for r in refs:
        pairs = G.pair_terms(r.ebm_int_pairs)
        found += set(pairs[0][1]) == set(r.planted_pair)
        ratio.append(pairs[0][0] / pairs[1][0])
        a = r.ref_interaction_auc
        gap.append(a["ebm_pairs"] - a["ebm_main"])
    print(f"\nCALIB q4: top pair term = planted pair in {found}/20 variants (importance ratio to the "
          f"next pair >= {min(ratio):.1f}); AUC gain of the pairs >= {min(gap):.3f} (swapped "
          f"EBMs caught when > TOL_AUC {G.TOL_AUC})")
    assert found == 20 and min(ratio) > 2 and min(gap) > G.TOL_AUC


def test_q5_pair_share(refs):
    ddof, sq, imp, comp = 0.0, [], [], []
    for r in refs:
        s = r.ref_pair_share
        T = G.term_contributions(r.ebm_int_pairs, r.interaction.X_test)
        pairs = [c for c in T.columns if " & " in c]
        alt = T[pairs].sum(axis=1).var(ddof=1) / T.sum(axis=1).var(ddof=1)
        ddof = max(ddof, abs(alt - s))
        sq.append(abs(np.sqrt(s) - s))
        imp.append(abs(G.pair_importance_share(r) - s))
        comp.append(abs(1 - s - s))
    print(f"\nCALIB q5: ddof=1 route |d| {ddof:.1e} (TOL_SHARE {G.TOL_SHARE}); sqrt >= {min(sq):.3f}, "
          f"importance share >= {min(imp):.3f}, 1 - share >= {min(comp):.3f}")
    assert ddof < G.TOL_SHARE / 100 and min(sq + imp + comp) > 2 * G.TOL_SHARE
