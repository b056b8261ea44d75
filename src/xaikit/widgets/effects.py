"""Feature-effect explorer for ``pdp_ice``: wires controls to :mod:`xaikit.effects` (every
feature's curves computed once, at construction, over the context's explore sample: about
0.2 s) and :mod:`xaikit.plots.effects`; no maths of its own. Controls carry CSS classes
(``xaikit-...``) so browser tests can find them.
"""
from __future__ import annotations

from xaikit.widgets._render import PngStateCache

VIEWS = (("ICE + PDP", "ice"), ("centered ICE", "centered"), ("ALE", "ale"))


class EffectsExplorer(PngStateCache):
    """Choose a feature; see its ICE curves with the PDP, centered ICE, or its ALE.

    Everything is computed by :func:`xaikit.effects.all_feature_effects` over the context's
    explore sample (``ctx.X_explore``: 300 test rows, none of them a question's row) with the
    explorer's own settings (a grid of at most 25 values per feature, ALE on 20 quantile bins of
    the same rows); centered curves are anchored at the grid's smallest value. The explorer
    takes the context only: no rows, grid, anchor or bins can be passed in.

    Parameters
    ----------
    ctx : xaikit.exercises.pdp_ice.public.PdpIceContext
        The exercise's context (``ex.context``); the training rows give the distribution strip
        under each plot, the dataset the axis labels with units.
    features : list of str, optional
        Offered features (default: every column of the model).
    n_lines : int, default 50
        ICE curves drawn at first.

    Notes
    -----
    ``last_update_ms`` holds the duration of the latest redraw.
    """

    ylabel = "predicted rentals per hour"

    def __init__(self, ctx, features=None, n_lines=50):
        import ipywidgets as W

        from xaikit.effects import all_feature_effects

        self.features = list(features or ctx.feature_names)
        self.effects = all_feature_effects(ctx, self.features)   # checks the context's rows
        self.X_explore, self.X_data, self.dataset = ctx.X_explore, ctx.X_train, ctx.dataset
        n_rows = len(self.X_explore)
        self.feature = W.Dropdown(options=self.features, value=self.features[0],
                                  description="Feature", layout=W.Layout(width="240px"))
        self.feature.add_class("xaikit-feature")
        self.view = W.ToggleButtons(options=list(VIEWS), value="ice")
        self.view.add_class("xaikit-effect-view")
        self.n_lines = W.IntSlider(value=min(n_lines, n_rows), min=0, max=n_rows, step=10,
                                   description="ICE lines", continuous_update=False)
        self.n_lines.add_class("xaikit-n-lines")
        self.out = W.Output()
        self.out.add_class("xaikit-effect-plot")
        self._fig = None
        self._png = {}  # rendered PNG per control state
        for c in (self.feature, self.view, self.n_lines):
            c.observe(lambda _: self.update(), names="value")
        self.widget = W.VBox([W.HBox([self.feature, self.view]), self.n_lines, self.out])
        self.widget.add_class("xaikit-effects-explorer")
        self.update()

    @classmethod
    def from_context(cls, ctx, **kw):
        """The same as ``EffectsExplorer(ctx, **kw)``, for callers that build every explorer
        through ``from_context``."""
        return cls(ctx, **kw)

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
        res = self.effects[f]
        xlabel = feature_label(self.dataset, f)
        n = len(self.X_explore)
        if view == "ale":
            AleDisplay(res.ale_edges, res.ale, f, xlabel, f"ALE: {self.ylabel} (centred)",
                       title=f"ALE of {f} ({n} explore rows)").plot(ax)
        else:
            centered = view == "centered"
            ylabel = (f"{self.ylabel}, relative to {f} = {res.grid[0]:g}" if centered
                      else self.ylabel)
            IceDisplay(res.grid, res.ice, f, xlabel, ylabel, n_lines=self.n_lines.value,
                       anchor=res.grid[0] if centered else None, center=centered,
                       title=("centered ICE" if centered else "ICE and PDP")
                       + f" of {f} ({n} explore rows)").plot(ax)
        draw_distribution(hax, self.X_data[f].to_numpy(), xlabel)
        ax.tick_params(labelbottom=False)
        ax.set_xlabel("")
        return self._fig

    def update(self):
        """Redraw for the current controls (called by the controls' observers).

        The figure is rendered to PNG here (no tight bounding box, ``dpi`` fixed) and shown as
        an image, which is about twice as fast as the inline backend's tight rendering.
        """
        self.show_state((self.feature.value, self.view.value, self.n_lines.value))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
