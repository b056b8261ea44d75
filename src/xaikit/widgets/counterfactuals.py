"""What-if editor for counterfactuals: edit an applicant's mutable features, see the decision.

Wires sliders to :func:`xaikit.counterfactuals.deny_probability` (one prediction per change)
and :func:`xaikit.counterfactuals.constraint_report`; no maths of its own. It shows the
model's decision and which constraints an edit breaks, never the distance scale or the
plausibility bound (those are what the exercise asks the candidate to compute). Controls carry
CSS classes (``xaikit-cf-...``) so browser tests can find them.
"""
from __future__ import annotations

import html


class CounterfactualEditor:
    """Pick a denied applicant, move its mutable features, and watch the model's decision.

    Shows live: the decision and probability of denial (threshold 0.5), the features changed
    (with their old and new values) and every violated constraint (immutable, direction,
    range, whole score, more than ``k`` changes). It does not show distances in MADs nor
    plausibility: those are the candidate's to compute (q1).

    Parameters
    ----------
    ctx : xaikit.exercises.counterfactuals.public.CounterfactualsContext
    applicants : list of int, optional
        Index labels of ``ctx.X_all``; default: the exercise's applicants, then the trap
        applicant.
    """

    def __init__(self, ctx, applicants=None):
        import ipywidgets as W

        self.ctx = ctx
        self.labels = (list(applicants) if applicants is not None
                       else list(ctx.applicants) + [ctx.trap_applicant])
        self.names = ctx.feature_names
        cons = ctx.constraints
        self.mutable = cons.mutable_names
        self.applicant = W.Dropdown(
            options=[(f"#{a}" + ("  (trap)" if a == ctx.trap_applicant else ""), a)
                     for a in self.labels], value=self.labels[0], description="Applicant",
            layout=W.Layout(width="260px"))
        self.applicant.add_class("xaikit-cf-applicant")
        self.sliders = {}
        for name in self.mutable:
            j = self.names.index(name)
            lo, hi = cons.low[j], cons.high[j]
            f = ctx.dataset.features[name]
            if cons.integer[j]:
                s = W.IntSlider(min=int(lo), max=int(hi), step=1, description=name,
                                continuous_update=False)
            else:
                top = float(min(hi, max(ctx.X_all[name].quantile(0.99), 0.0) + 0.3))
                s = W.FloatSlider(min=float(lo), max=top, step=0.005, readout_format=".3f",
                                  description=name, continuous_update=False)
            s.description_tooltip = f"{f.description} ({f.unit}); allowed: {f.direction}"
            s.add_class(f"xaikit-cf-{name}")
            s.observe(lambda _: self.update(), names="value")
            self.sliders[name] = s
        self.reset = W.Button(description="Reset to applicant", icon="undo",
                              layout=W.Layout(width="190px"))
        self.reset.add_class("xaikit-cf-reset")
        self.reset.on_click(lambda _: self._load())
        self.out = W.Output()
        self.out.add_class("xaikit-cf-result")
        self.applicant.observe(lambda _: self._load(), names="value")
        self._loading = False
        key = "; ".join(f"<b>{n}</b>: {html.escape(ctx.dataset.features[n].description)}"
                        for n in self.mutable)
        self.legend = W.HTML(f"<small>{key}</small>", layout=W.Layout(width="900px"))
        self.widget = W.VBox([W.HBox([self.applicant, self.reset]),
                              W.HBox([W.VBox(list(self.sliders.values())), self.out]),
                              self.legend])
        self.widget.add_class("xaikit-cf-editor")
        self._load()

    @property
    def original(self):
        return self.ctx.X_all.loc[self.applicant.value].to_numpy(float)

    def current(self):
        """The edited row, shape (n_features,), raw values."""
        x = self.original.copy()
        for name, s in self.sliders.items():
            x[self.names.index(name)] = float(s.value)
        return x

    def _load(self):
        self._loading = True
        x = self.original
        for name, s in self.sliders.items():
            v = x[self.names.index(name)]
            if type(s).__name__ == "IntSlider":
                s.value = int(round(v))
            else:
                s.max = max(s.max, float(v))
                s.value = float(v)
        self._loading = False
        self.update()

    def report(self):
        """``(probability of denial, ConstraintReport)`` of the current edit."""
        from xaikit import counterfactuals as CF

        c = self.current()
        p = float(CF.deny_probability(self.ctx.model, c[None])[0])
        return p, CF.constraint_report(self.original, c, self.ctx.constraints)

    def update(self):
        """Re-evaluate and redraw (called by the controls' observers)."""
        if self._loading:
            return
        from IPython.display import HTML, display

        from xaikit.counterfactuals import FRAGILE_MARGIN

        p, r = self.report()
        ctx = self.ctx
        valid = p < ctx.threshold
        decision = "approved" if valid else "denied"
        color = "#2ca02c" if valid else "#d62728"
        x, c = self.original, self.current()
        moves = [f"{html.escape(n)} {x[self.names.index(n)]:.4g} → {c[self.names.index(n)]:.4g}"
                 for n in r.changed]
        rows = [
            f"<b style='color:{color}'>{decision}</b>: P(deny) = {p:.3f} "
            f"(deny at or above {ctx.threshold:g})"
            + (f" — <b>fragile</b> (within {FRAGILE_MARGIN:g} of the threshold)"
               if valid and p >= ctx.threshold - FRAGILE_MARGIN else ""),
            "changed: " + (", ".join(moves) or "nothing") + f" ({r.sparsity} of at most {ctx.k})",
        ]
        problems = r.violations()
        if r.sparsity > ctx.k:
            problems.append(f"{r.sparsity} features changed (at most {ctx.k})")
        rows.append("constraints: " + ("<span style='color:#2ca02c'>all respected</span>"
                                       if not problems else "<span style='color:#d62728'>"
                                       + html.escape("; ".join(problems)) + "</span>"))
        with self.out:
            self.out.clear_output(wait=True)
            display(HTML("<div class='xaikit-cf-status' style='line-height:1.7'>"
                         + "<br>".join(rows) + "</div>"))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
