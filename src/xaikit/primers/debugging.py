"""Primer ``debugging``: target leakage, spurious time trends, random vs temporal validation,
before the exercise ``debugging``.

The primer works on a small **generated** data set whose truth is known because the primer
makes it: 730 days of a café's takings (two years, ``make_cafe``). Sales (euros per day) depend
on the temperature, the weekday, a promotion flag and a season; the café grows by about 40 %
over the two years. Two traps are planted: ``receipts`` (the number of till receipts of the
day: sales divided by the basket size, plus noise; known only when the day is over: a leak)
and ``day_index`` (the day's position in the record: a one-off trend). None of it is the
exercise's data (bike sharing) or model (XGBoost): here a scikit-learn
``GradientBoostingRegressor``.

The self-checks (practice mode, right / wrong with a hint, never the expected value):

- ``d1``: which column is the leak (multiple choice);
- ``d2``: the later-period RMSE of the model with the trend (numeric; recognises the random
  split, the MAE, the training rows);
- ``d3``: why the trend helps on a random split and not later (multiple choice);
- ``d4``: reading a PDP of the trend that falls in winter (multiple choice).

References
----------
Kaufman, S., Rosset, S., Perlich, C. & Stitelman, O. (2012). Leakage in data mining:
formulation, detection, and avoidance. ACM TKDD 6(4), 15.
Hyndman, R. J. & Athanasopoulos, G. (2021). Forecasting: principles and practice, 3rd ed.,
section 5.10 "Time series cross-validation" (evaluation on a rolling forecasting origin).
Friedman, J. H. (2001). Greedy function approximation: a gradient boosting machine. Annals of
Statistics 29(5), 1189-1232 (partial dependence).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xaikit.exercises.framework import Question, as_float, correct, incorrect
from xaikit.primers import Primer, choice_check

#: d2 recomputed with the same model and rows is identical; float64 summation order only.
TOL_EXACT = 1e-6
#: days of the later period (the last quarter of the record)
N_LATER = 182
FEATURES = ("temp_c", "weekday", "promo", "receipts", "day_index")


def make_cafe(seed: int = 0):
    """The generated café data: 730 days, ``FEATURES`` and ``sales`` (euros per day).

    ``sales = (300 + 12 temp_c + 150 [Sat/Sun] + 120 promo + 80 sin(season)) * growth + noise``,
    growth rising linearly from 1.0 to 1.4; ``receipts = sales / basket`` with a basket of
    about 8 euros (noise sd 0.4), rounded; ``day_index`` = 1 ... 730.

    Returns
    -------
    X : pandas.DataFrame, shape (730, 5)
    y : pandas.Series, shape (730,), euros per day
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    n = 730
    t = np.arange(n)
    season = np.sin(2 * np.pi * (t - 80) / 365.25)
    temp = 12 + 9 * season + rng.normal(0, 3, n)
    weekday = t % 7
    promo = (rng.random(n) < 0.15).astype(float)
    growth = 1 + 0.4 * t / (n - 1)
    sales = ((300 + 12 * temp + 150 * (weekday >= 5) + 120 * promo + 80 * season) * growth
             + rng.normal(0, 40, n))
    basket = rng.normal(8, 0.4, n)
    X = pd.DataFrame({"temp_c": temp, "weekday": weekday.astype(float), "promo": promo,
                      "receipts": np.round(sales / basket), "day_index": t + 1.0})
    return X, pd.Series(sales, name="sales")


@dataclass
class DebuggingPrimerContext:
    """The café data, its later-period split and the models of the self-checks.

    Attributes
    ----------
    X, y : the whole record (730 days)
    early, later : boolean arrays, the first 548 days and the last ``N_LATER`` days
    model_trend : sklearn GradientBoostingRegressor
        ``temp_c, weekday, promo, day_index``, fitted on the early days
        (``n_estimators=150, max_depth=3, random_state=0``).
    """

    X: object
    y: object
    early: object
    later: object
    model_trend: object
    trend_columns: tuple = ("temp_c", "weekday", "promo", "day_index")

    def rmse(self, model, mask, metric="rmse"):
        pred = model.predict(self.X.loc[mask, list(self.trend_columns)])
        d = self.y[mask].to_numpy() - pred
        return float(np.sqrt(np.mean(d ** 2)) if metric == "rmse" else np.mean(np.abs(d)))


def build_context() -> DebuggingPrimerContext:
    from sklearn.ensemble import GradientBoostingRegressor

    X, y = make_cafe()
    later = np.zeros(len(X), bool)
    later[-N_LATER:] = True
    early = ~later
    cols = ["temp_c", "weekday", "promo", "day_index"]
    model = GradientBoostingRegressor(n_estimators=150, max_depth=3, random_state=0)
    model.fit(X.loc[early, cols], y[early])
    return DebuggingPrimerContext(X=X, y=y, early=early, later=later, model_trend=model)


def check_d2(a, ctx):
    v = as_float("later_rmse", a["later_rmse"])
    ref = ctx.rmse(ctx.model_trend, ctx.later)
    if abs(v - ref) <= TOL_EXACT * max(1.0, ref):
        return correct("Correct: that is the honest error of this model on the future.")
    if abs(v - ctx.rmse(ctx.model_trend, ctx.later, "mae")) <= 1e-6 * max(1.0, ref):
        return incorrect("That is the mean absolute error.", "RMSE = sqrt(mean((y - pred)²)).")
    if abs(v - ctx.rmse(ctx.model_trend, ctx.early)) <= 1e-6 * max(1.0, ref):
        return incorrect("That is the error on the training days.",
                         "Score on the later days only: X[LATER], y[LATER].")
    return incorrect("Not the later-period RMSE of the model.",
                     "model.predict(X.loc[LATER, TREND_COLUMNS]) against y[LATER], then the RMSE.")


QUESTIONS = (
    Question("d1", "Which column is the leak?", "auto", 1, "junior", 2, answers=("answer_d1",),
             check=choice_check("answer_d1", "b", {
                 "a": "Temperature is known ahead of time (forecast) and plausibly causes sales.",
                 "c": "Promotions are planned in advance: known at prediction time.",
                 "d": "day_index is known ahead of time; it is a trend problem, not a leak."}),
             hints=("Ask of each column: when is it known?",)),
    Question("d2", "Later-period RMSE of the trend model", "auto", 1, "junior", 4,
             answers=("later_rmse",), check=check_d2,
             hints=("Later period = the last 182 days; model_trend was fitted on the others.",)),
    Question("d3", "Why does the trend help only on a random split?", "auto", 1, "mid", 3,
             answers=("answer_d3",),
             check=choice_check("answer_d3", "c", {
                 "a": "Trees do not extrapolate trends: beyond the training range they are flat.",
                 "b": "The number of trees is not the issue: the test days are the issue.",
                 "d": "A random split mixes past and future days: that is what flatters it."}),
             hints=("Where do the test days of a random split lie, relative to the training "
                    "days?",)),
    Question("d4", "A trend PDP that falls in winter", "auto", 1, "mid", 3,
             answers=("answer_d4",),
             check=choice_check("answer_d4", "a", {
                 "b": "The café grew steadily: a PDP is the model's view, not the world's.",
                 "c": "The PDP is computed correctly; the model learned it.",
                 "d": "More trees would learn the same confounded pattern."}),
             hints=("What else changes with the date besides the café's growth?",)),
)

PRIMER = Primer(
    id="debugging",
    title="Debugging a model: leakage, spurious trends, temporal validation",
    exercise="debugging",
    notebook="debugging.ipynb",
    minutes=15,
    questions=QUESTIONS,
    build_context=build_context,
)
