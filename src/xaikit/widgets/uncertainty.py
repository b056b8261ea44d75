"""Bootstrap explorer for ``uncertainty``: wires controls to :func:`xaikit.uncertainty.explorer_draws`
and :class:`xaikit.plots.uncertainty.DrawsHistogramDisplay`; no maths of its own. Controls carry
CSS classes (``xaikit-...``) for the browser tests.
"""
from __future__ import annotations

import numpy as np

from xaikit.widgets._render import PngStateCache

SOURCES = (("bootstrap of the rows", "bootstrap"), ("repeats of one fit", "repeats"))


class BootstrapExplorer(PngStateCache):
    """Pick a feature, a source of draws and how many draws: see the histogram of its
    permutation importance fill up, with the 2.5-97.5 percentiles marked.

    On **other data** than the exercise (:func:`xaikit.uncertainty.demo_problem`: Friedman's
    benchmark #1, where ``z1`` and ``z2`` are exchangeable), so that none of its numbers or
    rankings is an answer. The draws are made once (about a second, then cached on disk),
    one permutation repeat per bootstrap resample; "repeats of one fit" shows the spread of
    the shuffles of ONE ``permutation_importance`` call on the same rows, for contrast.

    Parameters
    ----------
    ctx : xaikit.exercises.uncertainty.public.UncertaintyContext, optional
        Accepted for the notebooks' uniform ``Explorer(ctx)``; not used.

    Notes
    -----
    ``last_update_ms`` holds the duration of the latest redraw.
    """

    def __init__(self, ctx=None):
        import ipywidgets as W

        from xaikit.uncertainty import EXPLORE_MAX, explorer_draws

        self.draws = explorer_draws()
        names = list(self.draws.feature_names)
        self.source = W.ToggleButtons(options=list(SOURCES), value="bootstrap",
                                     style={"button_width": "auto"})
        self.source.add_class("xaikit-uncertainty-source")
        self.feature = W.Dropdown(options=names, value=names[0], description="Feature",
                                  layout=W.Layout(width="200px"))
        self.feature.add_class("xaikit-uncertainty-feature")
        self.n = W.IntSlider(value=10, min=5, max=EXPLORE_MAX, step=5, description="Draws",
                             continuous_update=False)
        self.n.add_class("xaikit-uncertainty-draws")
        self.out = W.Output()
        self.out.add_class("xaikit-uncertainty-plot")
        self._fig = None
        self._png = {}
        for c in (self.source, self.feature, self.n):
            c.observe(lambda _: self.update(), names="value")
        self.widget = W.VBox([self.source, W.HBox([self.feature, self.n]), self.out])
        self.widget.add_class("xaikit-uncertainty-explorer")
        self.update()

    def _bins(self, j):
        """Fixed bin edges per feature covering both sources' draws (the histogram fills)."""
        both = np.r_[self.draws.bootstrap[:, j], self.draws.repeats[:, j]]
        lo, hi = float(both.min()), float(both.max())
        pad = 0.05 * (hi - lo) + 1e-9
        return np.linspace(lo - pad, hi + pad, 25)

    def figure(self):
        """Draw the current state on the explorer's one figure and return it."""
        from xaikit.plots.uncertainty import DrawsHistogramDisplay

        if self._fig is None:
            from matplotlib.figure import Figure

            self._fig = Figure(figsize=(7.6, 3.6))
            self._ax = self._fig.add_axes((0.09, 0.15, 0.88, 0.74))
        ax = self._ax
        ax.cla()
        j = self.draws.feature_names.index(self.feature.value)
        src = self.source.value
        values = getattr(self.draws, src)[: self.n.value, j]
        what = ("bootstrap resamples of 300 rows" if src == "bootstrap" else
                "permutation repeats of one fit on 300 rows")
        DrawsHistogramDisplay(values, f"permutation importance of {self.feature.value}: "
                              f"{self.draws.unit}", bins=self._bins(j),
                              color="#1f77b4" if src == "bootstrap" else "#ff7f0e",
                              title=f"Friedman #1: {self.n.value} {what}; dashed: 2.5 "
                                    "and 97.5 percentiles").plot(ax)
        return self._fig

    def update(self):
        """Redraw for the current controls (called by the controls' observers)."""
        self.show_state((self.source.value, self.feature.value, self.n.value))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
