"""Global surrogates (model distillation): decision trees fit to a teacher's predictions.

Pure computation (no plotting, no widgets). A surrogate is a
:class:`sklearn.tree.DecisionTreeRegressor` fit to the **teacher's predictions** on a set of
rows (not to the labels); its **fidelity** is the R² of the surrogate's predictions against the
teacher's predictions on held-out rows::

    fidelity = 1 - sum((teacher - surrogate)²) / sum((teacher - mean(teacher))²)

For the bike-sharing teacher both are in rentals per hour, so fidelity is a plain R² between
two real-valued outputs. (Accuracy, the R² against the observed labels, answers a different
question: how good the surrogate is as a model of the world.)

References
----------
Craven, M. W. & Shavlik, J. W. (1996). Extracting tree-structured representations of trained
networks. NIPS 8. Molnar, C. (2022). Interpretable Machine Learning, 2nd ed., ch. "Global
Surrogate".
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: depths the exercise fits
DEPTHS = tuple(range(1, 9))


def fit_surrogate(X_fit, teacher_fit, depth: int, *, min_samples_leaf: int = 1,
                  random_state: int = 0):
    """A decision-tree surrogate of the teacher.

    Parameters
    ----------
    X_fit : pandas.DataFrame of shape (n_fit, n_features)
        Rows the surrogate learns from (the "transfer set").
    teacher_fit : ndarray of shape (n_fit,)
        The teacher's predictions on ``X_fit`` (rentals per hour), **not** the labels.
    depth : int
        ``max_depth`` of the tree.
    min_samples_leaf : int, default 1
    random_state : int, default 0
        Only breaks ties between equally good splits.

    Returns
    -------
    sklearn.tree.DecisionTreeRegressor
    """
    from sklearn.tree import DecisionTreeRegressor

    return DecisionTreeRegressor(max_depth=int(depth), min_samples_leaf=min_samples_leaf,
                                 random_state=random_state).fit(X_fit, np.asarray(teacher_fit))


def fidelity(teacher_pred, surrogate_pred) -> float:
    """R² of the surrogate against the teacher: ``r2_score(teacher, surrogate)``.

    Parameters
    ----------
    teacher_pred, surrogate_pred : array-like of shape (n_rows,)
        Same units (rentals per hour). Argument order matters: R² is not symmetric.

    Returns
    -------
    float
        1 = the surrogate reproduces the teacher exactly on these rows; 0 = no better than
        the teacher's mean; negative = worse than that.
    """
    from sklearn.metrics import r2_score

    return float(r2_score(np.asarray(teacher_pred, float), np.asarray(surrogate_pred, float)))


@dataclass
class FidelityCurve:
    """Surrogates of each depth and their fidelity on held-out rows.

    Attributes
    ----------
    depths : tuple of int
    fidelity : ndarray of shape (n_depths,)
        R² against the teacher on the evaluation rows.
    accuracy : ndarray of shape (n_depths,)
        R² against the labels on the same rows (for comparison only: not fidelity).
    surrogates : list of DecisionTreeRegressor
    n_leaves : ndarray of shape (n_depths,)
    """

    depths: tuple
    fidelity: np.ndarray
    accuracy: np.ndarray
    surrogates: list
    n_leaves: np.ndarray

    def surrogate(self, depth: int):
        return self.surrogates[self.depths.index(int(depth))]


def fidelity_curve(X_fit, teacher_fit, X_eval, teacher_eval, y_eval=None, *,
                   depths=DEPTHS, min_samples_leaf: int = 1,
                   random_state: int = 0) -> FidelityCurve:
    """Fit a surrogate of every depth and measure its fidelity on held-out rows.

    Parameters
    ----------
    X_fit : DataFrame (n_fit, n_features); teacher_fit : ndarray (n_fit,)
    X_eval : DataFrame (n_eval, n_features); teacher_eval : ndarray (n_eval,)
        Held-out rows and the teacher's predictions on them.
    y_eval : ndarray (n_eval,), optional
        Labels of the evaluation rows, to report accuracy beside fidelity.

    Returns
    -------
    FidelityCurve
    """
    surrogates = [fit_surrogate(X_fit, teacher_fit, d, min_samples_leaf=min_samples_leaf,
                                random_state=random_state) for d in depths]
    preds = [s.predict(X_eval) for s in surrogates]
    fid = np.array([fidelity(teacher_eval, p) for p in preds])
    acc = (np.array([fidelity(y_eval, p) for p in preds]) if y_eval is not None
           else np.full(len(depths), np.nan))
    return FidelityCurve(tuple(depths), fid, acc, surrogates,
                         np.array([s.get_n_leaves() for s in surrogates]))


def smallest_depth(depths, fidelities, target: float):
    """The smallest depth whose fidelity is at least ``target``, or None if none is."""
    for d, f in zip(depths, fidelities):
        if f >= target:
            return int(d)
    return None


def subgroup_fidelity(teacher_eval, surrogate_eval, groups) -> dict:
    """Fidelity (R² against the teacher) within each subgroup of the evaluation rows.

    Parameters
    ----------
    teacher_eval, surrogate_eval : ndarray of shape (n_eval,)
    groups : array-like of shape (n_eval,)
        Group label of each row.

    Returns
    -------
    dict of str to float
        ``{label: R²}``, in order of first appearance of the sorted labels. A subgroup's R² is
        measured against the teacher's variation *within* that subgroup, so a group where the
        teacher barely varies can get a low R² from small absolute errors.
    """
    g = np.asarray(groups).astype(str)
    t = np.asarray(teacher_eval, float)
    s = np.asarray(surrogate_eval, float)
    return {str(k): fidelity(t[g == k], s[g == k]) for k in sorted(set(g))}


def rules_text(surrogate, feature_names, decimals: int = 2) -> str:
    """The surrogate's rules as indented text (``sklearn.tree.export_text``); leaves give the
    predicted rentals per hour."""
    from sklearn.tree import export_text

    return export_text(surrogate, feature_names=list(feature_names), decimals=decimals)
