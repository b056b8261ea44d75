"""Calibration of the neural_attribution tolerances over 20 variants (kept as a test).

For each tolerance: how far correct answers computed by another legitimate route are (well
under it) and how far the typical mistakes are (well above it). Run with ``-s`` for the figures.
"""
import numpy as np
import pytest
from scipy.special import softmax
from scipy.stats import rankdata

from xaikit.exercises import context_for
from xaikit.exercises.neural_attribution import grader as E
from xaikit.exercises.neural_attribution.grader import methods as M
from xaikit.neural import occlude_patch

VARIANTS = range(20)


@pytest.fixture(scope="module")
def contexts():
    return [E.reference_context(context_for("neural_attribution", v)) for v in VARIANTS]


def _gap(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


def test_forward_tolerance(contexts):
    route = mistake = 0.0
    mistake = np.inf
    for ctx in contexts:
        z, p = ctx.ref_forward
        X = ctx.X_digits
        # other routes: predict_proba, scipy's softmax, a float loop over units
        route = max(route, _gap(p, ctx.model.predict_proba(X)), _gap(p, softmax(z, axis=1)))
        h = X
        for W, b in zip(ctx.W[:-1], ctx.B[:-1]):
            h = np.array([[max(0.0, float(np.dot(r, W[:, j]) + b[j])) for j in range(W.shape[1])]
                          for r in h])
        route = max(route, _gap(z, h @ ctx.W[-1] + ctx.B[-1]))
        lin = X
        for W, b in zip(ctx.W, ctx.B):
            lin = lin @ W + b
        mistake = min(mistake, _gap(z, lin), _gap(p, 1 / (1 + np.exp(-z))))
    print(f"\nforward: other routes max {route:.1e}, mistakes (no ReLU, sigmoid) min {mistake:.1e}"
          f" (tol {E.TOL_FORWARD})")
    assert route <= E.TOL_FORWARD / 50 and mistake >= 1e3 * E.TOL_FORWARD


def test_gradient_tolerance(contexts):
    fd_gap, mistake = 0.0, np.inf
    for ctx in contexts:
        fd_gap = max(fd_gap, ctx.ref_fd_error)
        mistake = min(mistake, _gap(ctx.ref_gradient("proba"), ctx.ref_fd),
                      _gap(E._no_relu_mask(ctx), ctx.ref_fd))
    print(f"gradient vs finite differences: max {fd_gap:.1e}; mistakes (probability gradient, "
          f"no ReLU mask) min {mistake:.1e} (tol {E.TOL_GRADIENT}, report tol "
          f"{E.TOL_FD_REPORT})")
    assert fd_gap <= E.TOL_GRADIENT / 100 and mistake >= 100 * E.TOL_FD_REPORT


def test_completeness_and_map_tolerances(contexts):
    rel, rel_few, rule_gap = 0.0, np.inf, np.inf
    for ctx in contexts:
        d = ctx.ref_delta()
        ig = ctx.ref_ig()
        rel = max(rel, float(np.max(np.abs(ig.sum(1) - d) / np.abs(d))))
        few = ctx.ref_ig(steps=4)
        rel_few = min(rel_few, float(np.max(np.abs(few.sum(1) - d) / np.abs(d))))
        rule_gap = min(rule_gap, _gap(ig, ctx.ref_ig(rule="left")),
                       _gap(ig, ctx.ref_ig(rule="trapezoid")),
                       _gap(ig, ctx.ref_ig(output="proba")))
    print(f"IG completeness, right Riemann at 1024 steps: max relative gap {rel:.1e}; at 4 steps "
          f"the worst digit's gap is >= {rel_few:.1e} in every variant (tol {E.TOL_COMPLETENESS}); other "
          f"rules / probability output differ by >= {rule_gap:.1e} (tol {E.TOL_MAP})")
    assert rel <= E.TOL_COMPLETENESS / 2
    assert rel_few > E.TOL_COMPLETENESS  # completeness alone flags 4 steps; the map check
    # (TOL_MAP) separates any other step count or rule by orders of magnitude (rule_gap)
    assert rule_gap >= 1e4 * E.TOL_MAP


def test_smoothgrad_and_occlusion_tolerances(contexts):
    route, mistake = 0.0, np.inf
    for ctx in contexts[:8]:
        X, c = ctx.X_digits, ctx.targets
        sg = ctx.ref_smoothgrad()
        noise = np.random.default_rng(ctx.sg_seed).normal(0, ctx.sg_sigma, (5, ctx.sg_samples, 64))
        loop = np.array([np.mean([M.input_gradient(ctx.W, ctx.B, X[i] + n, [c[i]])[0]
                                  for n in noise[i]], axis=0) for i in range(5)])
        route = max(route, _gap(sg, loop))
        mistake = min(mistake, _gap(sg, ctx.ref_smoothgrad(seed=ctx.sg_seed + 1)),
                      _gap(sg, E._smoothgrad_per_digit_rng(ctx)))
        occ = ctx.ref_occlusion()
        k = ctx.occ_positions
        lib = np.array([[[ctx.model.predict_proba(X[i][None])[0, c[i]]
                          - ctx.model.predict_proba(occlude_patch(X[i], t, l, ctx.occ_size)[None])
                          [0, c[i]] for l in k] for t in k] for i in range(5)])
        route = max(route, _gap(occ, lib))
        mistake = min(mistake, _gap(occ, ctx.ref_occlusion(output="logit")))
    print(f"SmoothGrad / occlusion: other routes max {route:.1e}; other seed, one generator per "
          f"digit, logit drop min {mistake:.1e} (tol {E.TOL_MAP})")
    assert route <= E.TOL_MAP / 100 and mistake >= 1e4 * E.TOL_MAP


def test_randomisation_tolerance(contexts):
    route, mistake = 0.0, np.inf
    summary = {m: [] for m in E.MAPS}
    for ctx in contexts:
        ref = ctx.ref_rand
        X, c = ctx.X_digits, ctx.targets
        g0 = M.input_gradient(ctx.W, ctx.B, X, c)
        # another route: Pearson correlation of average ranks (numpy), not scipy.spearmanr
        W, B = M.randomise_cascade(ctx.W, ctx.B, ctx.rand_seed)[0]
        g = M.input_gradient(W, B, X, c)
        rho = [np.corrcoef(rankdata(np.abs(g0[i])), rankdata(np.abs(g[i])))[0, 1]
               for i in range(5)]
        route = max(route, _gap(ref["gradient"][0], rho))
        indep = ctx.ref_randomisation(order="independent")
        mistake = min(mistake, _gap(ref["gradient"], indep["gradient"]))
        for m in E.MAPS:
            summary[m].append(ref[m].mean())
    print(f"randomisation: other route max {route:.1e}; independent (non-cascading) min "
          f"{mistake:.1e} (tol {E.TOL_RHO}); mean rho over variants: gradient "
          f"{np.mean(summary['gradient']):.2f}, gradient x input "
          f"{np.mean(summary['grad_x_input']):.2f}")
    assert route <= E.TOL_RHO / 100 and mistake >= 1e3 * E.TOL_RHO
    assert np.mean(summary["grad_x_input"]) > np.mean(summary["gradient"]) + 0.3
