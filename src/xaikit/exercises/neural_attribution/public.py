"""Public part of ``neural_attribution``: the context (digits, MLP, the variant's digits and
settings) and the questions. Nothing here computes an attribution map: the methods are in the
grader part.

Data card (see :mod:`xaikit.neural`): scikit-learn's bundled handwritten digits
(``load_digits``; UCI optdigits, Alpaydin & Kaynak 1998, CC BY 4.0), 1797 images of 8x8 pixels,
pixel counts 0-16, used here as intensities = count / 16 in [0, 1], flattened row by row.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xaikit.exercises.framework import Exercise, Question

N_DIGITS = 5
N_EXPLORE = 12
MAPS = ("gradient", "grad_x_input")


@dataclass
class NeuralContext:
    """Everything the notebook needs for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.neural.DigitsMLP
        The MLP (64 -> 32 ReLU -> 32 ReLU -> 10 softmax) and its split (intensities in [0, 1]).
    digits : list of int
        Positions (rows of ``X_test``) of the question's 5 test digits, in order.
    explore : list of int
        Rows of ``X_test`` offered by the explorer (none of them in ``digits``).
    fd_eps : float
        Step of the central finite differences (q2), intensity units.
    sg_sigma, sg_samples, sg_seed : float, int, int
        SmoothGrad noise standard deviation (intensity units), samples per digit, seed (q3).
    ig_steps : int
        Steps of the right Riemann sum of integrated gradients (q4); baseline: blank image (0).
    occ_size, occ_stride, occ_value : int, int, float
        Occlusion patch side and stride (pixels) and the value written into it (q5).
    rand_seed : int
        Seed of the cascading randomisation (q6).
    """

    variant: int
    trained: object
    digits: list
    explore: list
    fd_eps: float = 1e-5
    sg_sigma: float = 0.15
    sg_samples: int = 50
    sg_seed: int = 0
    ig_steps: int = 1024
    occ_size: int = 2
    occ_stride: int = 2
    occ_value: float = 0.0
    rand_seed: int = 0

    @property
    def model(self):
        return self.trained.model

    @property
    def X_test(self):
        return self.trained.X_test

    @property
    def X_digits(self) -> np.ndarray:
        """The question's digits, intensities, shape (5, 64)."""
        return self.trained.X_test[self.digits]

    @property
    def targets(self) -> np.ndarray:
        """The class explained for each question digit: the model's predicted class, (5,)."""
        return self.model.predict(self.X_digits).astype(int)

    @property
    def occ_positions(self) -> list:
        """Top-left row (= column) offsets of the occlusion patches: 0, stride, ..."""
        return list(range(0, 8 - self.occ_size + 1, self.occ_stride))


def build_context(variant: int = 0) -> NeuralContext:
    """The context of ``variant``: 5 correctly classified test digits (seed ``30000 +
    variant``), 12 other test digits for the explorer, seeds derived from ``variant``."""
    from xaikit.neural import digits_mlp

    trained = digits_mlp()
    ok = np.flatnonzero(trained.model.predict(trained.X_test) == trained.y_test)
    rng = np.random.default_rng(30_000 + int(variant))
    chosen = rng.choice(ok, N_DIGITS + N_EXPLORE, replace=False)
    return NeuralContext(variant=int(variant), trained=trained,
                         digits=sorted(int(i) for i in chosen[:N_DIGITS]),
                         explore=sorted(int(i) for i in chosen[N_DIGITS:]),
                         sg_seed=100 + int(variant), rand_seed=200 + int(variant))


def formats(ctx) -> dict:
    """Answer formats (type, shape, range) for the take-home self-check."""
    n, p, k = N_DIGITS, 64, len(ctx.occ_positions)
    n_steps = len(ctx.model.coefs_)
    return {
        "logits": {"type": "array", "shape": [n, 10]},
        "probas": {"type": "array", "shape": [n, 10], "range": [0, 1]},
        "grad_logit": {"type": "array", "shape": [n, p]},
        "fd_max_error": {"type": "number", "range": [0, None]},
        "grad_x_input": {"type": "array", "shape": [n, p]},
        "smoothgrad": {"type": "array", "shape": [n, p]},
        "ig": {"type": "array", "shape": [n, p]},
        "ig_completeness": {"type": "array", "shape": [n]},
        "occlusion": {"type": "array", "shape": [n, k, k]},
        "randomisation": {"type": "dict", "keys": {m: {"type": "array", "shape": [n_steps, n],
                                                       "range": [-1, 1]} for m in MAPS}},
    }


QUESTIONS = (
    Question("q1", "Forward pass from the weights", "auto", 2, "mid", 8,
             answers=("logits", "probas")),
    Question("q2", "Input gradient by backpropagation", "auto", 3, "mid", 12,
             answers=("grad_logit", "fd_max_error")),
    Question("q3", "Gradient x input and SmoothGrad", "auto", 2, "mid", 8,
             answers=("grad_x_input", "smoothgrad")),
    Question("q4", "Integrated gradients and completeness", "auto", 3, "senior", 12,
             answers=("ig", "ig_completeness")),
    Question("q5", "Occlusion", "auto", 2, "mid", 8, answers=("occlusion",)),
    Question("q6", "Model-randomisation sanity check", "auto", 3, "senior", 12,
             answers=("randomisation",)),
    Question("q7", "Reading the maps and the sanity check", "manual", 2, "senior", 8),
    Question("q8", "From an MLP to a CNN: Grad-CAM", "manual", 2, "senior", 7),
)

EXERCISE = Exercise(
    id="neural_attribution", title="Open a small neural network", level="mid-senior",
    minutes=75, notebook="12_neural_attribution.ipynb",
    topics=("backpropagation to the input", "gradient-based saliency", "integrated gradients "
            "and completeness", "occlusion", "sanity checks for saliency maps", "Grad-CAM"),
    questions=QUESTIONS, build_context=build_context, formats=formats)
