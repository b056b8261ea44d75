"""References of ``debugging``: the audit (permutation importance, mean |SHAP|), the retrained
models under the notebook's recipe on the random and the later-period split, and the partial
dependence of the trend column; and the grader's context (:class:`References`).
"""
from __future__ import annotations

from functools import cached_property

import numpy as np

from xaikit.exercises.framework import ReferenceContext

#: columns that are parts of the target (``casual + registered = bikers``)
TARGET_PARTS = ("casual", "registered")
#: columns that encode the row's position in the 2011 record
TREND_COLUMNS = ("instant", "day")


def rmse(y_true, y_pred) -> float:
    """Root mean squared error, in the target's unit (rentals per hour)."""
    d = np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)
    return float(np.sqrt(np.mean(d ** 2)))


def mae(y_true, y_pred) -> float:
    """Mean absolute error (a typical mistake for RMSE), rentals per hour."""
    return float(np.mean(np.abs(np.asarray(y_true, float) - np.asarray(y_pred, float))))


def fit_recipe(recipe: dict, X, y):
    """``xgboost.XGBRegressor(**recipe).fit(X, y)``: the notebook's retraining recipe."""
    from xgboost import XGBRegressor

    return XGBRegressor(**recipe).fit(X, y)


def perm_importance(model, X, y, *, n_repeats: int, seed: int, scoring: str =
                    "neg_root_mean_squared_error") -> np.ndarray:
    """Mean permutation importance per column of ``X`` (``sklearn.inspection``).

    With the default scoring, the mean increase of the RMSE (rentals per hour) when the column
    is shuffled; shape (n_features,).

    References
    ----------
    Breiman (2001), "Random forests", Machine Learning 45; Fisher, Rudin & Dominici (2019),
    "All models are wrong, but many are useful", JMLR 20.
    """
    from sklearn.inspection import permutation_importance

    r = permutation_importance(model, X, y, n_repeats=n_repeats, random_state=seed,
                               scoring=scoring, n_jobs=1)
    return np.asarray(r.importances_mean, dtype=float)


def shap_values(model, X) -> np.ndarray:
    """Path-dependent TreeSHAP values (``shap.TreeExplainer(model)``), rentals per hour,
    shape (n_rows, n_features) (Lundberg et al. 2020, Nature Machine Intelligence 2)."""
    import shap

    return np.asarray(shap.TreeExplainer(model).shap_values(X), dtype=float)


def pdp(model, X, feature: str, grid) -> np.ndarray:
    """Partial dependence of ``model`` on ``feature`` over ``grid``, averaged over the rows of
    ``X`` (``sklearn.inspection.partial_dependence``, brute force), rentals per hour, shape
    (len(grid),) (Friedman 2001, Annals of Statistics 29)."""
    from sklearn.inspection import partial_dependence

    r = partial_dependence(model, X, [feature], method="brute", kind="average",
                           custom_values={feature: np.asarray(grid, dtype=float)})
    return np.asarray(r["average"][0], dtype=float)


class References(ReferenceContext):
    """The public context plus the grader's references (attributes are delegated)."""

    def __init__(self, ctx):
        super().__init__(ctx)
        self._fits = {}

    # --- the variant's truth: read from the colleague's feature list -------------------------
    @property
    def leak(self) -> str:
        (c,) = [f for f in self.feature_names if f in TARGET_PARTS]
        return c

    @property
    def trend(self) -> str:
        (c,) = [f for f in self.feature_names if f in TREND_COLUMNS]
        return c

    @property
    def suspects(self) -> set:
        return {self.leak, self.trend}

    def columns(self, drop=()) -> list:
        """The colleague's features in their order, without ``drop``."""
        return [f for f in self.feature_names if f not in set(drop)]

    # --- rows ----------------------------------------------------------------------------
    @property
    def later_masks(self):
        mnth = self.X_all["mnth"].to_numpy()
        return mnth <= self.last_train_month, mnth > self.last_train_month

    def fitted(self, split: str, drop=(), seed=None, columns=None):
        """The recipe fitted on ``split`` ("random": the colleague's training rows; "later":
        Jan-Aug; "all": every row) with the colleague's columns minus ``drop`` (or
        ``columns``), ``random_state=seed`` (default the variant's); cached."""
        cols = list(columns) if columns is not None else self.columns(drop)
        seed = self.seed if seed is None else int(seed)
        key = (split, tuple(cols), seed)
        if key not in self._fits:
            X, y = self.X_all, self.y_all
            if split == "random":
                rows = self.X_train.index
                Xf, yf = X.loc[rows, cols], y.loc[rows]
            elif split == "later":
                tr, _ = self.later_masks
                Xf, yf = X.loc[tr, cols], y.loc[tr]
            else:
                Xf, yf = X[cols], y
            self._fits[key] = fit_recipe({**self.recipe, "random_state": seed}, Xf, yf)
        return self._fits[key]

    def evaluate(self, model, split: str, cols, metric=rmse, on="test") -> float:
        X, y = self.X_all, self.y_all
        if split == "random":
            rows = self.X_test.index if on == "test" else self.X_train.index
            return metric(y.loc[rows], model.predict(X.loc[rows, cols]))
        tr, te = self.later_masks
        m = te if on == "test" else tr
        return metric(y[m], model.predict(X.loc[m, cols]))

    # --- q1 ------------------------------------------------------------------------------
    @cached_property
    def ref_perm_importance(self) -> np.ndarray:
        return perm_importance(self.model, self.X_sample, self.y_all.loc[self.sample],
                               n_repeats=self.n_repeats, seed=self.seed)

    @cached_property
    def ref_shap(self) -> np.ndarray:
        return shap_values(self.model, self.X_sample)

    @property
    def ref_mean_abs_shap(self) -> np.ndarray:
        return np.abs(self.ref_shap).mean(axis=0)

    # --- q3, q4 --------------------------------------------------------------------------
    def random_rmse(self, metric=rmse, seed=None, on="test") -> dict:
        out = {"colleague": self.evaluate(self.model, "random", self.feature_names, metric, on)}
        for key, drop in (("no_leak", (self.leak,)), ("repaired", (self.leak, self.trend))):
            m = self.fitted("random", drop, seed)
            out[key] = self.evaluate(m, "random", self.columns(drop), metric, on)
        return out

    @cached_property
    def ref_random_rmse(self) -> dict:
        return self.random_rmse()

    def later_rmse(self, metric=rmse, seed=None, drop_extra=(), on="test") -> dict:
        out = {}
        for key, drop in (("with_trend", (self.leak,)), ("repaired", (self.leak, self.trend))):
            drop = tuple(d for d in drop if d not in drop_extra)
            m = self.fitted("later", drop, seed)
            out[key] = self.evaluate(m, "later", self.columns(drop), metric, on)
        return out

    @cached_property
    def ref_later_rmse(self) -> dict:
        return self.later_rmse()

    # --- q5 ------------------------------------------------------------------------------
    @property
    def trend_grid(self) -> np.ndarray:
        return self.X_all.loc[self.grid_rows, self.trend].to_numpy()

    def trend_pdp(self, model=None, cols=None, rows=None) -> np.ndarray:
        cols = cols or self.columns((self.leak,))
        model = model or self.fitted("random", (self.leak,))
        rows = self.sample if rows is None else rows
        return pdp(model, self.X_all.loc[rows, cols], self.trend, self.trend_grid)

    @cached_property
    def ref_trend_pdp(self) -> np.ndarray:
        return self.trend_pdp()


def reference_context(ctx) -> References:
    """The grader's context for the public context ``ctx``."""
    return References(ctx)
