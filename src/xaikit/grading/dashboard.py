"""``OUT/index.html``: the batch dashboard. One table per exercise, one row per candidate
(scores, status, flags, time spent, one column per question), sortable by clicking a header
(a few lines of inline JavaScript; no server, no CDN), links to each ``report.html``, and
per-question statistics across the batch.

Discrimination index: the **corrected item-total correlation** — the Pearson correlation,
across the graded submissions of an exercise, between a question's score (as a fraction of
its points) and the auto score on the *other* auto questions (for a written question: the
whole auto score). Near 0 or negative: the question does not separate strong from weak
candidates in this batch; above about 0.3: it does. Undefined (—) with fewer than 3
submissions or when either side does not vary.
"""
from __future__ import annotations

import json
import math
from html import escape
from pathlib import Path

#: Reports that count in the statistics (graded, even if partly).
GRADED = ("ok", "cell_errors", "incomplete")
INDEX = "index.html"

SCRIPT = """
document.querySelectorAll('table.sortable').forEach(function (t) {
  t.querySelectorAll('thead th').forEach(function (th, i) {
    th.addEventListener('click', function () {
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      t.querySelectorAll('thead th').forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var key = function (r) {
        var c = r.cells[i], v = c.hasAttribute('data-v') ? c.getAttribute('data-v')
                                                          : c.textContent.trim();
        if (v === '') return null;
        var n = Number(v);
        return isNaN(n) ? v.toLowerCase() : n;
      };
      var rows = Array.prototype.slice.call(t.tBodies[0].rows);
      rows.sort(function (x, y) {
        var a = key(x), b = key(y);
        if (a === null || b === null) return (a === null) - (b === null);  // blanks last
        if (typeof a !== typeof b) { a = String(a); b = String(b); }
        return (a < b ? -1 : a > b ? 1 : 0) * (asc ? 1 : -1);
      });
      rows.forEach(function (r) { t.tBodies[0].appendChild(r); });
    });
  });
});
"""
STYLE = ("body{font-family:system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse;"
         "margin-bottom:1em}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}"
         "td{white-space:nowrap}td.t,th.t{text-align:left}"
         "thead th{background:#eef;cursor:pointer;user-select:none}"
         "th[aria-sort=ascending]::after{content:' ▲'}th[aria-sort=descending]::after"
         "{content:' ▼'}.flags{color:#a40000;text-align:left}")


def correlation(x, y) -> float | None:
    """Pearson correlation of two equal-length sequences; None if undefined (n < 3 or a
    constant side)."""
    n = len(x)
    if n < 3 or n != len(y):
        return None
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    r = sxy / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))


def question_stats(reports: list[dict]) -> dict:
    """Per-question statistics over the graded reports of one exercise.

    Returns
    -------
    dict
        ``{qid: {"n", "mean", "points", "share_correct", "discrimination"}}``: ``n`` scored
        submissions, ``mean`` score in points, ``share_correct`` the fraction with full
        points (status ``correct`` for auto questions), ``discrimination`` the corrected
        item-total correlation (module docstring) or None.
    """
    graded = [r for r in reports if r.get("status") in GRADED]
    qids = []
    for r in graded:
        for q in r.get("questions", []):
            if q["id"] not in qids:
                qids.append(q["id"])
    stats = {}
    for qid in qids:
        item, rest, full, points, auto = [], [], 0, None, True
        for r in graded:
            q = next((q for q in r["questions"] if q["id"] == qid), None)
            points = q["points"] if q is not None and points is None else points
            if q is None or q.get("score") is None or not q.get("points"):
                continue
            auto = q["kind"] == "auto"
            total = sum(p["score"] for p in r["questions"] if p["kind"] == "auto")
            item.append(q["score"] / q["points"])
            rest.append(total - q["score"] if auto else total)
            full += (q.get("status") == "correct") if auto else (q["score"] >= q["points"])
        n = len(item)
        stats[qid] = {"n": n, "points": points,
                      "mean": round(sum(item) / n * points, 4) if n else None,
                      "share_correct": round(full / n, 4) if n else None,
                      "discrimination": None if (r_ := correlation(item, rest)) is None
                      else round(r_, 4)}
    return stats


def _fmt(x, spec="g") -> str:
    return "—" if x is None else format(x, spec)


def _report_link(out: Path, rep: dict) -> str:
    """``<candidate>/report.html``, rendered from report.json if it is missing (reports
    written before report.html existed)."""
    folder = out / rep["candidate"]
    if not (folder / "report.html").is_file() and folder.is_dir():
        from xaikit.grading.report import atomic_write
        from xaikit.grading.report_html import render_html

        try:
            atomic_write(folder / "report.html", render_html(rep))
        except Exception:  # noqa: BLE001 - fall back to report.md
            return f"{rep['candidate']}/report.md"
    return f"{rep['candidate']}/report.html"


def _exercise_table(out: Path, exercise: str, reports: list[dict]) -> str:
    qids = []
    for r in reports:
        for q in r.get("questions", []):
            if q["id"] not in qids:
                qids.append(q["id"])
    e = escape
    head = ["candidate", "submission", "auto", "manual", "status", "flags", "time spent (min)"]
    h = ["<thead><tr>"] + [f"<th class='t'>{e(c)}</th>" if c in ("candidate", "submission",
                                                                   "status", "flags")
                           else f"<th>{e(c)}</th>" for c in head]
    h += [f"<th>{e(q)}</th>" for q in qids] + ["</tr></thead>"]
    rows = []
    for r in sorted(reports, key=lambda r: r["candidate"]):
        a, m = r["auto"], r["manual"]
        tl = r.get("timeline") or {}
        span = tl.get("span_s") if tl.get("available") else None
        kinds = [f["kind"] for f in r.get("flags", [])]
        flags = "; ".join(k + (f" ×{kinds.count(k)}" if kinds.count(k) > 1 else "")
                          for k in dict.fromkeys(kinds))
        cells = [f"<td class='t'><a href='{e(_report_link(out, r))}'>{e(r['candidate'])}</a>"
                 "</td>", f"<td class='t'>{e(str(r.get('submission', '')))}</td>",
                 f"<td data-v='{a['score']}'>{_fmt(a['score'])} / {_fmt(a['max'])}</td>",
                 f"<td data-v='{'' if m['score'] is None else m['score']}'>{_fmt(m['score'])}"
                 f" / {_fmt(m['max'])}</td>",
                 f"<td class='t'>{e(str(r.get('status')))}</td>",
                 f"<td class='flags'>{e(flags)}</td>",
                 f"<td data-v='{'' if span is None else span}'>"
                 f"{'—' if span is None else format(span / 60, '.1f')}</td>"]
        by_id = {q["id"]: q for q in r.get("questions", [])}
        for qid in qids:
            s = by_id.get(qid, {}).get("score")
            cells.append(f"<td data-v='{'' if s is None else s}'>{_fmt(s)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    stats = question_stats(reports)
    srows = ["<table class='stats'><thead><tr><th class='t'>statistic</th>" +
             "".join(f"<th>{e(q)}</th>" for q in qids) + "</tr></thead><tbody>"]
    for label, key, spec in (("submissions scored", "n", "d"), ("points", "points", "g"),
                             ("mean score", "mean", ".2f"),
                             ("share correct (full points)", "share_correct", ".0%"),
                             ("discrimination (corrected item-total r)", "discrimination",
                              ".2f")):
        srows.append(f"<tr><td class='t'>{label}</td>" + "".join(
            f"<td>{_fmt(stats.get(q, {}).get(key), spec)}</td>" for q in qids) + "</tr>")
    srows.append("</tbody></table>")
    return (f"<h2>{e(exercise)} ({len(reports)} submission(s))</h2>"
            f"<table class='sortable' data-exercise='{e(exercise)}'>" + "".join(h) +
            "<tbody>" + "\n".join(rows) + "</tbody></table>"
            "<h3>Per-question statistics</h3>" + "".join(srows))


def render_dashboard(out: Path, reports: list[dict]) -> str:
    """The dashboard page for ``reports`` (report dicts) whose folders are in ``out``."""
    groups = {}
    for r in reports:
        groups.setdefault(r.get("exercise") or "(not gradable)", []).append(r)
    body = [_exercise_table(Path(out), ex, groups[ex]) for ex in sorted(groups)]
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>xaikit grading: "
            f"{len(reports)} submission(s)</title><style>{STYLE}</style></head><body>"
            f"<h1>Grading dashboard ({len(reports)} submission(s))</h1>"
            "<p>Click a column header to sort. Time spent: from the first to the last recorded "
            "cell run in the submitted notebook (JupyterLab's recordTiming; — when the notebook "
            "has no times). Statistics count the submissions with status ok, cell_errors or "
            "incomplete. <b>Discrimination</b> is the corrected item-total correlation: the "
            "Pearson correlation between a question's score (fraction of its points) and the "
            "auto score on the other auto questions (for a written question, the whole auto "
            "score); about 0.3 or more separates strong from weak candidates, near 0 or "
            "negative does not; — with fewer than 3 submissions or no variation.</p>"
            + "\n".join(body) + f"<script>{SCRIPT}</script></body></html>\n")


def write_dashboard(out, reports: list[dict]) -> Path:
    """Write ``out/index.html`` for ``reports`` (atomically) and return its path."""
    from xaikit.grading.report import atomic_write

    path = Path(out) / INDEX
    atomic_write(path, render_dashboard(Path(out), reports))
    return path


def rebuild_dashboard(out) -> Path:
    """Write ``out/index.html`` from every ``out/*/report.json`` (e.g. after grading in
    several batches into the same folder)."""
    reports = []
    for p in sorted(Path(out).glob("*/report.json")):
        try:
            rep = json.loads(p.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(rep, dict) and "auto" in rep and "manual" in rep:
            rep["candidate"] = p.parent.name
            reports.append(rep)
    return write_dashboard(out, reports)
