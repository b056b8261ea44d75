"""Feature-effect explorer for ``pdp_ice``: wires controls to :mod:`xaikit.effects` (all curves
precomputed or cached) and :mod:`xaikit.plots.effects`; no maths of its own. Controls carry CSS
classes (``xaikit-...``) so browser tests can find them.
"""
from __future__ import annotations

import time
from functools import lru_cache

import numpy as np

VIEWS = (("ICE + PDP", "ice"), ("centered ICE", "centered"), ("ALE", "ale"))


def default_grid(x, max_points: int = 25) -> np.ndarray:
    """Grid of a feature: its distinct values if few (<= 25), else 25 quantiles (2 %-98 %)."""
    x = np.asarray(x, float)
    uniq = np.unique(x)
    if len(uniq) <= max_points:
        return uniq
    return np.unique(np.quantile(x, np.linspace(0.02, 0.98, max_points)))


class EffectsExplorer:
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

    Notes
    -----
    ICE curves of every offered feature are computed once when the explorer is built
    (``partial_dependence(method="brute")``); ALE curves on first view (cached). Redraws only
    plot. ``last_update_ms`` holds the duration of the latest redraw.
    """

    def __init__(self, model, X_rows, X_data, dataset=None, features=None,
                 ylabel="predicted rentals per hour", n_lines=50, ale_bins=10):
        import ipywidgets as W

        from xaikit import effects as E

        self.model, self.X_rows, self.X_data, self.dataset = model, X_rows, X_data, dataset
        self.features = list(features or X_rows.columns)
        self.ylabel, self.ale_bins = ylabel, ale_bins
        self.ice = {f: E.ice_pdp(model, X_rows, f, default_grid(X_data[f])) for f in self.features}
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
        self.last_update_ms = None
        for c in (self.feature, self.view, self.n_lines, self.color_by):
            c.observe(lambda _: self.update(), names="value")
        self.widget = W.VBox([W.HBox([self.feature, self.view]),
                              W.HBox([self.n_lines, self.color_by]), self.out])
        self.widget.add_class("xaikit-effects-explorer")
        self.update()

    @classmethod
    def from_context(cls, ctx, **kw):
        """For a :class:`xaikit.questions.pdp_ice.PdpIceContext`: its ICE rows, training data."""
        return cls(ctx.model, ctx.X_rows, ctx.X_train, dataset=ctx.dataset, **kw)

    def _ale_uncached(self, feature):
        from xaikit import effects as E

        return E.ale(self.model, self.X_data, feature,
                     E.quantile_edges(self.X_data[feature], self.ale_bins))

    def figure(self):
        """The figure for the current controls (used by :meth:`update`, and by tests)."""
        import matplotlib.pyplot as plt

        from xaikit.plots.effects import AleDisplay, IceDisplay, feature_label

        f, view = self.feature.value, self.view.value
        xlabel = feature_label(self.dataset, f)
        data = self.X_data[f].to_numpy()
        fig, ax = plt.subplots(figsize=(7.5, 4.6))
        if view == "ale":
            a = self._ale(f)
            AleDisplay(a.edges, a.ale, f, xlabel, f"ALE: {self.ylabel} (centred)", data=data,
                       title=f"ALE of {f}").plot(ax)
        else:
            res = self.ice[f]
            centered = view == "centered"
            curves = res.centered(0) if centered else res.ice
            groups = (self.X_rows[self.color_by.value].to_numpy() if self.color_by.value
                      else None)
            ylabel = (f"{self.ylabel}, relative to {f} = {res.grid[0]:g}" if centered
                      else self.ylabel)
            IceDisplay(res.grid, curves, f, xlabel, ylabel, n_lines=self.n_lines.value,
                       data=data, groups=groups, group_name=self.color_by.value or None,
                       anchor=res.grid[0] if centered else None,
                       title=("centered ICE" if centered else "ICE and PDP") + f" of {f}").plot(ax)
        fig.subplots_adjust(left=0.11, right=0.98, top=0.93, bottom=0.12)
        return fig

    def update(self):
        """Redraw for the current controls (called by the controls' observers)."""
        import matplotlib.pyplot as plt
        from IPython.display import display

        start = time.perf_counter()
        with self.out:
            self.out.clear_output(wait=True)
            fig = self.figure()
            display(fig)
            plt.close(fig)
        self.last_update_ms = 1000 * (time.perf_counter() - start)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
