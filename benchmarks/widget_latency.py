"""Print the latency of each widget's update: from a control change to the new output.

Usage: ``.venv/bin/python benchmarks/widget_latency.py [--changes 30] [WIDGET ...]``
(default: every widget in ``WIDGETS`` whose module and exercise exist).

Measured in-process, without a browser, the way the kernel runs it: an IPython shell with
matplotlib's inline backend (the one ipykernel uses), so that every figure a widget displays is
rendered to PNG by the same formatter that feeds the frontend; the display messages are counted
instead of sent. Each control is changed ``--changes`` times (default 30, cycling through its
options or slider positions, with ``--pause`` seconds between changes, untimed, as a user looks at
the result). An ipywidgets observer runs synchronously inside the assignment, so the time of
``control.value = v`` is the kernel-side latency from the change to the new output. A change that
displays nothing is reported: a control that updates nothing is a bug. Widget construction (first
render) is timed once.

Aim (issue 6): median < 100 ms and 95th percentile < 250 ms per widget and control.
"""
from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AIM_MEDIAN_MS, AIM_P95_MS = 100.0, 250.0

#: widget -> (module, class, exercise id, constructor, {control path: kind}).
#: constructor: "" (``cls(ctx)``) or a classmethod name (``cls.from_context(ctx)``).
#: control path: attribute, or ``attr.key`` for a dict of controls. kind: "choice" (Dropdown,
#: ToggleButtons...: set ``.index``), "range" (sliders: ``.value`` across ``min..max``),
#: "bool" (Checkbox), "button" (``.click()``).
WIDGETS = {
    "ApplicantExplorer": ("xaikit.widgets.applicant", "ApplicantExplorer", "shap_vs_lime", "",
                          {"applicant": "choice", "mode": "choice"}),
    "EffectsExplorer": ("xaikit.widgets.effects", "EffectsExplorer", "pdp_ice", "from_context",
                        {"feature": "choice", "view": "choice", "n_lines": "range"}),
    "ImportanceExplorer": ("xaikit.widgets.importance", "ImportanceExplorer",
                           "feature_importance", "from_context",
                           {"method": "choice", "errors": "bool", "top_k": "range"}),
    "CounterfactualEditor": ("xaikit.widgets.counterfactuals", "CounterfactualEditor",
                             "counterfactuals", "",
                             {"applicant": "choice", "sliders.dir": "range",
                              "sliders.hir": "range", "sliders.lvr": "range",
                              "sliders.ccs": "range", "sliders.mcs": "range",
                              "reset": "button"}),
    "SurrogateExplorer": ("xaikit.widgets.distill", "SurrogateExplorer", "distillation", "",
                          {"depth": "range"}),
    "GroupExplorer": ("xaikit.widgets.fairness", "GroupExplorer", "fairness", "",
                      {"attribute": "choice", "threshold": "range"}),
    "DebugExplorer": ("xaikit.widgets.debugging", "DebugExplorer", "debugging", "",
                      {"feature": "choice", "month": "range"}),
    "InteractionExplorer": ("xaikit.widgets.interactions", "InteractionExplorer", "interactions",
                            "", {"data": "choice", "feature": "choice", "by": "choice",
                                 "row": "range"}),
    "GlassboxExplorer": ("xaikit.widgets.glassbox", "GlassboxExplorer", "glassbox_vs_posthoc",
                         "", {"dataset": "choice", "feature": "choice"}),
    "NoticePreview": ("xaikit.widgets.reason_codes", "NoticePreview", "reason_codes", "",
                      {"applicant": "choice"}),
    "ShiftExplorer": ("xaikit.widgets.drift", "ShiftExplorer", "drift", "",
                      {"feature": "choice", "shift": "choice"}),
    "DigitExplorer": ("xaikit.widgets.neural", "DigitExplorer", "neural_attribution", "",
                      {"digit": "choice", "size": "choice", "top": "range", "left": "range"}),
    "ProbeExplorer": ("xaikit.widgets.fooling", "ProbeExplorer", "fooling_explainers", "",
                      {"row": "choice", "feature": "choice"}),
    "FaithfulnessExplorer": ("xaikit.widgets.faithfulness", "FaithfulnessExplorer",
                             "explanation_quality", "",
                             {"data": "choice", "row": "choice", "feature": "choice",
                              "move": "range"}),
    "BootstrapExplorer": ("xaikit.widgets.uncertainty", "BootstrapExplorer", "uncertainty", "",
                          {"source": "choice", "feature": "choice", "n": "range"}),
}


def _control(widget, path):
    obj = widget
    for part in path.split("."):
        obj = obj[part] if isinstance(obj, dict) else getattr(obj, part)
    return obj


def _shell():
    """An IPython shell like ipykernel's: inline matplotlib, displays counted, not printed."""
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    class KernelLikeShell(InteractiveShell):
        def enable_gui(self, gui=None):  # the inline backend needs no event loop
            pass

    class CountingPublisher(DisplayPublisher):
        """Counts what would be sent to the frontend (ipykernel's ZMQ publisher sends it)."""
        outputs = images = 0

        def publish(self, data, metadata=None, *args, **kwargs):
            self.outputs += 1
            self.images += any(k.startswith("image/") for k in data)

        def clear_output(self, wait=False):
            pass

    shell = KernelLikeShell.instance()
    shell.enable_matplotlib("inline")  # registers the PNG formatter ipykernel uses
    shell.display_pub = CountingPublisher(shell=shell)
    return shell


def _values(control, kind, n, jumps=False):
    """``n`` successive settings of ``control``, each different from the one before.

    Choices are stepped through in order (the next option each time), or with ``jumps`` drawn
    at random (seeded) over all options: the worst case for caches of neighbouring views.
    """
    if kind == "button":
        return [("click", None)] * n
    if kind == "bool":
        return [("value", (i % 2 == 0) != bool(control.value)) for i in range(n)]
    if kind == "choice":
        k = len(control.options)
        start = control.index if control.index is not None else 0
        if jumps and k > 2:
            import random

            rng, seq, last = random.Random(0), [], start
            while len(seq) < n:
                j = rng.randrange(k)
                if j != last:
                    seq.append(("index", j))
                    last = j
            return seq
        return [("index", (start + 1 + i) % k) for i in range(n)]
    lo, hi = control.min, control.max
    step = control.step or (hi - lo) / 20
    positions = []
    v = lo
    while v <= hi + 1e-12 and len(positions) < 200:
        positions.append(v)
        v += step
    seq, last = [], control.value
    for i in range(n):  # spread over the range; consecutive values always differ
        v = positions[(i * 7 + 1) % len(positions)]
        if v == last:
            v = positions[(i * 7 + 2) % len(positions)]
        seq.append(("value", v))
        last = v
    return seq


def percentile(xs, q):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def bench_widget(name, spec, n_changes, pause, shell, jumps=False):
    from xaikit.exercises import context_for

    module, cls_name, exercise, constructor, controls = spec
    cls = getattr(importlib.import_module(module), cls_name)
    ctx = context_for(exercise, 0)
    pub = shell.display_pub
    o0, i0 = pub.outputs, pub.images
    t = time.perf_counter()
    w = getattr(cls, constructor)(ctx) if constructor else cls(ctx)
    if hasattr(w, "_ipython_display_"):
        w._ipython_display_()
    build_ms = (time.perf_counter() - t) * 1e3
    rows = [(name, "(construct + first render)", [build_ms], pub.images - i0, 0)]
    for attr, kind in controls.items():
        control = _control(w, attr)
        times, images, silent = [], 0, 0
        for field, value in _values(control, kind, n_changes, jumps):
            time.sleep(pause)  # the user looks at the plot before the next change
            o0, i0 = pub.outputs, pub.images
            t = time.perf_counter()
            if field == "click":
                control.click()
            else:
                setattr(control, field, value)
            times.append((time.perf_counter() - t) * 1e3)
            images += pub.images - i0
            silent += pub.outputs == o0
        rows.append((name, f"{attr} ({type(control).__name__})", times, images, silent))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("widgets", nargs="*")
    ap.add_argument("--changes", type=int, default=30)
    ap.add_argument("--pause", type=float, default=0.5,
                    help="seconds between changes, not timed (a user looks at the result); "
                         "0 = back to back, the worst case for caches filled in the background")
    ap.add_argument("--jumps", action="store_true",
                    help="choose dropdown options at random instead of stepping to the next one")
    args = ap.parse_args(argv)
    os.environ.setdefault("XAIKIT_CACHE_DIR", str(ROOT / ".xaikit-cache"))
    sys.path.insert(0, str(ROOT / "src"))
    shell = _shell()
    names = args.widgets or list(WIDGETS)
    print(f"{'widget':22s} {'control':34s} {'n':>3s} {'median ms':>9s} {'p95 ms':>8s} "
          f"{'max ms':>8s} {'PNGs':>5s}  verdict")
    failed = False
    for name in names:
        spec = WIDGETS[name]
        try:
            importlib.import_module(spec[0])
        except ImportError as e:
            print(f"{name:22s} (skipped: {e})")
            continue
        rows = bench_widget(name, spec, args.changes, args.pause, shell, args.jumps)
        for widget, control, times, images, silent in rows:
            med, p95 = statistics.median(times), percentile(times, 95)
            if len(times) == 1:
                verdict = ""
            else:
                ok = med < AIM_MEDIAN_MS and p95 < AIM_P95_MS and not silent
                failed |= not ok
                verdict = "ok" if ok else "SLOW" if not silent else f"{silent} changes drew nothing"
            print(f"{widget:22s} {control:34s} {len(times):3d} {med:9.1f} {p95:8.1f} "
                  f"{max(times):8.1f} {images:5d}  {verdict}", flush=True)
    print(f"aim: median < {AIM_MEDIAN_MS:.0f} ms, p95 < {AIM_P95_MS:.0f} ms "
          f"({os.cpu_count()} cores; kernel side, PNG rendering included; "
          f"{args.pause:g} s pause between changes"
          + ("; options chosen at random" if args.jumps else "; options in order") + ")")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
