"""Plots of the ``explanation_quality`` exercise and the ``faithfulness`` primer: attributions of
several explainers side by side, the model output as one feature moves to its baseline, and
deletion / insertion curves."""
from __future__ import annotations

import numpy as np


class ExplainersDisplay:
    """Attributions of several explainers for one row, one bar panel each.

    Parameters
    ----------
    attributions : dict of str to array-like of shape (p,)
        ``{label: attributions}``; each explainer has its own scale (shown on its axis).
    feature_names : sequence of str, length p
    highlight : str, optional
        A feature drawn in another colour (e.g. the one being removed).
    title : str, optional
    """

    def __init__(self, attributions, feature_names, highlight=None, title=""):
        self.attributions = {k: np.asarray(v, float) for k, v in attributions.items()}
        self.feature_names = list(feature_names)
        self.highlight = highlight
        self.title = title

    def plot(self, axes=None):
        """Draw on ``axes`` (one per explainer; a new figure if None); returns self."""
        import matplotlib.pyplot as plt

        if axes is None:
            _, axes = plt.subplots(1, len(self.attributions), sharey=True,
                                   figsize=(3.2 * len(self.attributions), 3.6))
        axes = np.atleast_1d(axes)
        colours = ["C3" if f == self.highlight else "C0" for f in self.feature_names]
        y = np.arange(len(self.feature_names))
        from matplotlib.ticker import MaxNLocator

        self.bars_ = {}
        for k, (ax, (label, v)) in enumerate(zip(axes, self.attributions.items())):
            self.bars_[label] = ax.barh(y, v, color=colours)
            ax.axvline(0, color="grey", lw=0.8)
            ax.set_yticks(y if k == 0 else [], self.feature_names if k == 0 else [],
                          fontsize=7)
            ax.set_ylim(len(y) - 0.5, -0.5)  # first feature on top
            ax.set_title(f"explainer {label}", fontsize=9)
            ax.set_xlabel("attribution (own scale)", fontsize=8)
            ax.xaxis.set_major_locator(MaxNLocator(3))
            ax.tick_params(axis="x", labelsize=7)
            self._xlim(ax, v)
        if self.title:
            axes[0].figure.suptitle(self.title, fontsize=9)
        self.axes_, self.figure_ = axes, axes[0].figure
        return self

    @staticmethod
    def _xlim(ax, v):
        m = float(np.max(np.abs(v))) or 1.0
        ax.set_xlim(-1.1 * m, 1.1 * m)

    def update(self, attributions, highlight=None):
        """Redraw in place (after :meth:`plot`): new bar lengths and highlight, same features;
        returns self."""
        self.attributions = {k: np.asarray(v, float) for k, v in attributions.items()}
        self.highlight = highlight
        for ax, (label, v) in zip(self.axes_, self.attributions.items()):
            for bar, w, f in zip(self.bars_[label], v, self.feature_names):
                bar.set_width(w)
                bar.set_color("C3" if f == highlight else "C0")
            self._xlim(ax, v)
        return self


class RemovalDisplay:
    """P(class 1) of one row as one feature moves from its value to its baseline.

    Parameters
    ----------
    fractions : array-like of shape (k,)
        0 = the row's own value, 1 = the baseline (training mean).
    proba : array-like of shape (k,)
        P(class 1) at each step (probability).
    feature : str
    at : float, optional
        The fraction currently selected (marked).
    """

    def __init__(self, fractions, proba, feature, at=None):
        self.fractions = np.asarray(fractions, float)
        self.proba = np.asarray(proba, float)
        self.feature, self.at = feature, at

    def plot(self, ax=None):
        """Draw on ``ax`` (a new figure if None); returns self (``ax_``, ``figure_`` set)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(3.5, 3.6))
        (self.line_,) = ax.plot(self.fractions, self.proba, marker="o", ms=3)
        self.marker_ = ax.axvline(0.0 if self.at is None else self.at, color="C3", lw=1,
                                  visible=self.at is not None)
        ax.axhline(0.5, color="grey", ls="--", lw=0.8)
        ax.set_ylim(0, 1)
        ax.set_xlabel("moved toward the mean (share)", fontsize=8)
        ax.set_ylabel("P(class 1) (probability)", fontsize=8)
        ax.set_title(f"moving {self.feature}", fontsize=9)
        ax.tick_params(labelsize=7)
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def update(self, proba, feature, at=None):
        """Redraw in place (after :meth:`plot`); returns self."""
        self.proba, self.feature, self.at = np.asarray(proba, float), feature, at
        self.line_.set_ydata(self.proba)
        self.marker_.set_xdata([at or 0.0] * 2)
        self.marker_.set_visible(at is not None)
        self.ax_.set_title(f"moving {feature}", fontsize=9)
        return self


class CurvesDisplay:
    """Mean deletion or insertion curves of several explainers.

    Parameters
    ----------
    curves : dict of str to array-like of shape (p + 1,)
        Model output after k = 0 ... p steps (probability of class 1).
    kind : {"deletion", "insertion"}
    ylabel : str
        The output's name and unit.
    title : str, optional
        Default: "<kind> curves (mean over rows)".
    ylim : tuple or None
        Default (0, 1) for probabilities; None to autoscale (e.g. a regression output).
    """

    def __init__(self, curves, kind="deletion", ylabel="P(class 1) (probability)", title=None,
                 ylim=(0.0, 1.0)):
        self.curves = {k: np.asarray(v, float) for k, v in curves.items()}
        self.kind, self.ylabel, self.ylim = kind, ylabel, ylim
        self.title = title or f"{kind} curves (mean over rows)"

    def plot(self, ax=None):
        """Draw on ``ax`` (a new figure if None); returns self."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(4.5, 3.5))
        for label, c in self.curves.items():
            ax.plot(np.linspace(0, 1, len(c)), c, marker="o", ms=3, label=label)
        verb = "removed" if self.kind == "deletion" else "inserted"
        ax.set_xlabel(f"fraction of features {verb} (k / p)")
        ax.set_ylabel(self.ylabel)
        if self.ylim is not None:
            ax.set_ylim(*self.ylim)
        ax.set_title(self.title)
        ax.legend(fontsize=8)
        self.ax_, self.figure_ = ax, ax.figure
        return self
