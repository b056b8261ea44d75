"""Bike-sharing data for the ``debugging`` exercise: the design matrix with the record index
and the target's parts, and the colleague's model (public side: data and model only).

The shipped CSV has no record index; :func:`bikeshare_design` derives it as UCI's ``instant``
is defined: the 1-based position of the row in time order (the CSV is sorted by ``day`` then
``hr``; hours with no record are missing, so ``instant`` is not ``24 * (day - 1) + hr + 1``).
Nothing here computes an answer of the exercise.
"""
from __future__ import annotations

from functools import lru_cache

#: the features every model of the exercise may use: the data set's weather and calendar
#: columns without ``day`` (``day`` and ``instant`` are the two time-trend candidates)
BASE_FEATURES = ("season", "mnth", "hr", "holiday", "weekday", "workingday", "weathersit",
                 "temp", "atemp", "hum", "windspeed")
#: the data set's other columns, two of which the colleague added to ``BASE_FEATURES``
#: (which two depends on the variant: :func:`colleague_features`)
EXTRA_COLUMNS = ("casual", "registered", "instant", "day")

#: The retraining recipe of the exercise (the colleague's model uses it too):
#: ``xgboost.XGBRegressor(**RECIPE_PARAMS, random_state=seed)``. One thread, squared error,
#: row subsampling 0.8 (so the seed matters), every column at every split.
RECIPE_PARAMS = {
    "n_estimators": 200, "max_depth": 5, "learning_rate": 0.1, "subsample": 0.8,
    "colsample_bytree": 1.0, "min_child_weight": 1, "reg_lambda": 1.0,
    "objective": "reg:squarederror", "tree_method": "hist", "n_jobs": 1,
}


@lru_cache(maxsize=1)
def bikeshare_design():
    """Every candidate column of the bike-sharing data, as float64, and the target.

    Returns
    -------
    X : pandas.DataFrame, shape (8645, 15)
        ``BASE_FEATURES`` (units in ``load_bikeshare().features``), then ``instant`` (record
        index: 1-based position of the hour in time order, 1 ... 8645), ``day`` (day of the
        year 2011, 1 ... 365), ``casual`` and ``registered`` (as in the data card). Index: the data set's row index (0 ... 8644, time order).
    y : pandas.Series, shape (8645,)
        ``bikers``, rentals per hour (``casual + registered``).

    Raises
    ------
    ValueError
        If the CSV is not in time order (the record index would be wrong).
    """
    import numpy as np

    from xaikit.datasets import load_bikeshare

    ds = load_bikeshare()
    frame = ds.frame
    key = frame["day"].to_numpy() * 24 + frame["hr"].astype(int).to_numpy()
    if not np.all(np.diff(key) > 0):
        raise ValueError("bike-sharing rows are not in time order: cannot derive `instant`")
    X = ds.X[list(BASE_FEATURES)].copy()
    X["instant"] = np.arange(1, len(frame) + 1)
    X["day"] = frame["day"].to_numpy()
    for c in ("casual", "registered"):
        X[c] = frame[c].to_numpy()
    return X.astype("float64"), ds.y.astype("float64")


def colleague_features(variant: int) -> list[str]:
    """The colleague's feature list for ``variant``: ``BASE_FEATURES`` plus two of
    :data:`EXTRA_COLUMNS`, in a seeded order (variant 0: ``registered`` and ``instant``)."""
    import numpy as np

    a, b = EXTRA_COLUMNS[1 - int(variant) % 2], EXTRA_COLUMNS[2 + (int(variant) // 2) % 2]
    extra = [a, b]
    names = list(BASE_FEATURES)
    rng = np.random.default_rng(7_000 + int(variant))
    for c in extra:
        names.insert(int(rng.integers(len(names) // 2, len(names) + 1)), c)
    return names


@lru_cache(maxsize=64)
def colleague_model(variant: int = 0, retrain: bool = False):
    """The colleague's XGBoost regressor of rentals per hour (``debugging``, one per variant).

    ``XGBRegressor(**RECIPE_PARAMS, random_state=variant)`` on :func:`colleague_features`,
    trained with :func:`xaikit.models.train_cached` on a 70/30 random split (not stratified,
    ``random_state=variant``) of all 8645 hours; cached by content hash.

    Returns
    -------
    xaikit.models.TrainedModel
        ``X_train`` (6051, 13), ``X_test`` (2594, 13); predictions in rentals per hour.
    """
    from xgboost import XGBRegressor

    from xaikit.datasets import load_bikeshare
    from xaikit.models import train_cached

    X, y = bikeshare_design()
    params = {**RECIPE_PARAMS, "random_state": int(variant)}
    return train_cached("debugging_colleague_xgb", load_bikeshare(), XGBRegressor, params,
                        test_size=0.3, split_seed=int(variant), stratify=False,
                        X=X[colleague_features(variant)], y=y, retrain=retrain)
