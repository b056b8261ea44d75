"""The SHAP-vs-LIME applicant explorer: wires controls to :mod:`xaikit.explain` and
:mod:`xaikit.plots`. Controls carry CSS classes (``xaikit-...``) so browser tests can find them.

What it shows: the model on the **other** test applicants, never the five of the questions, with
LIME under the explorer's own settings (:data:`EXPLORER_LIME_SAMPLES` samples, seed
:data:`EXPLORER_LIME_SEED`), not the questions' protocol. It illustrates how the two methods
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


#: LIME settings of the explorer: deliberately not the questions' protocol (their seed and
#: sample count), so the explorer illustrates LIME without reproducing an answer.
EXPLORER_LIME_SAMPLES, EXPLORER_LIME_SEED = 1000, 2024


def explorer_lime(model, X_train, dataset, row, *, binned: bool):
    """LIME weights of class 1 (bad risk) for one row under the explorer's fixed settings.

    Returns
    -------
    weights : ndarray of shape (n_features,)
        In feature order, probability units per interpretable feature.
    score : float
        ``exp.score``, the R² of LIME's weighted local linear fit.
    """
    import numpy as np
    from lime.lime_tabular import LimeTabularExplainer

    explainer = LimeTabularExplainer(
        np.asarray(X_train, dtype=float), mode="classification",
        feature_names=list(X_train.columns), categorical_features=dataset.categorical_indices,
        categorical_names=dataset.categorical_names, class_names=["good", "bad"],
        discretize_continuous=binned, random_state=EXPLORER_LIME_SEED)
    exp = explainer.explain_instance(np.asarray(row, dtype=float), model.predict_proba,
                                     labels=(1,), num_features=X_train.shape[1],
                                     num_samples=EXPLORER_LIME_SAMPLES)
    weights = np.zeros(X_train.shape[1])
    for j, w in exp.as_map()[1]:
        weights[j] = w
    return weights, float(exp.score)


class ApplicantExplorer:
    """Pick an applicant; see the prediction, the SHAP waterfall and LIME's weights side by side.

    Parameters
    ----------
    ctx : xaikit.exercises.shap_vs_lime.public.ShapVsLimeContext
        Model and data of the exercise.
    applicants : list of int, optional
        Index labels of ``ctx.X_test`` to offer; default: every test applicant except the
        questions' own, declined applicants first.

    Notes
    -----
    SHAP values are exact TreeSHAP in log-odds of a bad risk; LIME weights are in probability
    units, computed with :func:`explorer_lime` (the explorer's settings, not the questions').
    """

    def __init__(self, ctx, applicants=None):
        import ipywidgets as W

        from xaikit import explain as E

        self.ctx = ctx
        X = ctx.X_test
        if applicants is None:
            own = set(ctx.applicants)
            p = ctx.model.predict_proba(X)[:, 1]
            order = sorted(range(len(X)), key=lambda i: (p[i] < 0.5, i))
            applicants = [X.index[i] for i in order if X.index[i] not in own]
        self.labels = list(applicants)
        self.shap = E.tree_shap(ctx.model, X.loc[self.labels])
        self.p_bad = ctx.model.predict_proba(X.loc[self.labels])[:, 1]
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
        _, i, mode = key
        weights, score = explorer_lime(self.ctx.model, self.ctx.X_train, self.ctx.dataset,
                                       self.ctx.X_test.loc[self.labels[i]],
                                       binned=(mode == "binned"))
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
            f"(threshold 0.5); log-odds {self.shap.margin[i]:+.3f} = base "
            f"{self.shap.base_value:+.3f} + Σ SHAP. LIME ({html.escape(mode)}, explorer "
            f"settings) local R² = {score:.2f}.")
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
