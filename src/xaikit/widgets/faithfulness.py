"""Explorer for ``explanation_quality``: explainers A, B, C side by side on rows that are not the
questions' rows, and the model's output as one feature moves to its training mean.

It shows the model and the explanations, never a deletion / insertion curve, a stability or a
sanity-check number: those are the candidate's work.
"""
from __future__ import annotations

import numpy as np

from xaikit.widgets._render import PngStateCache

#: points of the "move to the mean" path (0 = the row's value, 1 = the training mean)
STEPS = np.linspace(0.0, 1.0, 11)


class FaithfulnessExplorer(PngStateCache):
    """Pick a data set, an explorer row and a feature; see A, B, C and the model's output.

    Parameters
    ----------
    ctx : xaikit.exercises.explanation_quality.public.ExplanationQualityContext

    Notes
    -----
    The attributions of the explorer rows are computed once at start (one ``explain`` call per
    explainer and data set, about 0.3 s); a control change then costs one ``predict_proba``
    call on 11 rows and, for a new state, one figure (PNG cached per state).
    ``last_update_ms`` holds the latest redraw.
    """

    def __init__(self, ctx):
        import ipywidgets as W

        self.sets = {}
        for name, model, X_train, rows, explainers in (
                ("generated", ctx.model, ctx.X_train, ctx.explore_rows, ctx.explainers),
                ("German credit", ctx.credit.model, ctx.credit.X_train,
                 ctx.credit_explore_rows, ctx.credit_explainers)):
            X_test = ctx.X_test if name == "generated" else ctx.credit.X_test
            X = X_test.loc[rows]
            self.sets[name] = {"model": model, "X": X, "mean": X_train.mean(),
                               "attr": {L: e(model, X) for L, e in explainers.items()}}
        self.data = W.ToggleButtons(options=list(self.sets), description="data")
        self.data.add_class("xaikit-eq-data")
        self.row = W.Dropdown(description="row")
        self.row.add_class("xaikit-eq-row")
        self.feature = W.Dropdown(description="remove")
        self.feature.add_class("xaikit-eq-feature")
        self.move = W.FloatSlider(value=1.0, min=0.0, max=1.0, step=0.1,
                                  description="to mean", readout_format=".0%")
        self.move.add_class("xaikit-eq-move")
        self.summary = W.HTML()
        self.summary.add_class("xaikit-eq-summary")
        self.out = W.Output()
        self.out.add_class("xaikit-eq-plot")
        self._figs, self._png, self._path = {}, {}, {}
        self._busy = False
        self._set_options()
        self.data.observe(lambda _: self._on_data(), names="value")
        for c in (self.row, self.feature, self.move):
            c.observe(lambda _: self.update(), names="value")
        self.widget = W.VBox([self.data, W.HBox([self.row, self.feature, self.move]),
                              self.summary, self.out])
        self.widget.add_class("xaikit-eq-explorer")
        self.update()

    def _set_options(self):
        s = self.sets[self.data.value]
        self._busy = True
        self.row.options = [(f"X_test row {r}", int(r)) for r in s["X"].index]
        self.row.value = int(s["X"].index[0])
        self.feature.options = list(s["X"].columns)
        self.feature.value = s["X"].columns[0]
        self._busy = False

    def _on_data(self):
        self._set_options()
        self.update()

    def path(self, name, row, feature):
        """P(class 1) of ``row`` as ``feature`` moves to its training mean (``STEPS``)."""
        key = (name, row, feature)
        if key not in self._path:
            s = self.sets[name]
            x = s["X"].loc[[row] * len(STEPS)].copy()
            x0, m = float(s["X"].loc[row, feature]), float(s["mean"][feature])
            x[feature] = x0 + STEPS * (m - x0)
            self._path[key] = s["model"].predict_proba(x)[:, 1]
        return self._path[key]

    def _state(self):
        return self.data.value, self.row.value, self.feature.value, round(self.move.value, 1)

    def figure(self):
        """The current state drawn in place on the data set's own figure (built once: the
        tick labels are what costs)."""
        from matplotlib.figure import Figure

        from xaikit.plots.faithfulness import ExplainersDisplay, RemovalDisplay

        name, row, feature, at = self._state()
        s = self.sets[name]
        pos = list(s["X"].index).index(row)
        attr = {L: a[pos] for L, a in s["attr"].items()}
        proba = self.path(name, row, feature)
        if name not in self._figs:
            fig = Figure(figsize=(10, 3.4))
            axes = fig.subplots(1, 4)
            fig.subplots_adjust(left=0.13, right=0.98, wspace=0.3, bottom=0.17)
            self._figs[name] = (fig, ExplainersDisplay(attr, s["X"].columns,
                                                       highlight=feature).plot(axes[:3]),
                                RemovalDisplay(STEPS, proba, feature, at=at).plot(axes[3]))
        fig, bars, removal = self._figs[name]
        bars.update(attr, highlight=feature)
        removal.update(proba, feature, at=at)
        return fig

    def update(self):
        if self._busy or self.row.value is None or self.feature.value is None:
            return
        name, row, feature, at = self._state()
        p = self.path(name, row, feature)
        k = int(round(at * (len(STEPS) - 1)))
        self.summary.value = (f"{name}, X_test row {row}: P(class 1) as is {p[0]:.3f}; with "
                              f"<b>{feature}</b> moved {at:.0%} of the way to its training "
                              f"mean: {p[k]:.3f}")
        self.show_state(self._state())

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
