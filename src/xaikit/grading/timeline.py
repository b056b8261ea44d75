"""A timeline of the candidate's work, read from the execution times JupyterLab records.

With the notebook setting ``recordTiming`` on (plugin
``@jupyterlab/notebook-extension:tracker``), JupyterLab stores the times of each code cell's
**last** execution in its metadata (``execution``: ``iopub.status.busy``,
``iopub.execute_input``, ``shell.execute_reply``, ``iopub.status.idle``). This module turns
those times, with the cells' ``execution_count``, into a per-question timeline:

- *time spent* on a question: from the first start to the last end of the recorded runs of
  its cells (the cells that assign one of its answer names, or that sit under its
  ``## qN`` heading). This is wall time and includes thinking and other work in between;
  ``run_s`` is the kernel's own time in those runs.
- *order of work*: questions by the first start of their cells; ``out_of_order`` says that it
  differs from the notebook's order.
- *re-runs*: only the last run of a cell is kept, so earlier runs are not visible. Within one
  kernel session execution counts rise by one per run: a gap between the counts of the
  recorded cells means runs that left no trace (a cell run again later, a cell deleted, or the
  same cell run several times). A count lower than the previous one (in time) starts a new
  kernel session (a restart).
- a final *Restart and Run All* overwrites every earlier time: the timeline then shows that
  run only (``run_all_at_end``).

The submitted notebook is only read (never the grader's re-executed copy, whose times are the
grader's). Missing or malformed metadata is never an error: the timeline says it is
unavailable, and it never changes a score or adds a flag.

:func:`write_lab_settings` writes the JupyterLab user settings that turn ``recordTiming`` on;
take-home packs ship them, ``make lab`` and live sessions use them.
"""
from __future__ import annotations

import ast
import json
import math
import re
from datetime import datetime
from pathlib import Path

#: The JupyterLab plugin and setting that record execution times in the notebook.
TRACKER_PLUGIN = "@jupyterlab/notebook-extension:tracker"
SETTINGS = {TRACKER_PLUGIN: {"recordTiming": True}}
START_KEYS = ("iopub.execute_input", "iopub.status.busy", "shell.execute_request")
END_KEYS = ("shell.execute_reply", "iopub.status.idle")
MAX_CELLS = 5000  # candidate metadata is untrusted: bounded work

NOTE = ("Times are JupyterLab's record of each code cell's last run (recordTiming). Earlier runs "
        "of a cell are overwritten: re-runs show only as gaps in the execution counts, and a "
        "final Restart and Run All leaves only that run. Time spent on a question is wall time "
        "from the first start to the last end of its cells' recorded runs (thinking included); "
        "markdown cells (written answers) have no times.")


def write_lab_settings(settings_dir) -> Path:
    """Write JupyterLab user settings that turn on ``recordTiming``.

    Parameters
    ----------
    settings_dir : path-like
        A JupyterLab user-settings folder: start ``jupyter lab
        --LabApp.user_settings_dir=<settings_dir>`` (or set ``JUPYTERLAB_SETTINGS_DIR``).
        Settings already there are kept (a tracker file that is not plain JSON is replaced).

    Returns
    -------
    Path
        The settings file written,
        ``<settings_dir>/@jupyterlab/notebook-extension/tracker.jupyterlab-settings``.
    """
    written = None
    for plugin, values in SETTINGS.items():
        package, name = plugin.split(":")
        path = Path(settings_dir, *package.split("/"), f"{name}.jupyterlab-settings")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            current = json.loads(path.read_text())
            current = current if isinstance(current, dict) else {}
        except (OSError, ValueError):
            current = {}
        current.update(values)
        path.write_text(json.dumps(current, indent=2) + "\n")
        written = path
    return written


def _time(value) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        t = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo is not None else None  # JupyterLab writes UTC ("...Z")


def _first(meta: dict, keys) -> datetime | None:
    for k in keys:
        t = _time(meta.get(k))
        if t is not None:
            return t
    return None


def _assigned_names(source: str) -> set[str]:
    """Names a cell assigns (``x = ...``, ``x[...] = ...``, ``for x in``...); IPython magics
    (``%time x = 1``) and shell lines are read without their prefix."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        source = re.sub(r"^(\s*)(?:%{1,2}\w+|!)[ \t]*", r"\1", source, flags=re.M)
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # IPython magics and the like: fall back to `name =` at the start of a line
        return set(re.findall(r"^\s*([A-Za-z_]\w*)\s*(?:\[.*\])?\s*[+\-*/]?=(?!=)", source,
                              re.M))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and \
                isinstance(node.ctx, ast.Store):
            names.add(node.value.id)
    return names


def cell_questions(cells, questions) -> list[str | None]:
    """The question each cell belongs to (or None).

    Parameters
    ----------
    cells : list of dict
        Notebook cells (``cell_type``, ``source``).
    questions : list of (id, answer names)

    A code cell that assigns an answer name belongs to that question (the first declared,
    if several); otherwise a cell belongs to the question whose ``qN`` heading it follows,
    until the next heading.
    """
    by_name = {}
    for qid, names in questions:
        for n in names:
            by_name.setdefault(n, qid)
    ids = {qid for qid, _ in questions}
    section, out = None, []
    for cell in cells:
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        if cell.get("cell_type") == "markdown":
            m = re.match(r"\s*#{1,6}\s*(q\d+)\b", src)
            if m or re.match(r"\s*#{1,6}\s", src):
                section = m.group(1) if m and m.group(1) in ids else None
            out.append(section)
            continue
        hits = [by_name[n] for n in _assigned_names(src[:200_000]) if n in by_name]
        order = [qid for qid, _ in questions]
        out.append(min(hits, key=order.index) if hits else section)
    return out


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def _sessions(runs) -> list[dict]:
    """Kernel sessions: runs in time order, split where the execution count goes down."""
    sessions, cur = [], []
    for r in sorted((r for r in runs if r["execution_count"] is not None),
                    key=lambda r: r["_start"]):
        if cur and r["execution_count"] <= cur[-1]["execution_count"]:
            sessions.append(cur)
            cur = []
        cur.append(r)
    if cur:
        sessions.append(cur)
    out = []
    for s in sessions:
        counts = [r["execution_count"] for r in s]
        # runs before the first recorded one (counts start at 1) and in the gaps
        hidden = (counts[0] - 1) + sum(b - a - 1 for a, b in zip(counts, counts[1:]))
        out.append({"start": _iso(s[0]["_start"]), "end": _iso(max(r["_end"] for r in s)),
                    "first_count": counts[0], "last_count": counts[-1],
                    "recorded_runs": len(s), "hidden_runs": hidden})
    return out


def extract_timeline(nb, questions) -> dict:
    """The timeline of a submitted notebook.

    Parameters
    ----------
    nb : dict or nbformat.NotebookNode
        The notebook as submitted (only read).
    questions : list of (id, answer names)
        The exercise's questions in notebook order.

    Returns
    -------
    dict
        ``available`` (bool), ``note`` (what the times can and cannot say), and when available:
        ``start``/``end`` (ISO UTC), ``span_s``, ``cells`` (each recorded run: 1-based ``cell``,
        ``question``, ``offset_s`` from the first start, ``duration_s``, ``execution_count``),
        ``questions`` (``id``, ``first_offset_s``, ``last_offset_s``, ``span_s``, ``run_s``,
        ``lead_s``: the time since the previous recorded run of any cell, summed over its
        runs, i.e. the work that led to them, ``cells``), ``order`` (question ids by first
        start), ``out_of_order``, ``sessions``,
        ``hidden_runs``, ``revisited_cells`` (run after a cell below them) and
        ``run_all_at_end``. Times are seconds (floats).
    """
    cells = list(nb.get("cells", []) if hasattr(nb, "get") else [])[:MAX_CELLS]
    code = [c for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]
    base = {"available": False, "code_cells": len(code), "timed_cells": 0, "note": NOTE}
    cells = [c if isinstance(c, dict) else {} for c in cells]
    owner = cell_questions(cells, questions)
    runs = []
    for i, c in enumerate(cells):
        meta = c.get("metadata") or {}
        ex = meta.get("execution") if isinstance(meta, dict) else None
        if c.get("cell_type") != "code" or not isinstance(ex, dict):
            continue
        start, end = _first(ex, START_KEYS), _first(ex, END_KEYS)
        if start is None or end is None or end < start:
            continue
        count = c.get("execution_count")
        count = count if isinstance(count, int) and not isinstance(count, bool) and count > 0 \
            else None
        runs.append({"cell": i + 1, "question": owner[i], "_start": start, "_end": end,
                     "execution_count": count})
    base["timed_cells"] = len(runs)
    if not runs:
        base["reason"] = ("no execution times in the submitted notebook (recordTiming was off, "
                          "or the notebook was not run in JupyterLab)")
        return base
    t0 = min(r["_start"] for r in runs)
    t1 = max(r["_end"] for r in runs)

    def sec(t):
        v = (t - t0).total_seconds()
        return round(v, 3) if math.isfinite(v) else 0.0

    for r in runs:
        r["offset_s"] = sec(r["_start"])
        r["duration_s"] = round(sec(r["_end"]) - r["offset_s"], 3)
    prev_end = None  # the gap before a run is attributed to it: the work that led to it
    for r in sorted(runs, key=lambda r: r["_start"]):
        end = r["offset_s"] + r["duration_s"]
        r["_lead"] = end - (r["offset_s"] if prev_end is None else min(prev_end, r["offset_s"]))
        prev_end = end if prev_end is None else max(prev_end, end)
    qrows = []
    for qid, _ in questions:
        mine = [r for r in runs if r["question"] == qid]
        if mine:
            first = min(r["offset_s"] for r in mine)
            last = max(r["offset_s"] + r["duration_s"] for r in mine)
            qrows.append({"id": qid, "first_offset_s": first, "last_offset_s": round(last, 3),
                          "span_s": round(last - first, 3),
                          "run_s": round(sum(r["duration_s"] for r in mine), 3),
                          "lead_s": round(sum(r["_lead"] for r in mine), 3),
                          "cells": len(mine)})
    order = [q["id"] for q in sorted(qrows, key=lambda q: q["first_offset_s"])]
    notebook_order = [q["id"] for q in qrows]
    by_time = sorted(runs, key=lambda r: r["_start"])
    revisited = sorted({a["cell"] for k, a in enumerate(by_time)
                        if any(b["cell"] > a["cell"] for b in by_time[:k])})
    sessions = _sessions(runs)
    last = sessions[-1] if sessions else None
    counted = sorted((r for r in runs if r["execution_count"] is not None),
                     key=lambda r: r["cell"])
    run_all = bool(last and len(sessions) == 1 and last["hidden_runs"] == 0 and
                   len(counted) == sum(1 for c in code if "".join(c.get("source") or "").strip())
                   and
                   [r["execution_count"] for r in counted] == list(range(1, len(counted) + 1)))
    base.update(
        available=True, start=_iso(t0), end=_iso(t1), span_s=sec(t1),
        cells=[{k: v for k, v in r.items() if not k.startswith("_")} for r in by_time],
        questions=qrows, order=order, out_of_order=order != notebook_order,
        sessions=sessions, hidden_runs=sum(s["hidden_runs"] for s in sessions),
        revisited_cells=revisited, run_all_at_end=run_all)
    return base


def timeline_for(nb, exercise) -> dict:
    """:func:`extract_timeline` for an exercise's questions; never raises (a failure is reported
    as ``available: False``)."""
    try:
        qs = [(q.id, tuple(q.answers or ())) for q in exercise.questions]
        return extract_timeline(nb, qs)
    except Exception as e:  # untrusted metadata must never stop grading
        return {"available": False, "note": NOTE,
                "reason": f"the timing metadata could not be read ({type(e).__name__})"}


def summary_lines(tl: dict | None) -> list[str]:
    """Plain-text findings of a timeline, for the readable reports."""
    if not tl or not tl.get("available"):
        return [(tl or {}).get("reason") or "No timeline (the notebook was not graded)."]
    out = [f"Recorded runs of {tl['timed_cells']} of {tl['code_cells']} code cells over "
           f"{tl['span_s'] / 60:.1f} min ({tl['start']} to {tl['end']})."]
    if tl["order"]:
        out.append("Order of work (first run): " + " → ".join(tl["order"]) +
                   (" — not the notebook's order." if tl["out_of_order"] else "."))
    if len(tl["sessions"]) > 1:
        out.append(f"{len(tl['sessions'])} kernel sessions (restarts) in the recorded runs.")
    if tl["hidden_runs"]:
        out.append(f"{tl['hidden_runs']} run(s) left no trace (gaps in the execution counts): "
                   "cells run more than once, or deleted.")
    if tl["revisited_cells"]:
        out.append("Cells last run after a cell below them (went back): " +
                   ", ".join(map(str, tl["revisited_cells"][:20])) + ".")
    if tl["run_all_at_end"]:
        out.append("Looks like a final Restart and Run All: the times are of that run only, "
                   "earlier work is not visible.")
    return out


if __name__ == "__main__":  # `python -m xaikit.grading.timeline DIR` (used by `make lab`)
    import sys

    print(write_lab_settings(sys.argv[1]))
