"""References of ``shap_vs_lime``: TreeSHAP, LIME under the notebook's protocol, the agreement
and stability metrics, and the grader's context (:class:`References`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import combinations

import numpy as np

from xaikit import explain as E
from xaikit.exercises.shap_vs_lime.public import MODES
from xaikit.exercises.framework import ReferenceContext


# --- TreeSHAP, the LIME protocol of q3, the agreement / stability metrics (references) ----

def tree_shap(model, X) -> E.ShapResult:
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
    return E.ShapResult(values=values, base_value=base_value, output=np.asarray(output, float),
                      feature_names=list(X.columns), data=np.asarray(X, dtype=float),
                      scale=scale)



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


class References(ReferenceContext):
    """The public context plus the grader's references (attributes are delegated)."""

    def __init__(self, ctx):
        super().__init__(ctx)
        self._lime_cache = {}

    @cached_property
    def ref_shap(self) -> E.ShapResult:
        return tree_shap(self.model, self.X_applicants)

    def ref_lime(self, mode: str, applicant, seed: int | None = None,
                 kernel_width: float | None = None,
                 num_samples: int | None = None) -> "LimeResult":
        """LIME for one applicant: fresh explainer, ``random_state=seed``, all features,
        ``num_samples`` samples (default: the questions' ``lime_samples``)."""
        seed = self.lime_seed if seed is None else seed
        num_samples = self.lime_samples if num_samples is None else num_samples
        key = (mode, applicant, seed, kernel_width, num_samples)
        if key not in self._lime_cache:
            explainer = make_lime_explainer(self.X_train, self.dataset,
                                            discretize_continuous=(mode == "binned"),
                                            seed=seed, kernel_width=kernel_width)
            self._lime_cache[key] = lime_explain(
                explainer, self.model.predict_proba, self.X_test.loc[applicant],
                n_features=len(self.feature_names), num_samples=num_samples)
        return self._lime_cache[key]

    def ref_lime_weights(self, mode: str) -> np.ndarray:
        return np.array([self.ref_lime(mode, a).weights for a in self.applicants])

    def ref_agreement(self, shap_values=None, lime=None) -> dict:
        """Top-k overlap and Spearman rho of SHAP vs LIME, rows ``MODES``, shape (2, 5)."""
        sv = self.ref_shap.values if shap_values is None else shap_values
        lime = lime or {m: self.ref_lime_weights(m) for m in MODES}
        overlap = np.array([[top_k_overlap(sv[i], lime[m][i], self.top_k)
                             for i in range(len(sv))] for m in MODES])
        rho = np.array([[rank_correlation(sv[i], lime[m][i]) for i in range(len(sv))]
                        for m in MODES])
        return {"top5_overlap": overlap, "spearman": rho}

    def ref_stability(self, mode: str) -> float:
        a = self.applicants[0]
        rows = [self.ref_lime(mode, a, seed=s, num_samples=self.stability_samples).weights
                for s in self.stability_seeds]
        return jaccard_stability(rows, self.top_k)

    @property
    def default_kernel_width(self) -> float:
        return 0.75 * np.sqrt(len(self.feature_names))


def reference_context(ctx) -> References:
    """The grader's context for the public context ``ctx``."""
    return References(ctx)
