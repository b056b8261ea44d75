"""``report.html``: the readable report as one static page (no scripts, no CDN), with the work
timeline drawn as an embedded PNG (:class:`xaikit.grading.timeline_plot.TimelineDisplay`)."""
from __future__ import annotations

from html import escape

from xaikit.grading.timeline import summary_lines

STYLE = ("body{font-family:system-ui,sans-serif;max-width:1000px;margin:1.5em auto;padding:0 1em}"
         "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 7px;"
         "text-align:left;vertical-align:top}th{background:#f3f3f3}.flag{color:#a40000}"
         "blockquote{border-left:3px solid #ccc;margin:0;padding-left:1em;white-space:pre-wrap}")


def _num(x) -> str:
    return "—" if x is None else format(x, "g")


def timeline_html(tl: dict | None) -> str:
    """The timeline section: findings, the plot and a table per question."""
    parts = ["<h2>Timeline of the work</h2>"]
    parts += [f"<p>{escape(line)}</p>" for line in summary_lines(tl)]
    if tl and tl.get("available"):
        from xaikit.grading.timeline_plot import TimelineDisplay

        try:
            png = TimelineDisplay(tl).plot().to_png_base64()
            parts.append(f'<img alt="work timeline" src="data:image/png;base64,{png}" '
                         'style="max-width:100%">')
        except Exception as e:  # noqa: BLE001 - a plot failure must not lose the report
            parts.append(f"<p>(plot unavailable: {escape(type(e).__name__)})</p>")
        parts.append("<table><tr><th>question</th><th>first run (min)</th><th>last end (min)"
                     "</th><th>first to last run (min)</th><th>time before its runs (min)</th>"
                     "<th>kernel time (s)</th><th>cells</th></tr>")
        for q in tl["questions"]:
            parts.append(f"<tr><td>{escape(q['id'])}</td><td>{q['first_offset_s'] / 60:.1f}</td>"
                         f"<td>{q['last_offset_s'] / 60:.1f}</td><td>{q['span_s'] / 60:.1f}</td>"
                         f"<td>{q.get('lead_s', 0) / 60:.1f}</td>"
                         f"<td>{q['run_s']:.1f}</td><td>{q['cells']}</td></tr>")
        parts.append("</table><p><small>First to last run: wall time between the first start "
                     "and the last end of the question's cells (its last recorded runs). Time "
                     "before its runs: for each of its runs, the time since the previous "
                     "recorded run of any cell (the work that led to it, breaks included), "
                     "summed.</small></p>")
    parts.append(f"<p><small>{escape((tl or {}).get('note', ''))} The timeline never changes "
                 "a score and never adds a flag.</small></p>")
    return "\n".join(parts)


def render_html(report: dict) -> str:
    """The whole report page."""
    a, m = report["auto"], report["manual"]
    e = escape
    out = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Report: "
           f"{e(str(report.get('candidate', '')))}</title><style>{STYLE}</style></head><body>",
           f"<h1>Grading report: {e(str(report.get('submission', '')))}</h1><ul>",
           f"<li>Candidate: <b>{e(str(report.get('candidate', '')))}</b></li>",
           f"<li>Exercise: <code>{e(str(report.get('exercise')))}</code> (variant "
           f"{e(str(report.get('variant')))})</li>",
           f"<li>Auto score: <b>{_num(a['score'])} / {_num(a['max'])}</b></li>",
           f"<li>Manual score: <b>{_num(m['score'])} / {_num(m['max'])}</b></li>",
           f"<li>Status: <b>{e(str(report.get('status')))}</b></li>",
           f"<li>Sandbox: {e(str(report.get('isolation') or 'not run'))}</li>",
           f"<li>Runtime: {report.get('runtime_s', 0):.1f} s</li></ul>"]
    if report.get("flags"):
        out.append("<h2>Flags</h2><ul>" + "".join(
            f"<li class='flag'><b>{e(f['kind'])}</b>: {e(f['detail'])}</li>"
            for f in report["flags"]) + "</ul>")
    qs = report.get("questions", [])
    if qs:
        out.append("<h2>Questions</h2><table><tr><th>id</th><th>question</th><th>kind</th>"
                   "<th>level</th><th>score</th><th>status</th><th>feedback / answer</th></tr>")
        for q in qs:
            text = q.get("feedback") if q["kind"] == "auto" else q.get("answer")
            body = f"<blockquote>{e(text)}</blockquote>" if q["kind"] == "manual" and text \
                else e(text or "")
            if q.get("comment"):
                body += f"<p><i>Interviewer:</i> {e(q['comment'])}</p>"
            out.append(f"<tr><td>{e(q['id'])}</td><td>{e(str(q['title']))}</td>"
                       f"<td>{e(q['kind'])}</td><td>{e(str(q.get('level', '')))}</td>"
                       f"<td>{_num(q.get('score'))} / {_num(q['points'])}</td>"
                       f"<td>{e(str(q.get('status', '')))}</td><td>{body}</td></tr>")
        out.append("</table><p>Rubrics for the written answers: see report.md.</p>")
    out.append(timeline_html(report.get("timeline")))
    out.append("</body></html>")
    return "\n".join(out) + "\n"
