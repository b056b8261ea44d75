"""Primer ``reason_codes``: reason codes from attributions, grouping, reference populations and
monotone constraints.

Prepares for the exercise ``reason_codes`` (``exercises/10_reason_codes.ipynb``) on other data
and other models: a **generated** credit set of 2000 applicants (seed 0; this module's
:func:`make_credit`), whose true risk is written below, so every number has a known cause.

- ``logit``: ``LogisticRegression`` on the seven features (C=1, lbfgs), the worked example's
  model: its SHAP values against a background are known in closed form,
  ``phi_j = w_j * (x_j - mean of x_j over the background)`` in log-odds (Lundberg & Lee 2017;
  the interventional value of a linear model with independent masking).
- ``hgb`` / ``hgb_mono``: ``HistGradientBoostingClassifier`` without / with monotone constraints
  (``monotonic_cst``, +1 on debt ratio, utilisation, late payments, loan amount; 100
  iterations, learning rate 0.05, 40 rows per leaf at least), for the monotonicity part.

The rows are split in half: the models learn from the first 1000; the **reference population**
is the training applicants the logistic model approves (P(bad) < 0.5). Reasons follow the
adverse-action practice of Regulation B (12 CFR 1002.9(b)(2), comment 9(b)(2)-1: at most four).

References
----------
Lundberg, S. & Lee, S.-I. (2017). A unified approach to interpreting model predictions. NeurIPS.
12 CFR 1002.9 (Regulation B), official interpretation, comment 9(b)(2)-1.
scikit-learn user guide, "Monotonic constraints" (HistGradientBoosting).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from xaikit.exercises.framework import (AnswerFormatError, Question, as_float, correct,
                                        incorrect)
from xaikit.primers import Primer, choice_check

N, SEED = 2000, 0
FEATURES = ("income_keur", "debt_ratio", "utilisation", "late_payments", "loan_keur",
            "age_years", "sex")
GROUPS = {"income_and_debt": ("income_keur", "debt_ratio"), "credit_use": ("utilisation",),
          "payment_history": ("late_payments",), "loan_size": ("loan_keur",),
          "age": ("age_years",), "sex": ("sex",)}
PROTECTED = ("age_years", "sex")
MONOTONE = {"debt_ratio": 1, "utilisation": 1, "late_payments": 1, "loan_keur": 1}
#: |answer - reference| of a SHAP value, log-odds: the closed form and shap.LinearExplainer
#: agree to ~1e-12; the usual wrong reference (all applicants) is off by > 0.05.
TOL_PHI = 1e-6


def make_credit(n: int = N, seed: int = SEED):
    """The generated credit set: features and the bad-risk label.

    True log-odds of a bad risk: ``-1.8 - 0.35 income + 3.0 debt_ratio + 1.2 utilisation +
    0.7 late_payments + 0.02 loan_keur + 1.0 [utilisation == 0]`` (a "thin file": no card at
    all is riskier, a real non-monotone pattern); age and sex have no effect, but age is
    correlated with income.

    Returns
    -------
    X : DataFrame of shape (n, 7)
        income_keur (monthly net income, k EUR), debt_ratio (debt payments / income),
        utilisation (card balance / limit, 0-1), late_payments (last 12 months), loan_keur
        (requested amount, k EUR), age_years, sex (0/1, protected).
    y : Series of shape (n,)
        1 = bad risk.
    """
    rng = np.random.default_rng(seed)
    age = rng.integers(19, 70, n)
    income = np.round(np.exp(rng.normal(0.6 + 0.012 * (age - 19), 0.35)), 2)
    debt = np.round(np.clip(rng.beta(2, 5, n), 0, 0.9), 3)
    util = np.where(rng.random(n) < 0.12, 0.0, np.round(rng.beta(2, 3, n), 3))
    late = rng.poisson(0.5, n)
    loan = np.round(rng.gamma(2.0, 6.0, n), 1)
    sex = rng.integers(0, 2, n)
    z = (-1.8 - 0.35 * income + 3.0 * debt + 1.2 * util + 0.7 * late + 0.02 * loan
         + 1.0 * (util == 0))
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    X = pd.DataFrame({"income_keur": income, "debt_ratio": debt, "utilisation": util,
                      "late_payments": late, "loan_keur": loan, "age_years": age, "sex": sex})
    return X, pd.Series(y, name="bad")


def select_reasons(grouped: dict, excluded=(), k: int = 4) -> list:
    """Concepts with a positive value, largest first, at most ``k``, none in ``excluded``."""
    keep = [(v, i, g) for i, (g, v) in enumerate(grouped.items()) if g not in excluded and v > 0]
    return [g for v, i, g in sorted(keep, key=lambda t: (-t[0], t[1]))[:k]]


@dataclass
class ReasonPrimerContext:
    """The primer's data and models (see the module docstring)."""

    X_train: pd.DataFrame
    X_new: pd.DataFrame
    y_train: pd.Series
    logit: object
    hgb: object
    hgb_mono: object

    groups = GROUPS
    protected = PROTECTED
    monotone = MONOTONE

    @cached_property
    def reference(self) -> pd.DataFrame:
        """Training applicants the logistic model approves (P(bad) < 0.5)."""
        p = self.logit.predict_proba(self.X_train)[:, 1]
        return self.X_train[p < 0.5]

    @cached_property
    def declined(self) -> list:
        """Index labels of the new applicants the logistic model declines."""
        p = self.logit.predict_proba(self.X_new)[:, 1]
        return list(self.X_new.index[p >= 0.5])

    @property
    def applicant(self) -> int:
        """The worked example's applicant (the fourth declined new applicant)."""
        return self.declined[3]

    @property
    def check_applicant(self) -> int:
        """The self-checks' applicant (the third declined new applicant)."""
        return self.declined[2]

    def phi(self, label, background) -> pd.Series:
        """Closed-form SHAP values (log-odds) of the logistic model for one new applicant."""
        w = self.logit.coef_[0]
        return pd.Series(w * (self.X_new.loc[label].to_numpy(float)
                              - background.to_numpy(float).mean(axis=0)), index=FEATURES)

    def grouped(self, phi: pd.Series) -> dict:
        return {g: float(phi[list(fs)].sum()) for g, fs in GROUPS.items()}

    def reasons(self, label, background=None) -> list:
        bg = self.reference if background is None else background
        return select_reasons(self.grouped(self.phi(label, bg)), excluded=("age", "sex"))


def build_context() -> ReasonPrimerContext:
    """Generate the data, split it in half and fit the three models (about 1 s)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    from threadpoolctl import threadpool_limits

    X, y = make_credit()
    X_train, X_new, y_train = X.iloc[: N // 2], X.iloc[N // 2:], y.iloc[: N // 2]
    cst = [MONOTONE.get(f, 0) for f in FEATURES]
    hgb_params = dict(max_iter=100, learning_rate=0.05, min_samples_leaf=40, random_state=SEED)
    with threadpool_limits(1):  # one thread: deterministic and fast on a shared machine
        logit = LogisticRegression(C=1.0, max_iter=5000).fit(X_train, y_train)
        hgb = HistGradientBoostingClassifier(**hgb_params).fit(X_train, y_train)
        mono = HistGradientBoostingClassifier(**hgb_params, monotonic_cst=cst).fit(X_train,
                                                                                   y_train)
    return ReasonPrimerContext(X_train, X_new, y_train, logit, hgb, mono)


# --- checks ---------------------------------------------------------------------------------

def check_phi(a, ctx):
    """r1: SHAP value of debt_ratio for the check applicant against the reference."""
    v = as_float("phi_debt", a["phi_debt"])
    right = ctx.phi(ctx.check_applicant, ctx.reference)["debt_ratio"]
    if abs(v - right) <= TOL_PHI:
        return correct()
    if abs(v - ctx.phi(ctx.check_applicant, ctx.X_train)["debt_ratio"]) <= TOL_PHI:
        return incorrect("That is measured against all training applicants.",
                         "The reference population is the APPROVED applicants: ctx.reference.")
    x = ctx.X_new.loc[[ctx.check_applicant]]
    if abs(v - ctx.logit.coef_[0][1] * float(x["debt_ratio"].iloc[0])) <= TOL_PHI:
        return incorrect("That is the coefficient times the value: no reference at all.",
                         "Subtract the reference's mean debt ratio first: w * (x - mean).")
    return incorrect("Not the SHAP value of debt_ratio against the reference, in log-odds.",
                     "phi = w_debt * (x_debt - mean debt_ratio of ctx.reference).")


def check_reasons(a, ctx):
    """r2: the check applicant's reasons."""
    v = a["reasons_b"]
    if not isinstance(v, (list, tuple)) or not all(isinstance(s, str) for s in v):
        raise AnswerFormatError("`reasons_b` should be a list of concept names.")
    v = list(v)
    if v == ctx.reasons(ctx.check_applicant):
        return correct()
    if set(v) & {"age", "sex"}:
        return incorrect("A protected attribute is listed.",
                         "Age and sex are never stated reasons, whatever their value.")
    if len(v) > 4:
        return incorrect("More than four reasons.", "At most four principal reasons.")
    if v == ctx.reasons(ctx.check_applicant, ctx.X_train):
        return incorrect("Those are the reasons against all training applicants.",
                         "Use the approved applicants (ctx.reference) as the background.")
    return incorrect("Not the reasons of this applicant.",
                     "Sum phi within each concept, drop age and sex, keep positive sums, "
                     "largest first, at most four.")


QUESTIONS = (
    Question("r1", "a SHAP value against the reference", "auto", 1, "mid", 3,
             answers=("phi_debt",), check=check_phi,
             hints=("phi = w * (x - mean of the reference), log-odds.",)),
    Question("r2", "reasons of another applicant", "auto", 1, "mid", 4,
             answers=("reasons_b",), check=check_reasons,
             hints=("Group, exclude, keep positives, rank, at most four.",)),
    Question("r3", "a constraint against the data", "auto", 1, "mid", 2,
             answers=("answer_r3",),
             check=choice_check("answer_r3", "c", {
                 "a": "The constraint does not remove the thin-file effect from the world: it "
                      "removes it from the model.",
                 "b": "A constraint does not make the model more accurate; look at the PDPs.",
                 "d": "Monotone constraints change the model, not only its explanation."}),
             hints=("Look at the unconstrained PDP of utilisation near 0.",)),
    Question("r4", "a protected attribute pushes hard", "auto", 1, "mid", 2,
             answers=("answer_r4",),
             check=choice_check("answer_r4", "b", {
                 "a": "Stating age as a reason discloses a prohibited basis (ECOA).",
                 "c": "Moving its share to other concepts invents reasons the model did not "
                      "have.",
                 "d": "Dropping the applicant's notice is not an option: a notice is due."}),
             hints=("Excluding it from the letter does not remove it from the decision.",)),
)

PRIMER = Primer(
    id="reason_codes",
    title="Reason codes: from attributions to an adverse-action notice",
    exercise="reason_codes",
    notebook="reason_codes.ipynb",
    minutes=20,
    questions=QUESTIONS,
    build_context=build_context,
)
