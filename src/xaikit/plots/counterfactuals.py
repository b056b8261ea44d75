"""Plots of counterfactuals (Display pattern: ``plot(ax=None)`` returns self, no ``plt.show()``).

Values come from :mod:`xaikit.counterfactuals`; nothing is computed here beyond arranging them.
"""
from __future__ import annotations

import numpy as np


class CounterfactualChangesDisplay:
    """Which features each counterfactual changes, and by how much, on the MAD scale.

    Parameters
    ----------
    x : array-like of shape (n_features,)
        The original applicant (raw values).
    cfs : array-like of shape (n_cf, n_features)
    feature_names : list of str
    scale : array-like of shape (n_features,)
        MAD per feature (raw units), the distance's scale.
    probabilities : array-like of shape (n_cf,), optional
        Probability of denial of each counterfactual, shown in the legend.
    labels : list of str, optional
        Name of each counterfactual.
    title : str, optional
    """

    def __init__(self, x, cfs, feature_names, scale, probabilities=None, labels=None,
                 title=None):
        self.x = np.asarray(x, float)
        self.cfs = np.atleast_2d(np.asarray(cfs, float))
        self.feature_names = list(feature_names)
        self.scale = np.asarray(scale, float)
        self.probabilities = probabilities
        self.labels = labels or [f"counterfactual {i + 1}" for i in range(len(self.cfs))]
        self.title = title

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        delta = (self.cfs - self.x) / self.scale  # signed change, MADs
        used = np.flatnonzero(np.any(np.abs(self.cfs - self.x) > 1e-9, axis=0))
        n = len(self.cfs)
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.35 * max(len(used), 1) * n + 1.6))
        h = min(0.8 / n, 0.45)
        for i in range(n):
            lab = self.labels[i]
            if self.probabilities is not None:
                lab += f": P(deny) = {self.probabilities[i]:.3f}"
            pos = np.arange(len(used)) + (i - (n - 1) / 2) * h
            ax.barh(pos, delta[i, used], height=h, label=lab)
            for k, j in enumerate(used):
                if abs(self.cfs[i, j] - self.x[j]) > 1e-9:
                    ax.annotate(f"{self.x[j]:.3g} → {self.cfs[i, j]:.3g}",
                                (delta[i, j], pos[k]), fontsize=8,
                                xytext=(3 if delta[i, j] >= 0 else -3, 0),
                                textcoords="offset points", va="center",
                                ha="left" if delta[i, j] >= 0 else "right")
        ax.set_yticks(range(len(used)), [self.feature_names[j] for j in used])
        ax.set_ylim(-0.5 - (n - 1) * h / 2 - 0.1, len(used) - 0.5 + (n - 1) * h / 2 + 0.1
                    + 0.35 * n)  # room for the legend on top
        ax.axvline(0, color="#888", lw=0.8)
        lo = min(delta[:, used].min(initial=0), 0)
        hi = max(delta[:, used].max(initial=0), 0)
        span = max(hi - lo, 1)
        ax.set_xlim(lo - (0.9 * span if lo < 0 else 0.1), hi + (0.9 * span if hi > 0 else 0.1))
        ax.set_xlabel("change from the applicant (MADs)")
        ax.legend(frameon=False, fontsize=8, loc="upper left")
        for s in ("top", "right"):
            ax.spines[s].set_visible(False)
        if self.title:
            ax.set_title(self.title, fontsize=11)
        ax.figure.tight_layout()
        self.figure_, self.ax_ = ax.figure, ax
        return self


class WhatIfCurveDisplay:
    """Probability of denial as one feature moves, everything else fixed.

    Parameters
    ----------
    values : array-like of shape (n_values,)
        Raw values of the feature.
    probabilities : array-like of shape (n_values,)
        The model's probability of denial at each value.
    feature : str
    unit : str
    original : float
        The applicant's value (marked).
    threshold : float, default 0.5
    counterfactual : float, optional
        A counterfactual's value (marked).
    """

    def __init__(self, values, probabilities, feature, unit, original, threshold=0.5,
                 counterfactual=None, title=None):
        self.values = np.asarray(values, float)
        self.probabilities = np.asarray(probabilities, float)
        self.feature, self.unit = feature, unit
        self.original, self.threshold = original, threshold
        self.counterfactual, self.title = counterfactual, title

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.4))
        ax.step(self.values, self.probabilities, where="mid", color="#333")
        ax.axhline(self.threshold, color="#d62728", ls="--", lw=1,
                   label=f"threshold {self.threshold:g} (deny at or above)")
        ax.axvline(self.original, color="#1f77b4", lw=1, label=f"applicant: {self.original:.3g}")
        if self.counterfactual is not None:
            ax.axvline(self.counterfactual, color="#2ca02c", lw=1, ls=":",
                       label=f"counterfactual: {self.counterfactual:.3g}")
        ax.set_xlabel(f"{self.feature} ({self.unit})" if self.unit else self.feature)
        ax.set_ylabel("probability of denial")
        ax.set_ylim(0, 1)
        ax.legend(frameon=False, fontsize=8)
        ax.grid(alpha=0.3)
        if self.title:
            ax.set_title(self.title, fontsize=11)
        ax.figure.tight_layout()
        self.figure_, self.ax_ = ax.figure, ax
        return self
