"""Surrogate explorer: a depth slider showing a surrogate tree and its fidelity.

Wires a slider to :func:`xaikit.distill.explorer_surrogates` (surrogates fit and measured on
the explorer's own rows, disjoint from the rows the questions use; a context whose rows are not
its variant's is refused there) and to
:mod:`xaikit.plots.distill`; no maths of its own. The figure of each depth is rendered in
advance at construction (about 0.2-0.5 s per depth, with matplotlib's object API, never
pyplot), so moving the slider only swaps a cached PNG (under 5 ms). Every fidelity is shown
with two decimals: the explorer's figures move by more than 0.01 from one sample of rows to
another. The subgroup panel groups the rows by the explorer's own grouping
(:func:`xaikit.distill.explorer_grouping`: season, or weather when q3 asks about seasons),
never by the question's (``ctx.grouping``), so it never names a subgroup q3 asks about.
Controls carry CSS classes (``xaikit-distill-...``).
"""
from __future__ import annotations

import html

#: how the panel and the header name the explorer's grouping
_GROUPING_NAMES = {"weather": "weather situation"}


class SurrogateExplorer:
    """Move the depth; see the surrogate tree, its fidelity overall and per subgroup (of a
    grouping q3 does not ask about), and where it sits on the fidelity-vs-depth curve, all on
    rows the questions do not use.

    Parameters
    ----------
    ctx : xaikit.exercises.distillation.public.DistillationContext
        The exercise's context (``ex.context``). The widget computes on the explorer's own rows
        only (:func:`xaikit.distill.explorer_rows`: training and held-out rows disjoint from
        ``fit_rows`` and ``eval_rows``), so it shows the trade-off without computing the graded
        numbers.
    depth : int, default 3
        Initial depth.
    prerender : bool, default True
        Render every depth's figure at construction (about 2-4 s for 8 depths) so that every
        slider move is instant; False renders each depth on first view instead.
    """

    def __init__(self, ctx, depth: int = 3, prerender: bool = True):
        import ipywidgets as W

        from xaikit.distill import explorer_surrogates

        self.ctx = ctx
        self.data = explorer_surrogates(ctx)  # about 0.3 s
        self._png = {}
        depths = self.data.depths
        self.depth = W.IntSlider(value=depth, min=min(depths), max=max(depths), step=1,
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
            for d in self.data.depths:
                self._figure_png(d)
        self.update()

    @property
    def grouping_name(self) -> str:
        """The explorer's grouping as its panel and header name it."""
        return _GROUPING_NAMES.get(self.data.grouping, self.data.grouping)

    def figure(self, d):
        """The matplotlib Figure of depth ``d`` (object API, Agg canvas; not cached)."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        from xaikit.plots.distill import (FidelityCurveDisplay, SubgroupFidelityDisplay,
                                          SurrogateTreeDisplay)

        data = self.data
        i = data.depths.index(d)
        fig = Figure(figsize=(12, 7.6))
        FigureCanvasAgg(fig)
        # a fixed layout: tight_layout on a figure holding a tree costs ~1 s per depth
        gs = fig.add_gridspec(2, 2, height_ratios=[1.25, 1], left=0.06, right=0.98,
                              top=0.95, bottom=0.08, hspace=0.25, wspace=0.5)
        SurrogateTreeDisplay(data.surrogate(d), self.ctx.feature_names,
                             title=f"Explorer surrogate of depth {d}"
                             ).plot(fig.add_subplot(gs[0, :]))
        FidelityCurveDisplay(data.depths, data.fidelity, data.accuracy, current=d,
                             title="Fidelity vs depth (explorer rows)",
                             tight_layout=False).plot(fig.add_subplot(gs[1, 0]))
        SubgroupFidelityDisplay(data.by_group[d], overall=data.fidelity[i],
                                sizes=data.group_sizes,
                                title=f"Fidelity by {self.grouping_name}, depth {d}\n"
                                      "(not q3's grouping; explorer rows)",
                                tight_layout=False).plot(fig.add_subplot(gs[1, 1]))
        return fig

    def _figure_png(self, d):
        if d not in self._png:
            import io

            buf = io.BytesIO()
            self.figure(d).savefig(buf, format="png", dpi=72)
            self._png.setdefault(d, buf.getvalue())
        return self._png[d]

    def update(self):
        """Redraw for the current depth (called by the slider's observer)."""
        from IPython.display import Image, display

        data = self.data
        d = self.depth.value
        i = data.depths.index(d)
        sub = data.by_group[d]
        worst = min(sub, key=sub.get)
        self.header.value = (
            f"<b>depth {d}</b>: {data.n_leaves[i]} leaves (rules); fidelity R² vs teacher "
            f"= <b>{data.fidelity[i]:.2f}</b> on the explorer's held-out rows "
            f"(accuracy vs observed rentals {data.accuracy[i]:.2f}); least faithful "
            f"{html.escape(self.grouping_name)} here: <b>{html.escape(worst)}</b> "
            f"({sub[worst]:.2f}; subgroups by {html.escape(self.grouping_name)}, not by "
            f"q3's SUBGROUPING). <i>Fit on {data.n_fit} other training rows and measured on "
            f"{data.n_eval} other held-out rows than FIT_ROWS / EVAL_ROWS: these figures differ "
            f"from the questions' by sampling noise (the depth that reaches TARGET here can "
            f"differ from q2's); compute your answers on the questions' rows yourself.</i>")
        with self.out:
            self.out.clear_output(wait=True)
            display(Image(self._figure_png(d)))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
