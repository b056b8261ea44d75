"""Explanation computations shared by the reference checks, the widgets and the notebooks.

Pure computation: no plotting, no widgets. Scales are explicit: SHAP values of a binary
XGBoost classifier are in **log-odds** of class 1 (the model's margin); LIME weights are
coefficients of a local linear model of the **probability** of the explained class.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ShapResult:
    """TreeSHAP values of a set of rows.

    Attributes
    ----------
    values : ndarray of shape (n_samples, n_features)
        SHAP values in log-odds of class 1.
    base_value : float
        Expected margin (log-odds) under the tree's training cover; ``values.sum(1) +
        base_value`` equals the margin of each row (local accuracy).
    margin : ndarray of shape (n_samples,)
        The model's margin for each row (``predict(..., output_margin=True)``), log-odds.
    feature_names : list of str
    data : ndarray of shape (n_samples, n_features)
        The explained rows.
    """

    values: np.ndarray
    base_value: float
    margin: np.ndarray
    feature_names: list
    data: np.ndarray

    @property
    def local_accuracy_error(self) -> float:
        """max |sum(values) + base_value - margin| over rows, in log-odds."""
        return float(np.max(np.abs(self.values.sum(1) + self.base_value - self.margin)))

    def explanation(self, i: int):
        """Row ``i`` as a ``shap.Explanation`` (for ``shap.plots.waterfall``)."""
        import shap

        return shap.Explanation(values=self.values[i], base_values=self.base_value,
                                data=self.data[i], feature_names=self.feature_names)


def tree_shap(model, X) -> ShapResult:
    """Exact TreeSHAP values of an XGBoost or scikit-learn tree model, in log-odds.

    Uses ``shap.TreeExplainer(model)`` with its default ``tree_path_dependent`` perturbation
    (no background data); for XGBoost shap hands off to XGBoost's ``pred_contribs``.

    Parameters
    ----------
    model : fitted tree model (binary classifier or regressor)
    X : pandas.DataFrame of shape (n_samples, n_features)

    Returns
    -------
    ShapResult

    References
    ----------
    Lundberg et al. (2020), "From local explanations to global understanding with explainable
    AI for trees", Nature Machine Intelligence 2, 56-67.
    """
    import shap

    explainer = shap.TreeExplainer(model)
    values = np.asarray(explainer.shap_values(X), dtype=float)
    if values.ndim == 3:  # sklearn binary classifiers: (n, p, 2); keep class 1
        values = values[:, :, 1]
    base = np.ravel(explainer.expected_value)
    base_value = float(base[-1])
    if hasattr(model, "get_booster"):
        margin = model.predict(X, output_margin=True)
    elif hasattr(model, "predict_proba"):
        p = model.predict_proba(X)[:, 1]
        margin = np.log(p / (1 - p))
    else:
        margin = model.predict(X)
    return ShapResult(values=values, base_value=base_value, margin=np.asarray(margin, float),
                      feature_names=list(X.columns), data=np.asarray(X, dtype=float))
