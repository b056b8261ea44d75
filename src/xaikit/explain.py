"""Explanation computations shared by the reference checks, the widgets and the notebooks.

Pure computation: no plotting, no widgets. Scales are explicit: SHAP values of a binary
XGBoost classifier are in **log-odds** of class 1 (the model's margin); LIME weights are
coefficients of a local linear model of the **probability** of the explained class.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

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


def make_lime_explainer(X_train, dataset, *, discretize_continuous: bool, seed: int,
                        kernel_width: float | None = None):
    """A ``lime.lime_tabular.LimeTabularExplainer`` set up the way the exercises state.

    Training data ``X_train`` (encoded, float), the dataset's categorical columns and labels,
    class names from the dataset, ``mode="classification"``, quartile discretiser when
    ``discretize_continuous`` is True, ``random_state=seed``. LIME's sampling stream is owned
    by the explainer: explaining rows one after another with one explainer gives different
    samples than a fresh explainer per row.

    References
    ----------
    Ribeiro, Singh & Guestrin (2016), "Why should I trust you?", KDD.
    """
    from lime.lime_tabular import LimeTabularExplainer

    return LimeTabularExplainer(
        np.asarray(X_train, dtype=float), mode="classification",
        feature_names=list(X_train.columns), categorical_features=dataset.categorical_indices,
        categorical_names=dataset.categorical_names, class_names=list(dataset.target_names),
        discretize_continuous=discretize_continuous, kernel_width=kernel_width,
        random_state=seed)


@dataclass
class LimeResult:
    """One LIME explanation, flattened.

    Attributes
    ----------
    weights : ndarray of shape (n_features,)
        Local linear coefficients for the explained class, in feature order (0 for a feature
        LIME did not select); units: probability per unit of LIME's interpretable feature
        (a bin indicator when discretised, a standardised value otherwise).
    intercept : float
    score : float
        ``exp.score``: R^2 of the weighted local linear fit on LIME's perturbed samples.
    local_pred : float
        The surrogate's prediction at the explained row.
    """

    weights: np.ndarray
    intercept: float
    score: float
    local_pred: float


def lime_explain(explainer, predict_proba, x, *, n_features: int, num_samples: int,
                 label: int = 1) -> LimeResult:
    """Explain one row with LIME, keeping every feature.

    Parameters
    ----------
    explainer : LimeTabularExplainer
    predict_proba : callable
        (n, n_features) array -> (n, 2) probabilities.
    x : array-like of shape (n_features,)
    n_features : int
        Passed as ``num_features`` so that no feature is dropped.
    num_samples : int
    label : int, default 1
        The class explained (1 = the positive class, e.g. bad credit risk).
    """
    exp = explainer.explain_instance(np.asarray(x, dtype=float), predict_proba,
                                     labels=(label,), num_features=n_features,
                                     num_samples=num_samples)
    weights = np.zeros(n_features)
    for j, w in exp.as_map()[label]:
        weights[j] = w
    return LimeResult(weights=weights, intercept=float(exp.intercept[label]),
                      score=float(exp.score), local_pred=float(np.ravel(exp.local_pred)[0]))


def top_k(values, feature_names, k: int) -> list[str]:
    """Names of the ``k`` features with the largest ``|values|`` (ties: earlier feature first).

    Parameters
    ----------
    values : array-like of shape (n_features,)
    feature_names : sequence of str
    k : int
    """
    values = np.abs(np.asarray(values, dtype=float))
    order = sorted(range(len(values)), key=lambda j: (-values[j], j))
    return [feature_names[j] for j in order[:k]]


def top_k_overlap(a, b, k: int) -> float:
    """|top-k(a) ∩ top-k(b)| / k, by absolute value, for two attribution vectors."""
    idx = list(range(len(a)))
    return len(set(top_k(a, idx, k)) & set(top_k(b, idx, k))) / k


def rank_correlation(a, b) -> float:
    """Spearman rank correlation of two signed attribution vectors (``scipy.stats.spearmanr``)."""
    from scipy.stats import spearmanr

    return float(spearmanr(np.asarray(a, float), np.asarray(b, float)).statistic)


def jaccard_stability(weight_rows, k: int) -> float:
    """Mean pairwise Jaccard index of the top-k feature sets of several explanations.

    Parameters
    ----------
    weight_rows : array-like of shape (n_runs, n_features)
        One attribution vector per run (e.g. LIME under different seeds).
    k : int

    Returns
    -------
    float in [0, 1]; 1 when every run names the same top-k set.

    References
    ----------
    Alvarez-Melis & Jaakkola (2018), "On the robustness of interpretability methods"; the
    Jaccard form follows Visani et al. (2022), "Statistical stability indices for LIME".
    """
    rows = np.asarray(weight_rows, dtype=float)
    sets = [set(top_k(r, list(range(rows.shape[1])), k)) for r in rows]
    pairs = list(combinations(sets, 2))
    return float(np.mean([len(s & t) / len(s | t) for s, t in pairs]))
