"""Explanations for the applicant explorer, and the result type shared with the grader.

Public: it ships in take-home packs. So nothing here takes arbitrary rows: the explorer's
functions take the exercise context and explain only the explorer's own applicants (never the
questions'), with the explorer's own LIME settings. Scales are explicit: SHAP values of a
binary XGBoost classifier are in **log-odds** of class 1 (the model's margin); LIME weights are
coefficients of a local linear model of the **probability** of the explained class.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


#: Output scales of TreeSHAP values, by model kind.
SCALES = {"log-odds": "log-odds of class 1 (an XGBoost classifier's margin)",
          "probability": "probability of class 1 (a scikit-learn tree classifier)",
          "raw": "the regressor's own unit (e.g. rentals per hour)"}


@dataclass
class ShapResult:
    """TreeSHAP values of a set of rows.

    Attributes
    ----------
    values : ndarray of shape (n_samples, n_features)
        SHAP values on the scale ``scale``.
    base_value : float
        Expected model output (on ``scale``) under the trees' training cover;
        ``values.sum(1) + base_value`` equals ``output`` for each row (local accuracy).
    output : ndarray of shape (n_samples,)
        What the values explain, per row, on ``scale``: the margin
        (``predict(..., output_margin=True)``) of an XGBoost classifier, ``predict_proba[:, 1]``
        of a scikit-learn classifier, ``predict`` of a regressor.
    feature_names : list of str
    data : ndarray of shape (n_samples, n_features)
        The explained rows.
    scale : {"log-odds", "probability", "raw"}
        See :data:`SCALES`.
    """

    values: np.ndarray
    base_value: float
    output: np.ndarray
    feature_names: list
    data: np.ndarray
    scale: str = "log-odds"

    @property
    def margin(self) -> np.ndarray:
        """``output`` under its older name (the log-odds margin for XGBoost classifiers)."""
        return self.output

    @property
    def local_accuracy_error(self) -> float:
        """max |sum(values) + base_value - output| over rows, on ``scale``."""
        return float(np.max(np.abs(self.values.sum(1) + self.base_value - self.output)))

    def explanation(self, i: int):
        """Row ``i`` as a ``shap.Explanation`` (for ``shap.plots.waterfall``)."""
        import shap

        return shap.Explanation(values=self.values[i], base_values=self.base_value,
                                data=self.data[i], feature_names=self.feature_names)


#: LIME settings of the explorer: deliberately not the questions' protocol (their seed and
#: sample count), so the explorer illustrates LIME without reproducing an answer.
EXPLORER_LIME_SAMPLES, EXPLORER_LIME_SEED = 1000, 2024


def explorer_applicants(ctx) -> list:
    """Index labels of the test applicants the explorer offers: every one except the
    questions' own (``ctx.applicants``), declined applicants (P(bad) >= 0.5) first."""
    X = ctx.X_test
    p = ctx.model.predict_proba(X)[:, 1]
    own = set(ctx.applicants)
    order = sorted(range(len(X)), key=lambda i: (p[i] < 0.5, i))
    return [X.index[i] for i in order if X.index[i] not in own]


def explorer_shap(ctx) -> ShapResult:
    """Path-dependent TreeSHAP values (log-odds of a bad risk) of the explorer's applicants,
    in the order of :func:`explorer_applicants`.

    Returns
    -------
    ShapResult
        ``values`` of shape (n_explorer_applicants, 20), ``scale="log-odds"``.

    References
    ----------
    Lundberg et al. (2020), "From local explanations to global understanding with explainable
    AI for trees", Nature Machine Intelligence 2, 56-67.
    """
    import shap

    X = ctx.X_test.loc[explorer_applicants(ctx)]
    explainer = shap.TreeExplainer(ctx.model)
    values = np.asarray(explainer.shap_values(X), dtype=float)
    return ShapResult(values=values, base_value=float(np.ravel(explainer.expected_value)[-1]),
                      output=np.asarray(ctx.model.predict(X, output_margin=True), float),
                      feature_names=list(X.columns), data=np.asarray(X, dtype=float),
                      scale="log-odds")


def explorer_lime(ctx, i: int, *, binned: bool):
    """LIME weights of class 1 (bad risk) for the explorer's ``i``-th applicant, under the
    explorer's fixed settings (:data:`EXPLORER_LIME_SAMPLES`, :data:`EXPLORER_LIME_SEED`).

    Returns
    -------
    weights : ndarray of shape (20,)
        In feature order, probability units per interpretable feature.
    score : float
        ``exp.score``, the R² of LIME's weighted local linear fit.

    References
    ----------
    Ribeiro, Singh & Guestrin (2016), "Why should I trust you?", KDD.
    """
    from lime.lime_tabular import LimeTabularExplainer

    row = ctx.X_test.loc[explorer_applicants(ctx)[i]]
    X_train = ctx.X_train
    explainer = LimeTabularExplainer(
        np.asarray(X_train, dtype=float), mode="classification",
        feature_names=list(X_train.columns), categorical_features=ctx.dataset.categorical_indices,
        categorical_names=ctx.dataset.categorical_names, class_names=["good", "bad"],
        discretize_continuous=binned, random_state=EXPLORER_LIME_SEED)
    exp = explainer.explain_instance(np.asarray(row, dtype=float), ctx.model.predict_proba,
                                     labels=(1,), num_features=X_train.shape[1],
                                     num_samples=EXPLORER_LIME_SAMPLES)
    weights = np.zeros(X_train.shape[1])
    for j, w in exp.as_map()[1]:
        weights[j] = w
    return weights, float(exp.score)
