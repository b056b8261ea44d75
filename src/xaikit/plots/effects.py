"""Feature-effect plots: ICE / centered ICE with the PDP, ALE, and the data distribution below.

Display pattern: each class holds what it draws (computed by :mod:`xaikit.effects`);
``plot(ax=None)`` draws and returns ``self`` with ``figure_``, ``ax_`` and ``ax_hist_`` (the
distribution strip under the curve) set. Nothing here calls ``plt.show()``.
"""
from __future__ import annotations

import re

import numpy as np

ICE_COLOR = "#1f77b4"
PDP_COLOR = "#d62728"
ALE_COLOR = "#2ca02c"
GROUP_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b")


def _new_axes(ax, figsize=(7, 4.2)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _lines(ax, x, curves, color):
    """Many curves as one LineCollection (fast to draw), then rescale the axes."""
    from matplotlib.collections import LineCollection

    segs = np.stack([np.broadcast_to(x, curves.shape), curves], axis=-1)
    ax.add_collection(LineCollection(segs, colors=color, alpha=0.25, linewidths=0.8))
    ax.autoscale_view()


def draw_distribution(hax, values, xlabel: str, bins=None):
    """Histogram of ``values`` on the strip axes ``hax`` (rows per value or per bin).

    Integer-valued data with at most 31 distinct values gets one bar per value.
    """
    values = np.asarray(values, dtype=float)
    uniq = np.unique(values)
    if bins is None and len(uniq) <= 31 and np.allclose(uniq, np.round(uniq)):
        counts = np.array([(values == u).sum() for u in uniq])
        hax.bar(uniq, counts, width=0.8 * (np.min(np.diff(uniq)) if len(uniq) > 1 else 1),
                color="#999", alpha=0.7)
    else:
        hax.hist(values, bins=bins or 30, color="#999", alpha=0.7)
    hax.set_yticks([])
    hax.set_ylabel("rows", fontsize=8, rotation=0, ha="right", va="center")
    hax.set_xlabel(xlabel)
    for s in ("top", "right", "left"):
        hax.spines[s].set_visible(False)
    return hax


def distribution_strip(ax, values, xlabel: str, bins=None):
    """A histogram of ``values`` in a new strip under ``ax`` (shared x); returns the strip axes."""
    from mpl_toolkits.axes_grid1 import make_axes_locatable

    hax = make_axes_locatable(ax).append_axes("bottom", size="20%", pad=0.08, sharex=ax)
    draw_distribution(hax, values, xlabel, bins)
    ax.tick_params(labelbottom=False)
    ax.set_xlabel("")
    return hax


class IceDisplay:
    """ICE curves (or centered ICE) of one feature with their average (the PDP).

    Parameters
    ----------
    grid : array-like of shape (n_grid,)
    ice : array-like of shape (n_rows, n_grid)
        Predictions, rentals per hour (or centered: relative to the anchor).
    feature : str
    xlabel : str
        Feature name and unit, e.g. "temp (normalised: (t + 8 °C) / 47 °C)".
    ylabel : str
        Say the scale, e.g. "predicted rentals per hour".
    n_lines : int, default 50
        ICE curves drawn (the first ``n_lines`` rows); the PDP always averages all rows.
    data : array-like, optional
        Observed values of the feature, drawn as a histogram under the curves.
    groups : array-like of shape (n_rows,), optional
        A label per row: curves are coloured by group and one PDP per group is drawn.
    group_name : str, optional
    anchor : float, optional
        Marks the anchor of centered curves.
    center : bool, default False
        Draw each curve minus its own value at ``anchor`` (a value of ``grid``): pass raw ICE
        curves and let the display centre them. False: ``ice`` is drawn as given.
    title : str, optional

    Raises
    ------
    ValueError
        If ``center`` is True and ``anchor`` is not a value of ``grid``.
    """

    def __init__(self, grid, ice, feature, xlabel, ylabel, n_lines=50, data=None, groups=None,
                 group_name=None, anchor=None, title=None, center=False):
        self.grid = np.asarray(grid, float)
        self.ice = np.asarray(ice, float)
        if center:
            at = np.flatnonzero(self.grid == anchor)
            if anchor is None or not len(at):
                raise ValueError("center=True needs an anchor that is a value of the grid")
            self.ice = self.ice - self.ice[:, at[:1]]
        self.feature, self.xlabel, self.ylabel = feature, xlabel, ylabel
        self.n_lines = int(n_lines)
        self.data = None if data is None else np.asarray(data, float)
        self.groups = None if groups is None else np.asarray(groups)
        self.group_name, self.anchor, self.title = group_name, anchor, title

    def plot(self, ax=None):
        ax = _new_axes(ax)
        n = min(self.n_lines, len(self.ice))
        if self.groups is None:
            if n:
                _lines(ax, self.grid, self.ice[:n], ICE_COLOR)
            ax.plot(self.grid, self.ice.mean(0), color=PDP_COLOR, lw=2.5,
                    label=f"PDP (mean of {len(self.ice)} curves)")
            if n:
                ax.plot([], [], color=ICE_COLOR, alpha=0.6, lw=0.8, label=f"ICE ({n} rows)")
        else:
            labels = list(dict.fromkeys(self.groups.tolist()))
            for j, g in enumerate(sorted(labels)):
                col = GROUP_COLORS[j % len(GROUP_COLORS)]
                mask = self.groups == g
                idx = np.flatnonzero(mask[:n]) if n else []
                if len(idx):
                    _lines(ax, self.grid, self.ice[idx], col)
                ax.plot(self.grid, self.ice[mask].mean(0), color=col, lw=2.5,
                        label=f"{self.group_name or 'group'} = {g:g} (mean of {mask.sum()} curves)"
                        if isinstance(g, (int, float, np.number)) else f"{g}: mean")
        if self.anchor is not None:
            ax.axvline(self.anchor, color="#555", ls=":", lw=1)
            ax.axhline(0, color="#555", lw=0.6)
        ax.set_ylabel(self.ylabel)
        ax.set_xlabel(self.xlabel)
        # outside the curves: ICE lines fill the whole axes, no corner is free
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  borderaxespad=0)
        ax.grid(alpha=0.3)
        if self.title:
            ax.set_title(self.title, fontsize=11)
        self.ax_hist_ = (distribution_strip(ax, self.data, self.xlabel)
                         if self.data is not None else None)
        self.figure_, self.ax_ = ax.figure, ax
        return self


class AleDisplay:
    """First-order ALE of one feature, optionally with the (centered) PDP for comparison.

    Parameters
    ----------
    edges : array-like of shape (K + 1,)
    ale : array-like of shape (K + 1,)
        Centered ALE at the edges, rentals per hour.
    feature, xlabel, ylabel : str
    pdp_grid, pdp : array-like, optional
        A PDP to draw beside it (centre it to mean 0 first to compare shapes).
    data : array-like, optional
        Observed values of the feature (histogram under the curve).
    title : str, optional
    """

    def __init__(self, edges, ale, feature, xlabel, ylabel, pdp_grid=None, pdp=None, data=None,
                 title=None):
        self.edges = np.asarray(edges, float)
        self.ale = np.asarray(ale, float)
        self.feature, self.xlabel, self.ylabel = feature, xlabel, ylabel
        self.pdp_grid = None if pdp_grid is None else np.asarray(pdp_grid, float)
        self.pdp = None if pdp is None else np.asarray(pdp, float)
        self.data = None if data is None else np.asarray(data, float)
        self.title = title

    def plot(self, ax=None):
        ax = _new_axes(ax)
        ax.plot(self.edges, self.ale, "o-", color=ALE_COLOR, lw=2, ms=4,
                label=f"ALE ({len(self.edges) - 1} quantile bins)")
        if self.pdp is not None:
            ax.plot(self.pdp_grid, self.pdp, color=PDP_COLOR, lw=2, ls="--",
                    label="PDP (centred to mean 0)")
        ax.axhline(0, color="#555", lw=0.6)
        ax.set_ylabel(self.ylabel)
        ax.set_xlabel(self.xlabel)
        ax.legend(frameon=False, fontsize=8)
        ax.grid(alpha=0.3)
        if self.title:
            ax.set_title(self.title, fontsize=11)
        self.ax_hist_ = (distribution_strip(ax, self.data, self.xlabel)
                         if self.data is not None else None)
        self.figure_, self.ax_ = ax.figure, ax
        return self


def feature_label(dataset, name: str) -> str:
    """Axis label with the feature's meaning and unit from the dataset's metadata.

    ``"name (unit)"`` where the unit says it (``hr (hour)``); ``"name: description"`` (up to
    its first ``;``) where the unit alone does not: normalised columns (``temp: temperature,
    normalised: ...``) and counts of days, whose unit would only repeat the name (``day: day
    of the year 2011 (1 = 1 January)``, not ``day (day)``). A negative offset reads as the data
    card writes it: ``temp: temperature, normalised: (t + 8 °C) / 47 °C``.
    """
    f = getattr(dataset, "features", {}).get(name) if dataset is not None else None
    if f is None:
        return name
    if f.unit in ("fraction", "day", name):  # the unit alone does not say what the axis is
        return f"{name}: {_plain_offsets(f.description.split(';')[0].strip())}"
    return f"{name} ({f.unit})" if f.unit else name


def _plain_offsets(text: str) -> str:
    """``"(t - (-8 °C)) / 47 °C"`` written as the data card writes it, ``"(t + 8 °C) / 47 °C"``:
    subtracting a negative offset reads as adding it."""
    return re.sub(r"- \(-\s*([^()]+?)\)", r"+ \1", text)
