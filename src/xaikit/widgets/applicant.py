"""The SHAP-vs-LIME applicant explorer: wires controls to :mod:`xaikit.explain` and
:mod:`xaikit.plots`. Controls carry CSS classes (``xaikit-...``) so browser tests can find them.

What it shows: the model on the **other** test applicants, never the five of the questions, with
LIME under the explorer's own settings (:func:`xaikit.explain.explorer_lime`), not the
questions' protocol. It illustrates how the two methods
behave; the questions' numbers are the candidate's to compute.

Responsiveness (``benchmarks/widget_latency.py``): SHAP values of every offered applicant are
computed once at construction (TreeSHAP is fast); each panel is drawn once per (applicant[,
LIME mode]) on a pyplot-free matplotlib ``Figure``, rendered to PNG and kept, so revisiting is
a cache hit. No background thread: nothing is sent to the front end outside a control's
callback.
"""
from __future__ import annotations

import html
import io

#: panel size in inches at DPI: two panels side by side fit the output area of a 1400 px wide
#: JupyterLab window with the file browser open (about 2 × 440 px) without being scaled down.
FIGSIZE, DPI = (4.5, 4.5), 100
#: axes rectangle (left, bottom, width, height) in figure fractions: room for two-line feature
#: labels on the left, tick labels + axis label + a two-row legend below, the title above.
AXES_RECT = (0.41, 0.25, 0.56, 0.67)
SHAP_XLABEL = "SHAP value (log-odds of a bad risk)"
LIME_XLABEL = "LIME weight (Δ probability of a bad risk)"
LIME_MODES = (("LIME continuous", "continuous"), ("LIME binned", "binned"))


def render_png(draw) -> bytes:
    """PNG bytes of a new ``FIGSIZE`` figure on which ``draw(ax)`` drew (no pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    canvas = FigureCanvasAgg(fig)
    draw(fig.add_axes(AXES_RECT))
    buf = io.BytesIO()
    canvas.print_png(buf, pil_kwargs={"compress_level": 1})  # zlib level 6 costs ~10 ms more
    return buf.getvalue()


class ApplicantExplorer:
    """Pick an applicant; see the prediction, the SHAP waterfall and LIME's weights side by side.

    Parameters
    ----------
    ctx : xaikit.exercises.shap_vs_lime.public.ShapVsLimeContext
        Model and data of the exercise. The explorer offers every test applicant except the
        questions' own (:func:`xaikit.explain.explorer_applicants`), declined ones first.

    Notes
    -----
    SHAP values are exact TreeSHAP in log-odds of a bad risk; LIME weights are in probability
    units, under the explorer's settings (:func:`xaikit.explain.explorer_lime`).
    """

    def __init__(self, ctx):
        import ipywidgets as W

        from xaikit import explain as E

        self.ctx = ctx
        self.labels = E.explorer_applicants(ctx)
        self.shap = E.explorer_shap(ctx)
        self.p_bad = ctx.model.predict_proba(ctx.X_test.loc[self.labels])[:, 1]
        self._panels = {}
        options = [(f"#{a}  P(bad) = {p:.2f}", i)
                   for i, (a, p) in enumerate(zip(self.labels, self.p_bad))]
        self.applicant = W.Dropdown(options=options, value=0, description="Applicant",
                                    layout=W.Layout(width="320px"))
        self.applicant.add_class("xaikit-applicant")
        self.mode = W.ToggleButtons(options=LIME_MODES, value="binned")
        self.mode.add_class("xaikit-lime-mode")
        self.header = W.HTML()
        self.header.add_class("xaikit-prediction")
        self.shap_out = W.Output(layout=W.Layout(width="50%"))
        self.lime_out = W.Output(layout=W.Layout(width="50%"))
        self.shap_out.add_class("xaikit-shap-plot")
        self.lime_out.add_class("xaikit-lime-plot")
        self.applicant.observe(lambda _: self.update(), names="value")
        self.mode.observe(lambda _: self.update(shap=False), names="value")
        self.widget = W.VBox([W.HBox([self.applicant, self.mode]), self.header,
                              W.HBox([self.shap_out, self.lime_out])])
        self.widget.add_class("xaikit-applicant-explorer")
        self.update()

    def _panel(self, key):
        if key not in self._panels:
            self._panels[key] = self._render(key)
        return self._panels[key]

    def _render(self, key):
        """PNG of a panel: ``("shap", i)`` -> bytes, ``("lime", i, mode)`` -> (bytes, R²)."""
        from xaikit.plots import AttributionBarDisplay, ShapWaterfallDisplay, readable_labels

        if key[0] == "shap":
            i = key[1]
            d = ShapWaterfallDisplay.from_shap_result(
                self.shap, i, self.ctx.dataset, xlabel=SHAP_XLABEL,
                title=f"TreeSHAP, applicant #{self.labels[i]}",
                legend=("raises the log-odds", "lowers the log-odds"))
            return render_png(d.plot)
        from xaikit.explain import explorer_lime

        _, i, mode = key
        weights, score = explorer_lime(self.ctx, i, binned=(mode == "binned"))
        labels = readable_labels(self.ctx.feature_names, self.shap.data[i], self.ctx.dataset)
        d = AttributionBarDisplay(weights, labels, xlabel=LIME_XLABEL,
                                  title=f"LIME ({mode}), local R² = {score:.2f}",
                                  legend=("raises P(bad risk)", "lowers P(bad risk)"))
        return render_png(d.plot), score

    def update(self, shap=True):
        """Redraw for the current controls (called by the controls' observers)."""
        from IPython.display import Image, display

        i, mode = self.applicant.value, self.mode.value
        try:
            lime_png, score = self._panel(("lime", i, mode))
            shap_png = self._panel(("shap", i)) if shap else None
        except Exception:
            with self.lime_out:  # the Output widget shows the traceback
                self.lime_out.clear_output(wait=True)
                raise
        label = self.labels[i]
        decision = "declined" if self.p_bad[i] >= 0.5 else "approved"
        self.header.value = (
            f"<b>Applicant #{label}</b>: P(bad risk) = {self.p_bad[i]:.3f} → <b>{decision}</b> "
            f"(threshold 0.5); log-odds {self.shap.output[i]:+.2f} = base value + Σ SHAP "
            f"(left). LIME ({html.escape(mode)}, explorer settings) local R² = {score:.2f}.")
        if shap:
            with self.shap_out:
                self.shap_out.clear_output(wait=True)
                display(Image(data=shap_png, format="png"))
        with self.lime_out:
            self.lime_out.clear_output(wait=True)
            display(Image(data=lime_png, format="png"))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
