"""Plots of the ``drift`` exercise: the model's predictions before and after a shift."""
from __future__ import annotations

import numpy as np


class ShiftDisplay:
    """Histograms of a model's predictions on rows before and after an input shift.

    Parameters
    ----------
    before, after : array-like of shape (n,)
        Predictions, rentals per hour.
    title : str, optional
    """

    def __init__(self, before, after, title=""):
        self.before = np.asarray(before, float)
        self.after = np.asarray(after, float)
        self.title = title

    def plot(self, ax=None):
        """Draw on ``ax`` (a new figure if None); returns self (``ax_``, ``figure_`` set)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        hi = max(self.before.max(), self.after.max(), 1.0)
        bins = np.linspace(min(0.0, self.before.min(), self.after.min()), hi, 30)
        ax.hist(self.before, bins=bins, alpha=0.55, label="as observed")
        ax.hist(self.after, bins=bins, alpha=0.55, label="shifted")
        ax.set_xlabel("model prediction (rentals per hour)")
        ax.set_ylabel("number of hours")
        ax.set_title(self.title)
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self
