"""Public part of ``shap_vs_lime``: the context (model, applicants, seeds) and the questions.

Nothing here computes an answer: the references and checks are in ``grader.py``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xaikit.exercises.framework import Exercise, ModelContext, Question

MODES = ("continuous", "binned")
N_APPLICANTS = 5


@dataclass
class ShapVsLimeContext(ModelContext):
    """Everything the notebook needs for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.models.TrainedModel
        XGBoost on German credit; class 1 = bad risk; SHAP values explain its margin in
        log-odds, ``predict_proba`` gives probabilities.
    applicants : list of int
        Index labels (``X_test.loc``) of the declined applicants to explain, in order.
    lime_seed : int
        ``random_state`` of every LIME explainer of the questions.
    lime_samples : int
        ``num_samples`` of every LIME explanation of the questions.
    stability_seeds : tuple of int
        Seeds of the stability question (q5).
    stability_samples : int
        ``num_samples`` of the stability question (q5): a smaller budget than
        ``lime_samples``, at which seeds change LIME's top features in both modes.
    kernel_widths : tuple of float
        Kernel widths of q6, in units of standardised features.
    top_k : int
        k of the agreement and stability metrics.
    """

    variant: int
    trained: object
    applicants: list
    lime_seed: int = 0
    lime_samples: int = 5000
    stability_seeds: tuple = tuple(range(10))
    stability_samples: int = 1000
    kernel_widths: tuple = (0.5, 1.0, 2.0, 3.0, 5.0, 8.0)
    top_k: int = 5

    @property
    def X_applicants(self):
        """The applicants' rows, shape (5, 20), in the order of ``applicants``."""
        return self.X_test.loc[self.applicants]


def build_context(variant: int = 0) -> ShapVsLimeContext:
    """The context of ``variant``: 5 declined test applicants drawn with seed ``variant``."""
    from xaikit.models import credit_model

    trained = credit_model()
    p = trained.model.predict_proba(trained.X_test)[:, 1]
    declined = np.asarray(trained.X_test.index[p >= 0.5])
    rng = np.random.default_rng(20_000 + int(variant))
    applicants = sorted(int(a) for a in rng.choice(declined, N_APPLICANTS, replace=False))
    return ShapVsLimeContext(variant=int(variant), trained=trained, applicants=applicants)


def formats(ctx) -> dict:
    """Answer formats (type, shape, range) for the take-home self-check."""
    n, p = len(ctx.applicants), len(ctx.feature_names)
    names = list(ctx.feature_names)
    return {
        "shap_values": {"type": "array", "shape": [n, p]},
        "base_value": {"type": "number"},
        "top3_features": {"type": "list", "length": n,
                          "items": {"type": "list", "length": 3,
                                    "items": {"type": "str", "choices": names}}},
        "lime_continuous": {"type": "array", "shape": [n, p]},
        "lime_binned": {"type": "array", "shape": [n, p]},
        "lime_scores": {"type": "dict", "keys": {m: {"type": "array", "shape": [n]}
                                                 for m in MODES}},
        "top5_overlap": {"type": "array", "shape": [2, n], "range": [0, 1]},
        "spearman": {"type": "array", "shape": [2, n], "range": [-1, 1]},
        "lime_stability": {"type": "dict", "keys": {m: {"type": "number", "range": [0, 1]}
                                                    for m in MODES}},
        "kernel_width_scores": {"type": "array", "shape": [len(ctx.kernel_widths)]},
        "default_kernel_width": {"type": "number", "range": [0, None]},
    }


QUESTIONS = (
    Question("q1", "TreeSHAP values in log-odds", "auto", 2, "junior", 8,
             answers=("shap_values", "base_value")),
    Question("q2", "Top features by |SHAP|", "auto", 1, "junior", 4,
             answers=("top3_features",)),
    Question("q3", "LIME, binned and continuous", "auto", 2, "mid", 12,
             answers=("lime_continuous", "lime_binned", "lime_scores")),
    Question("q4", "Do SHAP and LIME agree?", "auto", 2, "mid", 8,
             answers=("top5_overlap", "spearman")),
    Question("q5", "Is LIME stable across seeds?", "auto", 2, "mid", 8,
             answers=("lime_stability",)),
    Question("q6", "Kernel width and local fidelity", "auto", 1, "mid", 6,
             answers=("kernel_width_scores", "default_kernel_width")),
    Question("q7", "Why do they disagree?", "manual", 2, "mid", 12),
    Question("q8", "Recommendation to the credit analyst", "manual", 3, "senior", 12),
)

EXERCISE = Exercise(
    id="shap_vs_lime", title="When SHAP and LIME disagree", level="junior-mid", minutes=85,
    notebook="01_shap_vs_lime.ipynb",
    topics=("model-agnostic vs model-specific methods", "using SHAP and LIME",
            "methods that disagree", "judging explanation stability"),
    questions=QUESTIONS, build_context=build_context, formats=formats)
