"""Print how long each solution notebook takes to execute with a warm model cache.

Usage: ``.venv/bin/python benchmarks/notebook_times.py [NOTEBOOK ...]`` (default: every
notebook in solutions/). Each notebook is executed once to warm the model cache, then
``--repeat`` times (default 3) in a fresh kernel with nbclient; the script prints the median and
the maximum wall time (kernel start included). The target is under 30 s on a 2-core machine.
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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    os.environ.setdefault("XAIKIT_CACHE_DIR", str(ROOT / ".xaikit-cache"))
    os.environ.setdefault("MPLBACKEND", "agg")
    paths = args.notebooks or sorted((ROOT / "solutions").glob("*.ipynb"))
    print(f"{'notebook':40s} {'warm-up s':>9s} {'median s':>9s} {'max s':>7s}  (n={args.repeat}, "
          f"{os.cpu_count()} cores)")
    worst = 0.0
    for p in paths:
        warm = run_once(p)
        times = [run_once(p) for _ in range(args.repeat)]
        worst = max(worst, max(times))
        print(f"{p.name:40s} {warm:9.1f} {statistics.median(times):9.1f} {max(times):7.1f}",
              flush=True)
    print(f"slowest warm run: {worst:.1f} s (target < 30 s)")


if __name__ == "__main__":
    sys.exit(main())
