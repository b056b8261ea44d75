"""Interaction explorer for ``interactions``: wires controls to
:func:`xaikit.interactions.prediction_slices` and :class:`xaikit.plots.interactions.SliceDisplay`;
no maths of its own. Controls carry CSS classes (``xaikit-...``) for the browser tests.
"""
from __future__ import annotations

from xaikit.widgets._render import PngStateCache

DATA = (("generated", "generated"), ("bike sharing", "bike"))


class InteractionExplorer(PngStateCache):
    """Pick a data set, a feature, a second feature and a row: see that row's prediction along
    the first feature, one line per value of the second (parallel lines: no interaction for
    this row).

    Only the explorer's own rows are offered (``ctx.X_explore`` and ``ctx.X_bike_explore``:
    held-out rows, none in the questions' H samples), one row at a time: no averaging over a
    sample, no partial dependence, no H-statistic, no SHAP value. The explorer takes the context
    only.

    Parameters
    ----------
    ctx : xaikit.exercises.interactions.public.InteractionsContext

    Notes
    -----
    ``last_update_ms`` holds the duration of the latest redraw.
    """

    def __init__(self, ctx):
        import ipywidgets as W

        from xaikit.interactions import feature_grid, slice_values

        self.sets = {
            "generated": dict(predict=ctx.model.predict, rows=ctx.X_explore, train=ctx.X_train,
                              dataset=None, unit="prediction of y (unitless)"),
            "bike": dict(predict=ctx.bike_model.predict, rows=ctx.X_bike_explore,
                         train=ctx.bike.X_train, dataset=ctx.bike.dataset,
                         unit="predicted rentals per hour"),
        }
        for s in self.sets.values():
            s["grid"] = {c: feature_grid(s["train"][c]) for c in s["train"].columns}
            s["by"] = {c: slice_values(s["train"][c]) for c in s["train"].columns}
        self._busy = False
        self.data = W.ToggleButtons(options=list(DATA), value="generated")
        self.data.add_class("xaikit-interaction-data")
        cols = list(ctx.feature_names)
        self.feature = W.Dropdown(options=cols, value=cols[0], description="Feature",
                                  layout=W.Layout(width="220px"))
        self.feature.add_class("xaikit-interaction-feature")
        self.by = W.Dropdown(options=cols, value=cols[1], description="Lines by",
                             layout=W.Layout(width="220px"))
        self.by.add_class("xaikit-interaction-by")
        self.row = W.IntSlider(value=0, min=0, max=len(ctx.X_explore) - 1,
                               description="Row", continuous_update=False)
        self.row.add_class("xaikit-interaction-row")
        self.out = W.Output()
        self.out.add_class("xaikit-interaction-plot")
        self._fig = None
        self._png = {}
        self.data.observe(lambda _: self._switch(), names="value")
        for c in (self.feature, self.by, self.row):
            c.observe(lambda _: self.update(), names="value")
        self.widget = W.VBox([self.data, W.HBox([self.feature, self.by]), self.row, self.out])
        self.widget.add_class("xaikit-interaction-explorer")
        self.update()

    def _switch(self):
        """New data set: its columns (bike: ``hr`` by ``workingday`` first), its rows."""
        s = self.sets[self.data.value]
        cols = list(s["train"].columns)
        self._busy = True
        try:
            first = ("hr", "workingday") if "hr" in cols else (cols[0], cols[1])
            self.feature.options, self.by.options = cols, cols
            self.feature.value, self.by.value = first
            self.row.max = len(s["rows"]) - 1
            self.row.value = min(self.row.value, self.row.max)
        finally:
            self._busy = False
        self.update()

    def figure(self):
        """Draw the current state on the explorer's one figure and return it."""
        from xaikit.interactions import prediction_slices
        from xaikit.plots.effects import feature_label
        from xaikit.plots.interactions import SliceDisplay

        if self._fig is None:
            from matplotlib.figure import Figure

            self._fig = Figure(figsize=(8.4, 3.8))
            self._ax = self._fig.add_axes((0.09, 0.14, 0.62, 0.76))
        ax = self._ax
        ax.cla()
        s = self.sets[self.data.value]
        f, b = self.feature.value, self.by.value
        if f == b:
            ax.text(0.5, 0.5, "choose two different features", ha="center",
                    transform=ax.transAxes)
            ax.set_axis_off()
            return self._fig
        ax.set_axis_on()
        row = s["rows"].iloc[self.row.value]
        slices = prediction_slices(s["predict"], row, f, s["grid"][f], b, s["by"][b])
        SliceDisplay(s["grid"][f], slices, s["by"][b], f, b,
                     xlabel=feature_label(s["dataset"], f), by_label=feature_label(
                         s["dataset"], b), ylabel=s["unit"],
                     title=f"explore row {self.row.value} (index {row.name}): {f}, one line "
                           f"per value of {b}").plot(ax)
        return self._fig

    def update(self):
        """Redraw for the current controls (called by the controls' observers)."""
        if self._busy:
            return
        self.show_state((self.data.value, self.feature.value, self.by.value, self.row.value))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
