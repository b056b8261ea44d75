"""Public part of ``fooling_explainers``: the context (the black-box model, the audit rows,
the seeds and sample sizes) and the questions.

The black box is :class:`xaikit.fooling.NodeTableModel` read from the variant's ``model``
file (made by the grader part; a take-home pack ships it as CSV). Nothing here computes an
answer: the references and checks are in the grader part.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xaikit.exercises.framework import Exercise, ModelContext, Question

EXERCISE_ID = "fooling_explainers"
#: the protected attribute audited, its code for women and the code a flip gives women
SENSITIVE = "personal_status_sex"
FEMALE_CODE = 1.0
MALE_FLIP_CODE = 2.0
#: binary control features of the flip test (0 <-> 1)
CONTROLS = ("foreign_worker", "telephone")
N_AUDIT = 5
VERDICTS = ("clean: the model does not use sex",
            "scaffolded: it uses sex on real rows and hides it from perturbation explainers",
            "openly biased: it uses sex and the explainers show it",
            "cannot tell from a black box")


@dataclass
class FoolingContext(ModelContext):
    """Everything the notebook needs for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.models.TrainedModel
        Only for German credit's data and fixed 70/30 split (``X_train`` 700 rows, ``X_test``
        300 rows); the model audited is ``black_box``, not ``trained.model``.
    black_box : xaikit.fooling.NodeTableModel
        The credit model under audit; ``predict_proba(X)[:, 1]`` is P(bad risk), a
        probability; ``predict`` declines (1) at P >= 0.5.
    audit_rows : list of int
        Index labels (``X_test.loc``) of the 5 women (``personal_status_sex == 1``) whose
        explanations the questions use, in order.
    lime_seed, lime_samples : int
        ``random_state`` of a fresh ``LimeTabularExplainer`` per row; ``num_samples``.
    shap_seed, shap_samples : int
        ``np.random.seed(shap_seed)`` before each row's ``KernelExplainer.shap_values`` call;
        its ``nsamples``.
    ood_seed : int
        Seed of q3's domain classifier (the draw, the forest and the folds).
    """

    variant: int
    trained: object
    black_box: object
    audit_rows: list
    lime_seed: int = 0
    lime_samples: int = 1000
    shap_seed: int = 0
    shap_samples: int = 300
    ood_seed: int = 0

    @property
    def model(self):
        """The black box under audit (not the XGBoost model of ``trained``)."""
        return self.black_box

    @property
    def X_audit(self):
        """The audit rows, shape (5, 20), in the order of ``audit_rows``."""
        return self.X_test.loc[self.audit_rows]

    @property
    def background(self):
        """KernelSHAP's background: one row, the mean of ``X_train``, shape (1, 20)."""
        return self.X_train.mean().to_frame().T


def build_context(variant: int = 0) -> FoolingContext:
    """The context of ``variant``: its black box and 5 women of ``X_test`` drawn with seed
    ``30_000 + variant``."""
    from xaikit.exercises import variant_frame
    from xaikit.fooling import NodeTableModel
    from xaikit.models import credit_model

    trained = credit_model()
    nodes = variant_frame(EXERCISE_ID, variant, "model")
    box = NodeTableModel(nodes, list(trained.X_train.columns))
    women = np.asarray(trained.X_test.index[trained.X_test[SENSITIVE] == FEMALE_CODE])
    rng = np.random.default_rng(30_000 + int(variant))
    rows = sorted(int(a) for a in rng.choice(women, N_AUDIT, replace=False))
    return FoolingContext(variant=int(variant), trained=trained, black_box=box, audit_rows=rows)


def formats(ctx) -> dict:
    """Answer formats (type, shape, range, choices) for the take-home self-check."""
    names = list(ctx.feature_names)
    n = len(ctx.audit_rows)
    return {
        "lime_top": {"type": "list", "length": n, "items": {"type": "str", "choices": names}},
        "shap_top": {"type": "list", "length": n, "items": {"type": "str", "choices": names}},
        "sensitive_share": {"type": "array", "shape": [2, n], "range": [0, 1]},
        "flip_rates": {"type": "dict", "keys": {f: {"type": "number", "range": [0, 1]}
                                                for f in (SENSITIVE,) + CONTROLS}},
        "ood_share_lime": {"type": "number", "range": [0, 1]},
        "ood_share_real": {"type": "number", "range": [0, 1]},
        "verdict": {"type": "str", "choices": list(VERDICTS)},
    }


QUESTIONS = (
    Question("q1", "What LIME and KernelSHAP say", "auto", 2, "mid", 12,
             answers=("lime_top", "shap_top", "sensitive_share")),
    Question("q2", "Flip tests on real rows", "auto", 3, "mid", 10,
             answers=("flip_rates",)),
    Question("q3", "Are the explainers' samples off-distribution?", "auto", 3, "senior", 12,
             answers=("ood_share_lime", "ood_share_real")),
    Question("q4", "Verdict", "auto", 1, "senior", 3, answers=("verdict",)),
    Question("q5", "How the model fools the explainers: the evidence", "manual", 3, "senior",
             11),
    Question("q6", "What an auditor must require", "manual", 3, "senior", 12),
)

EXERCISE = Exercise(
    id=EXERCISE_ID, title="Audit a model that fools LIME and SHAP", level="senior",
    minutes=60, notebook="13_fooling_explainers.ipynb",
    topics=("adversarial attacks on explainers (scaffolding)", "off-manifold perturbations",
            "flip tests", "auditing a black box"),
    questions=QUESTIONS, build_context=build_context, formats=formats)
