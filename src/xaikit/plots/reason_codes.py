"""Plots of the ``reason_codes`` exercise (Display pattern: compute elsewhere, draw here)."""
from __future__ import annotations

import numpy as np

from xaikit.plots.attribution import _new_axes

COLORS = {"constrained": "#1f77b4", "unconstrained": "#d62728"}


class MonotonicityDisplay:
    """Partial dependence (mean ICE) of several models along one feature, with ICE curves.

    Parameters
    ----------
    grid : array-like of shape (n_grid,)
        The feature's values (in its unit, e.g. DM or months, or its code).
    curves : dict of str to ndarray of shape (n_rows, n_grid)
        ICE curves per model name, on the margin (log-odds of a bad risk).
    feature : str
        Axis label of the feature (with its unit).
    direction : {1, -1}
        The constraint: +1 never decreasing, -1 never increasing (said in the title).
    n_ice : int, default 30
        ICE curves drawn per model (the first ``n_ice`` rows), thin.
    """

    def __init__(self, grid, curves: dict, feature: str, direction: int, n_ice: int = 30):
        self.grid = np.asarray(grid, dtype=float)
        self.curves = {k: np.asarray(v, dtype=float) for k, v in curves.items()}
        self.feature = feature
        self.direction = direction
        self.n_ice = n_ice

    def plot(self, ax=None):
        """Draw on ``ax`` (default: a new pyplot figure); returns ``self``."""
        ax, _ = _new_axes((5.5, 3.6), ax)
        for name, c in self.curves.items():
            color = COLORS.get(name, None)
            for row in c[: self.n_ice]:
                ax.plot(self.grid, row - row.mean() + c.mean(axis=0).mean(), color=color,
                        lw=0.4, alpha=0.25)
            ax.plot(self.grid, c.mean(axis=0), color=color, lw=2.2, marker="o", ms=3,
                    label=f"{name}: PDP")
        rule = "never decreasing" if self.direction > 0 else "never increasing"
        ax.set_xlabel(self.feature, fontsize=9)
        ax.set_ylabel("log-odds of a bad risk (margin)", fontsize=9)
        ax.set_title(f"{self.feature}: the policy says {rule}\n(thin: centred ICE curves)",
                     fontsize=10)
        ax.legend(frameon=False, fontsize=8)
        for s in ("top", "right"):
            ax.spines[s].set_visible(False)
        self.ax_, self.figure_ = ax, ax.figure
        return self


def shap_bars_html(values, labels, xlabel: str, max_display: int = 10, title: str = "") -> str:
    """Signed attributions as an HTML bar chart (largest |value| on top), for fast widgets.

    Parameters
    ----------
    values : array-like of shape (n_features,)
        E.g. SHAP values in log-odds; red bars (> 0) push toward denial, blue toward approval.
    labels : list of str
        ``"feature = value"`` of each entry.
    xlabel : str
        The scale, shown under the bars.
    max_display : int, default 10
    title : str

    Returns
    -------
    str
        HTML (a table; bar widths proportional to |value|).
    """
    import html

    from xaikit.plots.attribution import LOWERS, RAISES

    values = np.asarray(values, dtype=float)
    order = np.argsort(-np.abs(values), kind="stable")[:max_display]
    span = float(np.max(np.abs(values[order]))) or 1.0
    rows = []
    for j in order:
        v = values[j]
        width = 100 * abs(v) / span
        bar = (f"<div style='background:{RAISES if v > 0 else LOWERS};width:{width:.0f}%;"
               "height:12px'></div>")
        left, right = ("", bar) if v > 0 else (bar, "")
        rows.append(f"<tr><td style='text-align:right;font-size:11px'>{html.escape(labels[j])}"
                    f"</td><td style='width:90px'><div style='display:flex;justify-content:"
                    f"flex-end'>{left}</div></td><td style='width:90px'>{right}</td>"
                    f"<td style='font-size:11px'>{v:+.3f}</td></tr>")
    return (f"<div><b>{html.escape(title)}</b><table>{''.join(rows)}</table>"
            f"<div style='font-size:11px'>{html.escape(xlabel)}; red: toward denial, "
            "blue: toward approval; bars to the left of the centre lower the risk</div></div>")
