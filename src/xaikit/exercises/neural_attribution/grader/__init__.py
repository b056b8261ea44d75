"""Grader part of ``neural_attribution``: checks, hints and rubrics.

Never shipped to candidates. The references (:mod:`.references`) recompute every map from the
model's own ``coefs_`` / ``intercepts_`` for the variant's digits, under the notebook's
protocol, with the methods of :mod:`.methods`. Tolerances are calibrated over 20 variants in
``tests/test_calibration_neural_attribution.py``.
"""
from __future__ import annotations

import numpy as np

from xaikit.exercises.framework import (AnswerFormatError, Rubric, as_array, as_float, close,
                                        correct, field_of, incorrect, partial)
from xaikit.exercises.neural_attribution.public import MAPS, N_DIGITS

from . import methods
from .references import References, reference_context

__all__ = ["References", "reference_context", "methods", "CHECKS", "HINTS", "RUBRICS"]

#: forward pass, logits and probabilities: float64 matrix products in another order (a loop,
#: ``scipy.special.softmax``, ``predict_proba``) differ by ~1e-15; the brief's bound.
TOL_FORWARD = 1e-12
#: backprop gradient vs the grader's central finite differences (eps = 1e-5): the logit is
#: piecewise linear, so the difference is rounding (~1e-9 at most over 20 variants).
TOL_GRADIENT = 1e-6
#: the candidate's reported max |gradient - finite differences|: any value below this shows a
#: working check (ours ~1e-9); a wrong gradient gives >= 1e-2.
TOL_FD_REPORT = 1e-5
#: maps recomputed under the same protocol (same noise draws, same steps): summation order only.
TOL_MAP = 1e-8
#: integrated gradients: relative completeness error allowed at the stated steps (the brief's
#: 1e-2; the right Riemann sum at 1024 steps stays under 3.5e-3 over 20 variants, 256 steps
#: reach 1.5e-2 on one digit).
TOL_COMPLETENESS = 1e-2
#: Spearman rho recomputed from the same maps (rank ties averaged the same way).
TOL_RHO = 1e-6


def _shape(ctx, p=64):
    return (N_DIGITS, p)


def check_q1(a, ctx):
    score, notes, hint = 0.0, [], None
    z_ref, p_ref = ctx.ref_forward
    if a["logits"] is not None:
        z = as_array("logits", a["logits"], (N_DIGITS, 10))
        if close(z, z_ref, TOL_FORWARD):
            score += 0.5
        else:
            notes.append("`logits` do not match the network's output layer")
            h = ctx.X_digits
            lin = h
            for W, b in zip(ctx.W, ctx.B):
                lin = lin @ W + b
            if close(z, lin, 1e-9):
                hint = "Apply ReLU, max(0, .), after every hidden layer (not after the last)."
            elif close(z, p_ref, 1e-9):
                hint = "`logits` are the values before the softmax; `probas` after it."
            elif close(z, np.maximum(z_ref, 0), 1e-9):
                hint = "No ReLU on the output layer: the logits can be negative."
            else:
                hint = ("h = relu(X @ coefs_[0] + intercepts_[0]), then the next layer, and "
                        "logits = h @ coefs_[-1] + intercepts_[-1].")
    else:
        notes.append("`logits` missing")
    if a["probas"] is not None:
        p = as_array("probas", a["probas"], (N_DIGITS, 10))
        if close(p, p_ref, TOL_FORWARD):
            score += 0.5
        else:
            notes.append("`probas` do not equal predict_proba")
            e = np.exp(z_ref - z_ref.max())
            if close(p, e / e.sum(axis=0, keepdims=True), 1e-9):
                hint = hint or "Softmax normalises over the 10 classes of each digit (axis=1)."
            elif close(p, 1 / (1 + np.exp(-z_ref)), 1e-9):
                hint = hint or "The output activation is softmax (out_activation_), not logistic."
            else:
                hint = hint or "softmax(z)_k = exp(z_k - max z) / sum_j exp(z_j - max z), per row."
    else:
        notes.append("`probas` missing")
    if score >= 1 - 1e-9:
        return correct("Correct: your forward pass reproduces predict_proba.")
    return (partial(score, "; ".join(notes) + ".", hint) if score
            else incorrect("; ".join(notes) + ".", hint))


def check_q2(a, ctx):
    score, notes, hint = 0.0, [], None
    if a["grad_logit"] is not None:
        g = as_array("grad_logit", a["grad_logit"], _shape(ctx))
        if close(g, ctx.ref_fd, TOL_GRADIENT):
            score += 0.75
        else:
            notes.append("`grad_logit` does not match finite differences of the class logit")
            if close(g, ctx.ref_gradient("proba"), 1e-8):
                hint = ("This is the gradient of the probability; the question asks for the "
                        "class logit (before the softmax).")
            elif close(g, _no_relu_mask(ctx), 1e-8):
                hint = ("Backpropagate through ReLU: multiply by 1[pre-activation > 0] of each "
                        "hidden layer.")
            elif close(g, _gradient_of(ctx, ctx.model.predict(ctx.X_digits) * 0), 1e-8) and \
                    not np.all(ctx.targets == 0):
                hint = "Explain each digit's predicted class (TARGETS), not class 0."
            else:
                hint = ("Start from a one-hot vector of the target class at the output, then "
                        "g = g @ coefs_[l].T, multiplied by the ReLU mask of layer l, down to "
                        "the input.")
    else:
        notes.append("`grad_logit` missing")
    if a["fd_max_error"] is not None:
        e = as_float("fd_max_error", a["fd_max_error"])
        if 0 <= e <= TOL_FD_REPORT:
            score += 0.25
        else:
            notes.append("`fd_max_error` is not the small difference of a working check")
            hint = hint or ("Central differences (f(x + eps e_j) - f(x - eps e_j)) / (2 eps) "
                            "with eps = FD_EPS, max |difference| over all 5 x 64 entries.")
    else:
        notes.append("`fd_max_error` missing")
    if score >= 1 - 1e-9:
        return correct("Correct: your backpropagated gradient matches finite differences.")
    return (partial(score, "; ".join(notes) + ".", hint) if score
            else incorrect("; ".join(notes) + ".", hint))


def _no_relu_mask(ctx):
    g = np.zeros((N_DIGITS, 10))
    g[np.arange(N_DIGITS), ctx.targets] = 1
    for W in reversed(ctx.W):
        g = g @ W.T
    return g


def _gradient_of(ctx, classes):
    return methods.input_gradient(ctx.W, ctx.B, ctx.X_digits, classes)


def check_q3(a, ctx):
    score, notes, hint = 0.0, [], None
    grad = ctx.ref_gradient()
    if a["grad_x_input"] is not None:
        gx = as_array("grad_x_input", a["grad_x_input"], _shape(ctx))
        if close(gx, grad * ctx.X_digits, TOL_MAP):
            score += 0.4
        else:
            notes.append("`grad_x_input` is not the gradient times the input")
            hint = ("Element-wise product of the class-logit gradient (q2) and the digit's "
                    "intensities." if not close(gx, grad, TOL_MAP) else
                    "You stored the plain gradient: multiply by the input, element-wise.")
    else:
        notes.append("`grad_x_input` missing")
    if a["smoothgrad"] is not None:
        sg = as_array("smoothgrad", a["smoothgrad"], _shape(ctx))
        if close(sg, ctx.ref_smoothgrad(), TOL_MAP):
            score += 0.6
        else:
            notes.append("`smoothgrad` does not reproduce the stated protocol")
            alt = _smoothgrad_per_digit_rng(ctx)
            if close(sg, alt, TOL_MAP):
                score += 0.3
                hint = ("One generator for all digits: rng = default_rng(SG_SEED), noise = "
                        "rng.normal(0, SG_SIGMA, (5, SG_SAMPLES, 64)) drawn once.")
            elif np.max(np.abs(sg - ctx.ref_smoothgrad())) < 0.5 * np.max(np.abs(grad)):
                hint = ("Close, but not the same noise: one generator "
                        "np.random.default_rng(SG_SEED), one draw of shape "
                        "(5, SG_SAMPLES, 64), sigma = SG_SIGMA in intensity units, no clipping.")
            else:
                hint = ("SmoothGrad = the mean, over SG_SAMPLES noisy copies x + noise, of the "
                        "class-logit gradient at each copy (not gradient x input).")
    else:
        notes.append("`smoothgrad` missing")
    if score >= 1 - 1e-9:
        return correct()
    return (partial(score, "; ".join(notes) + ".", hint) if score
            else incorrect("; ".join(notes) + ".", hint))


def _smoothgrad_per_digit_rng(ctx):
    out = np.empty((N_DIGITS, 64))
    for i, (x, c) in enumerate(zip(ctx.X_digits, ctx.targets)):
        noise = np.random.default_rng(ctx.sg_seed).normal(0, ctx.sg_sigma, (ctx.sg_samples, 64))
        out[i] = methods.input_gradient(ctx.W, ctx.B, x + noise,
                                        np.full(ctx.sg_samples, c)).mean(0)
    return out


def check_q4(a, ctx):
    score, notes, hint = 0.0, [], None
    delta = ctx.ref_delta()
    if a["ig"] is not None:
        ig = as_array("ig", a["ig"], _shape(ctx))
        rel = np.abs(ig.sum(1) - delta) / np.abs(delta)
        if close(ig, ctx.ref_ig(), TOL_MAP):
            score += 0.7
        elif np.all(rel <= TOL_COMPLETENESS) and any(
                close(ig, ctx.ref_ig(rule=r), TOL_MAP) for r in ("left", "trapezoid")):
            score += 0.4
            notes.append("`ig` is complete but not computed with the stated Riemann rule")
            hint = "Right Riemann sum: alphas k / IG_STEPS for k = 1 ... IG_STEPS."
        else:
            notes.append("`ig` does not reproduce integrated gradients under the protocol")
            if close(ig, ctx.ref_ig(output="proba"), TOL_MAP):
                hint = "Integrate the gradient of the class LOGIT, not of the probability."
            elif close(ig, ctx.ref_ig() / np.where(ctx.X_digits == 0, 1, ctx.X_digits), TOL_MAP):
                hint = "Multiply the averaged gradient by (x - baseline), element-wise."
            elif np.all(rel <= TOL_COMPLETENESS):
                hint = ("Your map is complete but not the one asked: baseline = blank image "
                        "(all 0), IG_STEPS steps, right Riemann sum.")
            else:
                hint = ("IG_j = (x_j - 0) * mean over k = 1..IG_STEPS of the class-logit "
                        "gradient at (k / IG_STEPS) * x. Its sum must equal F(x) - F(0).")
    else:
        notes.append("`ig` missing")
    if a["ig_completeness"] is not None:
        c = as_array("ig_completeness", a["ig_completeness"], (N_DIGITS,))
        ok_own = a["ig"] is not None and close(
            c, np.asarray(a["ig"], float).sum(1) - delta, 1e-8)
        if ok_own and np.all(np.abs(c) / np.abs(delta) <= TOL_COMPLETENESS):
            score += 0.3
        else:
            notes.append("`ig_completeness` is not sum(IG) - (F(x) - F(baseline)) of your map, "
                         "small enough")
            if a["ig"] is not None and close(c, -(np.asarray(a["ig"], float).sum(1) - delta),
                                             1e-8):
                hint = hint or "The gap is sum(IG) - (F(x) - F(baseline)), in that order."
            else:
                hint = hint or ("Per digit: ig.sum() - (logit_c(x) - logit_c(blank image)), "
                                "logits of the target class.")
    else:
        notes.append("`ig_completeness` missing")
    if score >= 1 - 1e-9:
        return correct("Correct: your integrated gradients are complete under the protocol.")
    return (partial(score, "; ".join(notes) + ".", hint) if score
            else incorrect("; ".join(notes) + ".", hint))


def check_q5(a, ctx):
    k = len(ctx.occ_positions)
    occ = as_array("occlusion", a["occlusion"], (N_DIGITS, k, k))
    ref = ctx.ref_occlusion()
    if close(occ, ref, TOL_MAP):
        return correct()
    if close(occ, -ref, TOL_MAP):
        return incorrect("The signs are flipped.", "Output = F(x) - F(occluded x): a patch "
                         "that supported the class has a positive drop.")
    if close(occ, ctx.ref_occlusion(output="logit"), TOL_MAP):
        return incorrect("These are drops of the logit.", "The protocol asks for the drop of "
                         "the class PROBABILITY (predict_proba).")
    if close(occ, np.transpose(ref, (0, 2, 1)), TOL_MAP):
        return incorrect("Rows and columns are swapped.", "occlusion[i, r, c]: patch whose "
                         "top-left pixel is (row OCC_POSITIONS[r], column OCC_POSITIONS[c]).")
    mean_fill = ctx.ref_occlusion(value=float(ctx.trained.X_train.mean()))
    if close(occ, mean_fill, TOL_MAP):
        return incorrect("The patch holds the mean intensity.", "Write OCC_VALUE into the patch.")
    return incorrect("The map does not reproduce occlusion under the protocol.",
                     "OCC_SIZE x OCC_SIZE patches at OCC_POSITIONS (rows and columns), set to "
                     "OCC_VALUE, output = p_target(x) - p_target(occluded x).")


def check_q6(a, ctx):
    n_steps = len(ctx.W)
    vals = {m: as_array(f"randomisation['{m}']", field_of("randomisation", a["randomisation"], m),
                        (n_steps, N_DIGITS)) for m in MAPS}
    ref = ctx.ref_rand
    ok = [close(vals[m], ref[m], TOL_RHO) for m in MAPS]
    if all(ok):
        return correct("Correct: the cascading randomisation test is reproduced.")
    hint = None
    indep = ctx.ref_randomisation(order="independent")
    if all(close(vals[m], indep[m], TOL_RHO) for m in MAPS):
        hint = ("Cascading: layers randomised at earlier steps stay random (step 2 = output "
                "AND last hidden layer random).")
    else:
        signed = _signed_rho(ctx)
        if any(close(vals[m], signed[m], TOL_RHO) for m in MAPS):
            hint = "Correlate the absolute values |map| (Adebayo et al. 2018), not signed maps."
        else:
            hint = ("One generator default_rng(RAND_SEED); from the output layer down, draw W "
                    "then b ~ U(-bound, bound), bound = sqrt(6 / (n_in + n_out)); map the "
                    "ORIGINAL target class; Spearman of |original map| vs |randomised map|.")
    if any(ok):
        return partial(0.5, f"`{MAPS[ok.index(True)]}` is right, the other is not.", hint)
    return incorrect("Neither row set reproduces the test.", hint)


def _signed_rho(ctx):
    from scipy.stats import spearmanr

    X, c = ctx.X_digits, ctx.targets
    g0 = methods.input_gradient(ctx.W, ctx.B, X, c)
    out = {m: [] for m in MAPS}
    for W, B in methods.randomise_cascade(ctx.W, ctx.B, ctx.rand_seed):
        g = methods.input_gradient(W, B, X, c)
        out["gradient"].append([spearmanr(g0[i], g[i]).statistic for i in range(len(X))])
        out["grad_x_input"].append([spearmanr(g0[i] * X[i], g[i] * X[i]).statistic
                                    for i in range(len(X))])
    return {m: np.array(v) for m, v in out.items()}


CHECKS = {"q1": check_q1, "q2": check_q2, "q3": check_q3, "q4": check_q4, "q5": check_q5,
          "q6": check_q6}

HINTS = {
    "q1": ("coefs_[l] has shape (n_in, n_out): h @ coefs_[l] + intercepts_[l].",),
    "q2": ("Chain rule backwards: output one-hot -> W.T -> ReLU mask -> W.T ...",
           "Check with central finite differences, eps = FD_EPS."),
    "q3": ("SmoothGrad averages gradients at noisy copies; the noise is in intensity units.",),
    "q4": ("Completeness: sum(IG) = F(x) - F(baseline) up to the Riemann error.",),
    "q5": ("Each patch gives one number: the drop of the target probability.",),
    "q6": ("Adebayo et al. (2018), cascading randomisation from the top layer.",),
}

RUBRICS = {
    "q7": Rubric(
        criteria=(
            "reads the maps: gradient is noisy/speckled and mostly outside the stroke is "
            "possible; gradient x input and IG are zero on blank pixels (baseline 0) and "
            "highlight the strokes; occlusion is coarse (2x2) but model-agnostic",
            "explains IG's completeness: the attributions add up to the logit difference from "
            "the blank image, so they are comparable in logit units; depends on the baseline "
            "(a black baseline gives zero credit to blank pixels, i.e. 'missing ink' cannot "
            "count)",
            "reads the randomisation numbers: gradient maps decorrelate when the weights are "
            "randomised (they depend on the model), gradient x input stays correlated because "
            "multiplying by the input imprints the digit's shape (an edge-detector effect)",
            "concludes what a sanity check can and cannot show: passing is necessary, not "
            "sufficient; a map that does not change with the model explains the input, not the "
            "model",
        ),
        strong="Ties at least three criteria to the notebook's numbers (e.g. the Spearman rho of "
               "gradient vs gradient x input after the first step, a completeness gap).",
        adequate="Two criteria, correctly, with at least one number.",
        weak="Describes the pictures ('the map highlights the digit') without the test's "
             "meaning, or claims that gradient x input passing looks like the model."),
    "q8": Rubric(
        criteria=(
            "the same methods apply to a CNN (gradients by autograd; IG, SmoothGrad, occlusion "
            "unchanged), at a higher cost (many forward/backward passes per image)",
            "Grad-CAM: weights the last convolutional feature maps by the spatially averaged "
            "gradient of the class score, sums, ReLU, upsamples to the image (Selvaraju et al. "
            "2017)",
            "limits of Grad-CAM: coarse (the last conv layer's resolution), class-discriminative "
            "but not fine-grained, ReLU drops negative evidence, not complete, can fail "
            "sanity checks less but still is a heuristic; depends on the chosen layer",
            "says what does not transfer: this MLP has no spatial structure (a dense layer), "
            "so Grad-CAM has no feature maps here; baseline choice for images (black, blur, "
            "noise) matters",
        ),
        strong="Explains Grad-CAM's computation and at least two limits, and what carries over "
               "from this notebook (and what does not).",
        adequate="Describes Grad-CAM roughly and one limit.",
        weak="Names Grad-CAM without how it works or its limits."),
}
