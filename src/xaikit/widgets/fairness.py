"""Group explorer for ``fairness``: how the model's scores and decisions differ by group.

It takes the exercise's context only and shows the model on **other** test rows than the audit
rows of the questions (a fixed sample of 3000 of them), so none of its numbers is an answer.
Controls carry CSS classes (``xaikit-...``) for the browser tests.
"""
from __future__ import annotations

import numpy as np

from xaikit.widgets._render import PngStateCache

#: Test rows the explorer shows (drawn once, outside the audit rows, with a fixed seed).
N_EXPLORER_ROWS = 3000


class GroupExplorer(PngStateCache):
    """Pick an attribute and a threshold; see score histograms and rates per group.

    Shows, on 3000 test rows that are not audit rows: the predicted probability of income >
    50K per group, the threshold, and per group the selection rate, TPR and FPR of the rule
    ``P >= threshold``. The scores are computed once (one ``predict_proba``) and the histogram
    of each attribute is rendered once, when the explorer is built (the threshold is read off
    the table, not redrawn): a control change only counts rows and re-sends a PNG (a few ms).

    Parameters
    ----------
    ctx : xaikit.exercises.fairness.public.FairnessContext
        The exercise's context (``ex.context``).
    """

    def __init__(self, ctx):
        import ipywidgets as W

        from xaikit.fairness import ATTRIBUTES, protected_attributes

        others = np.setdiff1d(np.asarray(ctx.X_test.index), np.asarray(ctx.audit_rows))
        rows = np.sort(np.random.default_rng(7).choice(others, N_EXPLORER_ROWS, replace=False))
        self.scores = np.asarray(ctx.model.predict_proba(ctx.X_test.loc[rows])[:, 1], float)
        self.y = np.asarray(ctx.trained.y_test.loc[rows]).astype(int)
        self.groups = protected_attributes(ctx.dataset, rows)
        self.attribute = W.Dropdown(options=list(ATTRIBUTES), value="sex",
                                    description="attribute")
        self.attribute.add_class("xaikit-fair-attribute")
        self.threshold = W.FloatSlider(value=0.5, min=0.05, max=0.95, step=0.05,
                                       description="threshold", continuous_update=False)
        self.threshold.add_class("xaikit-fair-threshold")
        self.summary = W.HTML()
        self.summary.add_class("xaikit-fair-summary")
        self.out = W.Output()
        self.out.add_class("xaikit-fair-plot")
        self._fig, self._png = None, {}
        for c in (self.attribute, self.threshold):
            c.observe(lambda _: self.update(), names="value")
        self.update()
        self.widget = W.VBox([W.HBox([self.attribute, self.threshold]), self.summary, self.out])
        self.widget.add_class("xaikit-fair-explorer")
        for a in reversed(list(ATTRIBUTES)):  # pre-render every attribute's histogram once
            self.attribute.value = a

    def rates(self):
        """``{group: (n, selection rate, TPR, FPR)}`` on the explorer's rows at the current
        attribute and threshold (fractions)."""
        g = self.groups[self.attribute.value].to_numpy()
        pred = self.scores >= self.threshold.value
        out = {}
        for label in sorted(set(g)):
            m = g == label
            pos, neg = m & (self.y == 1), m & (self.y == 0)
            out[label] = (int(m.sum()), float(pred[m].mean()), float(pred[pos].mean()),
                          float(pred[neg].mean()))
        return out

    def figure(self):
        from matplotlib.figure import Figure

        from xaikit.plots.fairness import GroupScoreDisplay

        if self._fig is None:
            self._fig = Figure(figsize=(7, 3.2))
            self._ax = self._fig.add_subplot()
            self._fig.subplots_adjust(left=0.1, right=0.97, bottom=0.16, top=0.95)
        self._ax.cla()
        GroupScoreDisplay(self.scores, self.groups[self.attribute.value].to_numpy(),
                          None, attribute=self.attribute.value).plot(self._ax)
        return self._fig

    def update(self):
        rows = "".join(f"<tr><td>{g}</td><td>{n}</td><td>{sr:.3f}</td><td>{tpr:.3f}</td>"
                       f"<td>{fpr:.3f}</td></tr>" for g, (n, sr, tpr, fpr) in self.rates().items())
        self.summary.value = (
            f"<b>{N_EXPLORER_ROWS} other test rows</b>, rule P(&gt;50K) &ge; "
            f"{self.threshold.value:.2f}<table><tr><th>group</th><th>n</th>"
            f"<th>selection rate</th><th>TPR</th><th>FPR</th></tr>{rows}</table>")
        self.show_state(self.attribute.value)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
