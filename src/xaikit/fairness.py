"""The Adult income model of the fairness exercise and the groups it is audited on.

Public computation: the model (trained without ``sex`` and ``race``) and the protected
attributes of any rows. Nothing here computes a fairness metric of the exercise's audit rows:
those are the candidate's work (with fairlearn) and the grader's.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

#: XGBoost settings of the Adult model: small, one thread, fixed seed (bit-identical runs).
ADULT_XGB_PARAMS = {
    "n_estimators": 150, "max_depth": 4, "learning_rate": 0.1, "subsample": 0.8,
    "colsample_bytree": 0.8, "min_child_weight": 2, "reg_lambda": 1.0,
    "random_state": 0, "n_jobs": 1, "tree_method": "hist", "eval_metric": "logloss",
}

#: The protected attributes an audit can be run on, and how each is made binary.
#: ``sex``: Female / Male as coded; ``race``: White / non-White; ``age_group``: under 40 / 40+.
ATTRIBUTES = {
    "sex": ("Female", "Male"),
    "race": ("non-White", "White"),
    "age_group": ("under 40", "40 and over"),
}


@lru_cache(maxsize=None)
def adult_model(retrain: bool = False):
    """XGBoost classifier of income > 50K on UCI Adult, trained **without** sex and race.

    70/30 split stratified on the target with ``random_state=0`` over all 48 842 rows (both
    UCI files); parameters in ``ADULT_XGB_PARAMS``. Features: the 10 columns of
    ``load_adult().X`` (``relationship`` and ``marital_status`` among them). The margin
    (``predict(X, output_margin=True)``) is in log-odds of income > 50K.

    Returns
    -------
    xaikit.models.TrainedModel
        ``X_train`` (34189, 10), ``X_test`` (14653, 10).
    """
    from xgboost import XGBClassifier

    from xaikit.datasets.loaders import load_adult
    from xaikit.models import train_cached

    return train_cached("adult_xgb", load_adult(), XGBClassifier, ADULT_XGB_PARAMS,
                        retrain=retrain)


def protected_attributes(dataset, index):
    """The binary protected attributes of the rows ``index`` of ``dataset.frame``.

    Parameters
    ----------
    dataset : xaikit.datasets.Dataset
        ``load_adult()``.
    index : array-like of row labels
        Labels of ``dataset.frame`` (the same as ``X_train``/``X_test``'s index).

    Returns
    -------
    pandas.DataFrame of shape (len(index), 3)
        Columns ``sex`` (``Female``/``Male``), ``race`` (``non-White``/``White``) and
        ``age_group`` (``under 40``/``40 and over``), as strings, indexed like ``index``.
    """
    import pandas as pd

    f = dataset.frame.loc[index]
    return pd.DataFrame({
        "sex": f["sex"].astype(str).to_numpy(),
        "race": np.where(f["race"] == "White", "White", "non-White"),
        "age_group": np.where(f["age"] >= 40, "40 and over", "under 40"),
    }, index=pd.Index(index))


class Float64Proba(ClassifierMixin, BaseEstimator):
    """A fitted classifier whose ``predict_proba`` returns float64 (XGBoost returns float32).

    fairlearn 0.15's ``ThresholdOptimizer.predict`` writes float64 interpolation weights into a
    pandas Series of the estimator's dtype; with pandas 3 a float32 Series refuses them
    (``TypeError: Invalid value ... for dtype 'float32'``). Wrapping the model fixes that and
    changes nothing else (the probabilities are the same numbers, widened).

    Parameters
    ----------
    model : fitted classifier with ``predict_proba``
    """

    def __init__(self, model):
        self.model = model
        self.classes_ = getattr(model, "classes_", np.array([0, 1]))

    def __sklearn_is_fitted__(self):
        return True

    def fit(self, X, y, **kw):  # prefit only; here for the estimator API
        raise NotImplementedError("Float64Proba wraps a fitted model; use prefit=True.")

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, 2), float64."""
        return np.asarray(self.model.predict_proba(X), dtype=np.float64)

    def predict(self, X):
        """The model's own 0/1 predictions, shape (n_samples,)."""
        return np.asarray(self.model.predict(X))
