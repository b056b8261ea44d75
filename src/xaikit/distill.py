"""Global surrogates (model distillation): decision trees fit to a teacher's predictions.

Pure computation (no plotting, no widgets). A surrogate is a
:class:`sklearn.tree.DecisionTreeRegressor` fit to the **teacher's predictions** on a set of
rows (not to the labels); its **fidelity** is the R² of the surrogate's predictions against the
teacher's predictions on held-out rows::

    fidelity = 1 - sum((teacher - surrogate)²) / sum((teacher - mean(teacher))²)

For the bike-sharing teacher both are in rentals per hour, so fidelity is a plain R² between
two real-valued outputs. (Accuracy, the R² against the observed labels, answers a different
question: how good the surrogate is as a model of the world.)

This module holds the building blocks (one library call each) and the computation of the
surrogate explorer, which works on the exercise's *explorer* rows only (rows disjoint from the
rows the questions use).

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
    """A decision-tree surrogate of the teacher (``DecisionTreeRegressor(...).fit``).

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

    Raises
    ------
    ValueError
        When the arrays differ in length (``sklearn.metrics.r2_score``).
    """
    from sklearn.metrics import r2_score

    return float(r2_score(np.asarray(teacher_pred, float), np.asarray(surrogate_pred, float)))


def rules_text(surrogate, feature_names, decimals: int = 2) -> str:
    """The surrogate's rules as indented text (``sklearn.tree.export_text``); leaves give the
    predicted rentals per hour."""
    from sklearn.tree import export_text

    return export_text(surrogate, feature_names=list(feature_names), decimals=decimals)


@dataclass
class ExplorerSurrogates:
    """What the surrogate explorer shows: a surrogate of each depth on the explorer rows.

    Attributes
    ----------
    depths : tuple of int
    surrogates : list of DecisionTreeRegressor
        One per depth, fit to the teacher's predictions on the explorer's training rows.
    fidelity : ndarray of shape (n_depths,)
        R² against the teacher on the explorer's held-out rows.
    accuracy : ndarray of shape (n_depths,)
        R² against the observed rentals on the same rows (for contrast: not fidelity).
    n_leaves : ndarray of shape (n_depths,)
    by_group : dict of int to dict of str to float
        ``{depth: {subgroup label: R² against the teacher within the subgroup}}``, labels
        sorted.
    n_eval : int
        Number of held-out rows measured on.
    """

    depths: tuple
    surrogates: list
    fidelity: np.ndarray
    accuracy: np.ndarray
    n_leaves: np.ndarray
    by_group: dict
    n_eval: int

    def surrogate(self, depth: int):
        return self.surrogates[self.depths.index(int(depth))]


def explorer_surrogates(ctx) -> ExplorerSurrogates:
    """Fit and measure the explorer's surrogates on the context's explorer rows (about 0.3 s).

    Uses only ``ctx.X_explore_fit`` / ``ctx.teacher_explore_fit`` (the teacher's training rows
    the questions do not use) to fit, and ``ctx.X_explore_eval`` / ``ctx.teacher_explore_eval``
    / ``ctx.y_explore_eval`` / ``ctx.explore_subgroups`` (held-out rows the questions do not
    use) to measure, with ``max_depth`` in ``ctx.depths`` and ``random_state=ctx.seed``. The
    numbers illustrate the depth/fidelity trade-off; they are not the questions' answers,
    which are measured on other rows.

    Parameters
    ----------
    ctx : xaikit.exercises.distillation.public.DistillationContext

    Returns
    -------
    ExplorerSurrogates
    """
    X_eval = ctx.X_explore_eval
    t_eval = np.asarray(ctx.teacher_explore_eval, float)
    y_eval = np.asarray(ctx.y_explore_eval, float)
    groups = np.asarray(ctx.explore_subgroups).astype(str)
    labels = sorted(set(groups))
    depths = tuple(ctx.depths)
    surrogates, fid, acc, by_group = [], [], [], {}
    for d in depths:
        s = fit_surrogate(ctx.X_explore_fit, ctx.teacher_explore_fit, d,
                          random_state=ctx.seed)
        p = s.predict(X_eval)
        surrogates.append(s)
        fid.append(fidelity(t_eval, p))
        acc.append(fidelity(y_eval, p))
        by_group[d] = {k: fidelity(t_eval[groups == k], p[groups == k]) for k in labels}
    return ExplorerSurrogates(depths, surrogates, np.array(fid), np.array(acc),
                              np.array([s.get_n_leaves() for s in surrogates]), by_group,
                              len(X_eval))
