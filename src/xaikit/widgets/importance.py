"""Importance explorer for ``feature_importance``: a ranked bar chart with a method selector and
error bars. Importances are computed once by :mod:`xaikit.importance`; the widget only draws.
Controls carry CSS classes (``xaikit-...``) so browser tests can find them.
"""
from __future__ import annotations

import time

METHODS = (("MDI", "mdi"), ("permutation (train)", "perm_train"),
           ("permutation (test)", "perm_test"), ("mean |SHAP|", "shap"))


class ImportanceExplorer:
    """Pick an importance method; see the features ranked by it, with error bars.

    Parameters
    ----------
    results : dict
        ``{"mdi" | "perm_train" | "perm_test" | "shap": xaikit.importance.ImportanceResult}``.
    highlight : iterable of str, optional
        Columns drawn in a second colour (e.g. the columns joined to the data).

    Notes
    -----
    Error bars: MDI ± std over the trees, permutation ± std over the repeats; mean |SHAP| has
    none (exact for its rows). ``last_update_ms`` holds the duration of the latest redraw.
    """

    def __init__(self, results: dict, highlight=()):
        import ipywidgets as W

        self.results = dict(results)
        self.highlight = tuple(highlight)
        options = [(label, key) for label, key in METHODS if key in self.results]
        n = len(next(iter(self.results.values())).feature_names)
        self.method = W.ToggleButtons(options=options, value=options[0][1])
        self.method.add_class("xaikit-importance-method")
        self.errors = W.Checkbox(value=True, description="error bars")
        self.errors.add_class("xaikit-error-bars")
        self.top_k = W.IntSlider(value=n, min=3, max=n, description="top k",
                                 continuous_update=False)
        self.top_k.add_class("xaikit-top-k")
        self.out = W.Output()
        self.out.add_class("xaikit-importance-plot")
        self.last_update_ms = None
        for c in (self.method, self.errors, self.top_k):
            c.observe(lambda _: self.update(), names="value")
        self.widget = W.VBox([self.method, W.HBox([self.top_k, self.errors]), self.out])
        self.widget.add_class("xaikit-importance-explorer")
        self.update()

    @classmethod
    def from_context(cls, ctx, highlight=None):
        """For a :class:`xaikit.questions.feature_importance.FeatureImportanceContext`.

        Uses the context's cached MDI, permutation (training and held-out samples) and mean
        |SHAP|; ``highlight`` defaults to the joined columns.
        """
        return cls({"mdi": ctx.ref_mdi, "perm_train": ctx.ref_perm_train,
                    "perm_test": ctx.ref_perm_test, "shap": ctx.ref_shap},
                   highlight=ctx.joined if highlight is None else highlight)

    def figure(self):
        """The figure for the current controls."""
        import matplotlib.pyplot as plt

        from xaikit.plots.importance import ImportanceBarDisplay

        r = self.results[self.method.value]
        k = self.top_k.value
        fig, ax = plt.subplots(figsize=(7, 0.32 * k + 1.4))
        ImportanceBarDisplay(r.feature_names, r.mean, r.std if self.errors.value else None,
                             xlabel=f"{r.method}: {r.unit}", max_display=k,
                             highlight=self.highlight, highlight_label="joined columns",
                             title=f"{r.method}" + (" (± 1 std)" if self.errors.value and
                                                    r.std is not None else "")).plot(ax)
        return fig

    def update(self):
        import matplotlib.pyplot as plt
        from IPython.display import display

        start = time.perf_counter()
        with self.out:
            self.out.clear_output(wait=True)
            fig = self.figure()
            display(fig)
            plt.close(fig)
        self.last_update_ms = 1000 * (time.perf_counter() - start)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
