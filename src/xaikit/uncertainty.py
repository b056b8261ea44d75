"""Uncertainty of importances, for the explorer of the exercise ``uncertainty``.

Public: it computes on the explorer's own rows (``ctx.X_explore``, disjoint from the questions'
evaluation rows) with the explorer's own seed and settings (one permutation repeat per
resample, 40 resamples), never a question's answer. The bootstrap of the questions, the
retrained models' importances and the KernelSHAP repeats are the candidate's to compute.
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


def explorer_draws(ctx, cache: bool = True) -> ImportanceDraws:
    """:func:`importance_draws` of the generated data's model on the explorer's rows
    (``ctx.X_explore``, ``ctx.explore_seed``), kept as JSON in the model cache (keyed by the
    model's content key and the settings); an unwritable cache folder is ignored."""
    from xaikit.models import cache_dir

    settings = {"model": ctx.trained.card.cache_key, "rows": ctx.explore_positions.tolist(),
                "seed": ctx.explore_seed, "n": EXPLORE_MAX, "scoring": EXPLORE_SCORING,
                "version": 1}
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]
    path = cache_dir() / f"uncertainty-explorer-{digest}.json"
    if cache and path.is_file():
        try:
            d = json.loads(path.read_text())
            return ImportanceDraws(d["feature_names"], np.asarray(d["bootstrap"], float),
                                   np.asarray(d["repeats"], float))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    draws = importance_draws(ctx.model, ctx.X_explore, ctx.y_explore, seed=ctx.explore_seed)
    if cache:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"feature_names": draws.feature_names,
                                       "bootstrap": draws.bootstrap.tolist(),
                                       "repeats": draws.repeats.tolist()}))
            os.replace(tmp, path)
        except OSError:  # a read-only cache (the grading kernel): keep it in memory only
            pass
    return draws
