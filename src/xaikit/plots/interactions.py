"""Interaction plots (exercise ``interactions``): one row's prediction slices and a 2-D
partial-dependence heat map.

Display pattern: each class holds what it draws; ``plot(ax=None)`` draws and returns ``self``
with ``figure_`` and ``ax_`` set. Nothing here calls ``plt.show()``.
"""
from __future__ import annotations

import numpy as np

SLICE_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf")


def _new_axes(ax, figsize=(7, 4.2)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


class SliceDisplay:
    """One row's prediction along ``feature`` (x axis), one line per value of ``by``.

    Parameters
    ----------
    grid : ndarray of shape (n_grid,)
    slices : ndarray of shape (n_slices, n_grid)
        Predictions, in ``ylabel``'s unit (:func:`xaikit.interactions.prediction_slices`).
    by_values : ndarray of shape (n_slices,)
    feature, by : str
        Column names; ``xlabel`` and ``by_label`` add units.
    ylabel : str
    title : str, optional
    """

    def __init__(self, grid, slices, by_values, feature, by, *, xlabel=None, by_label=None,
                 ylabel="prediction", title=None):
        self.grid, self.slices = np.asarray(grid, float), np.asarray(slices, float)
        self.by_values = np.asarray(by_values, float)
        self.feature, self.by = feature, by
        self.xlabel, self.by_label = xlabel or feature, by_label or by
        self.ylabel, self.title = ylabel, title

    def plot(self, ax=None):
        ax = _new_axes(ax)
        step = len(self.grid) <= 31 and np.allclose(self.grid, np.round(self.grid))
        for i, (v, s) in enumerate(zip(self.by_values, self.slices)):
            ax.plot(self.grid, s, "o-" if step else "-", ms=3, lw=1.6,
                    color=SLICE_COLORS[i % len(SLICE_COLORS)], label=f"{self.by} = {v:.3g}")
        ax.set_xlabel(self.xlabel)
        ax.set_ylabel(self.ylabel)
        ax.legend(title=self.by_label, fontsize=8, title_fontsize=8, frameon=False,
                  loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.grid(alpha=0.3)
        if self.title:
            ax.set_title(self.title, fontsize=10)
        self.figure_, self.ax_ = ax.figure, ax
        return self


class PartialDependence2DDisplay:
    """Heat map of a 2-D partial dependence (e.g. ``sklearn.inspection.partial_dependence``
    with a pair of features, ``["average"][0]``), with the values written in the cells when the
    grid is small.

    Parameters
    ----------
    grid_x, grid_y : ndarray of shape (n_x,), (n_y,)
        Grids of the first feature (rows of ``values``) and of the second (columns).
    values : ndarray of shape (n_x, n_y)
        Partial dependence, in ``unit``.
    xlabel, ylabel : str
        Labels of the first and second feature (with units).
    unit : str
        The colour bar's label.
    title : str, optional
    """

    def __init__(self, grid_x, grid_y, values, xlabel, ylabel, unit, title=None):
        self.grid_x, self.grid_y = np.asarray(grid_x, float), np.asarray(grid_y, float)
        self.values = np.asarray(values, float)
        if self.values.shape != (len(self.grid_x), len(self.grid_y)):
            raise ValueError(f"values have shape {self.values.shape}, grids "
                             f"({len(self.grid_x)}, {len(self.grid_y)})")
        self.xlabel, self.ylabel, self.unit, self.title = xlabel, ylabel, unit, title

    def plot(self, ax=None):
        ax = _new_axes(ax)
        im = ax.imshow(self.values.T, origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(len(self.grid_x)), [f"{v:.3g}" for v in self.grid_x],
                      rotation=45 if len(self.grid_x) > 6 else 0, fontsize=8)
        ax.set_yticks(range(len(self.grid_y)), [f"{v:.3g}" for v in self.grid_y], fontsize=8)
        ax.set_xlabel(self.xlabel)
        ax.set_ylabel(self.ylabel)
        ax.figure.colorbar(im, ax=ax, label=self.unit)
        if self.title:
            ax.set_title(self.title, fontsize=10)
        self.figure_, self.ax_ = ax.figure, ax
        return self
