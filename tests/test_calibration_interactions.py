"""Calibration of the interactions tolerances over 20 generated variants (kept as a test).

For each tolerance: how far correct answers computed by another legitimate route are (well
under it) and how far the typical mistakes are (well above it). Run with ``-s`` for the figures.
"""
import numpy as np
import pytest
import xgboost
from sklearn.inspection import partial_dependence

from xaikit.exercises import context_for
from xaikit.exercises.interactions import grader as E
from xaikit.exercises.interactions.grader.hstat import h2_pairs, pd_at_rows

VARIANTS = range(20)


@pytest.fixture(scope="module")
def contexts():
    return [E.reference_context(context_for("interactions", v)) for v in VARIANTS]


def _h2_row_loop(predict, X, j, k):
    """Another route to eq. 44: a Python loop over the evaluation rows, float32 means."""
    def pd_(cols):
        out = []
        for i in range(len(X)):
            Z = X.copy()
            for c in cols:
                Z[c] = X[c].iloc[i]
            out.append(np.mean(np.asarray(predict(Z), dtype=np.float32)))
        out = np.asarray(out, dtype=np.float64)
        return out - out.mean()
    fj, fk, fjk = pd_([j]), pd_([k]), pd_([j, k])
    return float(np.sum((fjk - fj - fk) ** 2) / np.sum(fjk ** 2))


def test_shap_interaction_tolerances(contexts):
    route, identity = 0.0, 0.0
    for ctx in contexts:
        X = ctx.X_h.iloc[:20]
        ours = ctx._explainer.shap_interaction_values(X)
        xgb = ctx.model.get_booster().predict(xgboost.DMatrix(X), pred_interactions=True)
        route = max(route, float(np.abs(xgb[:, :-1, :-1] - ours).max()))
        sv = ctx._explainer.shap_values(X)
        identity = max(identity, float(np.abs(ours.sum(axis=2) - sv).max()))
    print(f"\nSHAP interaction: shap vs xgboost pred_interactions max diff {route:.1e} "
          f"(tol {E.TOL_SHAP_INTERACTION}); identity max residual {identity:.1e} "
          f"(tol {E.TOL_IDENTITY})")
    assert route <= E.TOL_SHAP_INTERACTION / 5
    assert identity <= E.TOL_IDENTITY / 5


def test_h2_tolerance_and_decoy_bound(contexts):
    route, sqrt_gap, uncentred_gap, sample_gap = 0.0, np.inf, np.inf, np.inf
    planted, decoy = [], []
    for n, ctx in enumerate(contexts):
        pairs = [ctx.truth["planted"], ctx.truth["decoy"]]
        ref = h2_pairs(ctx.model.predict, ctx.X_h, pairs)
        planted.append(ref[0])
        decoy.append(ref[1])
        if n < 3:  # the slow route: 3 variants, the first 100 rows of the H sample
            X = ctx.X_h.iloc[:100]
            alt = _h2_row_loop(ctx.model.predict, X, *pairs[0])
            route = max(route, abs(alt - h2_pairs(ctx.model.predict, X, pairs[:1])[0]))
        sqrt_gap = min(sqrt_gap, float(np.abs(np.sqrt(ref) - ref).max()))
        unc = E.references._h2_uncentred(ctx.model.predict, ctx.X_h, pairs)
        uncentred_gap = min(uncentred_gap, float(np.abs(unc - ref).max()))
        other = h2_pairs(ctx.model.predict, ctx.X_explore, pairs)
        sample_gap = min(sample_gap, float(np.abs(other - ref).max()))
    print(f"\nH²: row-loop float32 route max diff {route:.1e} (tol {E.TOL_H2}); mistakes, "
          f"smallest largest-gap over variants: H instead of H² {sqrt_gap:.3f}, uncentred "
          f"{uncentred_gap:.3f}, explore rows instead of the H sample {sample_gap:.3f}")
    print(f"planted-pair H² min {min(planted):.3f} / median {np.median(planted):.3f}; decoy "
          f"H² max {max(decoy):.3f} / median {np.median(decoy):.3f} (bound "
          f"{E.DECOY_H2_BOUND})")
    assert route <= E.TOL_H2 / 10
    assert min(sqrt_gap, uncentred_gap, sample_gap) >= 20 * E.TOL_H2
    assert max(decoy) <= E.DECOY_H2_BOUND / 2
    assert min(planted) >= 2 * E.DECOY_H2_BOUND


def test_pd_tolerances(contexts):
    route, transpose_gap, train_gap = 0.0, np.inf, np.inf
    for n, ctx in enumerate(contexts):
        pair = list(ctx.truth["planted"])
        r = partial_dependence(ctx.model, ctx.X_h, pair, kind="average", method="brute",
                               grid_resolution=ctx.pd_grid)
        ref = r["average"][0]
        g1, g2 = r["grid_values"]
        # another route: pd_at_rows on the product grid, float64 means
        if n < 3:
            own = np.array([[np.mean(ctx.model.predict(ctx.X_h.assign(**{pair[0]: a,
                                                                          pair[1]: b})))
                             for b in g2] for a in g1])
            route = max(route, float(np.abs(own - ref).max()))
        transpose_gap = min(transpose_gap, float(np.abs(ref.T - ref).max()))
        tr = partial_dependence(ctx.model, ctx.X_train, pair, kind="average", method="brute",
                                grid_resolution=ctx.pd_grid)["average"][0]
        train_gap = min(train_gap, float(np.abs(tr - ref).max()))
    bike = contexts[0]
    skl = bike.ref_bike_pd
    own = np.array([[np.mean(bike.bike_model.predict(bike.X_bike_h.assign(hr=float(h),
                                                                            workingday=float(w))))
                     for w in (0, 1)] for h in range(24)])
    bike_route = float(np.abs(own - skl).max())
    one_d = pd_at_rows(bike.bike_model.predict, bike.X_bike_h, ["hr", "workingday"])
    print(f"\n2-D PD: manual float64 route max diff {route:.1e} (tol {E.TOL_PD}); mistakes: "
          f"transpose >= {transpose_gap:.3f}, X_train instead of the H sample >= "
          f"{train_gap:.3f}; bike PD manual route {bike_route:.1e} rentals/h (tol "
          f"{E.TOL_PD_BIKE}); bike PD range {one_d.min():.0f} .. {one_d.max():.0f}")
    assert route <= E.TOL_PD / 5 and bike_route <= E.TOL_PD_BIKE / 5
    assert min(transpose_gap, train_gap) >= 10 * E.TOL_PD
