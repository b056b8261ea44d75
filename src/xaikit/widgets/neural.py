"""Digit explorer for ``neural_attribution``: pick one of the explorer's digits, move an
occlusion patch over it, see the model's class probabilities before and after. Wires controls
to :func:`xaikit.neural.occlude_patch` and :class:`xaikit.plots.neural.OcclusionPatchDisplay`;
no maths of its own. Controls carry CSS classes (``xaikit-...``) for the browser tests.
"""
from __future__ import annotations

from xaikit.widgets._render import PngStateCache


class DigitExplorer(PngStateCache):
    """One patch on one digit at a time: the model's probabilities with and without it.

    Only the explorer's own test digits (``ctx.explore``, none of them a question digit) are
    offered, and only the patch the user places is evaluated: no gradient, no attribution map,
    no occlusion map.

    Parameters
    ----------
    ctx : xaikit.exercises.neural_attribution.public.NeuralContext

    Notes
    -----
    ``last_update_ms`` holds the duration of the latest redraw.
    """

    def __init__(self, ctx):
        import ipywidgets as W

        self.model, self.X = ctx.model, ctx.X_test
        self.rows = list(ctx.explore)
        self._png, self._fig = {}, None
        self.digit = W.Dropdown(options=[(f"test row {r}", r) for r in self.rows],
                                value=self.rows[0], description="Digit",
                                layout=W.Layout(width="220px"))
        self.digit.add_class("xaikit-digit")
        self.size = W.ToggleButtons(options=[("1x1", 1), ("2x2", 2), ("3x3", 3)], value=2)
        self.size.add_class("xaikit-patch-size")
        self.top = W.IntSlider(value=2, min=0, max=6, description="Patch row",
                               continuous_update=False)
        self.top.add_class("xaikit-patch-row")
        self.left = W.IntSlider(value=2, min=0, max=6, description="Patch col",
                                continuous_update=False)
        self.left.add_class("xaikit-patch-col")
        self.info = W.HTML()
        self.info.add_class("xaikit-digit-prediction")
        self.out = W.Output()
        self.out.add_class("xaikit-digit-plot")
        for c in (self.digit, self.size, self.top, self.left):
            c.observe(lambda _: self.update(), names="value")
        self.widget = W.VBox([W.HBox([self.digit, self.size]), W.HBox([self.top, self.left]),
                              self.info, self.out])
        self.widget.add_class("xaikit-digit-explorer")
        self.update()

    def _state(self):
        from xaikit.neural import occlude_patch

        x = self.X[self.digit.value]
        occ = occlude_patch(x, self.top.value, self.left.value, self.size.value, 0.0)
        p = self.model.predict_proba(x[None])[0]
        q = self.model.predict_proba(occ[None])[0]
        return x, occ, p, q

    def figure(self):
        """Draw the current state and return the figure: drawn once by
        :class:`~xaikit.plots.neural.OcclusionPatchDisplay`, then updated in place (image data,
        patch outline, bar heights), which keeps a control change well under 100 ms."""
        from xaikit.plots.neural import OcclusionPatchDisplay

        x, occ, p, q = self._state()
        t, l, s = self.top.value, self.left.value, self.size.value
        title = f"test row {self.digit.value}, {s}x{s} patch at ({t}, {l}), blank (0)"
        if self._fig is None:
            from matplotlib.figure import Figure

            self._fig = Figure(figsize=(7, 2.8))
            axes = (self._fig.add_axes((0.07, 0.17, 0.3, 0.72)),
                    self._fig.add_axes((0.47, 0.17, 0.5, 0.72)))
            self._display = OcclusionPatchDisplay(x, occ, p, q, t, l, s, title=title).plot(axes)
            return self._fig
        a_img, a_bar = self._display.ax_
        a_img.images[0].set_data(occ.reshape(8, 8))
        rect = a_img.patches[0]
        rect.set_xy((l - 0.5, t - 0.5))
        rect.set_width(min(s, 8 - l))
        rect.set_height(min(s, 8 - t))
        a_img.set_title(title, fontsize=9)
        for bar, h in zip(a_bar.containers[0], p):
            bar.set_height(h)
        for bar, h in zip(a_bar.containers[1], q):
            bar.set_height(h)
        return self._fig

    def update(self):
        """Redraw for the current controls (called by the controls' observers)."""
        x, occ, p, q = self._state()
        c = int(p.argmax())
        self.info.value = (f"predicted <b>{c}</b> with p = {p[c]:.3f}; with the patch: "
                           f"p({c}) = {q[c]:.3f}, predicted {int(q.argmax())}")
        self.show_state((self.digit.value, self.size.value, self.top.value, self.left.value))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
