"""The SHAP-vs-LIME applicant explorer: wires controls to :mod:`xaikit.explain` and
:mod:`xaikit.plots`, no maths of its own. Controls carry CSS classes (``xaikit-...``) so browser
tests can find them.

Responsiveness (issue 6, ``benchmarks/widget_latency.py``): each panel is drawn once per
(applicant[, LIME mode]) on a pyplot-free matplotlib ``Figure`` with a fixed layout, rendered to
PNG and cached, so revisiting is a cache hit. While the kernel is otherwise idle, a background
thread prepares what the user is likely to look at next (the five applicants of the questions,
then the other LIME mode of the current applicant and its neighbours in the list); it pauses
whenever a control changes. LIME results are identical to the exercise protocol (a fresh seeded
explainer per explanation), whichever thread computes them.
"""
from __future__ import annotations

import atexit
import html
import io
import threading
import weakref
from functools import lru_cache

#: panel size in inches at DPI: two panels side by side fit the output area of a 1400 px wide
#: JupyterLab window with the file browser open (about 2 × 440 px) without being scaled down.
FIGSIZE, DPI = (4.5, 4.5), 100
#: axes rectangle (left, bottom, width, height) in figure fractions: room for two-line feature
#: labels on the left, tick labels + axis label + a two-row legend below, the title above.
AXES_RECT = (0.41, 0.25, 0.56, 0.67)
SHAP_XLABEL = "SHAP value (log-odds of a bad risk)"
LIME_XLABEL = "LIME weight (Δ probability of a bad risk)"
LIME_MODES = (("LIME continuous", "continuous"), ("LIME binned", "binned"))


def render_png(draw) -> bytes:
    """PNG bytes of a new ``FIGSIZE`` figure on which ``draw(ax)`` drew (no pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    canvas = FigureCanvasAgg(fig)
    draw(fig.add_axes(AXES_RECT))
    buf = io.BytesIO()
    canvas.print_png(buf, pil_kwargs={"compress_level": 1})  # zlib level 6 costs ~10 ms more
    return buf.getvalue()


_PREFETCHERS = weakref.WeakSet()


@atexit.register
def _stop_prefetchers():
    # A daemon thread killed inside XGBoost's C++ code at interpreter exit aborts the process
    # ("terminate called without an active exception"): let running jobs finish first.
    for p in list(_PREFETCHERS):
        p.stop()


class _Prefetcher:
    """A cache of computed panels, filled on demand and, while idle, by a daemon thread.

    ``get(key)`` returns ``compute(key)`` (cached); ``want(keys)`` replaces the list of keys the
    background thread prepares next. The thread pauses while a ``get`` runs in the foreground
    and exits when there is nothing left to do.
    """

    def __init__(self, compute, enabled=True):
        self._compute = compute
        self.enabled = enabled
        self._cache = {}
        self._wanted = []
        self._running = None  # key being computed by the thread
        self._foreground = 0
        self._thread = None
        self._cv = threading.Condition()
        _PREFETCHERS.add(self)

    def stop(self, timeout=5.0):
        """Drop the pending work and wait for the thread's current job to end."""
        with self._cv:
            self._wanted = []
            thread = self._thread
            self._cv.notify_all()
        if thread is not None:
            thread.join(timeout)

    def get(self, key):
        with self._cv:
            self._foreground += 1
            while self._running == key:  # the thread is on it: wait rather than redo it
                self._cv.wait()
            hit = key in self._cache
            if not hit:  # the user went elsewhere: the queued guesses are stale
                self._wanted = []
        try:
            if not hit:
                value = self._compute(key)
                with self._cv:
                    self._cache[key] = value
            return self._cache[key]
        finally:
            with self._cv:
                self._foreground -= 1
                self._cv.notify_all()

    def want(self, keys):
        if not self.enabled:
            return
        with self._cv:
            self._wanted = [k for k in dict.fromkeys(keys) if k not in self._cache]
            if self._wanted and self._thread is None:
                self._thread = threading.Thread(target=self._work, daemon=True,
                                                name="xaikit-applicant-prefetch")
                try:
                    self._thread.start()
                except RuntimeError:  # no thread allowed (e.g. a sandbox's RLIMIT_NPROC)
                    self._thread, self._wanted, self.enabled = None, [], False
            self._cv.notify_all()

    def _work(self):
        while True:
            with self._cv:
                while self._foreground or not self._wanted:
                    if not self._wanted:
                        self._thread = None
                        return
                    self._cv.wait(0.5)
                key = self._wanted.pop(0)
                if key in self._cache:
                    continue
                self._running = key
            try:
                value = self._compute(key)
            except Exception:  # noqa: BLE001 - the foreground recomputes and shows the error
                value = None
            with self._cv:
                if value is not None:
                    self._cache[key] = value
                self._running = None
                self._cv.notify_all()


class ApplicantExplorer:
    """Pick an applicant; see the prediction, the SHAP waterfall and LIME's weights side by side.

    Parameters
    ----------
    ctx : xaikit.exercises.shap_vs_lime.public.ShapVsLimeContext
        Model, data and LIME settings of the exercise.
    applicants : list of int, optional
        Index labels of ``ctx.X_test`` to offer; default: every test applicant, the
        exercise's declined applicants first.
    prefetch : bool, default True
        Prepare likely next views in a background thread while the kernel is idle.

    Notes
    -----
    SHAP values of every offered applicant are computed once (TreeSHAP is fast); LIME
    explanations (``xaikit.explain.lime_explain`` with the exercise's seed and sample count, a
    fresh explainer each time, as in q3) and the drawn panels are computed on first need and
    cached.
    """

    def __init__(self, ctx, applicants=None, prefetch=True):
        import ipywidgets as W

        from xaikit import explain as E

        self.ctx = ctx
        X = ctx.X_test
        labels = list(ctx.applicants) + [a for a in X.index if a not in set(ctx.applicants)]
        self.labels = labels if applicants is None else list(applicants)
        self.shap = E.tree_shap(ctx.model, X.loc[self.labels])
        self.p_bad = ctx.model.predict_proba(X.loc[self.labels])[:, 1]
        self._lime = lru_cache(maxsize=1024)(self._lime_uncached)
        self._panels = _Prefetcher(self._render, enabled=prefetch)
        options = [(f"#{a}  P(bad) = {p:.2f}" + ("  ★" if a in ctx.applicants else ""), i)
                   for i, (a, p) in enumerate(zip(self.labels, self.p_bad))]
        self.applicant = W.Dropdown(options=options, value=0, description="Applicant",
                                    layout=W.Layout(width="320px"))
        self.applicant.add_class("xaikit-applicant")
        self.mode = W.ToggleButtons(options=LIME_MODES, value="binned")
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
        starred = [i for i, a in enumerate(self.labels) if a in set(ctx.applicants)]
        self._panels.want(self._next_keys() + [
            k for i in starred for k in
            (("shap", i), ("lime", i, "binned"), ("lime", i, "continuous"))])

    def _lime_uncached(self, i, mode):
        from xaikit import explain as E

        explainer = E.make_lime_explainer(self.ctx.X_train, self.ctx.dataset,
                                          discretize_continuous=(mode == "binned"),
                                          seed=self.ctx.lime_seed)
        return E.lime_explain(explainer, self.ctx.model.predict_proba,
                              self.ctx.X_test.loc[self.labels[i]],
                              n_features=len(self.ctx.feature_names),
                              num_samples=self.ctx.lime_samples)

    def _render(self, key):
        """PNG of a panel: ``("shap", i)`` -> bytes, ``("lime", i, mode)`` -> (bytes, R²)."""
        from xaikit.plots import AttributionBarDisplay, ShapWaterfallDisplay, readable_labels

        if key[0] == "shap":
            i = key[1]
            d = ShapWaterfallDisplay.from_shap_result(
                self.shap, i, self.ctx.dataset, xlabel=SHAP_XLABEL,
                title=f"TreeSHAP, applicant #{self.labels[i]}",
                legend=("raises the log-odds", "lowers the log-odds"))
            return render_png(d.plot)
        _, i, mode = key
        lime = self._lime(i, mode)
        labels = readable_labels(self.ctx.feature_names, self.shap.data[i], self.ctx.dataset)
        d = AttributionBarDisplay(lime.weights, labels, xlabel=LIME_XLABEL,
                                  title=f"LIME ({mode}), local R² = {lime.score:.2f}",
                                  legend=("raises P(bad risk)", "lowers P(bad risk)"))
        return render_png(d.plot), lime.score

    def _next_keys(self):
        """What the user is likely to look at after the current view."""
        i, mode = self.applicant.value, self.mode.value
        other = "continuous" if mode == "binned" else "binned"
        keys = []
        for j in (i + 1, i, i - 1, i + 2):
            if j == i:
                keys.append(("lime", i, other))
            elif 0 <= j < len(self.labels):
                keys += [("shap", j), ("lime", j, mode)]
        return keys

    def update(self, shap=True):
        """Redraw for the current controls (called by the controls' observers)."""
        from IPython.display import Image, display

        i, mode = self.applicant.value, self.mode.value
        try:
            lime_png, score = self._panels.get(("lime", i, mode))
            shap_png = self._panels.get(("shap", i)) if shap else None
        except Exception:
            with self.lime_out:  # the Output widget shows the traceback
                self.lime_out.clear_output(wait=True)
                raise
        label = self.labels[i]
        decision = "declined" if self.p_bad[i] >= 0.5 else "approved"
        self.header.value = (
            f"<b>Applicant #{label}</b>: P(bad risk) = {self.p_bad[i]:.3f} → <b>{decision}</b> "
            f"(threshold 0.5); log-odds {self.shap.margin[i]:+.3f} = base "
            f"{self.shap.base_value:+.3f} + Σ SHAP. LIME ({html.escape(mode)}) local R² = "
            f"{score:.2f}.")
        if shap:
            with self.shap_out:
                self.shap_out.clear_output(wait=True)
                display(Image(data=shap_png, format="png"))
        with self.lime_out:
            self.lime_out.clear_output(wait=True)
            display(Image(data=lime_png, format="png"))
        self._panels.want(self._next_keys())

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
