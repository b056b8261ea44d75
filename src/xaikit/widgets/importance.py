"""Importance explorer for ``feature_importance``: a ranked bar chart with a method selector and
error bars. It takes the exercise's context only; the importances come from
:func:`xaikit.exercises.feature_importance.public.explorer_importances` (computed once, cached on
disk); the widget only draws. Controls carry CSS classes (``xaikit-...``) so browser tests can
find them.
"""
from __future__ import annotations

from xaikit.widgets._render import PngStateCache

METHODS = (("MDI share", "mdi"), ("shuffled, training rows", "perm_train"),
           ("shuffled, held-out rows", "perm_test"), ("mean |SHAP|", "shap"))


class ImportanceExplorer(PngStateCache):
    """Pick an importance method; see the 12 UCI columns ranked by it, with error bars.

    Shows :func:`~xaikit.exercises.feature_importance.public.explorer_importances` of the
    context: the 12 UCI columns only, on rows other than the questions' samples, with a quicker
    shuffle protocol than the questions' (none of it is an answer). Read from the disk cache
    when the model was explored before (a few ms), else computed (about a second). The explorer
    takes the context only: no rows, columns, seeds or results can be passed in.

    Parameters
    ----------
    ctx : xaikit.exercises.feature_importance.public.FeatureImportanceContext
        The exercise's context (``ex.context``).
    highlight : iterable of str, optional
        Columns drawn in a second colour.

    Notes
    -----
    Error bars: MDI ± std over the trees, shuffle importance ± std over the repeats; mean |SHAP|
    has none (exact for its rows). ``last_update_ms`` holds the duration of the latest redraw.
    """

    def __init__(self, ctx, highlight=()):
        import ipywidgets as W

        from xaikit.exercises.feature_importance.public import explorer_importances

        self.results = explorer_importances(ctx)
        self.highlight = tuple(highlight)
        options = [(label, key) for label, key in METHODS if key in self.results]
        n = len(self.result(options[0][1]).feature_names)
        self.method = W.ToggleButtons(options=options, value=options[0][1])
        self.method.add_class("xaikit-importance-method")
        self.errors = W.Checkbox(value=True, description="error bars")
        self.errors.add_class("xaikit-error-bars")
        self.top_k = W.IntSlider(value=n, min=3, max=n, description="top k",
                                 continuous_update=False)
        self.top_k.add_class("xaikit-top-k")
        self.out = W.Output()
        self.out.add_class("xaikit-importance-plot")
        self._fig = None
        self._png = {}  # rendered PNG per control state
        for c in (self.method, self.errors, self.top_k):
            c.observe(lambda _: self.update(), names="value")
        self.widget = W.VBox([self.method, W.HBox([self.top_k, self.errors]), self.out])
        self.widget.add_class("xaikit-importance-explorer")
        self.update()

    def result(self, key):
        """The :class:`xaikit.importance.ImportanceResult` of method ``key``."""
        return self.results[key]

    @classmethod
    def from_context(cls, ctx, highlight=()):
        """The same as ``ImportanceExplorer(ctx, highlight)``, for callers that build every explorer
        through ``from_context``."""
        return cls(ctx, highlight=highlight)

    def figure(self):
        """Draw the current method's bars on the explorer's figure and return it.

        One ``matplotlib.figure.Figure`` is kept and redrawn in place (resized with top k).
        """
        from xaikit.plots.importance import ImportanceBarDisplay

        if self._fig is None:
            from matplotlib.figure import Figure

            self._fig = Figure()
            self._ax = self._fig.add_subplot()
            self._fig.subplots_adjust(left=0.2, right=0.97)
        r = self.result(self.method.value)
        k = self.top_k.value
        height = 0.32 * k + 1.4
        self._fig.set_size_inches(7, height)
        self._fig.subplots_adjust(top=1 - 0.45 / height, bottom=0.75 / height)
        self._ax.cla()
        ImportanceBarDisplay(r.feature_names, r.mean, r.std if self.errors.value else None,
                             xlabel=f"{r.method}: {r.unit}", max_display=k,
                             highlight=self.highlight, highlight_label="highlighted",
                             title=f"{r.method}" + (" (± 1 std)" if self.errors.value and
                                                    r.std is not None else "")).plot(self._ax)
        return self._fig

    def update(self):
        """Redraw (PNG rendered here at a fixed dpi, shown as an image)."""
        self.show_state((self.method.value, self.errors.value, self.top_k.value))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
