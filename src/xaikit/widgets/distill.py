"""Surrogate explorer: a depth slider showing the surrogate tree and its fidelity, live.

Wires a slider to the surrogates the exercise context already fitted (:mod:`xaikit.distill`)
and to :mod:`xaikit.plots.distill`; no maths of its own. The figure of each depth is rendered
in advance at construction (about 0.2-0.5 s per depth, with matplotlib's object API, never
pyplot), so moving the slider only swaps a cached PNG (under 5 ms). Controls carry CSS classes
(``xaikit-distill-...``).
"""
from __future__ import annotations

import html


class SurrogateExplorer:
    """Move the depth; see the surrogate tree, its fidelity overall and per subgroup, and
    where it sits on the fidelity-vs-depth curve.

    Parameters
    ----------
    ctx : xaikit.exercises.distillation.public.DistillationContext
        Uses the context's *explorer* rows (``X_explore_fit``, ``X_explore_eval`` and their
        teacher predictions): training and held-out rows disjoint from the rows the questions
        use, so the widget shows the same trade-off without computing the graded numbers.
    depth : int, default 3
        Initial depth.
    prerender : bool, default True
        Render every depth's figure at construction (about 2-4 s for 8 depths) so that every
        slider move is instant; False renders each depth on first view instead.
    """

    def __init__(self, ctx, depth: int = 3, prerender: bool = True):
        import ipywidgets as W

        from xaikit import distill as D

        self.ctx = ctx
        # Fit the surrogates here from the context's rows (not the grader's reference curve, which
        # take-home packs do not carry): about 0.3 s.
        X_eval = ctx.X_explore_eval
        self.n_eval = len(X_eval)
        self.curve = D.fidelity_curve(ctx.X_explore_fit, ctx.teacher_explore_fit, X_eval,
                                      ctx.teacher_explore_eval, ctx.y_explore_eval,
                                      depths=ctx.depths, random_state=ctx.seed)
        self._subgroups = {
            d: D.subgroup_fidelity(ctx.teacher_explore_eval,
                                   self.curve.surrogate(d).predict(X_eval),
                                   ctx.explore_subgroups) for d in ctx.depths}
        self._png = {}
        self.depth = W.IntSlider(value=depth, min=min(ctx.depths), max=max(ctx.depths), step=1,
                                 description="depth", continuous_update=False)
        self.depth.add_class("xaikit-distill-depth")
        self.header = W.HTML()
        self.header.add_class("xaikit-distill-fidelity")
        self.out = W.Output()
        self.out.add_class("xaikit-distill-plots")
        self.depth.observe(lambda _: self.update(), names="value")
        self.widget = W.VBox([self.depth, self.header, self.out])
        self.widget.add_class("xaikit-distill-explorer")
        if prerender:
            for d in ctx.depths:
                self._figure_png(d)
        self.update()

    def _figure_png(self, d):
        if d not in self._png:
            import io

            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure

            from xaikit.plots.distill import (FidelityCurveDisplay, SubgroupFidelityDisplay,
                                              SurrogateTreeDisplay)

            i = self.ctx.depths.index(d)
            fig = Figure(figsize=(12, 7.6))
            FigureCanvasAgg(fig)
            # a fixed layout: tight_layout on a figure holding a tree costs ~1 s per depth
            gs = fig.add_gridspec(2, 2, height_ratios=[1.25, 1], left=0.06, right=0.98,
                                  top=0.95, bottom=0.08, hspace=0.25, wspace=0.5)
            SurrogateTreeDisplay(self.curve.surrogate(d), self.ctx.feature_names,
                                 title=f"Surrogate of depth {d}").plot(fig.add_subplot(gs[0, :]))
            FidelityCurveDisplay(self.ctx.depths, self.curve.fidelity, self.curve.accuracy,
                                 target=self.ctx.target, current=d, title="Fidelity vs depth",
                                 tight_layout=False).plot(fig.add_subplot(gs[1, 0]))
            SubgroupFidelityDisplay(self._subgroups[d], overall=self.curve.fidelity[i],
                                    title=f"Fidelity by {self.ctx.grouping}, depth {d}",
                                    tight_layout=False).plot(fig.add_subplot(gs[1, 1]))
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=72)
            self._png.setdefault(d, buf.getvalue())
        return self._png[d]

    def update(self):
        """Redraw for the current depth (called by the slider's observer)."""
        from IPython.display import Image, display

        d = self.depth.value
        i = self.ctx.depths.index(d)
        sub = self._subgroups[d]
        worst = min(sub, key=sub.get)
        self.header.value = (
            f"<b>depth {d}</b>: {self.curve.n_leaves[i]} leaves (rules); fidelity R² vs teacher "
            f"= <b>{self.curve.fidelity[i]:.2f}</b> on {self.n_eval} held-out rows "
            f"(accuracy vs observed rentals {self.curve.accuracy[i]:.2f}); least faithful "
            f"{html.escape(self.ctx.grouping)}: <b>{html.escape(worst)}</b> "
            f"({sub[worst]:.2f}). Target: {self.ctx.target:g}. <i>The explorer uses rows other "
            f"than the questions' rows: compute your answers yourself.</i>")
        with self.out:
            self.out.clear_output(wait=True)
            display(Image(self._figure_png(d)))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
