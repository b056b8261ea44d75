"""Every check of neural_attribution, three ways (reference passes, known wrong answers fail
with their hint, the placeholder is not attempted), and the grader's attribution methods on
networks whose answers are known in closed form."""
import numpy as np
import pytest
from scipy.special import softmax
from scipy.stats import spearmanr

from xaikit.exercises import graded_exercise, reference_context
from xaikit.exercises.neural_attribution.grader import methods as M
from xaikit.neural import mlp_from_arrays, occlude_patch
from three_way import three_way

EX = graded_exercise("neural_attribution")
check, test_reference_answer_is_correct, test_placeholder_is_not_attempted = \
    three_way(EX)


@pytest.fixture(scope="module")
def ctx():
    return reference_context("neural_attribution", 0)


@pytest.fixture(scope="module")
def ref(ctx):
    """Reference answers; the forward pass and occlusion via scikit-learn's predict_proba."""
    X, c, rows = ctx.X_digits, ctx.targets, np.arange(5)
    logits = M.forward(ctx.W, ctx.B, X)[0]
    grad = M.input_gradient(ctx.W, ctx.B, X, c)
    ig = ctx.ref_ig()
    k = ctx.occ_positions
    occ = np.empty((5, len(k), len(k)))
    for i, x in enumerate(X):
        p0 = ctx.model.predict_proba(x[None])[0, c[i]]
        for r, t in enumerate(k):
            for q, l in enumerate(k):
                x_occ = occlude_patch(x, t, l, ctx.occ_size, ctx.occ_value)
                occ[i, r, q] = p0 - ctx.model.predict_proba(x_occ[None])[0, c[i]]
    return {"logits": logits, "probas": ctx.model.predict_proba(X), "grad_logit": grad,
            "fd_max_error": ctx.ref_fd_error, "grad_x_input": grad * X,
            "smoothgrad": ctx.ref_smoothgrad(), "ig": ig,
            "ig_completeness": ig.sum(1) - ctx.ref_delta(), "occlusion": occ,
            "randomisation": ctx.ref_rand}


def _with(ref, **changes):
    return {**ref, **changes}


def _no_feedback_leak(r, expected):
    text = (r.feedback or "") + (r.hint or "")
    for v in np.ravel(expected)[:5]:
        assert f"{v:.4f}" not in text


# --- q1 -----------------------------------------------------------------------------------

def test_q1_missing_relu_is_recognised(ref, ctx):
    h = ctx.X_digits
    for W, b in zip(ctx.W, ctx.B):
        h = h @ W + b
    r = check("q1", _with(ref, logits=h, probas=softmax(h, axis=1)), ctx)
    assert r.status == "incorrect" and "ReLU" in r.hint
    _no_feedback_leak(r, ref["logits"])


def test_q1_softmax_over_the_wrong_axis_and_sigmoid(ref, ctx):
    z = ref["logits"]
    r = check("q1", _with(ref, probas=softmax(z, axis=0)), ctx)
    assert r.status == "partial" and "axis=1" in r.hint
    r = check("q1", _with(ref, probas=1 / (1 + np.exp(-z))), ctx)
    assert r.status == "partial" and "softmax" in r.hint
    r = check("q1", _with(ref, logits=ref["probas"]), ctx)
    assert r.status == "partial" and "before the softmax" in r.hint


# --- q2 -----------------------------------------------------------------------------------

def test_q2_probability_gradient_is_recognised(ref, ctx):
    r = check("q2", _with(ref, grad_logit=ctx.ref_gradient("proba")), ctx)
    assert r.status == "partial" and "probability" in r.hint


def test_q2_missing_relu_mask_is_recognised(ref, ctx):
    g = np.zeros((5, 10))
    g[np.arange(5), ctx.targets] = 1
    for W in reversed(ctx.W):
        g = g @ W.T
    r = check("q2", _with(ref, grad_logit=g), ctx)
    assert r.status == "partial" and "ReLU" in r.hint


def test_q2_large_fd_error_is_not_a_working_check(ref, ctx):
    r = check("q2", _with(ref, fd_max_error=0.3), ctx)
    assert r.status == "partial" and r.score == pytest.approx(0.75)
    r = check("q2", _with(ref, grad_logit=ref["grad_logit"] + 1e-3, fd_max_error=0.3), ctx)
    assert r.status == "incorrect"


# --- q3 -----------------------------------------------------------------------------------

def test_q3_plain_gradient_for_grad_x_input(ref, ctx):
    r = check("q3", _with(ref, grad_x_input=ref["grad_logit"]), ctx)
    assert r.status == "partial" and "multiply by the input" in r.hint


def test_q3_one_generator_per_digit_gets_partial_credit(ref, ctx):
    from xaikit.exercises.neural_attribution.grader import _smoothgrad_per_digit_rng

    r = check("q3", _with(ref, smoothgrad=_smoothgrad_per_digit_rng(ctx)), ctx)
    assert r.status == "partial" and r.score == pytest.approx(0.7) and "One generator" in r.hint


def test_q3_other_seed_and_gxi_for_smoothgrad(ref, ctx):
    r = check("q3", _with(ref, smoothgrad=ctx.ref_smoothgrad(seed=ctx.sg_seed + 1)), ctx)
    assert r.status == "partial" and "not the same noise" in r.hint
    r = check("q3", _with(ref, smoothgrad=ctx.ref_smoothgrad() * ctx.X_digits * 50), ctx)
    assert r.status == "partial" and "mean, over" in r.hint


# --- q4 -----------------------------------------------------------------------------------

def test_q4_other_riemann_rule_is_partial(ref, ctx):
    ig = ctx.ref_ig(rule="trapezoid")
    r = check("q4", _with(ref, ig=ig, ig_completeness=ig.sum(1) - ctx.ref_delta()), ctx)
    assert r.status == "partial" and "Right Riemann" in r.hint


def test_q4_probability_output_is_recognised(ref, ctx):
    ig = ctx.ref_ig(output="proba")
    r = check("q4", _with(ref, ig=ig), ctx)
    assert r.status == "incorrect" and "LOGIT" in r.hint


def test_q4_too_few_steps_and_flipped_gap(ref, ctx):
    ig = ctx.ref_ig(steps=4)
    r = check("q4", _with(ref, ig=ig, ig_completeness=ig.sum(1) - ctx.ref_delta()), ctx)
    assert r.status == "incorrect"
    r = check("q4", _with(ref, ig_completeness=-ref["ig_completeness"]), ctx)
    assert r.status == "partial" and "in that order" in r.hint


def test_q4_missing_input_factor(ref, ctx):
    x = ctx.X_digits
    r = check("q4", _with(ref, ig=ref["ig"] / np.where(x == 0, 1, x)), ctx)
    assert "(x - baseline)" in r.hint


# --- q5 -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name,transform,word", [
    ("flipped", lambda o, c: -o, "F(x) - F(occluded"),
    ("logit", lambda o, c: c.ref_occlusion(output="logit"), "PROBABILITY"),
    ("transposed", lambda o, c: np.transpose(o, (0, 2, 1)), "top-left"),
])
def test_q5_mistakes(name, transform, word, ref, ctx):
    r = check("q5", _with(ref, occlusion=transform(ref["occlusion"], ctx)), ctx)
    assert r.status == "incorrect" and word in r.hint, name


# --- q6 -----------------------------------------------------------------------------------

def test_q6_independent_randomisation_is_recognised(ref, ctx):
    r = check("q6", _with(ref, randomisation=ctx.ref_randomisation(order="independent")), ctx)
    assert r.status in ("incorrect", "partial") and "Cascading" in r.hint


def test_q6_signed_maps_are_recognised(ref, ctx):
    from xaikit.exercises.neural_attribution.grader import _signed_rho

    r = check("q6", _with(ref, randomisation=_signed_rho(ctx)), ctx)
    assert r.status == "incorrect" and "absolute" in r.hint


def test_q6_one_map_right_is_half(ref, ctx):
    bad = dict(ref["randomisation"], gradient=ref["randomisation"]["gradient"][::-1])
    r = check("q6", _with(ref, randomisation=bad), ctx)
    assert r.status == "partial" and r.score == 0.5


# --- the methods on networks with known answers --------------------------------------------

RNG = np.random.default_rng(0)
W_LIN, B_LIN = RNG.normal(size=(6, 3)), RNG.normal(size=3)


def test_forward_equals_predict_proba_of_a_rebuilt_mlp():
    coefs = [RNG.normal(size=(6, 5)), RNG.normal(size=(5, 4))]
    ints = [RNG.normal(size=5), RNG.normal(size=4)]
    X = RNG.normal(size=(7, 6))
    m = mlp_from_arrays(coefs, ints, classes=range(4))
    assert np.allclose(M.forward(coefs, ints, X)[1], m.predict_proba(X), atol=1e-14)


def test_linear_model_gradient_ig_and_occlusion_are_exact():
    """No hidden layer: logit_c = x @ W[:, c] + b_c, so the gradient is W[:, c], IG from 0 is
    x * W[:, c] for any step count (completeness exact), gradient x input equals IG."""
    x = RNG.uniform(size=(2, 6))
    c = [0, 2]
    g = M.input_gradient([W_LIN], [B_LIN], x, c)
    assert np.allclose(g, W_LIN[:, c].T)
    ig = M.integrated_gradients([W_LIN], [B_LIN], x, c, baseline=0.0, steps=3)
    assert np.allclose(ig, x * W_LIN[:, c].T)
    assert np.allclose(ig.sum(1), M.class_output([W_LIN], [B_LIN], x, c)
                       - M.class_output([W_LIN], [B_LIN], np.zeros_like(x), c))
    assert np.allclose(M.smoothgrad([W_LIN], [B_LIN], x, c, sigma=0.7, n_samples=5, seed=1), g)


def test_ig_of_a_relu_is_exact_and_gradient_is_a_step():
    """f(x) = relu(x - 1) on one input: gradient 0 below 1, 1 above; IG from 0 at x = 3 is
    f(3) - f(0) = 2 whenever the kink at 1 falls on a step boundary (steps = 3)."""
    coefs, ints = [np.array([[1.0]]), np.array([[1.0]])], [np.array([-1.0]), np.array([0.0])]
    g = M.input_gradient(coefs, ints, np.array([[0.5], [2.0]]), [0, 0])
    assert g.ravel().tolist() == [0.0, 1.0]
    ig = M.integrated_gradients(coefs, ints, np.array([[3.0]]), [0], baseline=0.0, steps=3)
    assert ig[0, 0] == pytest.approx(2.0)
    left = M.integrated_gradients(coefs, ints, np.array([[3.0]]), [0], baseline=0.0, steps=3,
                                  rule="left")
    assert left[0, 0] == pytest.approx(1.0)  # alphas 0, 1/3, 2/3: only 2/3 * 3 = 2 > 1


def test_probability_gradient_matches_finite_differences():
    coefs = [RNG.normal(size=(6, 5)), RNG.normal(size=(5, 3))]
    ints = [RNG.normal(size=5), RNG.normal(size=3)]
    x = RNG.normal(size=6)
    g = M.input_gradient(coefs, ints, x, [1], output="proba")[0]
    eps, E = 1e-6, np.eye(6) * 1e-6
    fd = (M.class_output(coefs, ints, x + E, [1] * 6, "proba")
          - M.class_output(coefs, ints, x - E, [1] * 6, "proba")) / (2 * eps)
    assert np.allclose(g, fd, atol=1e-7)
    assert np.allclose(M.finite_difference_gradient(coefs, ints, x, 1),
                       M.input_gradient(coefs, ints, x, [1])[0], atol=1e-8)


def test_occlusion_of_a_linear_model_in_logit_units():
    W = RNG.normal(size=(64, 2))
    x = RNG.uniform(size=64)
    occ = M.occlusion_map([W], [np.zeros(2)], x, [1], size=2, stride=2, value=0.0,
                          output="logit")
    img, w = x.reshape(8, 8), W[:, 1].reshape(8, 8)
    want = (img * w).reshape(4, 2, 4, 2).sum(axis=(1, 3))
    assert np.allclose(occ[0], want)


def test_randomise_cascade_changes_the_top_layers_only():
    coefs = [np.ones((6, 5)), np.ones((5, 4)), np.ones((4, 3))]
    ints = [np.ones(5), np.ones(4), np.ones(3)]
    steps = M.randomise_cascade(coefs, ints, seed=3)
    assert len(steps) == 3
    for s, (W, B) in enumerate(steps):
        changed = [not np.all(w == 1) for w in W]
        assert changed == [layer >= 3 - (s + 1) for layer in range(3)]
        for w, b in zip(W[3 - (s + 1):], B[3 - (s + 1):]):
            bound = np.sqrt(6 / sum(w.shape))
            assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    again = M.randomise_cascade(coefs, ints, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(steps[0][0], again[0][0]))
    assert np.array_equal(steps[0][0][2], steps[2][0][2])  # cascading: kept from step 1


def test_spearman_abs_uses_absolute_values():
    a = RNG.normal(size=20)
    assert M.spearman_abs(a, -a) == pytest.approx(1.0)
    assert M.spearman_abs(a, 2 * a) == pytest.approx(spearmanr(np.abs(a), np.abs(a)).statistic)


def test_occlude_patch_clips_and_validates():
    x = np.ones(64)
    out = occlude_patch(x, 7, 7, 3).reshape(8, 8)
    assert out[7, 7] == 0 and out.sum() == 63
    with pytest.raises(ValueError):
        occlude_patch(np.ones(10), 0, 0, 2)
    with pytest.raises(ValueError):
        occlude_patch(x, 8, 0, 2)


def test_widget_shows_explore_digits_only_and_is_fast(ctx):
    from xaikit.widgets.neural import DigitExplorer

    w = DigitExplorer(ctx.ctx)
    offered = [v for _, v in w.digit.options]
    assert not set(offered) & set(ctx.digits)
    w.top.value = 5
    assert w.last_update_ms is not None
