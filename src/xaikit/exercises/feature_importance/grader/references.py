"""References of ``feature_importance``: the planted columns (:func:`materialise`, the truth of
q3), the importances the questions ask for, and the grader's context (:class:`References`).
"""
from __future__ import annotations

from functools import cached_property

import numpy as np

from xaikit.exercises.feature_importance.public import GROUP
from xaikit.importance import SCORING, ImportanceResult
from xaikit.exercises.framework import ReferenceContext

#: q3's stated rule (:func:`noise_by_rule`): a joined column is pure noise when its Spearman
#: p-value with rentals on the training rows is at least NOISE_P_MIN (no relation beyond
#: chance) and its mean held-out permutation importance is below NOISE_MAX_HELDOUT rentals per
#: hour (the model gains nothing from it on new rows). Over 20 variants
#: (tests/test_calibration_feature_importance.py) the noise columns' p-values are >= 0.02 and
#: their held-out importances <= 0.5, the informative flag's p-values <= 1e-60 and its held-out
#: importance >= 5.5: the rule finds exactly the planted columns. "Within 2 std of 0" is not
#: used: the std over the repeats holds only the shuffles' randomness on the 300 rows, and a
#: noise column exceeds it in 2 of 20 variants.
NOISE_P_MIN = 1e-3
NOISE_MAX_HELDOUT = 1.0


# --- the planted columns (the truth of q3) ---------------------------------------------------

#: Names of the joined columns: ONE neutral pool for all three roles (names an operations table
#: could have; none suggests a record ID, a version, a time or a peak). Each variant draws three
#: distinct names with ``default_rng(9_000 + variant)`` and gives them the roles in the order
#: drawn, so a name says nothing about its column's role: the values must.
JOINED_NAMES = ("depot_code", "crew_zone", "route_group", "dock_status", "audit_mark",
                "fleet_tag", "service_class", "ops_category", "station_tier", "ledger_code")


def joined_names(variant: int) -> tuple:
    """The variant's three joined names by role: ``(id_name, code_name, flag_name)``, three
    distinct draws from :data:`JOINED_NAMES` (``default_rng(9_000 + variant)``)."""
    rng = np.random.default_rng(9_000 + int(variant))
    return tuple(str(n) for n in rng.choice(JOINED_NAMES, 3, replace=False))


def planted_columns(variant: int) -> tuple:
    """The names of the two pure-noise columns of ``variant``, the ID first."""
    return joined_names(variant)[:2]


def materialise(variant: int) -> dict:
    """The variant's joined columns: ``{"joined": DataFrame (8645, 3)}``, bike-sharing index.

    Names: :func:`joined_names` (one neutral pool, roles drawn independently of the names).

    - a high-cardinality random ID: a random permutation of 100000 ... 100000 + n - 1
      (``default_rng(7_000 + variant)``), a distinct value in every row: pure noise;
    - a low-cardinality random code, uniform on ``{0, ..., k - 1}`` with ``k = 3 + variant % 4``
      (same generator): pure noise;
    - a commute-peak flag (1 on working days at 7, 8, 17 and 18 h) with 10 % of its values
      flipped (``default_rng(8_000 + variant)``): related to rentals, so **not** noise (though
      redundant given ``hr`` x ``workingday``).

    The noise columns are drawn independently of the data, so they carry no information about
    rentals. The columns come in a variant-dependent order (the model's column order).
    """
    import pandas as pd

    from xaikit.datasets import load_bikeshare

    X = load_bikeshare().X
    variant, n = int(variant), len(X)
    rng = np.random.default_rng(7_000 + variant)
    id_name, low_name, flag = joined_names(variant)
    cols = {id_name: (100_000 + rng.permutation(n)).astype("float64"),
            low_name: rng.integers(0, 3 + variant % 4, size=n).astype("float64")}
    rng = np.random.default_rng(8_000 + variant)
    peak = (X["workingday"].to_numpy() == 1) & np.isin(X["hr"].to_numpy(), (7, 8, 17, 18))
    cols[flag] = (peak ^ (rng.random(n) < 0.10)).astype("float64")
    added = [id_name, low_name, flag]
    order = [added[i] for i in rng.permutation(3)]
    return {"joined": pd.DataFrame({c: cols[c] for c in order}, index=X.index)}


# --- the importances the questions ask for (references) --------------------------------------

def mae(model, X, y) -> float:
    """Mean absolute error of ``model`` on ``(X, y)``, rentals per hour."""
    return float(np.mean(np.abs(np.asarray(y, float) - np.asarray(model.predict(X), float))))


def mdi(forest, feature_names) -> ImportanceResult:
    """Impurity-based importance (MDI) of a fitted forest: ``forest.feature_importances_``.

    The spread is the standard deviation of each tree's own ``feature_importances_`` (as in
    scikit-learn's example "Feature importances with a forest of trees"). ``mean`` sums to 1
    (share of the total impurity reduction on the training data). Breiman (2001).
    """
    per_tree = np.array([t.feature_importances_ for t in forest.estimators_])
    return ImportanceResult("MDI", list(feature_names),
                            np.asarray(forest.feature_importances_, float),
                            per_tree.std(axis=0), None, "share of impurity reduction")


def permutation(model, X, y, *, n_repeats: int = 10, seed: int = 0,
                label: str = "permutation") -> ImportanceResult:
    """Permutation importance by ``sklearn.inspection.permutation_importance``.

    Called with ``scoring=SCORING`` (neg. MAE), ``n_repeats``, ``random_state=seed`` and
    ``n_jobs=1``: the same call gives bit-identical numbers. ``mean``, ``std`` (over repeats)
    and ``samples`` (n_features, n_repeats) are MAE increases in rentals per hour.
    Breiman (2001); scikit-learn user guide, "Permutation feature importance".
    """
    from sklearn.inspection import permutation_importance

    r = permutation_importance(model, X, y, scoring=SCORING, n_repeats=n_repeats,
                               random_state=seed, n_jobs=1)
    return ImportanceResult(label, list(X.columns), np.asarray(r.importances_mean, float),
                            np.asarray(r.importances_std, float),
                            np.asarray(r.importances, float), "rentals per hour (MAE increase)")


def group_permutation(model, X, y, columns, *, n_repeats: int = 10, seed: int = 0,
                      align_by_index: bool = False) -> np.ndarray:
    """Permutation importance of a group of columns shuffled **together** (one row order).

    ``permutation_importance`` permutes one column at a time; for a group, the columns keep
    their joint distribution (their correlation) while their link to the other features and
    the target is broken. Protocol: ``rng = numpy.random.default_rng(seed)``; for each repeat,
    ``idx = rng.permutation(n_rows)`` and the group takes the values
    ``X[columns].to_numpy()[idx]`` (a numpy array: assigning a DataFrame such as
    ``X[columns].iloc[idx]`` aligns its rows back by index label, so nothing moves);
    importance = MAE(permuted) - MAE(original). Fisher, Rudin & Dominici (2019).

    Parameters
    ----------
    model : fitted regressor
    X : pandas.DataFrame of shape (n_rows, n_features)
    y : array-like of shape (n_rows,)
    columns : list of str
    n_repeats, seed : int
    align_by_index : bool, default False
        Reproduce the index-alignment mistake (assign ``X[columns].iloc[idx]``): every repeat
        gives exactly 0. For the checks' tests.

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
        Xp[columns] = X[columns].iloc[idx] if align_by_index else X[columns].to_numpy()[idx]
        out[r] = mae(model, Xp, y) - base
    return out


def mean_abs_shap(model, X) -> tuple:
    """Mean |SHAP| per feature over the rows of ``X`` (path-dependent TreeSHAP,
    ``shap.TreeExplainer(model)``, no background data). Lundberg et al. (2020).

    Returns
    -------
    (ImportanceResult, ndarray of shape (n_rows, n_features))
        The mean |SHAP value| per feature (rentals per hour) and the SHAP values themselves.
    """
    import shap

    sv = np.asarray(shap.TreeExplainer(model).shap_values(X), float)
    return (ImportanceResult("mean |SHAP|", list(X.columns), np.abs(sv).mean(axis=0), None,
                             None, "rentals per hour"), sv)


def noise_by_rule(X_train, y_train, perm_test: ImportanceResult, columns) -> list:
    """q3's stated rule: the columns of ``columns`` that are pure noise by the evidence.

    Column ``c`` is pure noise when ``scipy.stats.spearmanr(X_train[c], y_train)`` has a
    p-value ``>= NOISE_P_MIN`` and its mean held-out permutation importance (``perm_test``,
    rentals per hour) is ``< NOISE_MAX_HELDOUT``. Returns the names in the order of
    ``columns``.
    """
    from scipy.stats import spearmanr

    names = list(perm_test.feature_names)
    out = []
    for c in columns:
        p = float(spearmanr(np.asarray(X_train[c], float), np.asarray(y_train, float))[1])
        if p >= NOISE_P_MIN and perm_test.mean[names.index(c)] < NOISE_MAX_HELDOUT:
            out.append(c)
    return out


class References(ReferenceContext):
    """The public context plus the grader's truth and references (attributes are delegated)."""

    def __init__(self, ctx):
        super().__init__(ctx)
        self.planted = planted_columns(ctx.variant)

    @cached_property
    def ref_mdi(self) -> ImportanceResult:
        return mdi(self.model, self.feature_names)

    @cached_property
    def ref_perm_train(self) -> ImportanceResult:
        return permutation(self.model, self.X_pi_train, self.y_pi_train,
                           n_repeats=self.n_repeats, seed=self.pi_seed,
                           label="permutation (train)")

    @cached_property
    def ref_perm_test(self) -> ImportanceResult:
        return permutation(self.model, self.X_pi_test, self.y_pi_test, n_repeats=self.n_repeats,
                           seed=self.pi_seed, label="permutation (test)")

    @cached_property
    def _shap(self):
        return mean_abs_shap(self.model, self.X_shap)

    @property
    def ref_shap(self) -> ImportanceResult:
        return self._shap[0]

    @property
    def ref_shap_values(self) -> np.ndarray:
        return self._shap[1]

    @cached_property
    def ref_group(self) -> np.ndarray:
        """Group permutation of ``GROUP`` on the held-out sample, shape (n_repeats,)."""
        return group_permutation(self.model, self.X_pi_test, self.y_pi_test, list(GROUP),
                                 n_repeats=self.n_repeats, seed=self.pi_seed)

    @cached_property
    def ref_noise_by_rule(self) -> list:
        """q3's stated rule applied to the joined columns: the reference of check_q3 (equal to
        ``planted`` as a set, calibrated over 20 variants)."""
        return noise_by_rule(self.X_train, self.trained.y_train, self.ref_perm_test,
                             self.joined)

    def single_test(self, name) -> float:
        """The held-out permutation importance of column ``name`` (rentals per hour)."""
        return float(self.ref_perm_test.mean[self.feature_names.index(name)])


def reference_context(ctx) -> References:
    """The grader's context for the public context ``ctx``."""
    return References(ctx)
