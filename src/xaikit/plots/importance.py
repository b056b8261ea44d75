"""Ranked importance bars with error bars (Display pattern, no ``plt.show()``)."""
from __future__ import annotations

import numpy as np


class ImportanceBarDisplay:
    """Horizontal bars of one importance per feature, largest on top, with error bars.

    Parameters
    ----------
    feature_names : list of str
    mean : array-like of shape (n_features,)
    std : array-like of shape (n_features,), optional
        Drawn as error bars (± 1 std): over trees (MDI) or repeats (permutation).
    xlabel : str
        Say the unit, e.g. "MAE increase when shuffled (rentals per hour)".
    max_display : int, default 15
    highlight : iterable of str, optional
        Feature names drawn in a second colour (e.g. suspected noise columns).
    highlight_label : str
        Legend entry of the highlighted bars.
    title : str, optional
    """

    def __init__(self, feature_names, mean, std=None, xlabel="importance", max_display=15,
                 highlight=(), highlight_label="highlighted", title=None):
        self.feature_names = list(feature_names)
        self.mean = np.asarray(mean, float)
        self.std = None if std is None else np.asarray(std, float)
        self.xlabel, self.max_display, self.title = xlabel, int(max_display), title
        self.highlight = set(highlight or ())
        self.highlight_label = highlight_label

    @classmethod
    def from_result(cls, result, **kw):
        """From a :class:`xaikit.importance.ImportanceResult` (its unit becomes the x label)."""
        kw.setdefault("xlabel", f"{result.method}: {result.unit}")
        return cls(result.feature_names, result.mean, result.std, **kw)

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        k = min(self.max_display, len(self.mean))
        own = ax is None
        if own:
            _, ax = plt.subplots(figsize=(7, 0.32 * k + 1.3))
        order = np.argsort(-self.mean, kind="stable")[:k][::-1]
        names = [self.feature_names[j] for j in order]
        colors = ["#ff7f0e" if n in self.highlight else "#1f77b4" for n in names]
        xerr = None if self.std is None else self.std[order]
        ax.barh(range(k), self.mean[order], xerr=xerr, color=colors,
                error_kw={"ecolor": "#333", "elinewidth": 1, "capsize": 2})
        ax.set_yticks(range(k), names, fontsize=9)
        if self.highlight & set(names):
            from matplotlib.patches import Patch

            ax.legend(handles=[Patch(color="#ff7f0e", label=self.highlight_label)],
                      frameon=False, fontsize=8, loc="lower right")
        ax.axvline(0, color="#888", lw=0.8)
        ax.set_xlabel(self.xlabel)
        for s in ("top", "right"):
            ax.spines[s].set_visible(False)
        if self.title:
            ax.set_title(self.title, fontsize=11)
        if own:  # on a given ax, the caller owns the layout (e.g. layout="constrained")
            ax.figure.tight_layout()
        self.figure_, self.ax_ = ax.figure, ax
        return self
