"""Attribution methods for a ReLU multilayer perceptron, written from the papers (grader side).

Every function takes the weights as scikit-learn stores them (``coefs[l]`` of shape
(n_in, n_out), ``intercepts[l]`` of shape (n_out,)), hidden ReLU layers and a softmax output,
and explains the **logit** (pre-softmax output) of a chosen class unless said otherwise. Inputs
are intensities in [0, 1], shape (n, 64).

References
----------
Simonyan, K., Vedaldi, A. & Zisserman, A. (2014). Deep inside convolutional networks:
visualising image classification models and saliency maps. ICLR workshop (input gradients).
Shrikumar, A. et al. (2016). Not just a black box (gradient x input).
Sundararajan, M., Taly, A. & Yan, Q. (2017). Axiomatic attribution for deep networks. ICML
(integrated gradients, completeness).
Smilkov, D. et al. (2017). SmoothGrad: removing noise by adding noise. arXiv:1706.03825.
Zeiler, M. D. & Fergus, R. (2014). Visualizing and understanding convolutional networks. ECCV
(occlusion).
Adebayo, J. et al. (2018). Sanity checks for saliency maps. NeurIPS (model randomisation).
"""
from __future__ import annotations

import numpy as np


def forward(coefs, intercepts, X):
    """Forward pass: logits and softmax probabilities.

    Returns
    -------
    logits : ndarray of shape (n, n_classes)
    probas : ndarray of shape (n, n_classes), rows sum to 1 (equal to ``predict_proba``)
    """
    h = np.atleast_2d(np.asarray(X, dtype=float))
    for W, b in zip(coefs[:-1], intercepts[:-1]):
        h = np.maximum(h @ W + b, 0.0)
    z = h @ coefs[-1] + intercepts[-1]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return z, e / e.sum(axis=1, keepdims=True)


def input_gradient(coefs, intercepts, X, classes, output="logit"):
    """d output[class] / d input by backpropagation, one row per input.

    Parameters
    ----------
    X : array-like of shape (n, n_features)
    classes : array-like of int, shape (n,)
        The class explained for each row.
    output : {"logit", "proba"}
        The class logit, or its softmax probability.

    Returns
    -------
    ndarray of shape (n, n_features)
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    classes = np.broadcast_to(np.asarray(classes, dtype=int), (len(X),))
    acts, masks, h = [X], [], X
    for W, b in zip(coefs[:-1], intercepts[:-1]):
        pre = h @ W + b
        masks.append(pre > 0)
        h = np.maximum(pre, 0.0)
        acts.append(h)
    n_out = coefs[-1].shape[1]
    g = np.zeros((len(X), n_out))
    g[np.arange(len(X)), classes] = 1.0
    if output == "proba":
        _, p = forward(coefs, intercepts, X)
        pc = p[np.arange(len(X)), classes][:, None]
        g = pc * (g - p)  # d p_c / d z_k = p_c (1[k=c] - p_k)
    elif output != "logit":
        raise ValueError("output must be 'logit' or 'proba'")
    g = g @ coefs[-1].T
    for W, m in zip(reversed(coefs[:-1]), reversed(masks)):
        g = (g * m) @ W.T
    return g


def class_output(coefs, intercepts, X, classes, output="logit"):
    """The explained output (logit or probability of ``classes``), shape (n,)."""
    z, p = forward(coefs, intercepts, X)
    rows = np.arange(len(z))
    return (z if output == "logit" else p)[rows, np.asarray(classes, dtype=int)]


def finite_difference_gradient(coefs, intercepts, x, cls, eps=1e-5):
    """Central finite differences of the class logit at one input, shape (n_features,)."""
    x = np.asarray(x, dtype=float)
    E = np.eye(len(x)) * eps
    up = class_output(coefs, intercepts, x + E, np.full(len(x), cls))
    down = class_output(coefs, intercepts, x - E, np.full(len(x), cls))
    return (up - down) / (2 * eps)


def smoothgrad(coefs, intercepts, X, classes, *, sigma, n_samples, seed):
    """SmoothGrad: mean input gradient of the class logit over noisy copies of each input.

    Noise: ``rng = np.random.default_rng(seed)``, then ``rng.normal(0, sigma, (n, n_samples,
    n_features))`` drawn once for all rows (row order), added without clipping.
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    noise = np.random.default_rng(seed).normal(0.0, sigma, (len(X), n_samples, X.shape[1]))
    out = np.empty_like(X)
    for i, (x, c) in enumerate(zip(X, classes)):
        out[i] = input_gradient(coefs, intercepts, x + noise[i], np.full(n_samples, c)).mean(0)
    return out


def integrated_gradients(coefs, intercepts, X, classes, *, baseline, steps, rule="right",
                         output="logit"):
    """Integrated gradients along the straight line from ``baseline`` to each input.

    ``IG_j = (x_j - x'_j) * mean_k dF/dx_j (x' + a_k (x - x'))`` with ``a_k = k / steps``,
    ``k = 1..steps`` (right Riemann sum; ``rule="left"``: k = 0..steps-1; ``"trapezoid"``).

    Returns
    -------
    ndarray of shape (n, n_features); sums approximately to F(x) - F(baseline) (completeness).
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    base = np.broadcast_to(np.asarray(baseline, dtype=float), X.shape[1:])
    k = np.arange(steps + 1) / steps
    alphas = {"right": k[1:], "left": k[:-1], "trapezoid": k}[rule]
    weights = np.full(len(alphas), 1.0 / len(alphas))
    if rule == "trapezoid":
        weights = np.full(len(alphas), 1.0 / steps)
        weights[[0, -1]] /= 2
    out = np.empty_like(X)
    for i, (x, c) in enumerate(zip(X, classes)):
        path = base + alphas[:, None] * (x - base)
        g = input_gradient(coefs, intercepts, path, np.full(len(alphas), c), output=output)
        out[i] = (x - base) * (weights @ g)
    return out


def occlusion_map(coefs, intercepts, X, classes, *, size, stride, value, output="proba"):
    """Occlusion sensitivity: drop of the class output when a square patch is set to ``value``.

    Patches of ``size`` x ``size`` pixels with top-left corners at ``0, stride, 2 stride, ...``
    (inside the 8x8 image). Returns an array of shape (n, n_pos, n_pos):
    ``F(x) - F(x with patch (r, c) occluded)`` (positive = the patch supported the class).
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    pos = list(range(0, 8 - size + 1, stride))
    out = np.empty((len(X), len(pos), len(pos)))
    for i, (x, c) in enumerate(zip(X, classes)):
        batch = np.repeat(x.reshape(1, 8, 8), len(pos) ** 2, axis=0)
        for n, (r, q) in enumerate((r, q) for r in pos for q in pos):
            batch[n, r:r + size, q:q + size] = value
        f0 = class_output(coefs, intercepts, x[None], [c], output)[0]
        f = class_output(coefs, intercepts, batch.reshape(len(batch), -1),
                         np.full(len(batch), c), output)
        out[i] = (f0 - f).reshape(len(pos), len(pos))
    return out


def randomise_cascade(coefs, intercepts, seed):
    """Cascading model randomisation (Adebayo et al. 2018), from the output layer down.

    ``rng = np.random.default_rng(seed)``; step s = 1, 2, ... re-initialises layer
    ``L - s`` (0-based, L = number of weight layers) with Glorot-uniform draws (as scikit-learn
    initialises ReLU networks): ``bound = sqrt(6 / (n_in + n_out))``, weights
    ``rng.uniform(-bound, bound, (n_in, n_out))`` then biases ``rng.uniform(-bound, bound,
    n_out)``; the layers randomised at earlier steps keep their random weights.

    Returns
    -------
    list of (coefs, intercepts), one per step (L steps).
    """
    rng = np.random.default_rng(seed)
    W = [np.array(c) for c in coefs]
    B = [np.array(b) for b in intercepts]
    out = []
    for layer in reversed(range(len(W))):
        n_in, n_out = W[layer].shape
        bound = np.sqrt(6.0 / (n_in + n_out))
        W[layer] = rng.uniform(-bound, bound, (n_in, n_out))
        B[layer] = rng.uniform(-bound, bound, n_out)
        out.append(([w.copy() for w in W], [b.copy() for b in B]))
    return out


def spearman_abs(a, b) -> float:
    """Spearman rank correlation of ``|a|`` and ``|b|`` (``scipy.stats.spearmanr``, ties averaged)."""
    from scipy.stats import spearmanr

    return float(spearmanr(np.abs(np.ravel(a)), np.abs(np.ravel(b))).statistic)
