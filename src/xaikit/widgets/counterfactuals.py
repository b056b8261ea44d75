"""What-if editor for counterfactuals: edit an applicant's mutable features, see the decision.

Wires sliders to :func:`xaikit.counterfactuals.deny_probability` (one prediction per change).
It shows the model's decision and which rules the edit on its own sliders breaks (direction,
range, more than ``k`` changes: only the mutable features have sliders, so an immutable feature
never changes), never the distance scale or the plausibility bound (those are what the exercise
asks the candidate to compute). It takes only the context, refuses a context whose applicants
are not its variant's, and evaluates nothing but its own applicant and sliders: no public
function checks an arbitrary counterfactual (that is the grader's). Controls carry CSS classes
(``xaikit-cf-...``) so browser tests can find them.
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
        The exercise's context (``ex.context``): the editor offers its applicants, then the
        trap applicant.

    Raises
    ------
    TypeError
        If ``ctx`` is not a ``counterfactuals`` context.
    ValueError
        If its applicants are not those of its variant.
    """

    def __init__(self, ctx):
        import ipywidgets as W

        from xaikit import counterfactuals as CF
        from xaikit.exercises import variant_frame
        from xaikit.exercises.counterfactuals.public import (EXERCISE_ID, K_MAX,
                                                             CounterfactualsContext)
        from xaikit.models import hmda_model

        ctx = ctx if isinstance(ctx, CounterfactualsContext) else getattr(ctx, "ctx", None)
        if not isinstance(ctx, CounterfactualsContext):
            raise TypeError("CounterfactualEditor works on a counterfactuals context "
                            "(ex.context) only")
        table = variant_frame(EXERCISE_ID, int(ctx.variant), "applicants")
        if (list(ctx.applicants) != [int(a) for a in table.index[table["role"] == "question"]]
                or ctx.trap_applicant != int(table.index[table["role"] == "trap"][0])):
            raise ValueError("the context's applicants are not those of its variant: the "
                             "editor edits its own applicants only")
        self.ctx = ctx
        trained = hmda_model()  # the model and data loaded here, not the context's attributes
        self._model, self._X = trained.model, trained.dataset.X
        self._threshold, self._k = CF.THRESHOLD, K_MAX
        self.labels = list(ctx.applicants) + [ctx.trap_applicant]
        self.names = list(self._X.columns)
        cons = CF.Constraints.from_dataset(trained.dataset)
        self._cons = cons
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
            f = trained.dataset.features[name]
            if cons.integer[j]:
                s = W.IntSlider(min=int(lo), max=int(hi), step=1, description=name,
                                continuous_update=False)
            else:
                top = float(min(hi, max(self._X[name].quantile(0.99), 0.0) + 0.3))
                s = W.FloatSlider(min=float(lo), max=top, step=0.005, readout_format=".3f",
                                  description=name, continuous_update=False)
            s.tooltip = f"{f.description} ({f.unit}); allowed: {f.direction}"
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
        key = "; ".join(f"<b>{n}</b>: {html.escape(trained.dataset.features[n].description)}"
                        for n in self.mutable)
        self.legend = W.HTML(f"<small>{key}</small>", layout=W.Layout(width="900px"))
        self.widget = W.VBox([W.HBox([self.applicant, self.reset]),
                              W.HBox([W.VBox(list(self.sliders.values())), self.out]),
                              self.legend])
        self.widget.add_class("xaikit-cf-editor")
        self._load()

    @property
    def original(self):
        """The selected applicant's row, shape (n_features,), raw values."""
        return self._X.loc[self.applicant.value].to_numpy(float)

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

    def status(self) -> tuple:
        """The editor's current state: ``(probability of denial, changes, problems)``.

        ``changes``: ``[(feature, applicant's value, slider value)]`` of the sliders moved away
        from the selected applicant; ``problems``: readable rules they break (a slider moved up
        although its feature may only decrease, a value outside the feature's range, more than
        ``k`` changes). Only the editor's own applicant and sliders are evaluated.
        """
        from xaikit import counterfactuals as CF

        x, c = self.original, self.current()
        p = float(CF.deny_probability(self._model, c[None])[0])
        cons, changes, problems = self._cons, [], []
        for name in self.sliders:
            j = self.names.index(name)
            if abs(c[j] - x[j]) <= CF.CHANGE_TOL:
                continue
            changes.append((name, float(x[j]), float(c[j])))
            if ((cons.direction[j] == "decrease" and c[j] > x[j])
                    or (cons.direction[j] == "increase" and c[j] < x[j])):
                problems.append(f"{name} moved the wrong way")
            if c[j] < cons.low[j] - CF.RANGE_TOL or c[j] > cons.high[j] + CF.RANGE_TOL:
                problems.append(f"{name} outside its plausible range")
        if len(changes) > self._k:
            problems.append(f"{len(changes)} features changed (at most {self._k})")
        return p, changes, problems

    def update(self):
        """Re-evaluate and redraw (called by the controls' observers)."""
        if self._loading:
            return
        from IPython.display import HTML, display

        from xaikit.counterfactuals import FRAGILE_MARGIN

        p, changes, problems = self.status()
        valid = p < self._threshold
        decision = "approved" if valid else "denied"
        color = "#2ca02c" if valid else "#d62728"
        moves = [f"{html.escape(n)} {old:.4g} → {new:.4g}" for n, old, new in changes]
        rows = [
            f"<b style='color:{color}'>{decision}</b>: P(deny) = {p:.3f} "
            f"(deny at or above {self._threshold:g})"
            + (f" — <b>fragile</b> (within {FRAGILE_MARGIN:g} of the threshold)"
               if valid and p >= self._threshold - FRAGILE_MARGIN else ""),
            "changed: " + (", ".join(moves) or "nothing")
            + f" ({len(changes)} of at most {self._k})",
        ]
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
