"""Public part of ``interactions``: the contexts (a generated data set with its XGBoost model,
the bike-sharing XGBoost model), the H-statistic samples, the grids and the questions.

The generated data are made by the grader part (``materialise``) and read here with
:func:`xaikit.exercises.variant_frame`; which columns carry the planted interaction and which
pair is the correlated decoy is the candidate's question: nothing here says. Nothing here
computes an answer either (no H-statistic, no interaction values): the references and checks
are in the package ``grader``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np

from xaikit.exercises.framework import Exercise, ModelContext, Question

#: rows of every H-statistic, SHAP-interaction and 2-D partial dependence of the questions
N_H_ROWS = 200
#: rows of the explorer widget (other held-out rows than the questions')
N_EXPLORE = 200
#: grid_resolution of q5's 2-D partial dependence
PD_GRID = 10
#: q6's candidate pairs on the bike-sharing model
BIKE_PAIRS = (("hr", "workingday"), ("hr", "temp"), ("temp", "hum"))
#: XGBoost parameters of the generated data's model (one thread, fixed seed)
PLANTED_XGB_PARAMS = {
    "n_estimators": 200, "max_depth": 4, "learning_rate": 0.1, "subsample": 1.0,
    "random_state": 0, "n_jobs": 1, "tree_method": "hist", "objective": "reg:squarederror",
}


@dataclass
class InteractionsContext(ModelContext):
    """Everything the notebook needs for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.models.TrainedModel
        XGBoost regressor on the variant's generated data (6 features ``x1`` ... ``x6``,
        target ``y``, no unit), 70/30 split with ``random_state=0``.
    bike : xaikit.models.TrainedModel
        XGBoost regressor of rentals per hour on bike sharing 2011
        (:func:`xaikit.models.bikeshare_teacher`).
    h_positions : ndarray of int, shape (200,)
        Positions in ``X_test`` of the generated data's H sample.
    explore_positions : ndarray of int, shape (200,)
        Positions in ``X_test`` of the explorer's rows, disjoint from ``h_positions``.
    bike_positions : ndarray of int, shape (200,)
        Positions in ``bike.X_test`` of the bike H sample.
    bike_explore_positions : ndarray of int, shape (200,)
        Positions in ``bike.X_test`` of the explorer's bike rows, disjoint from the sample.
    """

    variant: int
    trained: object
    bike: object
    h_positions: np.ndarray
    explore_positions: np.ndarray
    bike_positions: np.ndarray
    bike_explore_positions: np.ndarray
    pd_grid: int = PD_GRID
    bike_pairs: tuple = BIKE_PAIRS

    @property
    def X_h(self):
        """The generated data's H sample, shape (200, 6), held-out rows in position order."""
        return self.X_test.iloc[self.h_positions]

    @property
    def X_explore(self):
        """The explorer's generated rows, shape (200, 6), none of them in ``X_h``."""
        return self.X_test.iloc[self.explore_positions]

    @property
    def pairs(self) -> list:
        """Every pair of the generated data's columns, ``itertools.combinations`` order
        (``(x1, x2), (x1, x3), ..., (x5, x6)``): the order of q2's answer."""
        return list(combinations(self.feature_names, 2))

    @property
    def bike_model(self):
        return self.bike.model

    @property
    def X_bike_h(self):
        """The bike H sample, shape (200, 12), held-out rows in position order."""
        return self.bike.X_test.iloc[self.bike_positions]

    @property
    def X_bike_explore(self):
        """The explorer's bike rows, shape (200, 12), none of them in ``X_bike_h``."""
        return self.bike.X_test.iloc[self.bike_explore_positions]


def sample_positions(seed: int, n_test: int) -> tuple:
    """``(sample, explore)``: 200 sorted positions drawn with ``default_rng(seed)`` and 200
    other sorted positions drawn with ``default_rng(seed + 1)``."""
    rng = np.random.default_rng(int(seed))
    sample = np.sort(rng.choice(int(n_test), N_H_ROWS, replace=False))
    rest = np.setdiff1d(np.arange(int(n_test)), sample)
    explore = np.sort(np.random.default_rng(int(seed) + 1).choice(rest, N_EXPLORE,
                                                                  replace=False))
    return sample, explore


def planted_dataset(variant: int):
    """The variant's generated data as a :class:`xaikit.datasets.Dataset` (``X``: the six
    features, ``y``: the target), read with :func:`xaikit.exercises.variant_frame`."""
    import hashlib
    from pathlib import Path

    import pandas as pd

    from xaikit.datasets.core import Dataset, FeatureInfo
    from xaikit.exercises import variant_file_name, variant_frame

    frame = variant_frame("interactions", int(variant), "planted").astype("float64")
    X, y = frame.drop(columns="y"), frame["y"].rename("y")
    features = {c: FeatureInfo(name=c, kind="numeric", description="generated feature "
                               "(standard normal)", unit="") for c in X.columns}
    h = hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).values.tobytes())
    h.update("\x00".join(map(str, frame.columns)).encode())
    return Dataset(name=f"interactions_planted_v{int(variant)}", frame=frame, X=X, y=y,
                   target_name="y", target_names=None, features=features,
                   path=Path(variant_file_name("interactions", variant, "planted")),
                   sha256=h.hexdigest(), card=None)


@lru_cache(maxsize=64)
def planted_model(variant: int):
    """XGBoost regressor (``PLANTED_XGB_PARAMS``) on the variant's generated data, cached by
    content hash (:func:`xaikit.models.train_cached`); 70/30 split, ``random_state=0``."""
    from xgboost import XGBRegressor

    from xaikit.models import train_cached

    ds = planted_dataset(variant)
    return train_cached("interactions_planted_xgb", ds, XGBRegressor, PLANTED_XGB_PARAMS,
                        stratify=False, X=ds.X, y=ds.y)


def build_context(variant: int = 0) -> InteractionsContext:
    """The context of ``variant``: its generated data's model, the bike model and the samples
    (generated: ``default_rng(90_000 + variant)``; bike: ``default_rng(95_000 + variant)``)."""
    from xaikit.models import bikeshare_teacher

    variant = int(variant)
    trained, bike = planted_model(variant), bikeshare_teacher()
    h, ex = sample_positions(90_000 + variant, len(trained.X_test))
    bh, bex = sample_positions(95_000 + variant, len(bike.X_test))
    return InteractionsContext(variant=variant, trained=trained, bike=bike, h_positions=h,
                               explore_positions=ex, bike_positions=bh,
                               bike_explore_positions=bex)


def formats(ctx) -> dict:
    """Answer formats (type, shape, range) for the take-home self-check."""
    n, p = N_H_ROWS, len(ctx.feature_names)
    names = list(ctx.feature_names)
    pair = {"type": "list", "length": 2, "items": {"type": "str", "choices": names}}
    return {
        "shap_interaction": {"type": "array", "shape": [n, p, p]},
        "shap_values": {"type": "array", "shape": [n, p]},
        "h2": {"type": "array", "shape": [len(ctx.pairs)]},
        "planted_pair": pair,
        "decoy_pair": pair,
        "decoy_h2": {"type": "number"},
        "pd_planted": {"type": "array", "shape": [ctx.pd_grid, ctx.pd_grid]},
        "bike_h2": {"type": "array", "shape": [len(ctx.bike_pairs)]},
        "bike_pd": {"type": "array", "shape": [24, 2]},
    }


QUESTIONS = (
    Question("q1", "SHAP interaction values", "auto", 2, "mid", 8,
             answers=("shap_interaction", "shap_values")),
    Question("q2", "Friedman and Popescu's H² for every pair", "auto", 3, "mid", 18,
             answers=("h2",)),
    Question("q3", "Name the planted pair", "auto", 1, "mid", 3, answers=("planted_pair",)),
    Question("q4", "The correlated pair", "auto", 1, "mid", 5,
             answers=("decoy_pair", "decoy_h2")),
    Question("q5", "2-D partial dependence of the planted pair", "auto", 1, "mid", 5,
             answers=("pd_planted",)),
    Question("q6", "Bike sharing: hour x working day", "auto", 2, "mid", 8,
             answers=("bike_h2", "bike_pd")),
    Question("q7", "Why the correlated pair is not an interaction", "manual", 2, "mid", 6),
    Question("q8", "The bike interaction, for a planner", "manual", 2, "mid", 7),
)

EXERCISE = Exercise(
    id="interactions", title="Find the interaction", level="mid", minutes=60,
    notebook="08_interactions.ipynb",
    topics=("feature interactions", "SHAP interaction values", "Friedman's H-statistic",
            "2-D partial dependence", "correlation is not interaction"),
    questions=QUESTIONS, build_context=build_context, formats=formats)
