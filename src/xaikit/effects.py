"""Feature effects of the ``pdp_ice`` explorer: ICE curves, their average (the PDP) and
first-order ALE, over the explorer's own rows with the explorer's own settings.

Public computation behind :class:`xaikit.widgets.effects.EffectsExplorer`; no plotting. Every
function takes the exercise's context, never rows, a grid, an anchor or a bin count: it works on
the context's *explore sample* (``ctx.X_explore``, 300 test rows disjoint from the rows the
questions use) with a fixed protocol of its own: a grid of at most ``EXPLORE_GRID_POINTS`` = 25
values per feature, centred views anchored at the grid's smallest value (drawn by the widget),
and ALE on ``EXPLORE_ALE_BINS`` = 20 quantile bins of those rows. So nothing here returns a
question's answer (the questions ask for other rows, grids, anchors and bins; their references
are in the grader part). All effects are on the scale of the model's prediction: **rentals per
hour**.

References
----------
Friedman, J. H. (2001). Greedy function approximation: a gradient boosting machine. Annals of
Statistics 29(5) (partial dependence).
Goldstein, A., Kapelner, A., Bleich, J. & Pitkin, E. (2015). Peeking inside the black box:
visualizing statistical learning with plots of individual conditional expectation. JCGS 24(1)
(ICE and centered ICE).
Apley, D. W. & Zhu, J. (2020). Visualizing the effects of predictor variables in black box
supervised learning models. JRSS B 82(4), 1059-1086 (ALE).
Molnar, C. (2022). Interpretable Machine Learning, 2nd ed., chapters "Partial Dependence Plot",
"Individual Conditional Expectation" and "Accumulated Local Effects".
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The explorer's grid: at most this many values per feature (documentation of the fixed
#: protocol; the functions take no grid).
EXPLORE_GRID_POINTS = 25
#: The explorer's ALE: this many quantile bins of the explore rows (duplicate edges merge).
EXPLORE_ALE_BINS = 20


@dataclass
class FeatureEffects:
    """ICE curves, PDP and ALE of one feature over the explorer's rows.

    Attributes
    ----------
    feature : str
    grid : ndarray of shape (n_grid,)
        Values the feature is set to: its distinct values among the explore rows if at most
        25, else 25 quantiles (2 % to 98 %) of them, duplicates merged (the feature's unit).
    ice : ndarray of shape (300, n_grid)
        ``ice[i, g]``: prediction for explore row ``i`` with the feature set to ``grid[g]``,
        the other features as observed (rentals per hour). Not centred.
    pdp : ndarray of shape (n_grid,)
        ``ice.mean(axis=0)``.
    ale_edges : ndarray of shape (K + 1,)
        Quantile edges of the explore rows' values (20 bins, duplicates merged).
    ale : ndarray of shape (K + 1,)
        ALE at the edges, centred to mean 0 over the explore rows (rentals per hour).
    ale_counts : ndarray of int, shape (K,)
        Explore rows per ALE bin.
    """

    feature: str
    grid: np.ndarray
    ice: np.ndarray
    pdp: np.ndarray
    ale_edges: np.ndarray
    ale: np.ndarray
    ale_counts: np.ndarray


def _explore_rows(ctx):
    """The explore sample of a ``pdp_ice`` context, after checking that it is the variant's own
    (test rows disjoint from the questions' rows); anything else raises."""
    from xaikit.exercises.pdp_ice.public import PdpIceContext, sample_positions

    ctx = ctx if isinstance(ctx, PdpIceContext) else getattr(ctx, "ctx", None)
    if not isinstance(ctx, PdpIceContext):
        raise TypeError("xaikit.effects works on a pdp_ice context (ex.context) only")
    rows, explore = sample_positions(ctx.variant, len(ctx.trained.X_test))
    if not (np.array_equal(ctx.row_positions, rows)
            and np.array_equal(ctx.explore_positions, explore)):
        raise ValueError("the context's rows are not those of its variant: the explorer "
                         "computes on its own explore sample only")
    return ctx.trained.X_test.iloc[explore]


def feature_effects(ctx, feature: str) -> FeatureEffects:
    """ICE, PDP and ALE of ``feature`` over the explorer's rows, with the explorer's protocol.

    Rows: ``ctx.X_explore`` (never the questions' rows). ICE: brute force (set the feature to
    each grid value, predict) on the explorer's grid (see :class:`FeatureEffects`). ALE (Apley
    & Zhu 2020): ``EXPLORE_ALE_BINS`` quantile bins of the explore rows' values; a row in bin k
    (``z_{k-1} < x <= z_k``, the minimum in bin 1) contributes ``f(z_k) - f(z_{k-1})``, the
    other features as observed; per-bin means are accumulated from 0 and centred with the
    count-weighted mean of the bin midpoints.

    Parameters
    ----------
    ctx : xaikit.exercises.pdp_ice.public.PdpIceContext
        The exercise's context (``ex.context``).
    feature : str
        A column of the model.

    Returns
    -------
    FeatureEffects
        In the model's output unit (rentals per hour).

    Raises
    ------
    TypeError
        If ``ctx`` is not a ``pdp_ice`` context.
    ValueError
        If the context's row selections are not its variant's.
    KeyError
        If ``feature`` is not a column of the model.
    """
    import pandas as pd

    X = _explore_rows(ctx)
    model = ctx.trained.model
    x = X[feature].to_numpy(dtype=float)
    uniq = np.unique(x)
    grid = (uniq if len(uniq) <= EXPLORE_GRID_POINTS else
            np.unique(np.quantile(x, np.linspace(0.02, 0.98, EXPLORE_GRID_POINTS))))
    edges = np.unique(np.quantile(x, np.linspace(0, 1, EXPLORE_ALE_BINS + 1)))
    values = np.concatenate([grid, edges])
    big = pd.concat([X] * len(values), ignore_index=True)  # one predict call for everything
    big[feature] = np.repeat(values, len(X))
    pred = np.asarray(model.predict(big), float).reshape(len(values), len(X))
    ice, at_edges = pred[:len(grid)].T, pred[len(grid):]     # (n, n_grid), (K + 1, n)
    K = len(edges) - 1
    if K < 1:  # a constant column: no bins, a flat ALE
        return FeatureEffects(feature, grid, ice, ice.mean(0), edges, np.zeros(len(edges)),
                              np.array([len(x)]))
    k = np.clip(np.searchsorted(edges, x, side="left"), 1, K)
    rows = np.arange(len(x))
    local = at_edges[k, rows] - at_edges[k - 1, rows]
    counts = np.bincount(k - 1, minlength=K)
    mean_local = np.divide(np.bincount(k - 1, weights=local, minlength=K), counts,
                           out=np.zeros(K), where=counts > 0)
    acc = np.concatenate([[0.0], np.cumsum(mean_local)])
    acc -= np.sum((acc[:-1] + acc[1:]) / 2 * counts) / counts.sum()
    return FeatureEffects(feature, grid, ice, ice.mean(0), edges, acc, counts)


def all_feature_effects(ctx, features=None) -> dict:
    """:func:`feature_effects` of every feature in ``features`` (default: every column of the
    model), as ``{feature: FeatureEffects}``; about 0.2 s for 12 features over 300 rows."""
    return {f: feature_effects(ctx, f) for f in (features or list(ctx.feature_names))}
