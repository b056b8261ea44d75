"""Global feature importance: MDI, permutation importance (single and grouped), mean |SHAP|.

Pure computation shared by the ``feature_importance`` checks, its widget and the notebooks; no
plotting. Units are explicit and differ between methods:

- MDI: share of the forest's total impurity (squared-error) reduction, sums to 1, no unit;
- permutation importance: increase of the mean absolute error when the feature is shuffled,
  **rentals per hour** (scoring ``"neg_mean_absolute_error"``);
- mean |SHAP|: mean absolute TreeSHAP value, **rentals per hour**.

References
----------
Breiman, L. (2001). Random forests. Machine Learning 45, 5-32 (MDI and permutation importance).
Strobl, C., Boulesteix, A.-L., Zeileis, A. & Hothorn, T. (2007). Bias in random forest variable
importance measures. BMC Bioinformatics 8, 25 (MDI favours high-cardinality features).
Fisher, A., Rudin, C. & Dominici, F. (2019). All models are wrong, but many are useful. JMLR 20
(model reliance, permutation of groups).
Lundberg, S. M. et al. (2020). From local explanations to global understanding with explainable
AI for trees. Nature Machine Intelligence 2, 56-67 (TreeSHAP, mean |SHAP|).
scikit-learn user guide, "Permutation feature importance" (section 4.2).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Scorer of every permutation importance here: importance = increase of MAE (rentals/hour).
SCORING = "neg_mean_absolute_error"


@dataclass
class ImportanceResult:
    """One importance per feature, with its spread.

    Attributes
    ----------
    method : str
        "MDI", "permutation (train)", "permutation (test)" or "mean |SHAP|".
    feature_names : list of str
    mean : ndarray of shape (n_features,)
    std : ndarray of shape (n_features,) or None
        MDI: standard deviation over the trees; permutation: over the repeats; None for mean
        |SHAP| (exact for the rows given).
    samples : ndarray of shape (n_features, n_repeats) or None
        The importance of each repeat (permutation importance only).
    unit : str
    """

    method: str
    feature_names: list
    mean: np.ndarray
    std: np.ndarray | None
    samples: np.ndarray | None
    unit: str

    def ranking(self) -> list:
        """Feature names, most important first (stable for ties)."""
        order = np.argsort(-self.mean, kind="stable")
        return [self.feature_names[i] for i in order]

    def to_series(self):
        import pandas as pd

        return pd.Series(self.mean, index=self.feature_names, name=self.method)


def mdi(forest, feature_names) -> ImportanceResult:
    """Impurity-based importance (MDI) of a fitted forest: ``forest.feature_importances_``.

    The spread is the standard deviation of each tree's own ``feature_importances_`` (as in
    scikit-learn's example "Feature importances with a forest of trees").

    Returns
    -------
    ImportanceResult
        ``mean`` sums to 1 (share of the total impurity reduction on the training data).
    """
    per_tree = np.array([t.feature_importances_ for t in forest.estimators_])
    return ImportanceResult("MDI", list(feature_names), np.asarray(forest.feature_importances_,
                                                                   float),
                            per_tree.std(axis=0), None, "share of impurity reduction")


def permutation(model, X, y, *, n_repeats: int = 10, seed: int = 0,
                label: str = "permutation") -> ImportanceResult:
    """Permutation importance by ``sklearn.inspection.permutation_importance``.

    Called with ``scoring=SCORING`` (neg. MAE), ``n_repeats``, ``random_state=seed`` and
    ``n_jobs=1``: the same call gives bit-identical numbers.

    Parameters
    ----------
    model : fitted regressor
    X : pandas.DataFrame of shape (n_rows, n_features)
    y : array-like of shape (n_rows,)
        Rentals per hour.
    n_repeats : int, default 10
    seed : int, default 0
    label : str
        Name stored in ``method`` (e.g. "permutation (test)").

    Returns
    -------
    ImportanceResult
        ``mean``, ``std`` (over repeats), ``samples`` (n_features, n_repeats): increase of the
        MAE in rentals per hour.
    """
    from sklearn.inspection import permutation_importance

    r = permutation_importance(model, X, y, scoring=SCORING, n_repeats=n_repeats,
                               random_state=seed, n_jobs=1)
    return ImportanceResult(label, list(X.columns), np.asarray(r.importances_mean, float),
                            np.asarray(r.importances_std, float),
                            np.asarray(r.importances, float), "rentals per hour (MAE increase)")


def mae(model, X, y) -> float:
    """Mean absolute error of ``model`` on ``(X, y)``, rentals per hour."""
    return float(np.mean(np.abs(np.asarray(y, float) - np.asarray(model.predict(X), float))))


def group_permutation(model, X, y, columns, *, n_repeats: int = 10, seed: int = 0) -> np.ndarray:
    """Permutation importance of a group of columns shuffled **together** (one row order).

    ``permutation_importance`` permutes one column at a time; for a group, the columns keep
    their joint distribution (their correlation) while their link to the other features and
    the target is broken. Protocol: ``rng = numpy.random.default_rng(seed)``; for each repeat,
    ``idx = rng.permutation(n_rows)`` and every column of the group is replaced by
    ``X[columns].iloc[idx]``; importance = MAE(permuted) - MAE(original).

    Parameters
    ----------
    model : fitted regressor
    X : pandas.DataFrame of shape (n_rows, n_features)
    y : array-like of shape (n_rows,)
    columns : list of str
    n_repeats, seed : int

    Returns
    -------
    ndarray of shape (n_repeats,)
        MAE increase of each repeat, rentals per hour.
    """
    rng = np.random.default_rng(seed)
    base = mae(model, X, y)
    columns = list(columns)
    out = np.empty(n_repeats)
    for r in range(n_repeats):
        idx = rng.permutation(len(X))
        Xp = X.copy()
        Xp[columns] = X[columns].to_numpy()[idx]
        out[r] = mae(model, Xp, y) - base
    return out


def mean_abs_shap(model, X) -> ImportanceResult:
    """Mean |SHAP| per feature over the rows of ``X`` (path-dependent TreeSHAP).

    Uses :func:`xaikit.explain.tree_shap` (``shap.TreeExplainer(model)``, no background data).

    Returns
    -------
    ImportanceResult
        ``mean``: mean over rows of |SHAP value|, rentals per hour.
    """
    from xaikit.explain import tree_shap

    sv = tree_shap(model, X).values
    return ImportanceResult("mean |SHAP|", list(X.columns), np.abs(sv).mean(axis=0), None, None,
                            "rentals per hour")
