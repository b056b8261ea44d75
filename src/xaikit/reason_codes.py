"""Adverse-action reason codes on German credit: the two models, the business concepts and the
notice template (public side of the exercise ``reason_codes``).

What is here is the *setting* of the exercise, not its answers: the monotone-constrained and
the unconstrained XGBoost models, the grouping of features into business concepts
(``GROUPS``), the protected attributes, the plain-language statement of each concept
(``STATEMENTS``) and :func:`render_notice`, which fills the notice template with an
applicant's own values for a list of reasons **given to it**. Selecting the reasons (grouping
SHAP values, ranking, exclusions) is the candidate's task and lives in the grader part.

References
----------
12 CFR 1002.9(a)(2) and (b)(2) (Regulation B, Equal Credit Opportunity Act) and its official
interpretation, comment 9(b)(2)-1: a statement of specific reasons, "disclosure of more than
four reasons is not likely to be helpful to the applicant". 12 CFR 1002.6(b)(4): a creditor
shall not take into account whether there is a telephone listing in the applicant's name.
Chen, T. & Guestrin, C. (2016), XGBoost, KDD (monotone constraints: XGBoost documentation,
"Monotonic Constraints").
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

#: +1: a larger value never lowers the risk of a bad credit; -1: never raises it (domain
#: knowledge of the lender's credit policy). ``employment_since`` is ordinal 0-4 (unemployed ...
#: >= 7 years).
MONOTONE = {"duration_months": 1, "credit_amount_dm": 1, "installment_rate": 1,
            "employment_since": -1}
#: Protected or sensitive attributes (ECOA: sex, marital status, age, national origin). The
#: models use them (kept on purpose, see the data card); they must never be a stated reason.
PROTECTED = ("personal_status_sex", "age_years", "foreign_worker")
#: Feature the lender's policy forbids the model to use (Regulation B, 12 CFR 1002.6(b)(4));
#: the column stays in the data. XGBoost never samples a feature whose weight is 0.
POLICY_EXCLUDED = "telephone"

#: business concepts -> features (every feature in exactly one concept; the last three are
#: the protected attributes, which are concepts too but may never be stated)
GROUPS = {
    "checking_account": ("checking_status",),
    "savings": ("savings",),
    "credit_history": ("credit_history", "existing_credits"),
    "amount_and_duration": ("credit_amount_dm", "duration_months"),
    "repayment_burden": ("installment_rate", "other_installment_plans"),
    "purpose": ("purpose",),
    "employment": ("employment_since", "job"),
    "housing_and_property": ("housing", "property", "residence_since"),
    "other_debtors": ("other_debtors",),
    "dependents": ("num_dependents",),
    "telephone": ("telephone",),
    "marital_status_and_sex": ("personal_status_sex",),
    "age": ("age_years",),
    "foreign_worker": ("foreign_worker",),
}

#: plain-language statement of each concept; ``{feature}`` is the applicant's readable value
STATEMENTS = {
    "checking_account": "The balance of your checking account ({checking_status}).",
    "savings": "The amount in your savings accounts and bonds ({savings}).",
    "credit_history": "Your credit history ({credit_history}), with {existing_credits} credit(s) "
                      "already at our bank.",
    "amount_and_duration": "The amount and the length of the credit you requested "
                           "({credit_amount_dm} over {duration_months}).",
    "repayment_burden": "The size of the instalment compared with your disposable income (class "
                        "{installment_rate} of 4) and your other instalment plans "
                        "({other_installment_plans}).",
    "purpose": "The purpose of the credit ({purpose}).",
    "employment": "Your time in your present employment ({employment_since}) and your type of "
                  "job ({job}).",
    "housing_and_property": "Your housing ({housing}), your most valuable property ({property}) "
                            "and your time at your present address (class {residence_since} of 4).",
    "other_debtors": "Other debtors or guarantors on the credit ({other_debtors}).",
    "dependents": "The number of people you support ({num_dependents}).",
    "telephone": "Telephone registered in your name ({telephone}).",
}

MAX_REASONS = 4
LENDER = "Südbank Kredit AG"

_PARAMS = {
    "n_estimators": 300, "max_depth": 3, "learning_rate": 0.05, "subsample": 0.8,
    "colsample_bytree": 0.8, "colsample_bynode": 0.8, "min_child_weight": 2, "reg_lambda": 1.0,
    "random_state": 0, "n_jobs": 1, "tree_method": "hist", "eval_metric": "logloss",
}


def model_params(constrained: bool, feature_names) -> dict:
    """XGBoost parameters of the two models (``feature_weights`` 0 for ``POLICY_EXCLUDED``)."""
    params = dict(_PARAMS, feature_weights=[0.0 if f == POLICY_EXCLUDED else 1.0
                                            for f in feature_names])
    if constrained:
        params["monotone_constraints"] = dict(MONOTONE)
    return params


@lru_cache(maxsize=None)
def credit_models():
    """The constrained and the unconstrained credit model (cached by content hash).

    Both: ``XGBClassifier`` on German credit (class 1 = bad risk), the split of every credit
    exercise (70/30, stratified, ``random_state=0``), 300 trees of depth 3, one thread, seed 0;
    the margin is in log-odds of a bad risk. The constrained one has ``MONOTONE`` as
    ``monotone_constraints``.

    Returns
    -------
    dict
        ``{"constrained": TrainedModel, "unconstrained": TrainedModel}``.
    """
    from xgboost import XGBClassifier

    from xaikit.datasets import load_german_credit
    from xaikit.models import train_cached

    ds = load_german_credit()
    names = list(ds.X.columns)
    return {kind: train_cached(f"credit_xgb_{kind}", ds, XGBClassifier,
                               model_params(kind == "constrained", names))
            for kind in ("constrained", "unconstrained")}


def statement(group: str, readable: dict) -> str:
    """The plain-language statement of concept ``group`` with an applicant's values.

    Parameters
    ----------
    group : str
        A key of ``GROUPS``.
    readable : dict
        ``dataset.describe_row(row)``: ``{feature: readable value}``.

    Raises
    ------
    KeyError
        For an unknown concept.
    """
    return STATEMENTS[group].format(**readable)


def render_notice(applicant, readable: dict, reasons) -> str:
    """The adverse-action notice for one applicant, plain text.

    Parameters
    ----------
    applicant : int
        The applicant's number (index label).
    readable : dict
        ``dataset.describe_row(row)`` of the applicant.
    reasons : sequence of str
        Concept names (keys of ``GROUPS``), most important first; at most ``MAX_REASONS``.
        The template states them; it does not choose them.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        For more than ``MAX_REASONS`` reasons, an unknown concept or a protected one (no
        statement exists for them).
    """
    reasons = list(reasons)
    if len(reasons) > MAX_REASONS:
        raise ValueError(f"at most {MAX_REASONS} reasons (Regulation B, comment 9(b)(2)-1)")
    unknown = [r for r in reasons if r not in STATEMENTS]
    if unknown:
        raise ValueError(f"concepts {unknown} cannot be stated: unknown, or a protected "
                         f"attribute; stateable: {list(STATEMENTS)}")
    lines = [f"Applicant no. {applicant}",
             "",
             f"Thank you for applying for a credit of {readable['credit_amount_dm']} over "
             f"{readable['duration_months']}. We are sorry that we cannot approve your "
             "application.",
             ""]
    if reasons:
        lines.append("The principal reasons for our decision are:")
        lines += [f"{k}. {statement(r, readable)}" for k, r in enumerate(reasons, 1)]
    else:
        lines.append("No single part of your application weighed against it more than others.")
    lines += ["",
              "The Equal Credit Opportunity Act prohibits creditors from discriminating against "
              "credit applicants on the basis of race, color, religion, national origin, sex, "
              "marital status or age. You may ask us about this decision within 60 days.",
              f"{LENDER}, Credit Department"]
    return "\n".join(lines)


# --- the notice preview's rows (never the questions' applicants) ----------------------------

N_PREVIEW = 12


def preview_applicants(ctx) -> list:
    """Declined test applicants the notice preview offers: up to ``N_PREVIEW``, never the
    questions' ``ctx.applicants`` (index labels of ``X_test``, highest P(bad) first)."""
    p = ctx.model.predict_proba(ctx.X_test)[:, 1]
    order = np.argsort(-p, kind="stable")
    own = set(ctx.applicants)
    labels = [int(ctx.X_test.index[i]) for i in order if p[i] >= 0.5]
    return [a for a in labels if a not in own][:N_PREVIEW]


def preview_shap(ctx):
    """Per-feature SHAP values of the preview's applicants (:func:`preview_applicants`).

    Interventional TreeSHAP (``shap.TreeExplainer(model, background,
    feature_perturbation="interventional")``, Lundberg et al. 2020) of the constrained model
    against ``ctx.X_reference``; raw, per feature, neither grouped nor ranked.

    Returns
    -------
    labels : list of int
    values : ndarray of shape (n_preview, n_features)
        Log-odds of a bad risk.
    base_value : float
        Mean margin of the reference population, log-odds.
    """
    import shap

    labels = preview_applicants(ctx)
    explainer = shap.TreeExplainer(ctx.model, ctx.X_reference,
                                   feature_perturbation="interventional")
    values = np.asarray(explainer.shap_values(ctx.X_test.loc[labels]), dtype=float)
    return labels, values, float(np.ravel(explainer.expected_value)[0])
