"""Model slices for the interaction explorer: one row's prediction along one feature, at a few
values of a second feature (exercise ``interactions``).

Public computation: it evaluates the model on the rows it is given and nothing else. It does not
compute partial dependence over a sample, SHAP interaction values or an H-statistic (those are
the exercise's questions).
"""
from __future__ import annotations

import numpy as np

__all__ = ["feature_grid", "slice_values", "prediction_slices"]


def feature_grid(values, n: int = 25) -> np.ndarray:
    """Grid along a feature: every distinct value when there are at most ``n`` (hours, 0/1
    flags), else ``n`` evenly spaced points between the 2nd and 98th percentiles.

    Parameters
    ----------
    values : array-like of shape (n_rows,)
        The feature's values (the training rows), in its own unit.
    n : int

    Returns
    -------
    ndarray of shape (n_grid,)
    """
    v = np.asarray(values, dtype=float)
    uniq = np.unique(v)
    if len(uniq) <= n:
        return uniq
    lo, hi = np.percentile(v, [2, 98])
    return np.linspace(lo, hi, n)


def slice_values(values, k: int = 5) -> np.ndarray:
    """Values of the slicing feature: its distinct values when there are at most ``k``, else
    its 10th, 30th, 50th, 70th and 90th percentiles (``k = 5``).

    Returns
    -------
    ndarray of shape (n_slices,)
    """
    v = np.asarray(values, dtype=float)
    uniq = np.unique(v)
    if len(uniq) <= k:
        return uniq
    return np.percentile(v, np.linspace(10, 90, k))


def prediction_slices(predict, row, feature: str, grid, by: str, by_values) -> np.ndarray:
    """The model's prediction for ``row`` with ``feature`` set to each grid value and ``by`` set
    to each of ``by_values`` (every other column as in ``row``).

    Parallel slices mean the effect of ``feature`` does not depend on ``by`` *for this row*
    (no interaction there); slices that change shape mean it does.

    Parameters
    ----------
    predict : callable
        ``predict(DataFrame) -> array (n,)``, the model's output (its own units).
    row : pandas.Series
        One row of the model's columns.
    feature, by : str
        Two distinct columns.
    grid : array-like of shape (n_grid,)
    by_values : array-like of shape (n_slices,)

    Returns
    -------
    ndarray of shape (n_slices, n_grid)

    Raises
    ------
    ValueError
        If ``feature == by``.
    """
    import pandas as pd

    if feature == by:
        raise ValueError("choose two different features")
    grid, by_values = np.asarray(grid, float), np.asarray(by_values, float)
    X = pd.DataFrame(np.repeat(row.to_numpy(dtype=float)[None], len(grid) * len(by_values), 0),
                     columns=row.index)
    X[feature] = np.tile(grid, len(by_values))
    X[by] = np.repeat(by_values, len(grid))
    return np.asarray(predict(X), dtype=float).reshape(len(by_values), len(grid))
