"""Uncertainty of importances, for the explorer of the exercise ``uncertainty``.

Public: the explorer works on **other data** than the exercise: Friedman's benchmark #1
(``sklearn.datasets.make_friedman1``), with its own small model, rows, seed and settings (one
permutation repeat per resample, 40 resamples), so that it shows the phenomenon (bootstrap
spread vs the spread of one fit's shuffles; two exchangeable features) without showing the
exercise's roles or any question's answer. The bootstrap of the questions, the retrained
models' importances and the KernelSHAP repeats are the candidate's to compute.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

import numpy as np

#: the explorer's largest number of resamples / repeats, and its scoring
EXPLORE_MAX = 40
EXPLORE_SCORING = "neg_mean_squared_error"
#: the explorer's data: Friedman #1 with 7 features (z1-z5 enter y, z6-z7 are noise), 600 rows
#: (300 to fit its model, 300 to measure), noise sd 1, seed 0; its draws' seed
DEMO_FEATURES, DEMO_ROWS, DEMO_SEED = 7, 600, 0


@dataclass
class ImportanceDraws:
    """Many draws of one permutation importance per feature.

    Attributes
    ----------
    feature_names : list of str
    bootstrap : ndarray of shape (n_draws, n_features)
        Permutation importance (``n_repeats=1``) on each bootstrap resample of the rows:
        the sampling uncertainty of the evaluation data plus the shuffle noise.
    repeats : ndarray of shape (n_draws, n_features)
        The individual repeats of ONE ``permutation_importance`` call on the rows themselves
        (``n_repeats=n_draws``): the shuffle noise only.
    unit : str
        Units of both: increase of MSE when a column is shuffled, units of y².
    """

    feature_names: list
    bootstrap: np.ndarray
    repeats: np.ndarray
    unit: str = "increase of MSE when shuffled (units of y²)"


def importance_draws(model, X, y, *, seed: int, n_draws: int = EXPLORE_MAX,
                     scoring: str = EXPLORE_SCORING) -> ImportanceDraws:
    """Bootstrap draws and single-fit repeats of permutation importance.

    ``bootstrap[b]``: ``sklearn.inspection.permutation_importance(model, X.iloc[i],
    y.iloc[i], n_repeats=1, random_state=seed + b, scoring=scoring)`` with ``i`` the
    positions of resample ``b`` (``np.random.default_rng(seed).integers(0, n, (n_draws,
    n))``); ``repeats``: ``permutation_importance(model, X, y, n_repeats=n_draws,
    random_state=seed, scoring=scoring).importances.T``.

    Parameters
    ----------
    model : fitted regressor
    X : pandas.DataFrame of shape (n, p)
    y : pandas.Series of shape (n,)
    seed : int
    n_draws : int, default 40
    scoring : str, default ``"neg_mean_squared_error"``

    Returns
    -------
    ImportanceDraws

    References
    ----------
    Efron & Tibshirani (1993), *An Introduction to the Bootstrap*; Breiman (2001), "Random
    forests" (permutation importance).
    """
    from sklearn.inspection import permutation_importance

    n = len(X)
    idx = np.random.default_rng(int(seed)).integers(0, n, size=(int(n_draws), n))
    boot = np.array([permutation_importance(model, X.iloc[i], y.iloc[i], n_repeats=1,
                                            random_state=int(seed) + b, scoring=scoring,
                                            n_jobs=1).importances_mean
                     for b, i in enumerate(idx)])
    rep = permutation_importance(model, X, y, n_repeats=int(n_draws), random_state=int(seed),
                                 scoring=scoring, n_jobs=1).importances.T
    return ImportanceDraws(list(X.columns), boot, np.asarray(rep, float))


def demo_problem():
    """The explorer's data and model: Friedman's benchmark #1 and a small gradient boosting.

    ``y = 10 sin(pi z1 z2) + 20 (z3 - 0.5)^2 + 10 z4 + 5 z5 + N(0, 1)``, ``z1 ... z7`` uniform
    on [0, 1] (``z6``, ``z7`` do not enter y; ``z1`` and ``z2`` are exchangeable: a true tie).
    ``sklearn.datasets.make_friedman1(600, 7, noise=1.0, random_state=0)``; the model is
    ``GradientBoostingRegressor(n_estimators=100, max_depth=3, random_state=0)`` fitted on the
    first 300 rows.

    Returns
    -------
    model : fitted sklearn regressor, predicting y (unitless)
    X : pandas.DataFrame of shape (300, 7)
        The other 300 rows, columns ``z1`` ... ``z7``.
    y : pandas.Series of shape (300,)

    References
    ----------
    Friedman, J. H. (1991), "Multivariate adaptive regression splines", Annals of Statistics
    19(1), 1-67.
    """
    import pandas as pd
    from sklearn.datasets import make_friedman1
    from sklearn.ensemble import GradientBoostingRegressor

    Z, y = make_friedman1(DEMO_ROWS, DEMO_FEATURES, noise=1.0, random_state=DEMO_SEED)
    names = [f"z{j + 1}" for j in range(DEMO_FEATURES)]
    X, y = pd.DataFrame(Z, columns=names), pd.Series(y, name="y")
    half = DEMO_ROWS // 2
    model = GradientBoostingRegressor(n_estimators=100, max_depth=3, random_state=0)
    model.fit(X.iloc[:half], y.iloc[:half])
    return model, X.iloc[half:].reset_index(drop=True), y.iloc[half:].reset_index(drop=True)


def explorer_draws(cache: bool = True) -> ImportanceDraws:
    """:func:`importance_draws` of :func:`demo_problem`'s model on its 300 measuring rows
    (seed :data:`DEMO_SEED`), kept as JSON in the model cache (keyed by the settings and the
    scikit-learn version); an unwritable cache folder is ignored."""
    import sklearn

    from xaikit.models import cache_dir

    settings = {"data": "friedman1", "features": DEMO_FEATURES, "rows": DEMO_ROWS,
                "seed": DEMO_SEED, "n": EXPLORE_MAX, "scoring": EXPLORE_SCORING,
                "sklearn": sklearn.__version__, "version": 2}
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]
    path = cache_dir() / f"uncertainty-explorer-{digest}.json"
    if cache and path.is_file():
        try:
            d = json.loads(path.read_text())
            return ImportanceDraws(d["feature_names"], np.asarray(d["bootstrap"], float),
                                   np.asarray(d["repeats"], float), d["unit"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    model, X, y = demo_problem()
    draws = importance_draws(model, X, y, seed=DEMO_SEED)
    draws.unit = "increase of MSE when shuffled (units of y², Friedman #1)"
    if cache:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"feature_names": draws.feature_names,
                                       "bootstrap": draws.bootstrap.tolist(),
                                       "repeats": draws.repeats.tolist(),
                                       "unit": draws.unit}))
            os.replace(tmp, path)
        except OSError:  # a read-only cache (the grading kernel): keep it in memory only
            pass
    return draws
