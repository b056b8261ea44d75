"""Uncertainty plots (exercise ``uncertainty``): a histogram of importance draws, intervals per
feature, and an explainer's Monte-Carlo error against its sample budget.

Display pattern: each class holds what it draws; ``plot(ax=None)`` draws and returns ``self``
with ``figure_`` and ``ax_`` set. Nothing here calls ``plt.show()``.
"""
from __future__ import annotations

import numpy as np


def _new_axes(ax, figsize=(7, 4)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


class DrawsHistogramDisplay:
    """Histogram of draws of one importance (bootstrap resamples or repeats), with the
    2.5 and 97.5 percentiles of the draws as dashed lines.

    Parameters
    ----------
    values : array-like of shape (n_draws,)
    xlabel : str
        The importance and its unit.
    bins : array-like, optional
        Bin edges (fixed edges let a histogram fill up as draws are added).
    color : str
    title : str, optional
    """

    def __init__(self, values, xlabel, *, bins=None, color="#1f77b4", title=None):
        self.values = np.asarray(values, float)
        self.xlabel, self.bins, self.color, self.title = xlabel, bins, color, title

    def plot(self, ax=None):
        ax = _new_axes(ax)
        counts, edges = np.histogram(self.values, bins=20 if self.bins is None else self.bins)
        ax.stairs(counts, edges, fill=True, color=self.color, alpha=0.8)  # one artist: fast
        if len(self.values) >= 2:
            lo, hi = np.percentile(self.values, [2.5, 97.5])
            for v in (lo, hi):  # no legend: the caller's title says what the lines are
                ax.axvline(v, color="#333", ls="--", lw=1)
        if self.bins is not None:
            ax.set_xlim(self.bins[0], self.bins[-1])
        ax.set_xlabel(self.xlabel)
        ax.set_ylabel("number of draws")
        ax.grid(alpha=0.3)
        if self.title:
            ax.set_title(self.title, fontsize=10)
        self.figure_, self.ax_ = ax.figure, ax
        return self


class IntervalDisplay:
    """Point estimate and interval per feature, one row each, largest point on top.

    Parameters
    ----------
    feature_names : list of str
    point : array-like of shape (p,)
    intervals : array-like of shape (p, 2)
        ``(low, high)`` per feature, in the unit of ``xlabel``.
    xlabel : str
    title : str, optional
    """

    def __init__(self, feature_names, point, intervals, xlabel, title=None):
        self.names = list(feature_names)
        self.point = np.asarray(point, float)
        self.ci = np.asarray(intervals, float)
        self.xlabel, self.title = xlabel, title

    def plot(self, ax=None):
        ax = _new_axes(ax, (7, 0.35 * len(self.names) + 1.4))
        order = np.argsort(-self.point, kind="stable")[::-1]
        for y, j in enumerate(order):
            ax.plot(self.ci[j], [y, y], color="#1f77b4", lw=3, alpha=0.6)
            ax.plot(self.point[j], y, "o", color="#d62728", ms=5)
        ax.set_yticks(range(len(order)), [self.names[j] for j in order], fontsize=9)
        ax.axvline(0, color="#888", lw=0.8)
        ax.set_xlabel(self.xlabel)
        ax.grid(alpha=0.3, axis="x")
        if self.title:
            ax.set_title(self.title, fontsize=10)
        self.figure_, self.ax_ = ax.figure, ax
        return self


class BudgetErrorDisplay:
    """An explainer's error against its sample budget, log-log, with a 1/sqrt(n) guide.

    Parameters
    ----------
    nsamples : array-like of shape (k,)
    curves : dict of str to array-like of shape (k,)
        e.g. ``{"sd over repeats": ..., "RMSE to exact TreeSHAP": ...}``, in ``ylabel``'s unit.
    ylabel : str
    title : str, optional
    """

    def __init__(self, nsamples, curves, ylabel, title=None):
        self.n = np.asarray(nsamples, float)
        self.curves = {k: np.asarray(v, float) for k, v in curves.items()}
        self.ylabel, self.title = ylabel, title

    def plot(self, ax=None):
        ax = _new_axes(ax, (6, 4))
        first = None
        for label, v in self.curves.items():
            ax.loglog(self.n, v, "o-", label=label)
            first = v if first is None else first
        ax.loglog(self.n, first[0] * np.sqrt(self.n[0] / self.n), ":", color="#888",
                  label="1 / sqrt(nsamples) guide")
        ax.set_xlabel("nsamples (KernelSHAP coalitions per explanation), log scale")
        ax.set_ylabel(self.ylabel)
        ax.legend(frameon=False, fontsize=8)
        ax.grid(alpha=0.3, which="both")
        if self.title:
            ax.set_title(self.title, fontsize=10)
        self.figure_, self.ax_ = ax.figure, ax
        return self
