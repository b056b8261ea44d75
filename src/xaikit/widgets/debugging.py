"""Model explorer for ``debugging``: ICE curves of the colleague's model on its own training
rows of one month. Wires controls to the model's ``predict`` and
:class:`xaikit.plots.effects.IceDisplay`; no maths of its own beyond building the ICE grid.
Controls carry CSS classes (``xaikit-...``) so browser tests can find them.
"""
from __future__ import annotations

import numpy as np

from xaikit.widgets._render import PngStateCache

N_ROWS = 30      # ICE rows per month (training rows of the colleague's split)
N_GRID = 20      # grid points (quantiles of the feature's training values)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LABELS = {"instant": "instant: record index (position of the hour in 2011, 1 ... 8645)",
           "casual": "casual (rentals per hour by casual users)",
           "registered": "registered (rentals per hour by registered users)"}


class DebugExplorer(PngStateCache):
    """Choose a feature and a month; see the colleague's model's ICE curves and PDP there.

    The rows are ``N_ROWS`` of the colleague's **training** rows from the chosen month (seeded
    per month), never the audit sample of the questions (test rows); the model is the
    colleague's, never a retrained one. The grid is ``N_GRID`` quantiles of the feature's
    training values. The text line says how far the model's predictions on these rows are from
    the rentals actually counted.

    Parameters
    ----------
    ctx : xaikit.exercises.debugging.public.DebuggingContext
        The exercise's context (``ex.context``); the explorer takes nothing else.

    Notes
    -----
    ``last_update_ms`` holds the duration of the latest redraw.
    """

    ylabel = "predicted rentals per hour"

    def __init__(self, ctx):
        import ipywidgets as W

        self.model, self.dataset = ctx.model, ctx.dataset
        self.X_train, self.y_train = ctx.X_train, ctx.trained.y_train
        self.features = list(ctx.feature_names)
        self.feature = W.Dropdown(options=self.features, value=self.features[0],
                                  description="Feature", layout=W.Layout(width="240px"))
        self.feature.add_class("xaikit-feature")
        self.month = W.IntSlider(value=1, min=1, max=12, description="Month",
                                 continuous_update=False)
        self.month.add_class("xaikit-month")
        self.summary = W.HTML()
        self.summary.add_class("xaikit-debug-summary")
        self.out = W.Output()
        self.out.add_class("xaikit-debug-plot")
        self._fig, self._png = None, {}
        for c in (self.feature, self.month):
            c.observe(lambda _: self.update(), names="value")
        self.widget = W.VBox([W.HBox([self.feature, self.month]), self.summary, self.out])
        self.widget.add_class("xaikit-debug-explorer")
        self.update()

    def rows(self, month: int):
        """Index labels of the explorer's training rows of ``month`` (seeded, sorted)."""
        idx = np.asarray(self.X_train.index[self.X_train["mnth"] == month])
        rng = np.random.default_rng(500 + int(month))
        return np.sort(rng.choice(idx, min(N_ROWS, len(idx)), replace=False))

    def ice(self, feature: str, month: int):
        """(grid, curves): grid of shape (N_GRID,), predictions of shape (n_rows, N_GRID)."""
        grid = np.unique(np.quantile(self.X_train[feature], np.linspace(0, 1, N_GRID)))
        X = self.X_train.loc[self.rows(month)]
        big = X.loc[X.index.repeat(len(grid))].copy()
        big[feature] = np.tile(grid, len(X))
        return grid, self.model.predict(big).reshape(len(X), len(grid))

    def figure(self):
        """Draw the current state on the explorer's one figure and return it."""
        from xaikit.plots.effects import IceDisplay, feature_label

        if self._fig is None:
            from matplotlib.figure import Figure

            self._fig = Figure(figsize=(8.4, 4.2))
            self._ax = self._fig.add_axes((0.1, 0.13, 0.62, 0.78))
        ax = self._ax
        ax.cla()
        f, m = self.feature.value, self.month.value
        grid, curves = self.ice(f, m)
        xlabel = _LABELS.get(f) or feature_label(self.dataset, f)
        IceDisplay(grid, curves, f, xlabel, self.ylabel, n_lines=len(curves),
                   title=f"colleague's model: ICE + PDP of {f}, {len(curves)} training rows "
                         f"of {MONTHS[m - 1]}").plot(ax)
        return self._fig

    def update(self):
        """Redraw for the current controls (called by the controls' observers)."""
        m = self.month.value
        rows = self.rows(m)
        pred = self.model.predict(self.X_train.loc[rows])
        err = float(np.sqrt(np.mean((pred - self.y_train.loc[rows].to_numpy()) ** 2)))
        self.summary.value = (f"<b>{MONTHS[m - 1]}</b>: {len(rows)} training rows; mean counted "
                              f"{self.y_train.loc[rows].mean():.1f}, mean predicted "
                              f"{pred.mean():.1f} rentals per hour (RMSE {err:.1f} on these "
                              "training rows)")
        self.show_state((self.feature.value, m))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
