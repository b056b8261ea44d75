"""Plots of ``neural_attribution``: attribution maps over 8x8 digits, and one digit with an
occlusion patch and the model's class probabilities.

Display pattern: each class holds what it draws; ``plot(ax=None)`` draws and returns ``self``
with ``figure_`` and ``ax_`` set. Nothing here calls ``plt.show()``.
"""
from __future__ import annotations

import numpy as np


class AttributionMapsDisplay:
    """A grid of 8x8 maps: one row per digit, the image first, then one column per method.

    Maps are drawn with a diverging colour map centred on 0 (red = supports the class, blue =
    against it), each map scaled to its own max |value|: compare shapes, not magnitudes.

    Parameters
    ----------
    images : array-like of shape (n, 64)
        Intensities in [0, 1].
    maps : dict of str -> array-like of shape (n, 64) or (n, k, k)
        Method name -> maps (``(n, k, k)`` occlusion grids are shown at their own resolution).
    titles : sequence of str, optional
        One row title per digit (e.g. "digit 7, p = 0.99").
    units : dict of str -> str, optional
        Method name -> the scale of its values (e.g. "logit units"), shown in column titles.
    """

    def __init__(self, images, maps, titles=None, units=None):
        self.images = np.asarray(images, float).reshape(-1, 8, 8)
        self.maps = {k: np.asarray(v, float) for k, v in maps.items()}
        self.titles = titles
        self.units = units or {}

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        n, cols = len(self.images), 1 + len(self.maps)
        if ax is None:
            fig, ax = plt.subplots(n, cols, figsize=(1.7 * cols, 1.75 * n), squeeze=False)
        ax = np.asarray(ax).reshape(n, cols)
        for i in range(n):
            ax[i, 0].imshow(self.images[i], cmap="gray_r", vmin=0, vmax=1)
            ax[i, 0].set_ylabel(self.titles[i] if self.titles else f"digit {i}", fontsize=8)
            for j, (name, m) in enumerate(self.maps.items(), start=1):
                img = m[i].reshape(8, 8) if m[i].size == 64 else m[i]
                lim = float(np.max(np.abs(img))) or 1.0
                ax[i, j].imshow(img, cmap="RdBu_r", vmin=-lim, vmax=lim)
            for a in ax[i]:
                a.set_xticks([])
                a.set_yticks([])
        ax[0, 0].set_title("input (intensity 0-1)", fontsize=8)
        for j, name in enumerate(self.maps, start=1):
            unit = self.units.get(name)
            ax[0, j].set_title(name + (f"\n({unit})" if unit else ""), fontsize=8)
        self.figure_, self.ax_ = ax[0, 0].figure, ax
        return self


class OcclusionPatchDisplay:
    """One digit with a patch drawn on it, and the class probabilities before/after occlusion.

    Parameters
    ----------
    image, occluded : array-like of shape (64,)
        Intensities in [0, 1], before and after the patch.
    proba, proba_occluded : array-like of shape (10,)
        ``predict_proba`` of the two images.
    top, left, size : int
        The patch (pixels).
    title : str, optional
    """

    def __init__(self, image, occluded, proba, proba_occluded, top, left, size, title=None):
        self.image = np.asarray(image, float).reshape(8, 8)
        self.occluded = np.asarray(occluded, float).reshape(8, 8)
        self.proba, self.proba_occluded = np.asarray(proba), np.asarray(proba_occluded)
        self.top, self.left, self.size, self.title = top, left, size, title

    def plot(self, ax=None):
        import matplotlib.pyplot as plt
        from matplotlib.patches import Rectangle

        if ax is None:
            _, ax = plt.subplots(1, 2, figsize=(8, 3.2))
        a_img, a_bar = ax
        a_img.imshow(self.occluded, cmap="gray_r", vmin=0, vmax=1)
        s = min(self.size, 8 - self.top), min(self.size, 8 - self.left)
        a_img.add_patch(Rectangle((self.left - 0.5, self.top - 0.5), s[1], s[0], fill=False,
                                  ec="tab:red", lw=2))
        a_img.set_xlabel("column (pixel)")
        a_img.set_ylabel("row (pixel)")
        a_img.set_title(self.title or "occluded image", fontsize=9)
        k = np.arange(10)
        a_bar.bar(k - 0.2, self.proba, 0.4, label="original", color="tab:gray")
        a_bar.bar(k + 0.2, self.proba_occluded, 0.4, label="patch occluded", color="tab:red")
        a_bar.set_xticks(k)
        a_bar.set_ylim(0, 1.05)
        a_bar.set_xlabel("class (digit)")
        a_bar.set_ylabel("predicted probability")
        a_bar.legend(frameon=False, fontsize=8)
        self.figure_, self.ax_ = a_img.figure, ax
        return self
