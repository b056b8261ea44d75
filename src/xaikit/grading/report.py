"""Write a submission's report (report.json, report.md, report.html) and the batch
summary.csv.

Files are written atomically (to a temporary name, then renamed): a reader never sees half
a report.
"""
from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

SUMMARY_FIELDS = ["candidate", "exercise", "variant", "status", "auto_score", "auto_max",
                  "manual_score", "manual_max", "flags", "runtime_s", "isolation", "report"]


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def render_markdown(report: dict) -> str:
    """The readable report: scores, per-question feedback, prose beside each rubric, flags."""
    a, m = report["auto"], report["manual"]
    lines = [f"# Grading report: {report.get('submission', '')}", "",
             f"- Exercise: `{report.get('exercise')}` (variant {report.get('variant')})",
             f"- Auto score: **{a['score']:g} / {a['max']:g}**",
             f"- Manual score: **{'—' if m['score'] is None else format(m['score'], 'g')} / "
             f"{m['max']:g}** (scored by the interviewer)",
             f"- Status: **{report.get('status')}**",
             f"- Submission SHA-256: `{report.get('submission_sha256')}`",
             f"- Sandbox: {report.get('isolation') or 'not run'}"
             + (f" ({report['isolation_reason']})" if report.get('isolation_reason') else ""),
             f"- Runtime: {report.get('runtime_s', 0):.1f} s", ""]
    if report.get("flags"):
        lines += ["## Flags", ""]
        lines += [f"- **{f['kind']}**: {f['detail']}" for f in report["flags"]]
        lines.append("")
    auto = [q for q in report["questions"] if q["kind"] == "auto"]
    if auto:
        lines += ["## Auto-graded questions", "", "| id | question | level | score | status | feedback |",
                  "|---|---|---|---|---|---|"]
        for q in auto:
            fb = (q.get("feedback") or "").replace("|", "\\|").replace("\n", " ")
            title = str(q["title"]).replace("|", "\\|")
            lines.append(f"| {q['id']} | {title} | {q['level']} | {q['score']:g} / "
                         f"{q['points']:g} | {q['status']} | {fb} |")
        lines.append("")
    manual = [q for q in report["questions"] if q["kind"] == "manual"]
    if manual:
        cand = report.get("candidate", "")
        lines += ["## Questions for the interviewer", "",
                  "Record your scores in `manual_scores.csv` next to `summary.csv` in the output "
                  "folder (columns `candidate,question,score,comment`; one row per question, "
                  f"candidate `{cand}`), then merge them with "
                  "`xaikit grade SUBMISSIONS --out OUT --manual OUT/manual_scores.csv` "
                  "(submissions already graded are not re-run).", ""]
        for q in manual:
            score = "not scored yet" if q.get("score") is None else f"{q['score']:g}"
            lines += [f"### {q['id']}: {q['title']} ({q['points']:g} points, {q['level']}; "
                      f"{score})", "", "**Candidate's answer**", ""]
            ans = q.get("answer")
            lines += ["> " + l for l in ans.split("\n")] if ans else ["_(no answer)_"]
            r = q.get("rubric") or {}
            lines += ["", "**Rubric**", ""] + [f"- [ ] {c}" for c in r.get("criteria", [])]
            lines += ["", f"- *Strong*: {r.get('strong', '')}",
                      f"- *Adequate*: {r.get('adequate', '')}", f"- *Weak*: {r.get('weak', '')}", ""]
            if q.get("comment"):
                lines += [f"**Interviewer's comment**: {q['comment']}", ""]
    if "timeline" in report:  # times from the submitted notebook (see report.html for the plot)
        from xaikit.grading.timeline import summary_lines

        lines += ["## Timeline of the work", ""] + \
            [f"- {t}" for t in summary_lines(report["timeline"])] + [""]
    return "\n".join(lines) + "\n"


def write_report(out_dir: Path, report: dict, executed_nb_text: str | None = None) -> None:
    """Write ``report.json``, ``report.md``, ``report.html`` and (if given) ``executed.ipynb``
    in ``out_dir``."""
    from xaikit.grading.report_html import render_html

    out_dir = Path(out_dir)
    if executed_nb_text is not None:
        atomic_write(out_dir / "executed.ipynb", executed_nb_text)
    atomic_write(out_dir / "report.md", render_markdown(report))
    atomic_write(out_dir / "report.html", render_html(report))
    atomic_write(out_dir / "report.json", json.dumps(report, indent=2, allow_nan=False) + "\n")


def summary_row(report: dict, report_path: str = "") -> dict:
    return {"candidate": report.get("candidate", ""), "exercise": report.get("exercise") or "",
            "variant": "" if report.get("variant") is None else report["variant"],
            "status": report.get("status", ""), "isolation": report.get("isolation") or "",
            "auto_score": report["auto"]["score"], "auto_max": report["auto"]["max"],
            "manual_score": "" if report["manual"]["score"] is None else report["manual"]["score"],
            "manual_max": report["manual"]["max"],
            "flags": ";".join(f["kind"] for f in report.get("flags", [])),
            "runtime_s": round(report.get("runtime_s", 0.0), 2), "report": report_path}


def write_summary(out: Path, reports: list[tuple[dict, str]]) -> Path:
    """Write ``summary.csv`` (one row per submission, sorted by candidate)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=SUMMARY_FIELDS, lineterminator="\n")
    w.writeheader()
    for rep, path in sorted(reports, key=lambda r: r[0].get("candidate", "")):
        w.writerow(summary_row(rep, path))
    path = Path(out) / "summary.csv"
    atomic_write(path, buf.getvalue())
    return path
