"""Primer ``neural``: input gradients, gradient x input, integrated gradients (completeness),
SmoothGrad and occlusion, before the exercise ``neural_attribution``.

The primer works on a tiny hand-set ReLU network of TWO inputs, whose every attribution has a
closed form, and on a logistic-regression model of scikit-learn's breast-cancer data (another
model and other data than the exercise's digits MLP)::

    f(x1, x2) = relu(x1 + x2 - 1) + 0.5 relu(x1 - x2) + 0.3

stored the way scikit-learn stores an MLP (``coefs[l]`` of shape (n_in, n_out)).

The self-checks (practice mode, right / wrong with a hint, never the expected value):

- ``n1``: the gradient of f at (0.3, 0.9) (recognises a missing ReLU mask);
- ``n2``: integrated gradients of f at (0.3, 0.9) from the baseline (0, 0) (recognises gradient
  x input and f(x) instead of the attributions);
- ``n3``: what an occlusion value depends on (multiple choice);
- ``n4``: the model-randomisation sanity check (multiple choice).

References
----------
Simonyan, Vedaldi & Zisserman (2014), saliency maps; Sundararajan, Taly & Yan (2017),
"Axiomatic attribution for deep networks", ICML (integrated gradients); Smilkov et al. (2017),
"SmoothGrad"; Zeiler & Fergus (2014), occlusion; Adebayo et al. (2018), "Sanity checks for
saliency maps", NeurIPS.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xaikit.exercises.framework import Question, as_array, close, correct, incorrect
from xaikit.primers import Primer, choice_check

#: the toy network, scikit-learn layout: 2 inputs -> 2 ReLU units -> 1 output
TOY_COEFS = (np.array([[1.0, 1.0], [1.0, -1.0]]), np.array([[1.0], [0.5]]))
TOY_INTERCEPTS = (np.array([-1.0, 0.0]), np.array([0.3]))
#: the point of n1 and n2
X0 = np.array([0.3, 0.9])
#: closed forms are exact; this only absorbs float rounding of a numeric route
TOL = 1e-6
#: n2 allows a fine Riemann sum (the kink at t = 5/6 costs at most 1/steps of the integral)
TOL_IG = 2e-3


def toy_forward(X):
    """f of the toy network, shape (n,), for inputs of shape (n, 2)."""
    h = np.maximum(np.atleast_2d(X) @ TOY_COEFS[0] + TOY_INTERCEPTS[0], 0.0)
    return (h @ TOY_COEFS[1] + TOY_INTERCEPTS[1])[:, 0]


@dataclass
class NeuralPrimerContext:
    """The primer's models.

    Attributes
    ----------
    coefs, intercepts : tuple of ndarray
        The toy network (see the module docstring).
    logistic : sklearn.linear_model.LogisticRegression
        On the standardised breast-cancer data (``load_breast_cancer``, 30 features).
    X_cancer : ndarray of shape (569, 30)
        Standardised features (z-scores).
    feature_names : list of str
    """

    coefs: tuple
    intercepts: tuple
    logistic: object
    X_cancer: np.ndarray
    feature_names: list


def build_context() -> NeuralPrimerContext:
    """The toy network and a logistic regression on breast cancer (~0.1 s)."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression

    d = load_breast_cancer()
    X = (d.data - d.data.mean(0)) / d.data.std(0)
    model = LogisticRegression(C=0.5, max_iter=2000).fit(X, d.target)
    return NeuralPrimerContext(TOY_COEFS, TOY_INTERCEPTS, model, X, list(d.feature_names))


def _toy_gradient():
    # at X0: unit 1 pre-activation 0.2 (on), unit 2 -0.6 (off)
    pre = X0 @ TOY_COEFS[0] + TOY_INTERCEPTS[0]
    return TOY_COEFS[0] @ (TOY_COEFS[1][:, 0] * (pre > 0))


def _toy_ig():
    # along t * X0 unit 1 is on for t > 1 / 1.2 = 5/6, unit 2 never: IG = X0 * (1/6) * (1, 1)
    t_on = 1.0 / (X0 @ TOY_COEFS[0][:, 0])
    return X0 * (1.0 - t_on) * TOY_COEFS[0][:, 0] * TOY_COEFS[1][0, 0]


def check_n1(a, ctx):
    g = as_array("grad_toy", a["grad_toy"], (2,))
    if close(g, _toy_gradient(), TOL):
        return correct("Correct: only the unit whose pre-activation is positive passes the "
                       "gradient back.")
    if close(g, TOY_COEFS[0] @ TOY_COEFS[1][:, 0], TOL):
        return incorrect("Both hidden units pass the gradient.", "Multiply by the ReLU's "
                         "derivative: 1 where the pre-activation is > 0, else 0.")
    return incorrect("Not the gradient of f at (0.3, 0.9).",
                     "df/dx = W1 @ (w2 * 1[pre > 0]), with pre = x @ W1 + b1.")


def check_n2(a, ctx):
    ig = as_array("ig_toy", a["ig_toy"], (2,))
    if close(ig, _toy_ig(), TOL_IG):
        return correct("Correct: the attributions add up to f(x) - f(baseline) (completeness).")
    if close(ig, X0 * _toy_gradient(), TOL_IG):
        return incorrect("That is gradient x input.", "IG averages the gradient along the "
                         "path from the baseline; here the unit is off for most of the path.")
    if abs(ig.sum() - toy_forward(X0[None])[0]) <= TOL_IG:
        return incorrect("Your attributions add up to f(x).", "Completeness: they add up to "
                         "f(x) - f(baseline); f(0, 0) = 0.3 is not 0.")
    return incorrect("Not the integrated gradients of f at (0.3, 0.9) from (0, 0).",
                     "IG_j = x_j * mean over t in (0, 1] of df/dx_j(t x); use many steps.")


QUESTIONS = (
    Question(id="n1", title="a gradient by hand", kind="auto", points=1, level="mid",
             minutes=4, answers=("grad_toy",), check=check_n1,
             hints=("Compute both pre-activations at (0.3, 0.9) first.",)),
    Question(id="n2", title="integrated gradients and completeness", kind="auto", points=1,
             level="mid", minutes=5, answers=("ig_toy",), check=check_n2,
             hints=("Where along t (0, 0) -> (0.3, 0.9) does the first unit switch on?",)),
    Question(id="n3", title="what an occlusion value depends on", kind="auto", points=1,
             level="mid", minutes=1, answers=("answer_n3",),
             check=choice_check("answer_n3", "d", {
                 "a": "The patch's size matters: a bigger patch hides more evidence at once.",
                 "b": "The baseline written into the patch is a choice: 0, the mean, a blur "
                      "give different maps.",
                 "c": "Drop of the logit or of the probability: the softmax saturates, so the "
                      "two maps differ.",
             }),
             hints=("List every setting you had to choose to compute one number.",)),
    Question(id="n4", title="the model-randomisation test", kind="auto", points=1, level="mid",
             minutes=2, answers=("answer_n4",),
             check=choice_check("answer_n4", "b", {
                 "a": "A map that survives the randomisation does not depend on the weights: "
                      "it explains the input, not the model.",
                 "c": "The test changes the model, not the data; a data-randomisation test "
                      "(retrain on shuffled labels) is another check of the same paper.",
                 "d": "Completeness holds for any weights; it says nothing about what the map "
                      "depends on.",
             }),
             hints=("Adebayo et al. (2018): what should happen to an explanation of a model "
                    "whose weights are random?",)),
)

PRIMER = Primer(
    id="neural",
    title="Saliency for neural networks: gradients, integrated gradients, occlusion",
    exercise="neural_attribution",
    notebook="neural.ipynb",
    minutes=20,
    questions=QUESTIONS,
    build_context=build_context,
)
