"""Plots of the ``fooling_explainers`` exercise: a black box's P(bad) along one feature."""
from __future__ import annotations

import numpy as np


class ProbeDisplay:
    """P(bad risk) of one row as one feature takes each value seen in the data.

    Parameters
    ----------
    values : array-like of shape (k,)
        The feature's values (whole codes or amounts seen in the training data).
    proba : array-like of shape (k,)
        The model's P(bad risk) for the row with the feature set to each value (probability).
    current : float
        The row's own value (marked).
    feature : str
    title : str, optional
    """

    def __init__(self, values, proba, current, feature, title=""):
        self.values = np.asarray(values, float)
        self.proba = np.asarray(proba, float)
        self.current = float(current)
        self.feature = feature
        self.title = title

    def plot(self, ax=None):
        """Draw on ``ax`` (a new figure if None); returns self (``ax_``, ``figure_`` set)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        ax.step(self.values, self.proba, where="mid", marker="o", ms=3)
        ax.axhline(0.5, color="grey", ls="--", lw=1, label="decision threshold 0.5")
        ax.axvline(self.current, color="C3", lw=1, label="the row's own value")
        ax.set_ylim(0, 1)
        ax.set_xlabel(f"{self.feature} (values seen in X_train)")
        ax.set_ylabel("P(bad risk) (probability)")
        ax.set_title(self.title)
        ax.legend(loc="upper left", fontsize=8)
        self.ax_, self.figure_ = ax, ax.figure
        return self
