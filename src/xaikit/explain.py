"""Explanation computations shared by the reference checks, the widgets and the notebooks.

Pure computation: no plotting, no widgets. Scales are explicit: SHAP values of a binary
XGBoost classifier are in **log-odds** of class 1 (the model's margin); LIME weights are
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


def tree_shap(model, X) -> ShapResult:
    """Exact (path-dependent) TreeSHAP values of an XGBoost or scikit-learn tree model.

    Uses ``shap.TreeExplainer(model)`` with its default ``tree_path_dependent`` perturbation
    (no background data); for XGBoost shap hands off to XGBoost's ``pred_contribs``. The scale
    is the model's own output, recorded in the result: log-odds of class 1 for an XGBoost
    classifier, probability of class 1 for a scikit-learn classifier (TreeSHAP explains
    ``predict_proba`` there), the target's unit for a regressor.

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
    if hasattr(model, "get_booster") and hasattr(model, "predict_proba"):
        output, scale = model.predict(X, output_margin=True), "log-odds"
    elif hasattr(model, "predict_proba"):
        output, scale = model.predict_proba(X)[:, 1], "probability"
    else:
        output, scale = model.predict(X), "raw"
    return ShapResult(values=values, base_value=base_value, output=np.asarray(output, float),
                      feature_names=list(X.columns), data=np.asarray(X, dtype=float),
                      scale=scale)
