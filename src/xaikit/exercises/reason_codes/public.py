"""Public part of ``reason_codes``: the context (two models, declined applicants, reference
population, grids) and the questions.

Nothing here computes an answer: reason selection (grouping, ranking, exclusions), the
references and the checks are in ``grader/``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from xaikit.exercises.framework import Exercise, ModelContext, Question
from xaikit.reason_codes import GROUPS, MAX_REASONS, MONOTONE, PROTECTED

N_APPLICANTS = 6
N_REFERENCE = 100
N_ICE_ROWS = 100
GRID_POINTS = 21


@dataclass
class ReasonCodesContext(ModelContext):
    """Everything the notebook needs for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.models.TrainedModel
        The monotone-constrained XGBoost (class 1 = bad risk; margin in log-odds). The
        decisions and the reasons are this model's.
    unconstrained : xaikit.models.TrainedModel
        The same model without monotone constraints (same data, split and seed).
    applicants : list of int
        Index labels (``X_test.loc``) of the declined applicants (P(bad) >= 0.5 under the
        constrained model) whose notices are due, in order.
    reference : list of int
        Index labels (``X_train.loc``) of the reference population: ``N_REFERENCE`` training
        applicants the constrained model approves (P(bad) < 0.5), drawn with the variant's seed.
    ice_rows : list of int
        Index labels (``X_test.loc``) of the rows of the monotonicity check.
    grids : dict of str to ndarray
        The grid of each constrained feature (its unique training quantiles at 0, 5, ..., 100 %).
    """

    variant: int
    trained: object
    unconstrained: object
    applicants: list
    reference: list
    ice_rows: list
    grids: dict = field(default_factory=dict)
    monotone: dict = field(default_factory=lambda: dict(MONOTONE))
    protected: tuple = PROTECTED
    groups: dict = field(default_factory=lambda: dict(GROUPS))
    max_reasons: int = MAX_REASONS

    @property
    def X_applicants(self):
        """The applicants' rows, shape (6, 20), in the order of ``applicants``."""
        return self.X_test.loc[self.applicants]

    @property
    def X_reference(self):
        """The reference population, shape (100, 20)."""
        return self.X_train.loc[self.reference]


def build_context(variant: int = 0) -> ReasonCodesContext:
    """The context of ``variant``: 6 declined test applicants, 100 approved training applicants
    as the reference and 100 test rows for the ICE check, drawn with seed ``40_000 + variant``."""
    from xaikit.reason_codes import credit_models

    models = credit_models()
    trained = models["constrained"]
    rng = np.random.default_rng(40_000 + int(variant))
    p_test = trained.model.predict_proba(trained.X_test)[:, 1]
    p_train = trained.model.predict_proba(trained.X_train)[:, 1]
    declined = np.asarray(trained.X_test.index[p_test >= 0.5])
    approved = np.asarray(trained.X_train.index[p_train < 0.5])
    applicants = sorted(int(a) for a in rng.choice(declined, N_APPLICANTS, replace=False))
    reference = sorted(int(a) for a in rng.choice(approved, N_REFERENCE, replace=False))
    ice_rows = sorted(int(a) for a in rng.choice(np.asarray(trained.X_test.index), N_ICE_ROWS,
                                                  replace=False))
    q = np.linspace(0, 1, GRID_POINTS)
    grids = {f: np.unique(np.quantile(trained.X_train[f].to_numpy(float), q, method="lower"))
             for f in MONOTONE}
    return ReasonCodesContext(variant=int(variant), trained=trained,
                              unconstrained=models["unconstrained"], applicants=applicants,
                              reference=reference, ice_rows=ice_rows, grids=grids)


def formats(ctx) -> dict:
    """Answer formats (type, shape, range) for the take-home self-check."""
    n, p = len(ctx.applicants), len(ctx.feature_names)
    names, groups = list(ctx.feature_names), list(ctx.groups)
    per_feature = {f: {"type": "number", "range": [0, None]} for f in ctx.monotone}
    return {
        "max_violation": {"type": "dict", "keys": {k: {"type": "dict", "keys": per_feature}
                                                   for k in ("constrained", "unconstrained")}},
        "contradicting_feature": {"type": "str", "choices": list(ctx.monotone)},
        "unused_features": {"type": "list", "items": {"type": "str", "choices": names}},
        "shap_values": {"type": "array", "shape": [n, p]},
        "base_value": {"type": "number"},
        "reasons": {"type": "list", "length": n,
                    "items": {"type": "list", "items": {"type": "str", "choices": groups}}},
        "notices": {"type": "list", "length": n, "items": {"type": "str"}},
    }


QUESTIONS = (
    Question("q1", "Monotone constraints, checked on a grid", "auto", 2, "mid", 12,
             answers=("max_violation", "contradicting_feature")),
    Question("q2", "Which feature does the model not use?", "auto", 1, "junior", 4,
             answers=("unused_features",)),
    Question("q3", "SHAP values against the reference population", "auto", 2, "mid", 10,
             answers=("shap_values", "base_value")),
    Question("q4", "Up to four principal reasons", "auto", 3, "mid", 15,
             answers=("reasons",)),
    Question("q5", "The adverse-action notices", "auto", 1, "junior", 6,
             answers=("notices",)),
    Question("q6", "Constrained or not?", "manual", 2, "mid", 8),
    Question("q7", "The model-risk documentation page", "manual", 3, "senior", 15),
)

EXERCISE = Exercise(
    id="reason_codes", title="Adverse-action reason codes", level="mid", minutes=70,
    notebook="10_reason_codes.ipynb",
    topics=("reason codes for declined applicants (ECOA / Regulation B)",
            "SHAP against a stated reference population", "grouping attributions by concept",
            "monotone constraints and domain knowledge", "protected attributes",
            "documentation for model-risk review"),
    questions=QUESTIONS, build_context=build_context, formats=formats)
