"""Shift explorer for ``drift``: shift one weather input of held-out training-period hours and
see what the fixed model does. Takes the exercise's context only; rows are the 111 held-out
hours of the training dates (``X_test``): neither the reference sample (the training hours) nor
a stream window (no answer is shown).
"""
from __future__ import annotations

import numpy as np

from xaikit.widgets._render import PngStateCache

SHIFT_FEATURES = ("temp", "atemp", "hum", "windspeed")
#: shifts in units of the feature's standard deviation on these rows
SHIFTS = (-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5)


class ShiftExplorer(PngStateCache):
    """Pick a weather feature and a shift; see the predictions before/after and two KS numbers.

    Parameters
    ----------
    ctx : xaikit.exercises.drift.public.DriftContext

    Notes
    -----
    Shifted values are clipped to [0, 1] (the features are normalised). The KS statistics
    (``scipy.stats.ks_2samp``) compare the shifted feature with the original one and the
    shifted predictions with the original ones: a large input shift can move the predictions
    little when the model hardly uses the feature. ``last_update_ms`` holds the latest redraw.
    """

    def __init__(self, ctx):
        import ipywidgets as W

        self.X = ctx.X_test
        self.model = ctx.model
        self.base = self.model.predict(self.X)
        self.feature = W.Dropdown(options=list(SHIFT_FEATURES), value="temp",
                                  description="feature")
        self.feature.add_class("xaikit-drift-feature")
        self.shift = W.SelectionSlider(options=list(SHIFTS), value=1.0,
                                       description="shift (sd)", continuous_update=False)
        self.shift.add_class("xaikit-drift-shift")
        self.summary = W.HTML()
        self.summary.add_class("xaikit-drift-summary")
        self.out = W.Output()
        self.out.add_class("xaikit-drift-plot")
        self._fig, self._png, self._stats = None, {}, {}
        for c in (self.feature, self.shift):
            c.observe(lambda _: self.update(), names="value")
        self.widget = W.VBox([W.HBox([self.feature, self.shift]), self.summary, self.out])
        self.widget.add_class("xaikit-drift-explorer")
        self.update()

    def state(self, feature, shift):
        """``(shifted predictions, KS of the input, KS of the predictions)``, cached."""
        from scipy.stats import ks_2samp

        key = (feature, shift)
        if key not in self._stats:
            X = self.X.copy()
            x = X[feature].to_numpy()
            X[feature] = np.clip(x + shift * x.std(), 0.0, 1.0)
            pred = self.model.predict(X)
            ks_in = ks_2samp(self.X[feature], X[feature], method="asymp").statistic
            ks_out = ks_2samp(self.base, pred, method="asymp").statistic
            self._stats[key] = (pred, ks_in, ks_out)
        return self._stats[key]

    def figure(self):
        from matplotlib.figure import Figure

        from xaikit.plots.drift import ShiftDisplay

        if self._fig is None:
            self._fig = Figure(figsize=(7, 3.5))
            self._ax = self._fig.add_subplot()
            self._fig.subplots_adjust(bottom=0.16)
        self._ax.cla()
        pred = self.state(self.feature.value, self.shift.value)[0]
        ShiftDisplay(self.base, pred, title=f"{self.feature.value} shifted by "
                     f"{self.shift.value:+g} sd ({len(pred)} held-out hours)").plot(self._ax)
        return self._fig

    def update(self):
        f, s = self.feature.value, self.shift.value
        pred, ks_in, ks_out = self.state(f, s)
        self.summary.value = (f"KS(input {f}) = {ks_in:.3f} &nbsp; KS(predictions) = "
                              f"{ks_out:.3f} &nbsp; mean prediction {self.base.mean():.1f} "
                              f"&rarr; {pred.mean():.1f} rentals per hour")
        self.show_state((f, s))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
