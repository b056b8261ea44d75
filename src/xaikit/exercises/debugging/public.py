"""Public part of ``debugging``: the colleague's model, the rows, grids and the retraining recipe.

Nothing here computes an answer (importances, RMSEs, partial dependence): those are in the
grader part. The data and the colleague's model come from :mod:`xaikit.debugging`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xaikit.debugging import (BASE_FEATURES, RECIPE_PARAMS, bikeshare_design, colleague_model)
from xaikit.exercises.framework import Exercise, ModelContext, Question

N_SAMPLE = 400          # rows of the audit sample (q1, q5)
N_REPEATS = 5           # permutation-importance repeats (q1)
LAST_TRAIN_MONTH = 8    # later-period protocol: train Jan-Aug, test Sep-Dec (q4)
GRID_DAYS = (15, 46, 74, 105, 135, 166, 196, 227, 258, 288, 319, 349)   # the 15th of each month
RANDOM_KEYS = ("colleague", "no_leak", "repaired")
LATER_KEYS = ("with_trend", "repaired")


@dataclass
class DebuggingContext(ModelContext):
    """Everything the notebook needs for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.models.TrainedModel
        The colleague's XGBoost regressor (rentals per hour) with its random 70/30 split.
    seed : int
        The variant's seed: the random split's ``random_state``, the recipe's
        ``random_state``, the permutation-importance ``random_state``.
    sample : list of int
        Index labels of the audit sample: ``N_SAMPLE`` rows of ``X_test``, sorted.
    grid_rows : list of int
        Index labels of 12 rows (noon, or the first later hour, on the 15th of each month);
        the PDP grid of a feature is its values on these rows, in this order.
    recipe : dict
        ``XGBRegressor(**recipe)`` is the retraining recipe (``random_state`` included).
    n_repeats : int
        ``n_repeats`` of the permutation importance (q1).
    last_train_month : int
        Later-period protocol (q4): train on ``mnth <= last_train_month``, test on the rest.
    """

    variant: int
    trained: object
    seed: int
    sample: list
    grid_rows: list
    recipe: dict
    n_repeats: int = N_REPEATS
    last_train_month: int = LAST_TRAIN_MONTH

    @property
    def X_all(self):
        """Every hour of 2011 with every candidate column, shape (8645, 15), float64: the
        base features, ``instant``, ``day``, ``casual``, ``registered``."""
        return bikeshare_design()[0]

    @property
    def y_all(self):
        """Rentals per hour (``bikers``), shape (8645,)."""
        return bikeshare_design()[1]

    @property
    def base_features(self):
        return list(BASE_FEATURES)

    @property
    def X_sample(self):
        """The audit sample's rows, shape (400, 13), colleague's columns."""
        return self.X_test.loc[self.sample]


def build_context(variant: int = 0) -> DebuggingContext:
    """The context of ``variant``: its colleague model, audit sample and recipe seed."""
    trained = colleague_model(int(variant))
    X = bikeshare_design()[0]
    rng = np.random.default_rng(30_000 + int(variant))
    sample = sorted(int(i) for i in rng.choice(np.asarray(trained.X_test.index), N_SAMPLE,
                                               replace=False))
    grid_rows = []
    for d in GRID_DAYS:
        rows = X.index[(X["day"] == d) & (X["hr"] >= 12)]
        grid_rows.append(int(rows[0]))
    return DebuggingContext(variant=int(variant), trained=trained, seed=int(variant),
                            sample=sample, grid_rows=grid_rows,
                            recipe={**RECIPE_PARAMS, "random_state": int(variant)})


def formats(ctx) -> dict:
    """Answer formats (type, shape, range) for the take-home self-check."""
    p = len(ctx.feature_names)
    return {
        "perm_importance": {"type": "array", "shape": [p]},
        "mean_abs_shap": {"type": "array", "shape": [p], "range": [0, None]},
        "flagged": {"type": "list", "items": {"type": "str", "choices": list(ctx.feature_names)}},
        "random_rmse": {"type": "dict", "keys": {k: {"type": "number", "range": [0, None]}
                                                 for k in RANDOM_KEYS}},
        "later_rmse": {"type": "dict", "keys": {k: {"type": "number", "range": [0, None]}
                                                for k in LATER_KEYS}},
        "trend_pdp": {"type": "array", "shape": [len(GRID_DAYS)]},
    }


QUESTIONS = (
    Question("q1", "Audit: permutation importance and mean |SHAP|", "auto", 2, "mid", 12,
             answers=("perm_importance", "mean_abs_shap")),
    Question("q2", "Flag the suspects", "auto", 1, "mid", 6, answers=("flagged",)),
    Question("q3", "Random split: with and without the suspects", "auto", 2, "mid", 10,
             answers=("random_rmse",)),
    Question("q4", "A later period: train Jan-Aug, test Sep-Dec", "auto", 2, "mid", 12,
             answers=("later_rmse",)),
    Question("q5", "A partial dependence that contradicts the domain", "auto", 1, "mid", 8,
             answers=("trend_pdp",)),
    Question("q6", "Prove the leak, explain the trend", "manual", 2, "mid", 10),
    Question("q7", "What you tell the colleague", "manual", 3, "senior", 12),
)

EXERCISE = Exercise(
    id="debugging", title="Debug the model", level="mid", minutes=70,
    notebook="07_debugging.ipynb",
    topics=("target leakage", "spurious features and time trends",
            "random vs temporal validation", "importance and SHAP for model debugging",
            "PDPs that contradict domain knowledge"),
    questions=QUESTIONS, build_context=build_context, formats=formats)
