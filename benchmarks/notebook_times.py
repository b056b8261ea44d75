"""Print how long each solution notebook takes to execute, against the import floor.

Usage: ``.venv/bin/python benchmarks/notebook_times.py [NOTEBOOK ...]`` (default: every
notebook in solutions/). The **import floor** is a notebook that only imports the stack (numpy,
pandas, shap, xgboost, sklearn.ensemble, lime, xaikit) in a fresh kernel: no notebook can be
faster. Each notebook is executed once to warm the model cache, then ``--repeat`` times
(default 3) in a fresh kernel with nbclient, alternating with the floor in the same run; the
script prints the median and maximum wall time (kernel start included) and the ratio of the
median to the floor's median. The target: every ratio <= 2.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_once(path: Path) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


FLOOR = ("import numpy, pandas, shap, xgboost, sklearn.ensemble, lime.lime_tabular\n"
         "import xaikit, xaikit.exercises\n")


def floor_once() -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(FLOOR)]
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3").execute()
    return time.perf_counter() - start


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    os.environ.setdefault("XAIKIT_CACHE_DIR", str(ROOT / ".xaikit-cache"))
    os.environ.setdefault("MPLBACKEND", "agg")
    paths = args.notebooks or sorted((ROOT / "solutions").glob("*.ipynb"))
    print(f"{'notebook':40s} {'warm-up s':>9s} {'median s':>9s} {'max s':>7s} {'/floor':>7s}"
          f"  (n={args.repeat}, {os.cpu_count()} cores)")
    floor_once()  # warm the page cache
    floors, rows = [], []
    for p in paths:
        warm = run_once(p)
        times = []
        for _ in range(args.repeat):
            floors.append(floor_once())
            times.append(run_once(p))
        rows.append((p.name, warm, times))
    floor = statistics.median(floors)
    worst = 0.0
    for name, warm, times in rows:
        ratio = statistics.median(times) / floor
        worst = max(worst, ratio)
        print(f"{name:40s} {warm:9.1f} {statistics.median(times):9.1f} {max(times):7.1f} "
              f"{ratio:7.2f}")
    print(f"import floor (fresh kernel + the stack's imports): median {floor:.1f} s, "
          f"max {max(floors):.1f} s over {len(floors)} runs")
    print(f"worst ratio to the floor: {worst:.2f} (target <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
