"""Primer ``fairness``: group fairness metrics, their uncertainty, and the SHAP decomposition
of a gap between groups.

Prepares for the exercise ``fairness`` (``exercises/06_fairness.ipynb``) on other data and
another model: the XGBoost credit model of ``shap_vs_lime`` on **German credit**
(:func:`xaikit.models.credit_model`; class 1 = bad risk; an applicant is **approved** when
``predict_proba(X)[:, 1] < 0.5``), audited on its 300 test rows. The worked example groups by
``foreign_worker`` (a model feature); the self-checks group by age (under 25 vs 25 and over, the
grouping of Kamiran & Calders 2009).

The self-checks (``s1`` ... ``s4``) recompute their answers from this context; their feedback
never shows the expected value.

References
----------
Hardt, M., Price, E. & Srebro, N. (2016). Equality of opportunity in supervised learning. NeurIPS.
Kamiran, F. & Calders, T. (2009). Classifying without discriminating. IC4 (German credit, age 25).
Lundberg, S. M. et al. (2020). From local explanations to global understanding with explainable
AI for trees. Nature Machine Intelligence 2, 56-67 (local accuracy).
Weerts, H. et al. (2023). Fairlearn: assessing and improving fairness of AI systems. JMLR 24.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from xaikit.exercises.framework import AnswerFormatError, Question, as_float, correct, incorrect
from xaikit.primers import Primer, choice_check

#: the age split of the self-checks, in years
AGE_CUT = 25
#: ratios recomputed from the same 300 decisions: exact up to float summation
TOL_EXACT = 1e-9


@dataclass
class FairnessPrimerContext:
    """The primer's model and rows.

    Attributes
    ----------
    trained : xaikit.models.TrainedModel
        XGBoost on German credit; margin in log-odds of a bad risk.
    """

    trained: object

    @property
    def model(self):
        return self.trained.model

    @property
    def X_test(self):
        """The 300 test applicants, encoded (20 features)."""
        return self.trained.X_test

    @property
    def y_test(self):
        """1 = bad risk (observed)."""
        return self.trained.y_test

    @property
    def age_group(self) -> np.ndarray:
        """``"under 25"`` / ``"25 and over"`` for each test row, in order."""
        return np.where(self.X_test["age_years"] < AGE_CUT, "under 25", "25 and over")

    @cached_property
    def approved(self) -> np.ndarray:
        """1 when the model approves (P(bad) < 0.5), shape (300,)."""
        return (self.model.predict_proba(self.X_test)[:, 1] < 0.5).astype(int)

    def approval_rates(self, decisions=None) -> dict:
        d = self.approved if decisions is None else decisions
        g = self.age_group
        return {k: float(d[g == k].mean()) for k in ("under 25", "25 and over")}

    @cached_property
    def shap_gap(self) -> dict:
        """Mean SHAP value (log-odds of bad) of the young minus the older, per feature."""
        import shap

        sv = shap.TreeExplainer(self.model).shap_values(self.X_test)
        g = self.age_group
        diff = sv[g == "under 25"].mean(0) - sv[g == "25 and over"].mean(0)
        return dict(zip(self.X_test.columns, diff.astype(float)))


def build_context() -> FairnessPrimerContext:
    """The cached credit model of the ``shap_vs_lime`` exercise (trained once, then loaded)."""
    from xaikit.models import credit_model

    return FairnessPrimerContext(credit_model())


def check_di_ratio(a, ctx):
    """s1: disparate-impact ratio of approval rates, under 25 vs 25 and over."""
    v = as_float("di_ratio", a["di_ratio"])
    r = ctx.approval_rates()
    ref = min(r.values()) / max(r.values())
    if abs(v - ref) <= TOL_EXACT:
        return correct()
    declined = ctx.approval_rates(1 - ctx.approved)
    if abs(v - min(declined.values()) / max(declined.values())) <= TOL_EXACT:
        return incorrect("That is the ratio of DECLINE rates.",
                         "Disparate impact compares the rates of the favourable outcome "
                         "(approval); unlike the difference, the ratio changes.")
    if abs(v - max(r.values()) / min(r.values())) <= TOL_EXACT:
        return incorrect("The ratio is inverted.", "min / max: a ratio <= 1.")
    truth = ctx.approval_rates(1 - np.asarray(ctx.y_test))
    if abs(v - min(truth.values()) / max(truth.values())) <= TOL_EXACT:
        return incorrect("That ratio uses the observed outcomes, not the model's decisions.",
                         "Use the model's approvals: predict_proba(X_test)[:, 1] < 0.5.")
    return incorrect("Not the disparate-impact ratio of approvals by age group.",
                     "Approval rate of each age group, then min / max.")


def check_top_gap_feature(a, ctx):
    """s3: the feature that contributes most to the young applicants' higher log-odds."""
    v = a["top_gap_feature"]
    gap = ctx.shap_gap
    if not isinstance(v, str) or v not in gap:
        raise AnswerFormatError("`top_gap_feature` should be a column name of X_test.")
    if v == max(gap, key=gap.get):
        return correct()
    if v == max(gap, key=lambda k: abs(gap[k])) or v == min(gap, key=gap.get):
        return incorrect("That feature pushes the gap the other way.",
                         "Young minus older, and the largest POSITIVE contribution.")
    return incorrect("Not the largest contribution.",
                     "Mean SHAP value over the young minus over the older, per feature; the "
                     "largest.")


QUESTIONS = (
    Question("s1", "disparate-impact ratio", "auto", 1, "junior", 3, answers=("di_ratio",),
             check=check_di_ratio,
             hints=("Approval = P(bad) < 0.5; approval rate per age group; min / max.",)),
    Question("s2", "why the decomposition adds up", "auto", 1, "mid", 2,
             answers=("answer_s2",),
             check=choice_check("answer_s2", "b", {
                 "a": "SHAP values add up to the margin (log-odds) with the base value; "
                      "probabilities are a non-linear function of it, so group means of "
                      "probabilities do not split that way.",
                 "c": "The base value is the same for every row, so it cancels in a "
                      "difference of group means.",
                 "d": "Local accuracy holds for any rows, whatever the sizes of the groups."}),
             hints=("Write margin = base value + sum of SHAP values for each row and take "
                    "group means.",)),
    Question("s3", "the largest contribution to the gap", "auto", 1, "mid", 3,
             answers=("top_gap_feature",), check=check_top_gap_feature,
             hints=("TreeExplainer on X_test, group means, young minus older.",)),
    Question("s4", "what ThresholdOptimizer does", "auto", 1, "mid", 2,
             answers=("answer_s4",),
             check=choice_check("answer_s4", "c", {
                 "a": "It does not retrain: prefit=True keeps the model and only chooses "
                      "thresholds per group.",
                 "b": "A demographic-parity constraint equalises selection rates, not error "
                      "rates; TPR and FPR gaps can grow.",
                 "d": "Moving away from the accuracy-optimal single threshold usually costs "
                      "accuracy; measure it."}),
             hints=("Which input does ThresholdOptimizer.predict need?",)),
)

PRIMER = Primer(id="fairness", title="Group fairness metrics and the decomposition of a gap",
                exercise="fairness", notebook="fairness.ipynb", minutes=20,
                questions=QUESTIONS, build_context=build_context)
