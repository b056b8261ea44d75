"""Stress test of notebook execution: hangs and stalls under two parallel executions.

Executes every solution and exercise notebook ``--rounds`` times, ``--parallel`` at a time, each
in a fresh kernel through nbclient (the machinery the grader and nbval use), and prints:

- **hangs**: a cell whose reply did not come within ``--hang-after`` seconds (the execution is
  abandoned; a healthy cell of these notebooks takes a few seconds at most);
- **stalls**: a cell that took more than 3x its median over all runs (and over 1 s);

with the notebook and the cell, and the versions of ipykernel, pyzmq, jupyter_client, nbclient.

    .venv/bin/python benchmarks/notebook_stress.py --rounds 10          # 100 executions

Each execution runs in its own Python process (``python -c`` with nbclient), so one hang never
blocks the others; ``--python`` chooses the interpreter (e.g. another venv's, to compare
versions); ``--client plain`` uses nbclient as it is, ``--client grader`` (the default) the
grader's client (:mod:`xaikit.grading.replies`: sliced waits, lost-message recovery).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RUNNER = r"""
import json, sys, time
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError
path, hang_after, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
nb = nbformat.read(path, as_version=4)
times, hung, error = {}, None, None
cls = NotebookClient
if sys.argv[5] == "grader":  # the grader's client: sliced waits, lost-message recovery
    from xaikit.grading.replies import ReplyRecovery
    cls = type("GraderClient", (ReplyRecovery, NotebookClient), {})
client = cls(nb, timeout=hang_after, kernel_name="python3", allow_errors=True,
             resources={"metadata": {"path": sys.argv[4]}})
t0 = time.monotonic()
with client.setup_kernel():
    times["start"] = time.monotonic() - t0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        t = time.monotonic()
        try:
            client.execute_cell(cell, i)
        except CellTimeoutError:
            hung = i
            break
        except Exception as e:
            error = f"cell {i}: {type(e).__name__}: {e}"[:300]
            break
        times[i] = time.monotonic() - t
json.dump({"times": times, "hung": hung, "error": error,
           "recoveries": getattr(client, "recoveries", [])}, open(out, "w"))
"""


def versions(python: str) -> dict:
    code = ("import json, ipykernel, zmq, jupyter_client, nbclient; print(json.dumps("
            "{'ipykernel': ipykernel.__version__, 'pyzmq': zmq.__version__, "
            "'jupyter_client': jupyter_client.__version__, 'nbclient': nbclient.__version__}))")
    return json.loads(subprocess.run([python, "-c", code], capture_output=True, text=True,
                                     check=True).stdout)


def run_one(python: str, nb: Path, hang_after: float, tmp: Path, k: int,
            client: str = "plain") -> dict:
    out = tmp / f"{nb.parent.name}-{nb.stem}-{k}.json"
    t = time.monotonic()
    try:
        subprocess.run([python, "-c", RUNNER, str(nb), str(hang_after), str(out), str(nb.parent),
                        client],
                       capture_output=True, text=True, timeout=hang_after * 3 + 120)
        res = json.loads(out.read_text())
    except (subprocess.TimeoutExpired, OSError, ValueError) as e:
        res = {"times": {}, "hung": -1, "error": f"runner: {type(e).__name__}"}
    res.update(notebook=f"{nb.parent.name}/{nb.name}", wall=time.monotonic() - t)
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--parallel", type=int, default=2)
    ap.add_argument("--hang-after", type=float, default=60.0,
                    help="seconds without a cell's reply that count as a hang")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--client", choices=("plain", "grader"), default="grader",
                    help="plain nbclient, or the grader's (xaikit.grading.replies)")
    ap.add_argument("--notebooks", nargs="*",
                    default=[str(p) for d in ("solutions", "exercises")
                             for p in sorted((ROOT / d).glob("*.ipynb"))])
    args = ap.parse_args(argv)
    import tempfile

    print("versions:", versions(args.python), "client:", args.client)
    jobs = [(Path(nb), k) for k in range(args.rounds) for nb in args.notebooks]
    with tempfile.TemporaryDirectory(prefix="xaikit-stress-") as tmp, \
            ThreadPoolExecutor(args.parallel) as pool:
        results = list(pool.map(lambda j: run_one(args.python, j[0], args.hang_after,
                                                  Path(tmp), j[1], args.client), jobs))
    by_cell: dict = {}
    for r in results:
        for i, t in r["times"].items():
            if i == "start":
                continue
            by_cell.setdefault((r["notebook"], int(i)), []).append(t)
    hangs = [r for r in results if r["hung"] is not None]
    stalls = []
    for (nb, i), ts in sorted(by_cell.items()):
        med = statistics.median(ts)
        stalls += [(nb, i, t, med) for t in ts if t > 3 * med and t > 1.0]
    errors = [r for r in results if r["error"]]
    print(f"executions: {len(results)} ({args.parallel} in parallel); "
          f"hangs: {len(hangs)}; stalls (> 3x median and > 1 s): {len(stalls)}; "
          f"errors: {len(errors)}")
    rec = [(r["notebook"], x) for r in results for x in r.get("recoveries", [])]
    kinds = {}
    for _, x in rec:
        kinds[x["kind"]] = kinds.get(x["kind"], 0) + 1
    print(f"recoveries by the grader's client: {kinds or 'none'}")
    for r in hangs:
        print(f"  hang: {r['notebook']} cell {r['hung']} (no reply in {args.hang_after:g} s)")
    for nb, i, t, med in stalls:
        print(f"  stall: {nb} cell {i}: {t:.1f} s (median {med:.2f} s)")
    for r in errors:
        print(f"  error: {r['notebook']}: {r['error']}")
    walls = {}
    for r in results:
        walls.setdefault(r["notebook"], []).append(r["wall"])
    starts = [r["times"]["start"] for r in results if "start" in r["times"]]
    if starts:
        print(f"  kernel start: median {statistics.median(starts):.1f} s, max {max(starts):.1f} s")
    for nb, w in sorted(walls.items()):
        print(f"  {nb}: median {statistics.median(w):.1f} s, max {max(w):.1f} s")
    return 1 if hangs else 0


if __name__ == "__main__":
    sys.exit(main())
