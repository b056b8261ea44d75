"""Attribution methods to be judged, and the randomised models of the sanity checks.

Public computation of the ``explanation_quality`` exercise. It holds what the candidate is
given, never what they must measure: three attribution methods behind one interface
(``explain(model, X) -> (n, p)``), a randomised copy of an XGBoost model (the model
randomisation test) and the label-permutation helper. Deletion / insertion curves, stability
and the sanity-check correlations are the candidate's work (and the grader's).

References
----------
Lundberg et al. (2020), "From local explanations to global understanding with explainable AI
for trees", Nature Machine Intelligence (TreeSHAP).
Ribeiro, Singh & Guestrin (2016), "Why should I trust you?", KDD (LIME).
Adebayo et al. (2018), "Sanity Checks for Saliency Maps", NeurIPS (model and data
randomisation tests).
"""
from __future__ import annotations

import json

import numpy as np

__all__ = ["TreeShapAttribution", "LimeAttribution", "CorrelationAttribution", "Explainer",
           "randomise_leaves", "positive_proba"]


def positive_proba(model, X) -> np.ndarray:
    """``model.predict_proba(X)[:, 1]``: probability of class 1, shape (n,)."""
    return np.asarray(model.predict_proba(np.asarray(X, dtype=float))[:, 1], dtype=float)


class TreeShapAttribution:
    """Path-dependent TreeSHAP values (``shap.TreeExplainer(model).shap_values(X)``).

    For an XGBoost classifier the values are in **log-odds** of class 1 and add up, with the
    base value, to the margin (local accuracy). The model passed in is the one explained.
    """

    def __call__(self, model, X) -> np.ndarray:
        import shap

        v = np.asarray(shap.TreeExplainer(model).shap_values(np.asarray(X, dtype=float)),
                       dtype=float)
        return v[:, :, 1] if v.ndim == 3 else v


class LimeAttribution:
    """LIME weights for class 1, one fresh ``LimeTabularExplainer`` per row.

    Parameters
    ----------
    X_train : array-like of shape (n_train, p)
        LIME's training data (its scaler: means and standard deviations).
    seed : int
        ``random_state`` of every explainer: the same row gives the same weights every time.
    num_samples : int
        Perturbation samples per row.

    Notes
    -----
    ``mode="classification"``, ``discretize_continuous=False`` (every column treated as
    continuous, including integer codes), default kernel width; ``explain_instance(row,
    model.predict_proba, labels=(1,), num_features=p, num_samples=num_samples)``; weights in
    feature order from ``exp.as_map()[1]``, units: probability per standard deviation.
    """

    def __init__(self, X_train, seed: int = 0, num_samples: int = 500):
        self.X_train = np.asarray(X_train, dtype=float)
        self.seed, self.num_samples = int(seed), int(num_samples)

    def __call__(self, model, X) -> np.ndarray:
        from lime.lime_tabular import LimeTabularExplainer

        X = np.asarray(X, dtype=float)
        p = X.shape[1]
        out = np.zeros_like(X)
        for i, row in enumerate(X):
            exp = LimeTabularExplainer(self.X_train, mode="classification",
                                       discretize_continuous=False,
                                       random_state=self.seed).explain_instance(
                row, model.predict_proba, labels=(1,), num_features=p,
                num_samples=self.num_samples)
            for j, w in exp.as_map()[1]:
                out[i, j] = w
        return out


class CorrelationAttribution:
    """``(x_j - mean_j) / std_j * corr(x_j, y)``: standardised deviation times the Pearson
    correlation with the label, means / standard deviations (ddof=0) / correlations of the
    training data.

    Parameters
    ----------
    X_train : array-like of shape (n_train, p)
    y_train : array-like of shape (n_train,)

    Notes
    -----
    Looks like a "contribution" (a deviation from the average times a direction), is signed
    and instantaneous, and is computed from the data only.
    """

    def __init__(self, X_train, y_train):
        X = np.asarray(X_train, dtype=float)
        y = np.asarray(y_train, dtype=float)
        self.mean, self.std = X.mean(axis=0), X.std(axis=0)
        Xc, yc = X - self.mean, y - y.mean()
        self.corr = (Xc * yc[:, None]).sum(0) / np.sqrt((Xc ** 2).sum(0) * (yc ** 2).sum())

    def __call__(self, model, X) -> np.ndarray:
        return (np.asarray(X, dtype=float) - self.mean) / self.std * self.corr


class Explainer:
    """One of the exercise's explainers under its letter: ``explain(model, X) -> (n, p)``.

    Parameters
    ----------
    letter : str
        "A", "B" or "C".
    method : callable
        ``method(model, X)``: attributions, shape (n, p), for class 1.
    """

    def __init__(self, letter: str, method):
        self.letter, self._method = letter, method

    def __call__(self, model, X) -> np.ndarray:
        """Attributions of ``model`` for the rows ``X`` (DataFrame or array, shape (n, p)):
        an array of shape (n, p), one value per row and feature (deterministic)."""
        return np.asarray(self._method(model, X), dtype=float)

    def __repr__(self):
        return f"explainer {self.letter}: explain(model, X) -> (n, p) attributions"


def randomise_leaves(model, seed: int):
    """A copy of a fitted XGBoost classifier whose leaf values are redrawn at random.

    Every leaf value becomes an independent ``N(0, s^2)`` draw (``s``: the standard deviation
    of the model's own leaf values; ``np.random.default_rng(seed)``, in the booster's node
    order); the trees' structure and ``base_score`` are kept. This is the model-parameter
    randomisation of Adebayo et al. (2018) for a tree ensemble: the randomised model's output
    no longer depends on what was learnt from the labels.

    Parameters
    ----------
    model : xgboost.XGBClassifier
    seed : int

    Returns
    -------
    xgboost.XGBClassifier
    """
    from xgboost import XGBClassifier

    d = json.loads(bytes(model.get_booster().save_raw("json")))
    trees = d["learner"]["gradient_booster"]["model"]["trees"]
    leaves = [(t, i) for t in trees for i, c in enumerate(t["left_children"]) if c == -1]
    s = float(np.std([t["base_weights"][i] for t, i in leaves]))
    draws = np.random.default_rng(int(seed)).normal(0.0, s, len(leaves))
    for (t, i), v in zip(leaves, draws):
        t["base_weights"][i] = float(v)
        t["split_conditions"][i] = float(v)
    out = XGBClassifier(**model.get_params())
    out.load_model(bytearray(json.dumps(d).encode()))
    return out
