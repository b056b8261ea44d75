"""Public computation of the ``drift`` exercise: the monitored model, the calendar of its
windows and its stream.

The model sees the hour, day type and weather of an hour (not the date): an XGBoost regressor
of **rentals per hour** trained on the odd dates of 1 June - 15 July 2011. The stream (ten
half-month windows of real hours, 1 June - 31 October 2011, which the grader part may alter)
is made by the exercise's grader part and read with :func:`xaikit.exercises.variant_frame`;
see :func:`load_stream`. The explorer uses these functions on *other* rows than the questions'.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

#: The model's inputs: hour, day type and weather (no calendar column: month, season and day of
#: year would make every later window drift by construction).
FEATURES = ("hr", "holiday", "weekday", "workingday", "weathersit", "temp", "atemp", "hum",
            "windspeed")
#: The ten calendar windows of 2011 as ``(label, first date, last date)`` (ISO dates,
#: inclusive): half-months, "1-15" and "16-end" of each month, 1 June - 31 October.
WINDOW_CALENDAR = (
    ("1-15 Jun", "2011-06-01", "2011-06-15"), ("16-30 Jun", "2011-06-16", "2011-06-30"),
    ("1-15 Jul", "2011-07-01", "2011-07-15"), ("16-31 Jul", "2011-07-16", "2011-07-31"),
    ("1-15 Aug", "2011-08-01", "2011-08-15"), ("16-31 Aug", "2011-08-16", "2011-08-31"),
    ("1-15 Sep", "2011-09-01", "2011-09-15"), ("16-30 Sep", "2011-09-16", "2011-09-30"),
    ("1-15 Oct", "2011-10-01", "2011-10-15"), ("16-31 Oct", "2011-10-16", "2011-10-31"),
)
#: Windows 0-2 are the training period (1 June - 15 July): the model was trained on their odd
#: dates; the stream holds their even dates only.
TRAINING_WINDOWS = (0, 1, 2)

DRIFT_XGB_PARAMS = {
    "n_estimators": 100, "max_depth": 4, "learning_rate": 0.1, "subsample": 0.8,
    "colsample_bytree": 0.9, "min_child_weight": 3, "reg_lambda": 1.0,
    "random_state": 0, "n_jobs": 1, "tree_method": "hist", "objective": "reg:squarederror",
}


def hour_dates(X):
    """The calendar date of every hour of the bike-sharing data.

    Parameters
    ----------
    X : pandas.DataFrame of shape (n, p)
        Rows of ``load_bikeshare().X``; its column ``day`` is the day of year 2011
        (1 = 1 January).

    Returns
    -------
    pandas.DatetimeIndex of shape (n,)
    """
    import pandas as pd

    day = X["day"].to_numpy(dtype=int)
    return pd.Timestamp("2011-01-01") + pd.to_timedelta(day - 1, unit="D")


def calendar_window(X) -> np.ndarray:
    """Window number (0-9, :data:`WINDOW_CALENDAR`) of every hour; -1 outside 1 June - 31 Oct.

    Parameters
    ----------
    X : pandas.DataFrame of shape (n, p)
        Rows of ``load_bikeshare().X`` (column ``day``: day of year 2011).

    Returns
    -------
    ndarray of int, shape (n,)
    """
    import pandas as pd

    dates = hour_dates(X)
    out = np.full(len(dates), -1)
    for w, (_, first, last) in enumerate(WINDOW_CALENDAR):
        out[(dates >= pd.Timestamp(first)) & (dates <= pd.Timestamp(last))] = w
    return out


def training_rows(dataset) -> np.ndarray:
    """Boolean mask of the training period's rows: the odd dates (1, 3, 5, ... of the month)
    of 1 June - 15 July 2011 (windows 0-2).

    Parameters
    ----------
    dataset : xaikit.datasets.Dataset
        The bike-sharing data (``load_bikeshare()``).

    Returns
    -------
    ndarray of bool, shape (8645,)
    """
    odd = np.asarray(hour_dates(dataset.X).day % 2 == 1)
    return np.isin(calendar_window(dataset.X), TRAINING_WINDOWS) & odd


@lru_cache(maxsize=None)
def drift_model(retrain: bool = False):
    """XGBoost regressor of rentals per hour, the model the exercise monitors.

    Trained by :func:`xaikit.models.train_cached` on the :data:`FEATURES` of the training
    period (:func:`training_rows`, 552 hours), 80/20 random split of those rows
    (``random_state=0``; the 20 % are ``X_test``, held-out hours of the same dates), parameters
    in :data:`DRIFT_XGB_PARAMS` (one thread, fixed seed: bit-identical on every run).

    Returns
    -------
    xaikit.models.TrainedModel
        ``X_train`` (441, 9), ``X_test`` (111, 9); ``predict`` in rentals per hour.
    """
    from xgboost import XGBRegressor

    from xaikit.datasets import load_bikeshare
    from xaikit.models import train_cached

    ds = load_bikeshare()
    mask = training_rows(ds)
    X = ds.X.loc[mask, list(FEATURES)]
    y = ds.y.loc[mask]
    return train_cached("drift_xgb_summer", ds, XGBRegressor, DRIFT_XGB_PARAMS, test_size=0.2,
                        split_seed=0, stratify=False, X=X, y=y, retrain=retrain)


def load_stream(variant: int):
    """The monitored stream of ``variant``: ten calendar windows of hours, 1 June - 31 October.

    Read with :func:`xaikit.exercises.variant_frame` (``"drift"``, variant, ``"stream"``): a
    CSV shipped with a take-home pack, or made on first use where the grader part is installed.

    Returns
    -------
    pandas.DataFrame
        One row per hour in time order, index ``hour_id`` (0 ... n-1); columns ``window``
        (int 0-9), ``date`` (ISO date string, not a model input), the :data:`FEATURES` (float,
        as in ``load_bikeshare().X``) and ``bikers`` (rentals in the hour).
    """
    from xaikit.exercises import variant_frame

    frame = variant_frame("drift", int(variant), "stream")
    frame.index.name = "hour_id"
    out = frame[list(FEATURES)].astype("float64")
    out.insert(0, "date", frame["date"].astype(str))
    out.insert(0, "window", frame["window"].astype(int))
    out["bikers"] = frame["bikers"].astype("float64")
    return out
