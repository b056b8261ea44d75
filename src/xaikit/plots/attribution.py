"""Display-style plots (the scikit-learn Display pattern): compute elsewhere, draw here.

Each ``*Display`` holds what it draws; ``plot(ax=None)`` draws and returns ``self`` with
``figure_`` and ``ax_`` set. Nothing here calls ``plt.show()``.
"""
from __future__ import annotations

import numpy as np


RAISES, LOWERS = "#ff0051", "#008bfb"  # shap's red (pushes the output up) and blue


def readable_labels(feature_names, data=None, dataset=None):
    """``"feature = value unit"`` labels of one encoded row (category labels where known)."""
    if dataset is None or data is None:
        return list(feature_names)
    out = []
    for name, v in zip(feature_names, data):
        f = dataset.features.get(name)
        if f is not None and f.is_categorical:
            out.append(f"{name} = {f.categories[int(v)]}")
        else:
            out.append(f"{name} = {v:g}{(' ' + f.unit) if f is not None and f.unit else ''}")
    return out


def wrap_label(label: str, width: int = 26, max_lines: int = 2) -> str:
    """``label`` on at most ``max_lines`` lines of about ``width`` characters ("…" if cut)."""
    import textwrap

    lines = textwrap.wrap(label, width, break_long_words=True, break_on_hyphens=False)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return "\n".join(lines)


def _new_axes(figsize, ax):
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax, False
    _, ax = plt.subplots(figsize=figsize)
    return ax, True


def _sign_legend(ax, up: str, down: str, extra=(), ncol=2):
    """Legend of the two bar colours (plus ``extra`` handles), below the x-axis label."""
    from matplotlib.patches import Patch

    from matplotlib.transforms import blended_transform_factory

    handles = [Patch(color=RAISES, label=up), Patch(color=LOWERS, label=down), *extra]
    # centred on the figure (the y labels make the axes sit right of centre), below the xlabel
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=ncol,
              bbox_transform=blended_transform_factory(ax.figure.transFigure, ax.transAxes),
              fontsize=8, frameon=False, handlelength=1.2, columnspacing=1.0)


def _tidy(ax, xlabel, title):
    ax.set_xlabel(xlabel, fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.tick_params(axis="y", length=0)
    for s in ("top", "right", "left"):
        ax.spines[s].set_visible(False)
    if title:
        ax.set_title(title, fontsize=10)


class ShapWaterfallDisplay:
    """Waterfall of one row's SHAP values: from the base value E[f(X)] to the output f(x).

    The ``max_display - 1`` features with the largest |SHAP| get a bar each (largest on top),
    the rest are summed into one "N other features" bar at the bottom; each bar starts where
    the one below it ends, so the top bar ends at f(x) (local accuracy). Red bars push the
    output up, blue bars down, as in ``shap.plots.waterfall``; values are written on the bars.

    Parameters
    ----------
    explanation : shap.Explanation
        One row: ``values`` (n_features,) in the model's output units (log-odds for the
        exercises' classifiers), ``base_values`` scalar, ``feature_names``.
    max_display : int, default 10
    title : str, optional
    xlabel : str, default "SHAP value (log-odds)"
        Say the unit and the class, e.g. "SHAP value (log-odds of a bad credit risk)".
    legend : tuple of 2 str
        Legend texts of the red (positive) and blue (negative) bars.
    """

    def __init__(self, explanation, max_display: int = 10, title: str | None = None,
                 xlabel: str = "SHAP value (log-odds)",
                 legend=("raises the output", "lowers the output")):
        self.explanation = explanation
        self.max_display = max_display
        self.title = title
        self.xlabel = xlabel
        self.legend = legend

    @classmethod
    def from_shap_result(cls, result, i, dataset=None, **kw):
        """From a :class:`xaikit.explain.ShapResult` row ``i``; readable labels if ``dataset``."""
        import shap

        exp = result.explanation(i)
        if dataset is not None:
            exp = shap.Explanation(values=exp.values, base_values=exp.base_values,
                                   data=None, feature_names=readable_labels(result.feature_names,
                                                                    result.data[i], dataset))
        return cls(exp, **kw)

    def plot(self, ax=None):
        """Draw on ``ax`` (default: a new pyplot figure); returns ``self``."""
        ax, own = _new_axes((6, 0.36 * self.max_display + 1.6), ax)
        values = np.asarray(self.explanation.values, dtype=float)
        base = float(np.ravel(self.explanation.base_values)[0])
        names = list(self.explanation.feature_names)
        order = np.argsort(-np.abs(values), kind="stable")
        shown = order[: self.max_display - 1] if len(values) > self.max_display else order
        rest = np.setdiff1d(order, shown)
        rows = [(wrap_label(names[j]), values[j]) for j in shown][::-1]  # bottom -> top
        if len(rest):
            rows.insert(0, (f"{len(rest)} other features", float(values[rest].sum())))
        starts = base + np.concatenate([[0.0], np.cumsum([v for _, v in rows])[:-1]])
        vals = np.array([v for _, v in rows])
        y = np.arange(len(rows))
        ax.barh(y, vals, left=starts, color=np.where(vals > 0, RAISES, LOWERS), height=0.7)
        fx = base + vals.sum()
        lo, hi = min(starts.min(), (starts + vals).min()), max(starts.max(), (starts + vals).max())
        pad = 0.08 * (hi - lo or 1.0)
        for yi, s, v in zip(y, starts, vals):
            end = s + v
            ax.text(max(s, end) + pad * 0.15, yi, f"{v:+.2f}", va="center", ha="left",
                    fontsize=7.5, color="#333", zorder=3,
                    bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.85))
        ax.set_xlim(lo - pad, hi + 2.5 * pad)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_yticks(y, [n for n, _ in rows], fontsize=8)
        base_line = ax.axvline(base, color="#777", lw=0.9, ls=":",
                               label=f"base E[f(X)] = {base:+.2f}")
        fx_line = ax.axvline(fx, color="#222", lw=0.9, ls="--", label=f"f(x) = {fx:+.2f}")
        _tidy(ax, self.xlabel, self.title)
        _sign_legend(ax, *self.legend, extra=(base_line, fx_line))
        if own:
            ax.figure.tight_layout()
        self.figure_, self.ax_ = ax.figure, ax
        return self


class AttributionBarDisplay:
    """Horizontal bars of signed attributions (e.g. LIME weights), largest |value| on top.

    Parameters
    ----------
    values : array-like of shape (n_features,)
    labels : list of str
    xlabel : str
        Say the scale, e.g. "LIME weight (probability of a bad risk)".
    max_display : int, default 10
    title : str, optional
    legend : tuple of 2 str, optional
        Legend texts of the positive (red) and negative (blue) bars.
    """

    def __init__(self, values, labels, xlabel: str, max_display: int = 10,
                 title: str | None = None, legend=("raises the output", "lowers the output")):
        self.values = np.asarray(values, dtype=float)
        self.labels = list(labels)
        self.xlabel = xlabel
        self.max_display = max_display
        self.title = title
        self.legend = legend

    def plot(self, ax=None):
        """Draw on ``ax`` (default: a new pyplot figure); returns ``self``."""
        ax, own = _new_axes((6, 0.36 * self.max_display + 1.6), ax)
        order = np.argsort(-np.abs(self.values), kind="stable")[: self.max_display][::-1]
        vals = self.values[order]
        y = np.arange(len(order))
        ax.barh(y, vals, color=np.where(vals > 0, RAISES, LOWERS), height=0.7)
        ax.set_yticks(y, [wrap_label(self.labels[j]) for j in order], fontsize=8)
        ax.set_ylim(-0.6, len(order) - 0.4)
        span = float(np.max(np.abs(vals))) if len(vals) else 1.0
        span = span or 1.0
        ax.set_xlim(min(vals.min(), 0) - 0.08 * span, max(vals.max(), 0) + 0.08 * span)
        ax.axvline(0, color="#888", lw=0.8)
        _tidy(ax, self.xlabel, self.title)
        if self.legend:
            _sign_legend(ax, *self.legend)
        if own:
            ax.figure.tight_layout()
        self.figure_, self.ax_ = ax.figure, ax
        return self


class CurveDisplay:
    """A score against a parameter (e.g. LIME's ``exp.score`` against kernel width)."""

    def __init__(self, x, y, xlabel: str, ylabel: str, title: str | None = None,
                 marker_x: float | None = None, marker_label: str | None = None):
        self.x, self.y = np.asarray(x, float), np.asarray(y, float)
        self.xlabel, self.ylabel, self.title = xlabel, ylabel, title
        self.marker_x, self.marker_label = marker_x, marker_label

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(self.x, self.y, "o-")
        if self.marker_x is not None:
            ax.axvline(self.marker_x, color="#888", ls="--", lw=1, label=self.marker_label)
            ax.legend(frameon=False)
        ax.set_xlabel(self.xlabel)
        ax.set_ylabel(self.ylabel)
        if self.title:
            ax.set_title(self.title, fontsize=11)
        ax.grid(alpha=0.3)
        ax.figure.tight_layout()
        self.figure_, self.ax_ = ax.figure, ax
        return self
