"""Public part of ``fairness``: the context (model, audit rows, attributes, seeds) and the
questions. Nothing here computes an answer: the references and checks are in ``grader/``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xaikit.exercises.framework import Exercise, ModelContext, Question

#: Audit rows per variant (drawn from the model's test rows).
N_AUDIT = 3000
#: Training rows the ThresholdOptimizer is fitted on (drawn from the model's training rows).
N_MITIGATION_FIT = 5000
#: The second attribute of each variant, in turn (``variant % 2``).
SECOND_ATTRIBUTES = ("race", "age_group")


@dataclass
class FairnessContext(ModelContext):
    """Everything the notebook needs for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.models.TrainedModel
        XGBoost on UCI Adult without ``sex`` and ``race``; class 1 = income > 50K USD.
        ``predict(X, output_margin=True)`` is in log-odds, ``predict_proba`` in probability.
    audit_rows : list of int
        Index labels (``X_test.loc``) of the audit rows, sorted.
    groups : pandas.DataFrame of shape (N_AUDIT, 3)
        ``sex``, ``race`` (White / non-White) and ``age_group`` (under 40 / 40 and over) of the
        audit rows, in the order of ``audit_rows``.
    second_attribute : {"race", "age_group"}
        The variant's second attribute (a column of ``groups``).
    threshold : float
        Decision rule: predicted 1 when ``predict_proba(X)[:, 1] >= threshold``.
    n_boot, boot_seed : int
        Bootstrap protocol of q4.
    proxy_depth, proxy_seed : int
        ``DecisionTreeClassifier(max_depth=proxy_depth, random_state=proxy_seed)`` of q5.
    mitigation_rows : list of int
        Index labels (``X_train.loc``) of the rows the ThresholdOptimizer is fitted on (q7).
    mitigation_seed : int
        ``random_state`` of ``ThresholdOptimizer.predict`` (q7).
    dp_bound : float
        The bound the mitigated predictions must meet: demographic-parity difference for sex
        on the audit rows <= ``dp_bound``.
    """

    variant: int
    trained: object
    audit_rows: list
    groups: object
    second_attribute: str
    threshold: float = 0.5
    n_boot: int = 200
    boot_seed: int = 0
    proxy_depth: int = 4
    proxy_seed: int = 0
    mitigation_rows: list = None
    mitigation_seed: int = 0
    dp_bound: float = 0.06

    @property
    def X_audit(self):
        """The audit rows, shape (N_AUDIT, 10), in the order of ``audit_rows``."""
        return self.X_test.loc[self.audit_rows]

    @property
    def y_audit(self):
        """True labels of the audit rows (1 = income > 50K), shape (N_AUDIT,)."""
        return self.trained.y_test.loc[self.audit_rows]


def build_context(variant: int = 0) -> FairnessContext:
    """The context of ``variant``: 3000 test rows and 5000 training rows drawn with seeds
    derived from ``variant``; the second attribute alternates between race and age group."""
    from xaikit.fairness import adult_model, protected_attributes

    trained = adult_model()
    v = int(variant)
    rng = np.random.default_rng(60_000 + v)
    audit = sorted(int(i) for i in rng.choice(np.asarray(trained.X_test.index), N_AUDIT,
                                              replace=False))
    fit_rows = sorted(int(i) for i in rng.choice(np.asarray(trained.X_train.index),
                                                 N_MITIGATION_FIT, replace=False))
    groups = protected_attributes(trained.dataset, audit)
    return FairnessContext(variant=v, trained=trained, audit_rows=audit, groups=groups,
                           second_attribute=SECOND_ATTRIBUTES[v % 2], boot_seed=1000 + v,
                           proxy_seed=v, mitigation_rows=fit_rows, mitigation_seed=2000 + v)


def formats(ctx) -> dict:
    """Answer formats (type, shape, range) for the take-home self-check."""
    n, p = len(ctx.audit_rows), len(ctx.feature_names)
    rates = {"type": "dict", "keys": {g: {"type": "number", "range": [0, 1]}
                                      for g in ("Female", "Male")}}
    return {
        "y_pred": {"type": "array", "shape": [n]},
        "selection_rates": rates,
        "dp_difference": {"type": "number", "range": [0, 1]},
        "dp_ratio": {"type": "number", "range": [0, 1]},
        "tpr": rates, "fpr": rates,
        "eo_difference": {"type": "number", "range": [0, 1]},
        "second_metrics": {"type": "dict", "keys": {
            k: {"type": "number", "range": [0, 1]}
            for k in ("dp_difference", "dp_ratio", "eo_difference")}},
        "dp_ci": {"type": "array", "shape": [2, 2], "range": [0, 1]},
        "proxy_auc": {"type": "number", "range": [0, 1]},
        "proxy_feature_auc": {"type": "array", "shape": [p], "range": [0, 1]},
        "top_proxy": {"type": "str", "choices": list(ctx.feature_names)},
        "margin_gap": {"type": "number"},
        "shap_gap": {"type": "array", "shape": [p]},
        "mitigated_pred": {"type": "array", "shape": [n]},
        "mitigated_dp": {"type": "number", "range": [0, 1]},
        "accuracy_cost": {"type": "number", "range": [-1, 1]},
    }


QUESTIONS = (
    Question("q1", "Selection rates and demographic parity (sex)", "auto", 2, "junior", 7,
             answers=("y_pred", "selection_rates", "dp_difference", "dp_ratio")),
    Question("q2", "Equalised odds (sex)", "auto", 2, "mid", 7,
             answers=("tpr", "fpr", "eo_difference")),
    Question("q3", "The variant's second attribute", "auto", 1, "mid", 5,
             answers=("second_metrics",)),
    Question("q4", "Bootstrap intervals", "auto", 2, "mid", 9,
             answers=("dp_ci",)),
    Question("q5", "The proxy: how well the features predict sex", "auto", 2, "mid", 10,
             answers=("proxy_auc", "proxy_feature_auc", "top_proxy")),
    Question("q6", "SHAP decomposition of the gap in log-odds", "auto", 3, "senior", 12,
             answers=("margin_gap", "shap_gap")),
    Question("q7", "Mitigation and its cost", "auto", 2, "senior", 10,
             answers=("mitigated_pred", "mitigated_dp", "accuracy_cost")),
    Question("q8", "What dropping sex did and did not do", "manual", 2, "mid", 6),
    Question("q9", "Audit note for the risk committee", "manual", 3, "senior", 10),
)

EXERCISE = Exercise(
    id="fairness", title="Fairness audit with proxies", level="mid-senior", minutes=76,
    notebook="06_fairness.ipynb",
    topics=("group fairness metrics (demographic parity, equalised odds)",
            "uncertainty of fairness metrics", "proxies for a dropped protected attribute",
            "SHAP decomposition of a group gap", "mitigation and its accuracy cost"),
    questions=QUESTIONS, build_context=build_context, formats=formats)
