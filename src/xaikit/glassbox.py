"""Computation for the explorer of ``glassbox_vs_posthoc``: TreeSHAP dependence of the given
boosted models on their **training** rows (the questions use the held-out rows and the
candidate's own EBMs; nothing here fits an EBM or computes an answer).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: the explorer's data sets: label -> attribute of the context holding the TrainedModel
EXPLORER_SETS = {"German credit": "trained", "generated (additive)": "additive"}


@dataclass
class ShapDependence:
    """TreeSHAP values of one model on its training rows.

    Attributes
    ----------
    label : str
    X : pandas.DataFrame of shape (n_rows, n_features)
        The training rows explained.
    values : ndarray of shape (n_rows, n_features)
        TreeSHAP values, log-odds of class 1.
    base_value : float
        The explainer's expected value, log-odds.
    """

    label: str
    X: object
    values: np.ndarray
    base_value: float

    def feature(self, name: str):
        """``(x, shap)`` of feature ``name``: raw values and SHAP values (log-odds), (n_rows,)."""
        j = list(self.X.columns).index(name)
        return self.X[name].to_numpy(float), self.values[:, j]


def explorer_shap(ctx) -> dict:
    """``{label: ShapDependence}`` for each data set of :data:`EXPLORER_SETS`, on the model's
    training rows: ``shap.TreeExplainer(model).shap_values(X_train)`` (path-dependent
    TreeSHAP, log-odds; about 0.1 s for both sets).

    References
    ----------
    Lundberg et al. (2020), "From local explanations to global understanding with explainable
    AI for trees", Nature Machine Intelligence 2, 56-67.
    """
    import shap

    out = {}
    for label, attr in EXPLORER_SETS.items():
        t = getattr(ctx, attr)
        explainer = shap.TreeExplainer(t.model)
        values = np.asarray(explainer.shap_values(t.X_train), float)
        out[label] = ShapDependence(label, t.X_train, values,
                                    float(np.ravel(explainer.expected_value)[-1]))
    return out
