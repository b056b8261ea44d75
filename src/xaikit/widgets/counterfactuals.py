"""What-if editor for counterfactuals: edit an applicant's mutable features, see the decision.

Wires sliders to :func:`xaikit.counterfactuals.evaluate` (one prediction and one
nearest-neighbour query per change); no maths of its own. The MAD scale and the plausibility
reference are built here with :mod:`xaikit.counterfactuals` from the training rows, not read
from the grader's context (take-home packs do not carry those: they are answers of q1). Controls carry CSS classes
(``xaikit-cf-...``) so browser tests can find them.
"""
from __future__ import annotations

import html


class CounterfactualEditor:
    """Pick a denied applicant, move its mutable features, and watch the model's decision.

    Shows live: the decision and probability of denial (threshold 0.5), the MAD-weighted L1
    distance from the original applicant, the features changed, every violated constraint
    (immutable, direction, range, whole score, more than ``k`` changes) and plausibility.

    Parameters
    ----------
    ctx : xaikit.exercises.counterfactuals.public.CounterfactualsContext
    applicants : list of int, optional
        Index labels of ``ctx.X_all``; default: the exercise's applicants, then the trap
        applicant.
    """

    def __init__(self, ctx, applicants=None):
        import ipywidgets as W

        from xaikit import counterfactuals as CF

        self.ctx = ctx
        self._scale = CF.mad_scale(ctx.X_train)
        self._plausibility = CF.Plausibility(ctx.X_train, self._scale)
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
        import html as _html

        key = "; ".join(f"<b>{n}</b>: {_html.escape(ctx.dataset.features[n].description)}"
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
        """:class:`xaikit.counterfactuals.CounterfactualReport` of the current edit."""
        from xaikit import counterfactuals as CF

        return CF.evaluate(self.ctx.model, self.original, self.current()[None],
                           self.ctx.constraints, self._scale, self._plausibility,
                           self.ctx.threshold)[0]

    def update(self):
        """Re-evaluate and redraw (called by the controls' observers)."""
        if self._loading:
            return
        from IPython.display import HTML, display

        r = self.report()
        ctx = self.ctx
        decision = "approved" if r.valid else "denied"
        color = "#2ca02c" if r.valid else "#d62728"
        rows = [
            f"<b style='color:{color}'>{decision}</b>: P(deny) = {r.probability:.3f} "
            f"(deny at or above {ctx.threshold:g})"
            + (" — <b>fragile</b> (within 0.01 of the threshold)" if r.fragile else ""),
            f"distance from the applicant: <b>{r.distance:.2f} MADs</b> "
            f"(MAD-weighted L1)",
            "changed: " + (", ".join(html.escape(c) for c in r.changed) or "nothing")
            + f" ({r.sparsity} of at most {ctx.k})",
        ]
        problems = r.violations()
        if r.sparsity > ctx.k:
            problems.append(f"{r.sparsity} features changed (at most {ctx.k})")
        rows.append("constraints: " + ("<span style='color:#2ca02c'>all respected</span>"
                                       if not problems else "<span style='color:#d62728'>"
                                       + html.escape("; ".join(problems)) + "</span>"))
        rows.append(f"nearest real applicant: {r.nn_distance:.2f} MADs "
                    f"({'plausible' if r.plausible else 'implausible'})")
        with self.out:
            self.out.clear_output(wait=True)
            display(HTML("<div class='xaikit-cf-status' style='line-height:1.7'>"
                         + "<br>".join(rows) + "</div>"))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
