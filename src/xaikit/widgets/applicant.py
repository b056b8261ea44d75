"""The SHAP-vs-LIME applicant explorer: wires controls to :mod:`xaikit.explain` and
:mod:`xaikit.plots`, no maths of its own. Controls carry CSS classes (``xaikit-...``) so browser
tests can find them.
"""
from __future__ import annotations

import html
from functools import lru_cache


class ApplicantExplorer:
    """Pick an applicant; see the prediction, the SHAP waterfall and LIME's weights side by side.

    Parameters
    ----------
    ctx : xaikit.questions.shap_vs_lime.ShapVsLimeContext
        Model, data and LIME settings of the exercise.
    applicants : list of int, optional
        Index labels of ``ctx.X_test`` to offer; default: every test applicant, the
        exercise's declined applicants first.

    Notes
    -----
    SHAP values of every offered applicant are computed once (TreeSHAP is fast); LIME
    explanations are computed on first view and cached.
    """

    def __init__(self, ctx, applicants=None):
        import ipywidgets as W

        from xaikit import explain as E

        self.ctx = ctx
        X = ctx.X_test
        labels = list(ctx.applicants) + [a for a in X.index if a not in set(ctx.applicants)]
        self.labels = labels if applicants is None else list(applicants)
        self.shap = E.tree_shap(ctx.model, X.loc[self.labels])
        self.p_bad = ctx.model.predict_proba(X.loc[self.labels])[:, 1]
        self._lime = lru_cache(maxsize=512)(self._lime_uncached)
        options = [(f"#{a}  P(bad) = {p:.2f}" + ("  ★" if a in ctx.applicants else ""), i)
                   for i, (a, p) in enumerate(zip(self.labels, self.p_bad))]
        self.applicant = W.Dropdown(options=options, value=0, description="Applicant",
                                    layout=W.Layout(width="320px"))
        self.applicant.add_class("xaikit-applicant")
        self.mode = W.ToggleButtons(options=[("LIME continuous", "continuous"),
                                             ("LIME binned", "binned")], value="binned")
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

    def _lime_uncached(self, i, mode):
        from xaikit import explain as E

        explainer = E.make_lime_explainer(self.ctx.X_train, self.ctx.dataset,
                                          discretize_continuous=(mode == "binned"),
                                          seed=self.ctx.lime_seed)
        return E.lime_explain(explainer, self.ctx.model.predict_proba,
                              self.ctx.X_test.loc[self.labels[i]],
                              n_features=len(self.ctx.feature_names),
                              num_samples=self.ctx.lime_samples)

    def update(self, shap=True):
        """Redraw for the current controls (called by the controls' observers)."""
        import matplotlib.pyplot as plt
        from IPython.display import display

        from xaikit.plots import AttributionBarDisplay, ShapWaterfallDisplay, readable_labels

        i, mode = self.applicant.value, self.mode.value
        label = self.labels[i]
        decision = "declined" if self.p_bad[i] >= 0.5 else "approved"
        lime = self._lime(i, mode)
        self.header.value = (
            f"<b>Applicant #{label}</b>: P(bad risk) = {self.p_bad[i]:.3f} → <b>{decision}</b> "
            f"(threshold 0.5); log-odds {self.shap.margin[i]:+.3f} = base "
            f"{self.shap.base_value:+.3f} + Σ SHAP. LIME ({html.escape(mode)}) local R² = "
            f"{lime.score:.2f}.")
        if shap:
            with self.shap_out:
                self.shap_out.clear_output(wait=True)
                d = ShapWaterfallDisplay.from_shap_result(self.shap, i, self.ctx.dataset,
                                                          title="TreeSHAP (log-odds)").plot()
                d.figure_.set_size_inches(6.5, 5)
                display(d.figure_)
                plt.close(d.figure_)
        with self.lime_out:
            self.lime_out.clear_output(wait=True)
            labels = readable_labels(self.ctx.feature_names, self.shap.data[i], self.ctx.dataset)
            d = AttributionBarDisplay(lime.weights, labels,
                                      xlabel="LIME weight (probability of a bad risk)",
                                      title=f"LIME, {mode}").plot()
            d.figure_.set_size_inches(6.5, 5)
            d.figure_.tight_layout()
            display(d.figure_)
            plt.close(d.figure_)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
