"""Plots of shape functions and SHAP dependence (Display pattern: ``plot(ax=None)`` returns
self). Values come from the caller; nothing is computed here beyond arranging them.
"""
from __future__ import annotations

import numpy as np


class ShapeComparisonDisplay:
    """A feature's effect on the log-odds: SHAP dependence (points) and/or shape functions
    (lines) on one axis.

    Parameters
    ----------
    feature : str
        Feature name (x-axis label).
    shap_x, shap_values : array-like of shape (n_rows,), optional
        Feature values and their SHAP values (log-odds), drawn as points.
    curves : dict of str to (x, y), optional
        Named curves (e.g. an EBM's shape function, the true shape), log-odds, drawn as lines
        (``drawstyle="steps-mid"`` for names starting with "EBM").
    unit : str, optional
        The feature's unit, shown in the x label.
    title : str, optional
    """

    def __init__(self, feature, shap_x=None, shap_values=None, curves=None, unit="",
                 title=None):
        self.feature, self.unit, self.title = feature, unit, title
        self.shap_x = None if shap_x is None else np.asarray(shap_x, float)
        self.shap_values = None if shap_values is None else np.asarray(shap_values, float)
        self.curves = dict(curves or {})

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.6))
        if self.shap_x is not None:
            ax.scatter(self.shap_x, self.shap_values, s=8, alpha=0.45, color="tab:blue",
                       label="XGBoost: TreeSHAP value (one point per row)")
        colors = iter(["tab:orange", "black", "tab:green", "tab:red"])
        for name, (x, y) in self.curves.items():
            ax.plot(np.asarray(x, float), np.asarray(y, float), lw=2, color=next(colors),
                    drawstyle="steps-mid" if name.startswith("EBM") else "default", label=name)
        ax.axhline(0, color="#999", lw=0.8)
        ax.set_xlabel(self.feature + (f" ({self.unit})" if self.unit else ""))
        ax.set_ylabel("contribution to the log-odds\n(class 1)")
        ax.grid(alpha=0.3)
        ax.legend(frameon=False, fontsize=8)
        if self.title:
            ax.set_title(self.title, fontsize=11)
        self.figure_, self.ax_ = ax.figure, ax
        return self
