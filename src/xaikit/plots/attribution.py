"""Display-style plots (the scikit-learn Display pattern): compute elsewhere, draw here.

Each ``*Display`` holds what it draws; ``plot(ax=None)`` draws and returns ``self`` with
``figure_`` and ``ax_`` set. Nothing here calls ``plt.show()``.
"""
from __future__ import annotations

import numpy as np


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


class ShapWaterfallDisplay:
    """SHAP waterfall of one row, drawn by ``shap.plots.waterfall``.

    Parameters
    ----------
    explanation : shap.Explanation
        One row: ``values`` (n_features,) in log-odds, ``base_values`` scalar.
    max_display : int, default 10
    """

    def __init__(self, explanation, max_display: int = 10, title: str | None = None):
        self.explanation = explanation
        self.max_display = max_display
        self.title = title

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
        """Draw on a new figure (shap's waterfall owns its figure; ``ax`` is not supported)."""
        import matplotlib.pyplot as plt
        import shap

        if ax is not None:
            raise ValueError("shap.plots.waterfall draws its own figure; call plot() with no ax")
        fig = plt.figure()
        shap.plots.waterfall(self.explanation, max_display=self.max_display, show=False)
        self.figure_, self.ax_ = fig, plt.gca()
        self.ax_.set_xlabel("model output: log-odds of a bad credit risk")
        if self.title:
            self.ax_.set_title(self.title, fontsize=11)
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
    """

    def __init__(self, values, labels, xlabel: str, max_display: int = 10,
                 title: str | None = None):
        self.values = np.asarray(values, dtype=float)
        self.labels = list(labels)
        self.xlabel = xlabel
        self.max_display = max_display
        self.title = title

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(figsize=(7, 0.42 * self.max_display + 1.2))
        order = np.argsort(-np.abs(self.values), kind="stable")[: self.max_display][::-1]
        vals = self.values[order]
        colors = np.where(vals > 0, "#ff0051", "#008bfb")  # shap's red/blue
        ax.barh(range(len(order)), vals, color=colors)
        ax.set_yticks(range(len(order)), [self.labels[j] for j in order], fontsize=9)
        ax.axvline(0, color="#888", lw=0.8)
        ax.set_xlabel(self.xlabel)
        for s in ("top", "right"):
            ax.spines[s].set_visible(False)
        if self.title:
            ax.set_title(self.title, fontsize=11)
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
