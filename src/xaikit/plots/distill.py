"""Plots of global surrogates (Display pattern: ``plot(ax=None)`` returns self).

Values come from :mod:`xaikit.distill`; nothing is computed here beyond arranging them.
"""
from __future__ import annotations

import numpy as np


class FidelityCurveDisplay:
    """Fidelity (R² against the teacher) of surrogates by depth, with accuracy for contrast.

    Parameters
    ----------
    depths : array-like of int
    fidelity : array-like of float
        R² against the teacher on held-out rows.
    accuracy : array-like of float, optional
        R² against the labels on the same rows (dashed).
    target : float, optional
        Fidelity target (horizontal line).
    current : int, optional
        Depth to highlight.
    tight_layout : bool, default True
        Call ``figure.tight_layout()`` after drawing (slow on a figure with many artists:
        pass False when composing a figure with a fixed layout).
    """

    def __init__(self, depths, fidelity, accuracy=None, target=None, current=None, title=None,
                 tight_layout=True):
        self.depths = np.asarray(depths)
        self.fidelity = np.asarray(fidelity, float)
        self.accuracy = None if accuracy is None else np.asarray(accuracy, float)
        self.target, self.current, self.title = target, current, title
        self.tight_layout = tight_layout

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.6))
        ax.plot(self.depths, self.fidelity, "o-", label="fidelity: R² vs teacher")
        if self.accuracy is not None:
            ax.plot(self.depths, self.accuracy, "s--", color="#999", ms=4,
                    label="accuracy: R² vs observed rentals")
        if self.target is not None:
            ax.axhline(self.target, color="#d62728", ls=":", lw=1,
                       label=f"target {self.target:g}")
        if self.current is not None:
            i = list(self.depths).index(self.current)
            ax.plot([self.current], [self.fidelity[i]], "o", ms=12, mfc="none", color="#d62728")
        ax.set_xlabel("surrogate tree depth (max_depth)")
        ax.set_ylabel("R² on held-out rows")
        ax.set_xticks(self.depths)
        ax.set_ylim(min(0, np.nanmin(self.fidelity) - 0.05), 1)
        ax.grid(alpha=0.3)
        ax.legend(frameon=False, fontsize=8, loc="lower right")
        if self.title:
            ax.set_title(self.title, fontsize=11)
        if self.tight_layout:
            ax.figure.tight_layout()
        self.figure_, self.ax_ = ax.figure, ax
        return self


class SubgroupFidelityDisplay:
    """Fidelity per subgroup, as horizontal bars (worst highlighted).

    Parameters
    ----------
    fidelities : dict of str to float
        ``{subgroup label: R² against the teacher within the subgroup}``.
    overall : float, optional
        Overall fidelity (vertical line).
    sizes : dict of str to int, optional
        Number of rows in each subgroup, shown beside its label (``"winter (n=228)"``): a
        subgroup's R² on few rows moves a lot from one sample to another.
    tight_layout : bool, default True
        As in :class:`FidelityCurveDisplay`.
    """

    def __init__(self, fidelities: dict, overall=None, title=None, tight_layout=True,
                 sizes=None):
        self.fidelities = dict(fidelities)
        self.overall, self.title = overall, title
        self.sizes = None if sizes is None else dict(sizes)
        self.tight_layout = tight_layout

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        labels = list(self.fidelities)
        vals = np.array([self.fidelities[k] for k in labels])
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.45 * len(labels) + 1.3))
        worst = int(np.argmin(vals))
        colors = ["#d62728" if i == worst else "#1f77b4" for i in range(len(vals))]
        ax.barh(range(len(vals)), vals, color=colors)
        for i, v in enumerate(vals):
            ax.annotate(f"{v:.2f}", (max(v, 0), i), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=8)
        ax.set_yticks(range(len(vals)), labels if self.sizes is None else
                      [f"{k} (n={self.sizes[k]})" for k in labels])
        if self.overall is not None:
            ax.axvline(self.overall, color="#333", ls="--", lw=1,
                       label=f"all held-out rows: {self.overall:.2f}")
            ax.legend(frameon=True, framealpha=0.95, edgecolor="none", fontsize=8,
                      loc="lower right")
        ax.set_xlim(min(0, vals.min() - 0.05), 1.05)
        ax.set_xlabel("fidelity within the subgroup (R² vs teacher)")
        for s in ("top", "right"):
            ax.spines[s].set_visible(False)
        if self.title:
            ax.set_title(self.title, fontsize=11)
        if self.tight_layout:
            ax.figure.tight_layout()
        self.figure_, self.ax_ = ax.figure, ax
        return self


class SurrogateTreeDisplay:
    """The surrogate tree (``sklearn.tree.plot_tree``), its top ``max_depth`` levels.

    Leaves show the predicted rentals per hour (``value``) and the number of rows.
    """

    def __init__(self, surrogate, feature_names, max_depth: int = 3, title=None):
        self.surrogate = surrogate
        self.feature_names = list(feature_names)
        self.max_depth, self.title = max_depth, title

    def plot(self, ax=None):
        import matplotlib.pyplot as plt
        from sklearn.tree import plot_tree

        if ax is None:
            _, ax = plt.subplots(figsize=(11, 4.8))
        plot_tree(self.surrogate, feature_names=self.feature_names, max_depth=self.max_depth,
                  filled=True, impurity=False, rounded=True, precision=2, fontsize=7, ax=ax)
        depth = self.surrogate.get_depth()
        shown = min(depth, self.max_depth)
        note = "" if depth <= self.max_depth else f" (top {shown} of {depth} levels)"
        ax.set_title((self.title or "Surrogate tree") + note
                     + "; value = predicted rentals per hour", fontsize=10)
        self.figure_, self.ax_ = ax.figure, ax
        return self
