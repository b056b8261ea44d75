"""Public computation of the ``drift`` exercise: the monitored model, its stream and a few
drift statistics used by the explorer on *other* rows than the questions'.

The model sees the hour, day type and weather of an hour (not the date): an XGBoost regressor
of **rentals per hour** trained on odd days of January-June 2011. The stream (ten windows of
hours, some planted) is made by the exercise's grader part and read with
:func:`xaikit.exercises.variant_frame`; see :func:`load_stream`.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

#: The model's inputs: hour, day type and weather (no calendar column: month, season and day of
#: year would make every later window drift by construction).
FEATURES = ("hr", "holiday", "weekday", "workingday", "weathersit", "temp", "atemp", "hum",
            "windspeed")
#: Last day of year of the training period (30 June 2011).
TRAIN_LAST_DAY = 181

DRIFT_XGB_PARAMS = {
    "n_estimators": 100, "max_depth": 4, "learning_rate": 0.1, "subsample": 0.8,
    "colsample_bytree": 0.9, "min_child_weight": 3, "reg_lambda": 1.0,
    "random_state": 0, "n_jobs": 1, "tree_method": "hist", "objective": "reg:squarederror",
}


def training_rows(dataset) -> np.ndarray:
    """Boolean mask of the training period's rows: odd days of year 1-181 (Jan-Jun 2011).

    Parameters
    ----------
    dataset : xaikit.datasets.Dataset
        The bike-sharing data (``load_bikeshare()``).

    Returns
    -------
    ndarray of bool, shape (8645,)
    """
    day = dataset.X["day"].to_numpy()
    return (day <= TRAIN_LAST_DAY) & (day % 2 == 1)


@lru_cache(maxsize=None)
def drift_model(retrain: bool = False):
    """XGBoost regressor of rentals per hour, the model the exercise monitors.

    Trained by :func:`xaikit.models.train_cached` on the :data:`FEATURES` of the training
    period (:func:`training_rows`), 80/20 random split of those rows (``random_state=0``; the
    20 % are ``X_test``, held-out hours of the same period), parameters in
    :data:`DRIFT_XGB_PARAMS` (one thread, fixed seed: bit-identical on every run).

    Returns
    -------
    xaikit.models.TrainedModel
        ``X_train`` (1709, 9), ``X_test`` (428, 9); ``predict`` in rentals per hour.
    """
    from xgboost import XGBRegressor

    from xaikit.datasets import load_bikeshare
    from xaikit.models import train_cached

    ds = load_bikeshare()
    mask = training_rows(ds)
    X = ds.X.loc[mask, list(FEATURES)]
    y = ds.y.loc[mask]
    return train_cached("drift_xgb", ds, XGBRegressor, DRIFT_XGB_PARAMS, test_size=0.2,
                        split_seed=0, stratify=False, X=X, y=y, retrain=retrain)


def load_stream(variant: int):
    """The monitored stream of ``variant``: ten windows of hours after the training period.

    Read with :func:`xaikit.exercises.variant_frame` (``"drift"``, variant, ``"stream"``): a
    CSV shipped with a take-home pack, or made on first use where the grader part is installed.

    Returns
    -------
    pandas.DataFrame
        One row per hour, index ``hour_id`` (0 ... n-1, stream order); columns ``window``
        (int 0-9), the :data:`FEATURES` (float, as in ``load_bikeshare().X``) and ``bikers``
        (rentals in the hour).
    """
    from xaikit.exercises import variant_frame

    frame = variant_frame("drift", int(variant), "stream")
    frame.index.name = "hour_id"
    out = frame[list(FEATURES)].astype("float64")
    out.insert(0, "window", frame["window"].astype(int))
    out["bikers"] = frame["bikers"].astype("float64")
    return out
