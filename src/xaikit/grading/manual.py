"""Interviewer's scores for the manual (written) questions.

The grader writes a template, ``OUT/manual_scores.csv``, with one row per candidate and manual
question (score and comment empty). The interviewer fills in scores (rows left empty are
"not scored yet") and runs ``xaikit grade ... --out OUT --manual OUT/manual_scores.csv``.

CSV: a header ``candidate,question,score,comment``. YAML: a list of mappings with the same keys::

    - candidate: alice
      question: q7
      score: 1.5
      comment: names the sampling and the scale difference

Any problem (unknown candidate or question, a score that is not a number, negative or above the
question's points, a duplicate row) raises :class:`ManualScoreError` naming the file and line.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = "manual_scores.csv"
FIELDS = ["candidate", "question", "score", "comment"]


class ManualScoreError(ValueError):
    """A malformed score file; the message names the file and line."""


@dataclass
class ScoreRow:
    candidate: str
    question: str
    score: float | None
    comment: str
    line: int
    source: str

    def where(self) -> str:
        return f"{self.source}, line {self.line}"


def _score(value, where):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ManualScoreError(f"{where}: score {value!r} is not a number")
    try:
        s = float(str(value).strip())
    except ValueError:
        raise ManualScoreError(f"{where}: score {value!r} is not a number") from None
    if not math.isfinite(s) or s < 0:
        raise ManualScoreError(f"{where}: score {value!r} must be a number >= 0")
    return s


def _load_csv(text: str, source: str) -> list[ScoreRow]:
    reader = csv.reader(io.StringIO(text))
    rows = []
    try:
        header = next(reader)
    except StopIteration:
        raise ManualScoreError(f"{source}: the file is empty (expected a header "
                               f"{','.join(FIELDS)})") from None
    except csv.Error as e:
        raise ManualScoreError(f"{source}, line 1: {e}") from None
    header = [h.strip().lower() for h in header]
    missing = [f for f in ("candidate", "question", "score") if f not in header]
    if missing:
        raise ManualScoreError(f"{source}, line 1: the header lacks {', '.join(missing)} "
                               f"(expected {','.join(FIELDS)})")
    try:
        for rec in reader:
            line = reader.line_num
            if not any(x.strip() for x in rec):
                continue
            if len(rec) > len(header):
                raise ManualScoreError(f"{source}, line {line}: {len(rec)} fields, the header "
                                       f"has {len(header)} (quote comments holding commas)")
            d = dict(zip(header, rec + [""] * (len(header) - len(rec))))
            where = f"{source}, line {line}"
            rows.append(ScoreRow(d["candidate"].strip(), d["question"].strip(),
                                 _score(d["score"], where), d.get("comment", "").strip(),
                                 line, source))
    except csv.Error as e:
        raise ManualScoreError(f"{source}, line {reader.line_num}: {e}") from None
    return rows


def _load_yaml(text: str, source: str) -> list[ScoreRow]:
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        raise ManualScoreError(f"{source}{line}: not valid YAML "
                               f"({getattr(e, 'problem', None) or e})") from None
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise ManualScoreError(f"{source}, line {node.start_mark.line + 1}: expected a list of "
                               "entries with candidate, question, score, comment")
    rows = []
    for item in node.value:
        line = item.start_mark.line + 1
        where = f"{source}, line {line}"
        if not isinstance(item, yaml.MappingNode):
            raise ManualScoreError(f"{where}: expected a mapping with candidate, question, "
                                   "score, comment")
        d = {}
        for k, v in item.value:
            if not isinstance(v, yaml.ScalarNode):
                raise ManualScoreError(f"{source}, line {v.start_mark.line + 1}: "
                                       f"{k.value} must be a single value")
            d[str(k.value).strip().lower()] = None if v.tag.endswith("null") else v.value
        for f in ("candidate", "question"):
            if not str(d.get(f, "")).strip():
                raise ManualScoreError(f"{where}: {f} is missing")
        rows.append(ScoreRow(str(d["candidate"]).strip(), str(d["question"]).strip(),
                             _score(d.get("score"), where), str(d.get("comment") or "").strip(),
                             line, source))
    return rows


def load_scores(path) -> list[ScoreRow]:
    """Read a CSV (``.csv``) or YAML (``.yaml``/``.yml``) score file.

    Raises
    ------
    ManualScoreError
        On any malformed line (the message names it).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ManualScoreError(f"{path}: cannot read the score file ({e})") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        rows = _load_yaml(text, str(path))
    else:
        rows = _load_csv(text, str(path))
    seen = {}
    for r in rows:
        key = (r.candidate, r.question)
        if key in seen and r.score is not None and seen[key].score is not None:
            raise ManualScoreError(f"{r.where()}: {r.candidate} {r.question} is scored twice "
                                   f"(also line {seen[key].line})")
        if r.score is not None or key not in seen:
            seen[key] = r
    return rows


def apply_manual(reports: list[dict], rows: list[ScoreRow], out: Path) -> list[dict]:
    """Merge the scores into the reports (rewriting report.json and report.md in ``out``)."""
    from xaikit.grading.report import write_report

    by_candidate = {r["candidate"]: r for r in reports}
    for row in rows:
        rep = by_candidate.get(row.candidate)
        if rep is None:
            raise ManualScoreError(f"{row.where()}: no graded submission for candidate "
                                   f"{row.candidate!r} (known: "
                                   f"{', '.join(sorted(by_candidate)) or 'none'})")
        q = next((q for q in rep["questions"] if q["id"] == row.question), None)
        if q is None or q["kind"] != "manual":
            manual = [q["id"] for q in rep["questions"] if q["kind"] == "manual"]
            raise ManualScoreError(f"{row.where()}: {row.question!r} is not a manual question of "
                                   f"{rep.get('exercise')} (manual: {', '.join(manual) or 'none'})")
        if row.score is not None and row.score > q["points"]:
            raise ManualScoreError(f"{row.where()}: score {row.score:g} is more than "
                                   f"{row.question}'s {q['points']:g} points")
    touched = set()
    for row in rows:
        if row.score is None:
            continue
        rep = by_candidate[row.candidate]
        q = next(q for q in rep["questions"] if q["id"] == row.question)
        q.update(score=row.score, status="scored", comment=row.comment)
        touched.add(row.candidate)
    for cand in touched:
        rep = by_candidate[cand]
        manual = [q for q in rep["questions"] if q["kind"] == "manual"]
        scored = [q for q in manual if q.get("score") is not None]
        rep["manual"]["score"] = round(sum(q["score"] for q in scored), 6) if scored else None
        rep["manual"]["scored"] = f"{len(scored)}/{len(manual)}"
        write_report(Path(out) / cand, rep)
    return reports


def write_template(out: Path, reports: list[dict]) -> Path:
    """Create ``out/manual_scores.csv`` (or add rows for new candidates); never drops a score."""
    from xaikit.grading.report import atomic_write

    path = Path(out) / TEMPLATE
    existing_text = path.read_text() if path.is_file() else ""
    have = set()
    if existing_text:
        try:
            have = {(r.candidate, r.question) for r in _load_csv(existing_text, str(path))}
        except ManualScoreError:
            return path  # the interviewer's file is being edited: leave it alone
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if not existing_text:
        w.writerow(FIELDS)
    for rep in sorted(reports, key=lambda r: r["candidate"]):
        for q in rep.get("questions", []):
            if q["kind"] == "manual" and (rep["candidate"], q["id"]) not in have:
                w.writerow([rep["candidate"], q["id"],
                            "" if q.get("score") is None else f"{q['score']:g}",
                            q.get("comment", "")])
    added = buf.getvalue()
    if added and added != "\n":
        sep = "" if not existing_text or existing_text.endswith("\n") else "\n"
        atomic_write(path, existing_text + sep + added)
    return path
