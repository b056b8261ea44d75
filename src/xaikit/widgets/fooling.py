"""Probe explorer for ``fooling_explainers``: set one feature of a TRAINING applicant to each
value seen in the data and see the black box's P(bad). Real-looking edits only (values from
``X_train``); the audit rows and the questions' flip tests on ``X_test`` are not shown.
"""
from __future__ import annotations

import numpy as np

from xaikit.widgets._render import PngStateCache

#: training rows offered (positions in X_train)
N_ROWS = 30


class ProbeExplorer(PngStateCache):
    """Pick a training applicant and a feature; see P(bad) as that feature alone varies.

    Parameters
    ----------
    ctx : xaikit.exercises.fooling_explainers.public.FoolingContext

    Notes
    -----
    One ``predict_proba`` call per (row, feature) on at most a few hundred rows; results and
    PNGs cached per state. ``last_update_ms`` holds the latest redraw.
    """

    def __init__(self, ctx):
        import ipywidgets as W

        self.X = ctx.X_train.iloc[:N_ROWS]
        self.model = ctx.model
        self.grid = {f: np.unique(ctx.X_train[f].to_numpy(float)) for f in ctx.feature_names}
        for f, g in self.grid.items():  # at most 60 values per feature (quantiles)
            if len(g) > 60:
                self.grid[f] = np.unique(np.quantile(g, np.linspace(0, 1, 60), method="nearest"))
        self.row = W.Dropdown(options=[(f"X_train row {i}", i) for i in self.X.index],
                              description="applicant")
        self.row.add_class("xaikit-fooling-row")
        self.feature = W.Dropdown(options=list(ctx.feature_names), value="duration_months",
                                  description="feature")
        self.feature.add_class("xaikit-fooling-feature")
        self.summary = W.HTML()
        self.summary.add_class("xaikit-fooling-summary")
        self.out = W.Output()
        self.out.add_class("xaikit-fooling-plot")
        self._fig, self._png, self._state = None, {}, {}
        for c in (self.row, self.feature):
            c.observe(lambda _: self.update(), names="value")
        self.widget = W.VBox([W.HBox([self.row, self.feature]), self.summary, self.out])
        self.widget.add_class("xaikit-fooling-explorer")
        self.update()

    def state(self, row, feature):
        """``(grid values, P(bad) per value)`` for the training row, cached."""
        key = (row, feature)
        if key not in self._state:
            g = self.grid[feature]
            Z = self.X.loc[[row] * len(g)].copy()
            Z[feature] = g
            self._state[key] = (g, self.model.predict_proba(Z)[:, 1])
        return self._state[key]

    def figure(self):
        from matplotlib.figure import Figure

        from xaikit.plots.fooling import ProbeDisplay

        if self._fig is None:
            self._fig = Figure(figsize=(7, 3.5))
            self._ax = self._fig.add_subplot()
            self._fig.subplots_adjust(bottom=0.16)
        self._ax.cla()
        r, f = self.row.value, self.feature.value
        g, p = self.state(r, f)
        ProbeDisplay(g, p, self.X.loc[r, f], f, title=f"X_train row {r}: only {f} "
                     "changes").plot(self._ax)
        return self._fig

    def update(self):
        r, f = self.row.value, self.feature.value
        g, p = self.state(r, f)
        own = float(self.model.predict_proba(self.X.loc[[r]])[0, 1])
        self.summary.value = (f"P(bad) of this applicant as is: {own:.2f}; over the "
                              f"{len(g)} values of {f}: {p.min():.2f} to {p.max():.2f}")
        self.show_state((r, f))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
