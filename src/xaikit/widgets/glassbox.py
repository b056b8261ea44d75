"""SHAP dependence explorer of ``glassbox_vs_posthoc``: pick a data set and a feature, see how the
given XGBoost model's TreeSHAP values (log-odds) depend on the feature on the **training** rows.

Wires :func:`xaikit.glassbox.explorer_shap` (computed once at construction, about 0.1 s) to
:class:`xaikit.plots.glassbox.ShapeComparisonDisplay`; no maths of its own. It shows the
post-hoc view of the boosted models only: no EBM is fitted here and no held-out row is used,
so it never shows an answer (the questions ask for the candidate's EBMs on the held-out rows).
The generated interaction data are left out on purpose. Each figure is rendered once per
state (:class:`~xaikit.widgets._render.PngStateCache`): a first view takes ~60 ms, a revisit
well under 1 ms. Controls carry CSS classes (``xaikit-glassbox-...``).
"""
from __future__ import annotations

import html

from xaikit.widgets._render import PngStateCache


class GlassboxExplorer(PngStateCache):
    """TreeSHAP dependence of the given boosted models on their training rows.

    Parameters
    ----------
    ctx : xaikit.exercises.glassbox_vs_posthoc.public.GlassboxContext
        The exercise's context (``ex.context``).
    """

    def __init__(self, ctx):
        import ipywidgets as W

        from xaikit.glassbox import EXPLORER_SETS, explorer_shap

        self.ctx = ctx
        self.data = explorer_shap(ctx)
        self._png = {}
        labels = list(EXPLORER_SETS)
        self.dataset = W.ToggleButtons(options=labels, value=labels[0], description="data")
        self.dataset.add_class("xaikit-glassbox-data")
        self.feature = W.Dropdown(options=self._features(labels[0]), description="feature")
        self.feature.add_class("xaikit-glassbox-feature")
        self.header = W.HTML()
        self.header.add_class("xaikit-glassbox-summary")
        self.out = W.Output()
        self.out.add_class("xaikit-glassbox-plot")
        self.dataset.observe(self._on_dataset, names="value")
        self._switching = False
        self.feature.observe(lambda _: None if self._switching else self.update(), names="value")
        self.widget = W.VBox([self.dataset, self.feature, self.header, self.out])
        self.widget.add_class("xaikit-glassbox-explorer")
        self.update()

    def _features(self, label):
        return list(self.data[label].X.columns)

    def _on_dataset(self, _):
        self._switching = True  # changing the options selects the first one: one redraw only
        try:
            self.feature.options = self._features(self.dataset.value)
        finally:
            self._switching = False
        self.update()

    def _unit(self, label, feature):
        if label != "German credit":
            return ""
        info = self.ctx.dataset.features.get(feature)
        return "" if info is None or info.is_categorical else info.unit

    def figure(self):
        """The matplotlib Figure of the current state (object API, Agg canvas)."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        from xaikit.plots.glassbox import ShapeComparisonDisplay

        label, feat = self.dataset.value, self.feature.value
        x, s = self.data[label].feature(feat)
        fig = Figure(figsize=(6.5, 3.6))
        FigureCanvasAgg(fig)
        ax = fig.add_axes([0.14, 0.15, 0.83, 0.75])
        ShapeComparisonDisplay(feat, x, s, unit=self._unit(label, feat),
                               title=f"{label}: SHAP dependence on the training rows").plot(ax)
        return fig

    def update(self):
        """Redraw for the current data set and feature."""
        label, feat = self.dataset.value, self.feature.value
        d = self.data[label]
        _, s = d.feature(feat)
        self.header.value = (
            f"<b>{html.escape(label)}</b>, <b>{html.escape(feat)}</b>: TreeSHAP values of the "
            f"given XGBoost model on {len(d.X)} training rows, log-odds; spread "
            f"{s.min():+.2f} to {s.max():+.2f} (base value {d.base_value:+.2f}). <i>A vertical "
            "spread at one feature value is what the other features (interactions) add. The "
            "questions use the held-out rows and your own EBMs: compute them yourself.</i>")
        self.show_state((label, feat))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
