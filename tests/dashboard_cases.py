"""Hand-made reports (report.json as the grader writes it) for the dashboard tests: cheap,
nothing is executed."""
from __future__ import annotations

import json
from pathlib import Path


def question(qid, score, points=1.0, kind="auto"):
    status = ("correct" if score == points else "incorrect" if score == 0 else "partial") \
        if kind == "auto" else ("ungraded" if score is None else "scored")
    return {"id": qid, "title": f"question {qid}", "kind": kind, "points": float(points),
            "level": "mid", "score": score, "status": status, "feedback": ""}


def report(candidate, exercise, scores, *, manual=None, status="ok", flags=(), span_s=None):
    """A report: ``scores`` {qid: (score, points)} for auto questions, ``manual`` the same for
    written ones (score None: not scored yet)."""
    qs = [question(q, s, p) for q, (s, p) in scores.items()]
    qs += [question(q, s, p, kind="manual") for q, (s, p) in (manual or {}).items()]
    auto = [q for q in qs if q["kind"] == "auto"]
    man = [q for q in qs if q["kind"] == "manual"]
    scored = [q["score"] for q in man if q["score"] is not None]
    timeline = {"available": False, "reason": "no execution times", "note": ""}
    if span_s is not None:
        timeline = {"available": True, "span_s": span_s, "timed_cells": 1, "code_cells": 1,
                    "start": "2026-01-01T09:00:00Z", "end": "2026-01-01T10:00:00Z",
                    "questions": [{"id": auto[0]["id"], "first_offset_s": 0.0,
                                   "last_offset_s": span_s, "span_s": span_s, "run_s": 1.0,
                                   "cells": 1}],
                    "cells": [{"cell": 2, "question": auto[0]["id"], "offset_s": 0.0,
                               "duration_s": 1.0, "execution_count": 1}],
                    "order": [auto[0]["id"]], "out_of_order": False, "sessions": [],
                    "hidden_runs": 0, "revisited_cells": [], "run_all_at_end": False,
                    "note": ""}
    return {"submission": f"{candidate}.ipynb", "candidate": candidate, "exercise": exercise,
            "variant": 0, "status": status, "submission_sha256": "0" * 64,
            "auto": {"score": sum(q["score"] for q in auto),
                     "max": sum(q["points"] for q in auto)},
            "manual": {"score": sum(scored) if scored else None,
                       "max": sum(q["points"] for q in man)},
            "questions": qs, "flags": [{"kind": f, "detail": "made up"} for f in flags],
            "isolation": "bwrap", "isolation_reason": None, "runtime_s": 12.0,
            "timeline": timeline}


def discriminating_batch():
    """Four graded hand-ins and one invalid one. q1 and q2: corrected item-total r =
    1/sqrt(2) (item [1,1,0,0] against rest [2,1,1,0]); q3: r = 0 (item [1,0,1,0] against
    rest [2,2,0,0]); q4 (everybody right): undefined."""
    rows = {"a": (1, 1, 1), "b": (1, 1, 0), "c": (0, 0, 1), "d": (0, 0, 0)}
    reps = [report(c, "shap_vs_lime", {"q1": (s[0], 1.0), "q2": (s[1], 1.0),
                                       "q3": (s[2], 1.0), "q4": (2.0, 2.0)},
                   manual={"q7": (1.0 if c in "ab" else None, 2.0)})
            for c, s in rows.items()]
    reps.append(report("e", "shap_vs_lime", {"q1": (0, 1.0), "q2": (0, 1.0), "q3": (0, 1.0),
                                             "q4": (0, 2.0)}, status="invalid"))
    return reps


def batch_of_ten(out: Path) -> list[dict]:
    """Ten hand-made reports in ``out/<candidate>/`` (report.json + report.html), two
    exercises, as ``grade_many`` leaves them."""
    from xaikit.grading.report import write_report

    reps = []
    for k in range(8):
        s = [(k >> b) & 1 for b in range(3)]
        reps.append(report(f"cand{k:02d}", "shap_vs_lime",
                           {"q1": (2.0 * s[0], 2.0), "q2": (float(s[1]), 1.0),
                            "q3": (2.0 * s[2], 2.0)}, manual={"q7": (None, 2.0)},
                           flags=("stale_output",) if k == 3 else (),
                           span_s=None if k == 5 else 600.0 + 300 * k))
    for k in range(2):
        reps.append(report(f"pdp{k}", "pdp_ice", {"q1": (float(k), 1.0), "q2": (1.0, 2.0)},
                           span_s=1800.0))
    for r in reps:
        write_report(Path(out) / r["candidate"], r)
    return reps


def write_json_only(out: Path, reps) -> None:
    """report.json files only (reports written before report.html existed)."""
    for r in reps:
        (Path(out) / r["candidate"]).mkdir(parents=True, exist_ok=True)
        (Path(out) / r["candidate"] / "report.json").write_text(json.dumps(r))
