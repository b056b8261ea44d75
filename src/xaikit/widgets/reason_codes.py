"""Notice preview of ``reason_codes``: an applicant's raw per-feature SHAP values and the
adverse-action letter for the reasons the user picks.

What it shows: declined test applicants **other than** the questions' six
(:func:`xaikit.reason_codes.preview_applicants`), their per-feature interventional SHAP values
against the exercise's reference population (log-odds, neither grouped nor ranked) and the
notice template (:func:`xaikit.reason_codes.render_notice`) filled with the applicant's own
values for up to four concepts chosen by hand. Choosing the reasons is the candidate's job;
the widget never does it.

Responsiveness: SHAP values of every offered applicant are computed once at construction;
each bar chart is an HTML table built once per applicant and kept (no matplotlib
in the loop); a reason change only re-renders
text. No background thread.
"""
from __future__ import annotations

import html

NONE = "(none)"
PRE_STYLE = ("white-space:pre-wrap;word-break:normal;overflow-wrap:break-word;"
             "font-size:12px")
XLABEL = "SHAP value (log-odds of a bad risk, vs the reference)"


class NoticePreview:
    """Pick a declined applicant and up to four concepts; see the SHAP bars and the letter.

    Parameters
    ----------
    ctx : xaikit.exercises.reason_codes.public.ReasonCodesContext
    """

    def __init__(self, ctx):
        import ipywidgets as W

        from xaikit.reason_codes import GROUPS, MAX_REASONS, preview_shap

        self.ctx = ctx
        self.labels, self.values, self.base = preview_shap(ctx)
        self.margin = ctx.model.predict(ctx.X_test.loc[self.labels], output_margin=True)
        self.p_bad = ctx.model.predict_proba(ctx.X_test.loc[self.labels])[:, 1]
        self._html = {}
        self.applicant = W.Dropdown(
            options=[(f"#{a}  P(bad) = {p:.2f}", i)
                     for i, (a, p) in enumerate(zip(self.labels, self.p_bad))],
            value=0, description="Applicant", layout=W.Layout(width="300px"))
        self.applicant.add_class("xaikit-rc-applicant")
        opts = [NONE, *GROUPS]
        self.reasons = []
        for k in range(MAX_REASONS):
            d = W.Dropdown(options=opts, value=NONE, description=f"Reason {k + 1}",
                           layout=W.Layout(width="300px"))
            d.add_class(f"xaikit-rc-reason-{k + 1}")
            d.observe(lambda _: self.update(plot=False), names="value")
            self.reasons.append(d)
        self.header = W.HTML()
        self.header.add_class("xaikit-rc-prediction")
        self.plot_out = W.HTML(layout=W.Layout(width="50%"))
        self.plot_out.add_class("xaikit-rc-shap-plot")
        self.notice = W.HTML(layout=W.Layout(width="50%"))
        self.notice.add_class("xaikit-rc-notice")
        self.applicant.observe(lambda _: self.update(), names="value")
        self.widget = W.VBox([W.HBox([self.applicant]), W.HBox(self.reasons[:2]),
                              W.HBox(self.reasons[2:]), self.header,
                              W.HBox([self.plot_out, self.notice])])
        self.widget.add_class("xaikit-notice-preview")
        self.update()

    def _bars(self, i) -> str:
        """HTML bar chart of applicant ``i``'s ten largest |SHAP| values (kept per applicant)."""
        if i not in self._html:
            from xaikit.plots import readable_labels
            from xaikit.plots.reason_codes import shap_bars_html

            row = self.ctx.X_test.loc[self.labels[i]]
            labels = readable_labels(self.ctx.feature_names, row.to_numpy(), self.ctx.dataset)
            self._html[i] = shap_bars_html(self.values[i], labels, xlabel=XLABEL,
                                           title=f"Applicant #{self.labels[i]}: per-feature SHAP")
        return self._html[i]

    def chosen(self) -> list:
        """The concepts picked in the reason dropdowns, in order, without blanks or repeats."""
        out = []
        for d in self.reasons:
            if d.value != NONE and d.value not in out:
                out.append(d.value)
        return out

    def update(self, plot=True):
        """Redraw for the current controls (called by the controls' observers)."""
        from xaikit.reason_codes import render_notice

        i = self.applicant.value
        label = self.labels[i]
        readable = self.ctx.dataset.describe_row(self.ctx.X_test.loc[label])
        self.header.value = (
            f"<b>Applicant #{label}</b>: P(bad risk) = {self.p_bad[i]:.3f} → <b>declined</b>; "
            f"log-odds {self.margin[i]:+.2f} = reference mean {self.base:+.2f} + Σ SHAP "
            f"({self.values[i].sum():+.2f}). Reasons chosen: {len(self.chosen())}.")
        text = render_notice(label, readable, self.chosen())
        picked = [d.value for d in self.reasons if d.value != NONE]
        note = ("<div style='color:#a60'>A concept picked twice is stated once.</div>"
                if len(picked) != len(set(picked)) else "")
        self.notice.value = (f"{note}<pre style='{PRE_STYLE}'>{html.escape(text)}</pre>")
        if plot:
            self.plot_out.value = self._bars(i)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
