"""Grade one submission end to end, or many.

execute (fresh kernel, temporary folder, timeouts) -> collect answers as JSON -> score in this
process -> report. The submission file is only read, never written.
"""
from __future__ import annotations

import copy
import hashlib
import json
import shutil
import tempfile
import time
from pathlib import Path

from xaikit.grading.collect import ANSWERS_FILE, CollectError, collection_source, read_answers
from xaikit.grading.report import write_report

SUPPORTED_NBFORMAT = 4


def _empty_report(path: Path, digest: str) -> dict:
    return {"submission": path.name, "candidate": path.stem, "exercise": None, "variant": None,
            "submission_sha256": digest, "auto": {"score": 0.0, "max": 0.0},
            "manual": {"score": None, "max": 0.0}, "questions": [], "flags": [],
            "runtime_s": 0.0}


def _fail(report: dict, kind: str, detail: str) -> dict:
    report["flags"].append({"kind": kind, "detail": detail})
    return report


def load_submission(raw: bytes):
    """Parse submission bytes as an nbformat-4 notebook with xaikit metadata.

    Returns
    -------
    (nb, meta) or raises ValueError with a message for the report.
    """
    import nbformat

    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"invalid_json: the file is not valid JSON ({e})") from None
    if not isinstance(data, dict) or "cells" not in data:
        raise ValueError("not_a_notebook: the JSON is not a Jupyter notebook (no cells)")
    if data.get("nbformat") != SUPPORTED_NBFORMAT:
        raise ValueError(f"unsupported_nbformat: nbformat {data.get('nbformat')!r}; "
                         f"only version {SUPPORTED_NBFORMAT} is supported")
    try:
        nb = nbformat.reads(json.dumps(data), as_version=SUPPORTED_NBFORMAT)
        nbformat.validate(nb)
    except Exception as e:
        raise ValueError(f"not_a_notebook: the notebook does not validate ({str(e)[:300]})")
    from xaikit.grading.notebook import exercise_meta

    try:
        meta = exercise_meta(nb)
    except ValueError as e:
        raise ValueError(f"unknown_exercise: {e}") from None
    return nb, meta


def grade_submission(path: Path, out: Path, *, name: str | None = None, cell_timeout: int = 120,
                     total_timeout: int = 900, manifest: dict | None = None) -> dict:
    """Grade one notebook; write ``out/<stem>/report.json``, ``report.md``, ``executed.ipynb``.

    Never raises for a bad submission: problems become flags in the report.
    """
    import nbformat

    from xaikit.grading.execute import execute
    from xaikit.grading.notebook import extract_prose
    from xaikit.grading.score import score_answers
    from xaikit.questions import get_exercise

    start = time.monotonic()
    path = Path(path)
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    report = _empty_report(path, digest)
    report["candidate"] = name or path.stem
    out_dir = Path(out) / report["candidate"]
    executed_text = None
    try:
        nb, meta = load_submission(raw)
    except ValueError as e:
        kind, _, detail = str(e).partition(": ")
        _fail(report, kind, detail)
        report["runtime_s"] = time.monotonic() - start
        write_report(out_dir, report)
        return report
    try:
        exercise = get_exercise(meta["exercise"])
    except KeyError as e:
        _fail(report, "unknown_exercise", str(e).strip("'\""))
        report["runtime_s"] = time.monotonic() - start
        write_report(out_dir, report)
        return report
    from xaikit.grading.variants import resolve_variant  # manifest + variant_* flags

    variant, variant_flags = resolve_variant(nb, meta, exercise.id, manifest)
    report["flags"] += variant_flags
    report.update(exercise=exercise.id, variant=variant)
    report["auto"]["max"] = exercise.auto_points
    report["manual"]["max"] = exercise.manual_points

    with tempfile.TemporaryDirectory(prefix="xaikit-grade-") as tmp:
        work = Path(tmp)
        run_nb = copy.deepcopy(nb)
        run_nb.cells.append(nbformat.v4.new_code_cell(collection_source(exercise.answer_names)))
        res = execute(run_nb, work, cell_timeout=cell_timeout, total_timeout=total_timeout)
        for err in res.errors[:20]:
            if err["cell"] == len(run_nb.cells) - 1:
                continue
            _fail(report, "cell_error", f"cell {err['cell'] + 1}: {err['ename']}: "
                                        f"{err['evalue'][:200]}")
        for i in res.timed_out:
            _fail(report, "timeout", f"cell {i + 1} ran longer than {cell_timeout} s")
        if res.skipped:
            _fail(report, "timeout", f"the notebook ran longer than {total_timeout} s; "
                                     f"{len(res.skipped)} cells were not run")
        if res.kernel_died:
            _fail(report, "kernel_died", "the kernel died during execution")
        try:
            answers = read_answers(work / ANSWERS_FILE)
        except CollectError as e:
            _fail(report, "no_answers", str(e))
            answers = {}
        run_nb.cells.pop()  # the collection cell is the grader's, not the candidate's
        executed_text = nbformat.writes(run_nb)
    prose = extract_prose(nb, [q.id for q in exercise.questions if q.kind == "manual"])
    report["questions"] = score_answers(exercise.id, variant, answers, prose)
    report["auto"]["score"] = round(sum(q["score"] for q in report["questions"]
                                        if q["kind"] == "auto"), 6)
    report["runtime_s"] = time.monotonic() - start
    write_report(out_dir, report, executed_text)
    return report


def find_submissions(inputs) -> list[Path]:
    """Expand files and folders (``*.ipynb`` inside, checkpoints skipped) into a sorted list."""
    found = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found += [f for f in sorted(p.rglob("*.ipynb")) if ".ipynb_checkpoints" not in f.parts]
        else:
            found.append(p)
    seen, unique = set(), []
    for f in found:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def report_names(paths) -> dict:
    """A unique report folder name per submission: its stem, or ``<folder>__<stem>`` where
    two submissions share a stem (e.g. ``alice/01.ipynb`` and ``bob/01.ipynb``)."""
    stems = [p.stem for p in paths]
    names, used = {}, set()
    for p in paths:
        name = p.stem if stems.count(p.stem) == 1 else f"{p.resolve().parent.name}__{p.stem}"
        base, k = name, 2
        while name in used:
            name, k = f"{base}__{k}", k + 1
        used.add(name)
        names[p] = name
    return names


def grade_many(inputs, out: Path, *, cell_timeout: int = 120, total_timeout: int = 900,
               progress: bool = True, manifest: dict | None = None) -> list[dict]:
    """Grade every submission in ``inputs`` (files or folders) and write ``out/summary.csv``."""
    from tqdm.auto import tqdm

    from xaikit.grading.report import write_summary

    paths = find_submissions(inputs)
    if not paths:
        raise ValueError("no .ipynb files found in the given paths")
    names = report_names(paths)
    reports = []
    for p in tqdm(paths, desc="grading", unit="notebook", disable=not progress):
        rep = grade_submission(p, out, name=names[p], cell_timeout=cell_timeout,
                               total_timeout=total_timeout, manifest=manifest)
        reports.append((rep, f"{names[p]}/report.json"))
    write_summary(Path(out), reports)
    return [r for r, _ in reports]
