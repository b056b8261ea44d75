"""Plots of the fairness exercise (Display pattern: ``plot(ax=None)`` returns self)."""
from __future__ import annotations

import numpy as np


class GroupScoreDisplay:
    """Histograms of the predicted probability per group, with the decision threshold.

    Parameters
    ----------
    scores : array-like of shape (n,)
        Predicted probability of the positive class (income > 50K), in [0, 1].
    groups : array-like of shape (n,)
        Group label of each row.
    threshold : float or None
        Decision threshold, drawn as a vertical line (None: no line).
    attribute : str
        Name of the grouping (legend title).
    bins : int, default 25
    """

    def __init__(self, scores, groups, threshold, attribute="group", bins=25):
        self.scores = np.asarray(scores, float)
        self.groups = np.asarray(groups)
        self.threshold, self.attribute, self.bins = threshold, attribute, int(bins)

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.2))
        edges = np.linspace(0, 1, self.bins + 1)
        for label, color in zip(sorted(set(self.groups)), ("#d62728", "#1f77b4", "#2ca02c")):
            s = self.scores[self.groups == label]
            counts, _ = np.histogram(s, bins=edges)
            ax.stairs(counts / max(len(s), 1), edges, lw=1.8, color=color,
                      label=f"{label} (n={len(s)})")
        if self.threshold is not None:
            ax.axvline(float(self.threshold), color="#333", ls="--", lw=1, label="threshold")
        ax.set_xlabel("predicted probability of income > 50K")
        ax.set_ylabel("share of the group's rows")
        ax.legend(title=self.attribute, fontsize=8, title_fontsize=8, frameon=False)
        self.ax_ = ax
        return self


class GapDecompositionDisplay:
    """Bars of each feature's contribution to a gap in mean log-odds between two groups.

    Parameters
    ----------
    feature_names : list of str
    contributions : array-like of shape (n_features,)
        Mean SHAP value in one group minus in the other, log-odds.
    gap : float
        The gap in mean log-odds (the contributions' sum), shown in the title.
    label : str
        e.g. "Male - Female".
    """

    def __init__(self, feature_names, contributions, gap, label="group 1 - group 0"):
        self.feature_names = list(feature_names)
        self.contributions = np.asarray(contributions, float)
        self.gap, self.label = float(gap), label

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.3 * len(self.feature_names) + 1.2))
        order = np.argsort(self.contributions)
        vals = self.contributions[order]
        ax.barh(range(len(vals)), vals,
                color=["#d62728" if v > 0 else "#1f77b4" for v in vals])
        ax.set_yticks(range(len(vals)), [self.feature_names[j] for j in order], fontsize=9)
        ax.axvline(0, color="#888", lw=0.8)
        ax.set_xlabel(f"contribution to the gap in mean log-odds ({self.label})")
        ax.set_title(f"gap in mean log-odds {self.gap:+.3f} = sum of the bars", fontsize=10)
        self.ax_ = ax
        return self
