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

#: widget -> (module, class, exercise id, {control attribute: kind}, factory(ctx) or None)
#: kind: "choice" (Dropdown, ToggleButtons, RadioButtons... set ``.index``) or "range"
#: (sliders: set ``.value`` across ``min..max``).
WIDGETS = {
    "ApplicantExplorer": ("xaikit.widgets.applicant", "ApplicantExplorer", "shap_vs_lime",
                          {"applicant": "choice", "mode": "choice"}),
}


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


def _values(control, kind, n):
    """``n`` successive settings of ``control``, each different from the one before."""
    if kind == "choice":
        k = len(control.options)
        start = control.index if control.index is not None else 0
        return [("index", (start + 1 + i) % k) for i in range(n)]
    lo, hi = control.min, control.max
    step = control.step or (hi - lo) / 20
    positions = []
    v = lo
    while v <= hi + 1e-12 and len(positions) < 200:
        positions.append(v)
        v += step
    # alternate ends and interior so that consecutive values always differ
    seq = [positions[(i * 7 + 1) % len(positions)] for i in range(n)]
    seq = [s if s != (seq[i - 1] if i else control.value) else positions[0] for i, s in
           enumerate(seq)]
    return [("value", s) for s in seq]


def percentile(xs, q):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def bench_widget(name, spec, n_changes, pause, shell):
    from xaikit.questions import context_for

    module, cls_name, exercise, controls = spec[:4]
    cls = getattr(importlib.import_module(module), cls_name)
    ctx = context_for(exercise, 0)
    pub = shell.display_pub
    o0, i0 = pub.outputs, pub.images
    t = time.perf_counter()
    w = cls(ctx)
    if hasattr(w, "_ipython_display_"):
        w._ipython_display_()
    build_ms = (time.perf_counter() - t) * 1e3
    rows = [(name, "(construct + first render)", [build_ms], pub.images - i0, 0)]
    for attr, kind in controls.items():
        control = getattr(w, attr)
        times, images, silent = [], 0, 0
        for field, value in _values(control, kind, n_changes):
            time.sleep(pause)  # the user looks at the plot before the next change
            o0, i0 = pub.outputs, pub.images
            t = time.perf_counter()
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
        for widget, control, times, images, silent in bench_widget(name, spec, args.changes, args.pause, shell):
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
          f"{args.pause:g} s pause between changes)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
