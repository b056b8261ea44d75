"""Feature-effect explorer for ``pdp_ice``: wires controls to :mod:`xaikit.effects` (all curves
precomputed or cached) and :mod:`xaikit.plots.effects`; no maths of its own. Controls carry CSS
classes (``xaikit-...``) so browser tests can find them.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from xaikit.widgets._render import PngStateCache

VIEWS = (("ICE + PDP", "ice"), ("centered ICE", "centered"), ("ALE", "ale"))


def default_grid(x, max_points: int = 25) -> np.ndarray:
    """Grid of a feature: its distinct values if few (<= 25), else 25 quantiles (2 %-98 %)."""
    x = np.asarray(x, float)
    uniq = np.unique(x)
    if len(uniq) <= max_points:
        return uniq
    return np.unique(np.quantile(x, np.linspace(0.02, 0.98, max_points)))


class EffectsExplorer(PngStateCache):
    """Choose a feature; see its ICE curves with the PDP, centered ICE, or its ALE.

    Parameters
    ----------
    model : fitted regressor
    X_rows : pandas.DataFrame
        Rows whose ICE curves are drawn (the PDP averages all of them).
    X_data : pandas.DataFrame
        Data for the ALE and the distribution strip (e.g. the training rows).
    dataset : xaikit.datasets.Dataset, optional
        For axis labels with units.
    features : list of str, optional
        Offered features (default: all columns).
    ylabel : str
    precompute : bool, default True
        Compute every feature's ICE and ALE curves at construction (about 1 s) so that a
        control change only draws; False computes each feature on its first view.

    Notes
    -----
    ICE curves (``partial_dependence(method="brute")``) and ALE curves of a feature are computed
    on its first view and cached; later redraws only plot. ``last_update_ms`` holds the duration
    of the latest redraw.
    """

    def __init__(self, model, X_rows, X_data, dataset=None, features=None,
                 ylabel="predicted rentals per hour", n_lines=50, ale_bins=10,
                 precompute=True):
        import ipywidgets as W

        from xaikit import effects as E

        self.model, self.X_rows, self.X_data, self.dataset = model, X_rows, X_data, dataset
        self.features = list(features or X_rows.columns)
        self.ylabel, self.ale_bins = ylabel, ale_bins
        self._ice = lru_cache(maxsize=None)(
            lambda f: E.ice_pdp(model, X_rows, f, default_grid(X_data[f])))
        self._ale = lru_cache(maxsize=None)(self._ale_uncached)
        binary = [f for f in X_rows.columns if X_rows[f].nunique() <= 4]
        self.feature = W.Dropdown(options=self.features, value=self.features[0],
                                  description="Feature", layout=W.Layout(width="240px"))
        self.feature.add_class("xaikit-feature")
        self.view = W.ToggleButtons(options=list(VIEWS), value="ice")
        self.view.add_class("xaikit-effect-view")
        self.n_lines = W.IntSlider(value=min(n_lines, len(X_rows)), min=0, max=len(X_rows),
                                   step=10, description="ICE lines", continuous_update=False)
        self.n_lines.add_class("xaikit-n-lines")
        self.color_by = W.Dropdown(options=[("(none)", "")] + [(f, f) for f in binary], value="",
                                   description="Colour by", layout=W.Layout(width="240px"))
        self.color_by.add_class("xaikit-color-by")
        self.out = W.Output()
        self.out.add_class("xaikit-effect-plot")
        self._fig = None
        self._png = {}  # rendered PNG per control state
        for c in (self.feature, self.view, self.n_lines, self.color_by):
            c.observe(lambda _: self.update(), names="value")
        self.widget = W.VBox([W.HBox([self.feature, self.view]),
                              W.HBox([self.n_lines, self.color_by]), self.out])
        self.widget.add_class("xaikit-effects-explorer")
        self.update()
        if precompute:  # every feature's curves now, so that no control change computes
            for f in self.features:
                self._ice(f)
                self._ale(f)

    @classmethod
    def from_context(cls, ctx, **kw):
        """For a :class:`xaikit.exercises.pdp_ice.public.PdpIceContext`: its ICE rows, training data."""
        return cls(ctx.model, ctx.X_rows, ctx.X_train, dataset=ctx.dataset, **kw)

    def _ale_uncached(self, feature):
        from xaikit import effects as E

        return E.ale(self.model, self.X_data, feature,
                     E.quantile_edges(self.X_data[feature], self.ale_bins))

    def figure(self):
        """Draw the current controls' view on the explorer's figure and return it.

        One ``matplotlib.figure.Figure`` (curve axes + distribution strip) is kept for the
        explorer's lifetime and redrawn in place: no pyplot state, nothing to close.
        """
        from xaikit.plots.effects import (AleDisplay, IceDisplay, draw_distribution,
                                          feature_label)

        if self._fig is None:
            from matplotlib.figure import Figure

            self._fig = Figure(figsize=(9.6, 4.6))  # room for the legend on the right
            gs = self._fig.add_gridspec(2, 1, height_ratios=(4, 1), hspace=0.08, left=0.09,
                                        right=0.70, top=0.93, bottom=0.12)
            self._ax = self._fig.add_subplot(gs[0])
            self._hax = self._fig.add_subplot(gs[1], sharex=self._ax)
        ax, hax = self._ax, self._hax
        ax.cla()
        hax.cla()
        f, view = self.feature.value, self.view.value
        xlabel = feature_label(self.dataset, f)
        if view == "ale":
            a = self._ale(f)
            AleDisplay(a.edges, a.ale, f, xlabel, f"ALE: {self.ylabel} (centred)",
                       title=f"ALE of {f}").plot(ax)
        else:
            res = self._ice(f)
            centered = view == "centered"
            curves = res.centered(0) if centered else res.ice
            groups = (self.X_rows[self.color_by.value].to_numpy() if self.color_by.value
                      else None)
            ylabel = (f"{self.ylabel}, relative to {f} = {res.grid[0]:g}" if centered
                      else self.ylabel)
            IceDisplay(res.grid, curves, f, xlabel, ylabel, n_lines=self.n_lines.value,
                       groups=groups, group_name=self.color_by.value or None,
                       anchor=res.grid[0] if centered else None,
                       title=("centered ICE" if centered else "ICE and PDP") + f" of {f}").plot(ax)
        draw_distribution(hax, self.X_data[f].to_numpy(), xlabel)
        ax.tick_params(labelbottom=False)
        ax.set_xlabel("")
        return self._fig

    def update(self):
        """Redraw for the current controls (called by the controls' observers).

        The figure is rendered to PNG here (no tight bounding box, ``dpi`` fixed) and shown as
        an image, which is about twice as fast as the inline backend's tight rendering.
        """
        self.show_state((self.feature.value, self.view.value, self.n_lines.value,
                         self.color_by.value))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
