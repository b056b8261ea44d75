"""References of ``reason_codes``: the monotonicity check on a grid, interventional TreeSHAP
against the reference population, reason selection (grouping, exclusions, ranking) and the
grader's context (:class:`References`).

Reason selection follows the adverse-action practice of Regulation B (12 CFR 1002.9(b)(2) and
its official interpretation, comment 9(b)(2)-1: the principal reasons, "more than four reasons
is not likely to be helpful"), with SHAP values (Lundberg & Lee 2017, "A unified approach to
interpreting model predictions", NeurIPS) summed over the features of each business concept:
by additivity (local accuracy) a sum of SHAP values is the concept's share of
``margin - mean margin of the reference``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from xaikit.exercises.framework import ReferenceContext


def max_violation(curves, direction: int) -> float:
    """Largest step of a set of curves against a monotone direction, 0 if none.

    Parameters
    ----------
    curves : array-like of shape (n_curves, n_grid) or (n_grid,)
        Model outputs (e.g. log-odds) along an increasing grid.
    direction : {1, -1}
        +1: the output must never decrease; -1: it must never increase.

    Returns
    -------
    float >= 0
        ``max(0, max over curves and consecutive grid points of -direction * step)``.
    """
    steps = np.diff(np.atleast_2d(np.asarray(curves, dtype=float)), axis=1)
    return float(max(0.0, np.max(-direction * steps))) if steps.size else 0.0


def interventional_shap(model, X, background):
    """Interventional TreeSHAP in log-odds against a background (reference) population.

    ``shap.TreeExplainer(model, background, feature_perturbation="interventional")``: each
    value is the feature's Shapley value of the margin where absent features take the values
    of each background row, averaged over the rows (Lundberg et al. 2020, Nature Machine
    Intelligence 2, 56-67; Janzing, Minorics & Bloebaum 2020 on interventional vs
    observational). Values sum to ``margin(x) - mean margin of the background``.

    Parameters
    ----------
    model : XGBClassifier
    X : pandas.DataFrame of shape (n, n_features)
    background : pandas.DataFrame of shape (n_background, n_features)

    Returns
    -------
    values : ndarray of shape (n, n_features)
        Log-odds of a bad risk.
    base_value : float
        The mean margin of the background (log-odds).
    """
    import shap

    explainer = shap.TreeExplainer(model, background, feature_perturbation="interventional")
    return (np.asarray(explainer.shap_values(X), dtype=float),
            float(np.ravel(explainer.expected_value)[0]))


def group_values(values, feature_names, groups: dict) -> np.ndarray:
    """Sum attribution columns by concept.

    Parameters
    ----------
    values : array-like of shape (n, n_features)
    feature_names : sequence of str
    groups : dict of str to tuple of str
        Concept -> its features.

    Returns
    -------
    ndarray of shape (n, n_groups), columns in the order of ``groups``.
    """
    values = np.asarray(values, dtype=float)
    idx = {f: j for j, f in enumerate(feature_names)}
    return np.column_stack([values[:, [idx[f] for f in fs]].sum(axis=1)
                            for fs in groups.values()])


def select_reasons(grouped_row, group_names, *, excluded=(), max_reasons: int = 4) -> list:
    """The principal reasons of one applicant: concepts that push toward denial, largest first.

    Parameters
    ----------
    grouped_row : array-like of shape (n_groups,)
        Grouped SHAP values (log-odds of a bad risk; > 0 pushes toward denial).
    group_names : sequence of str
    excluded : collection of str
        Concepts never stated (protected attributes, features the model does not use).
    max_reasons : int, default 4

    Returns
    -------
    list of str
        At most ``max_reasons`` concepts with a positive value, largest first (ties: concept
        order).
    """
    row = np.asarray(grouped_row, dtype=float)
    order = sorted((j for j in range(len(row)) if group_names[j] not in excluded and row[j] > 0),
                   key=lambda j: (-row[j], j))
    return [group_names[j] for j in order[:max_reasons]]


def reasons_match(candidate, grouped_row, group_names, *, excluded=(), max_reasons=4,
                  tol=0.0) -> bool:
    """True when ``candidate`` is a valid reason list for ``grouped_row`` up to ``tol``.

    Valid: at most ``max_reasons`` distinct, non-excluded concepts, each with a value > -tol,
    in non-increasing order (up to ``tol``), and no concept left out that beats the last one
    listed (or, when fewer than ``max_reasons`` are listed, that is > tol). With ``tol = 0``
    this is exactly :func:`select_reasons` up to exact ties.
    """
    cand = list(candidate)
    if len(cand) > max_reasons or len(set(cand)) != len(cand):
        return False
    if any(c not in group_names or c in excluded for c in cand):
        return False
    v = {g: float(x) for g, x in zip(group_names, np.asarray(grouped_row, float))}
    vals = [v[c] for c in cand]
    if any(x <= -tol for x in vals) or any(a < b - tol for a, b in zip(vals, vals[1:])):
        return False
    rest = [v[g] for g in group_names if g not in cand and g not in excluded]
    bar = (min(vals) if len(cand) == max_reasons else 0.0) + tol
    return all(x <= bar for x in rest)


@dataclass
class ShapRef:
    values: np.ndarray
    base_value: float
    margin: np.ndarray


class References(ReferenceContext):
    """The public context plus the grader's references (attributes are delegated)."""

    def _model(self, kind):
        return self.model if kind == "constrained" else self.unconstrained.model

    def ice(self, kind: str, feature: str) -> np.ndarray:
        """ICE margins (log-odds) of model ``kind`` on ``ice_rows`` x ``grids[feature]``."""
        return ice_margins(self._model(kind), self.X_test.loc[self.ice_rows], feature,
                           self.grids[feature])

    @cached_property
    def ref_violation(self) -> dict:
        """``{kind: {feature: max ICE violation (log-odds)}}``."""
        return {k: {f: max_violation(self.ice(k, f), s) for f, s in self.monotone.items()}
                for k in ("constrained", "unconstrained")}

    @cached_property
    def ref_pdp_violation(self) -> dict:
        """``{kind: {feature: max violation of the PDP (mean ICE), log-odds}}``."""
        return {k: {f: max_violation(self.ice(k, f).mean(axis=0), s)
                    for f, s in self.monotone.items()} for k in ("constrained", "unconstrained")}

    @cached_property
    def ref_contradicting(self) -> str:
        v = self.ref_pdp_violation["unconstrained"]
        return max(v, key=lambda f: v[f])

    @cached_property
    def ref_unused(self) -> list:
        used = set(self.model.get_booster().get_score(importance_type="weight"))
        return sorted(set(self.feature_names) - used)

    @cached_property
    def ref_shap(self) -> ShapRef:
        values, base = interventional_shap(self.model, self.X_applicants, self.X_reference)
        margin = self.model.predict(self.X_applicants, output_margin=True).astype(float)
        return ShapRef(values, base, margin)

    @property
    def group_names(self) -> list:
        return list(self.groups)

    @cached_property
    def excluded(self) -> set:
        """Concepts never stated: those with a protected or an unused feature."""
        bad = set(self.protected) | set(self.ref_unused)
        return {g for g, fs in self.groups.items() if set(fs) & bad}

    def grouped(self, values=None) -> np.ndarray:
        values = self.ref_shap.values if values is None else values
        return group_values(values, self.feature_names, self.groups)

    def reasons_from(self, values) -> list:
        """Reason lists (one per applicant) selected from per-feature values ``values``."""
        return [select_reasons(r, self.group_names, excluded=self.excluded,
                               max_reasons=self.max_reasons) for r in self.grouped(values)]

    @cached_property
    def ref_reasons(self) -> list:
        return self.reasons_from(self.ref_shap.values)

    def readable(self, applicant) -> dict:
        return self.dataset.describe_row(self.X_test.loc[applicant])


def reference_context(ctx) -> References:
    """The grader's context for the public context ``ctx``."""
    return References(ctx)


def ice_margins(model, X, feature: str, grid) -> np.ndarray:
    """ICE curves on the margin: ``model``'s log-odds with ``feature`` set to each grid value.

    Parameters
    ----------
    model : XGBClassifier
    X : pandas.DataFrame of shape (n_rows, n_features)
    feature : str
    grid : array-like of shape (n_grid,)

    Returns
    -------
    ndarray of shape (n_rows, n_grid)
        Log-odds of a bad risk; the mean over rows is the partial dependence (Friedman 2001).
    """
    grid = np.asarray(grid, dtype=float)
    big = X.loc[X.index.repeat(len(grid))].copy()
    big[feature] = np.tile(grid, len(X)).astype(X[feature].dtype)
    return model.predict(big, output_margin=True).reshape(len(X), len(grid)).astype(float)
