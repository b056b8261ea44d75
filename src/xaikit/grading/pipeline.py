"""Grade one submission end to end, or many in parallel.

load (never trusting the file) -> execute in a sandboxed kernel (:mod:`xaikit.grading.sandbox`)
-> collect answers as JSON -> score in this process -> integrity flags -> report. The
submission file is only read, never written (its SHA-256 is checked before and after). A broken
or hostile submission never raises: every problem becomes a status and flags in its report.
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
import time
import traceback
from pathlib import Path

from xaikit.grading.kernel_side import (_Prescorer, allowed_read_paths,
                                        reference_notebook)
from xaikit.grading.report import write_report

SUPPORTED_NBFORMAT = 4
MAX_SUBMISSION_BYTES = 100_000_000

#: Top-level ``status`` of a report.
#: ok: ran to the end without errors; cell_errors: some cells raised; incomplete: the run was
#: cut short (timeout, kernel died or stuck), answers given before are graded; invalid: not a
#: gradable notebook (nothing executed); grader_error: the grader itself failed on this file.
REPORT_STATUSES = ("ok", "cell_errors", "incomplete", "invalid", "grader_error")


def _empty_report(path: Path, digest: str) -> dict:
    return {"submission": path.name, "candidate": path.stem, "exercise": None, "variant": None,
            "status": "invalid", "submission_sha256": digest,
            "auto": {"score": 0.0, "max": 0.0}, "manual": {"score": None, "max": 0.0},
            "questions": [], "flags": [], "isolation": None, "isolation_reason": None,
            "runtime_s": 0.0}


def _flag(report: dict, kind: str, detail: str) -> dict:
    f = {"kind": kind, "detail": detail}
    if f not in report["flags"]:
        report["flags"].append(f)
    return report


def load_submission(raw: bytes):
    """Parse submission bytes as an nbformat-4 notebook with xaikit metadata.

    Returns
    -------
    (nb, meta) or raises ValueError ``"<flag kind>: <detail>"`` for the report.
    """
    import nbformat

    if len(raw) > MAX_SUBMISSION_BYTES:
        raise ValueError(f"too_large: the file is larger than {MAX_SUBMISSION_BYTES} bytes")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise ValueError(f"invalid_json: the file is not valid JSON ({str(e)[:200]})") from None
    if not isinstance(data, dict) or "cells" not in data:
        raise ValueError("not_a_notebook: the JSON is not a Jupyter notebook (no cells)")
    if data.get("nbformat") != SUPPORTED_NBFORMAT:
        raise ValueError(f"unsupported_nbformat: nbformat {str(data.get('nbformat'))[:50]!r}; "
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
    if not isinstance(meta.get("exercise"), str):
        raise ValueError("unknown_exercise: metadata.xaikit.exercise is not a string")
    return nb, meta


def _error_kind(ename: str, evalue: str) -> str:
    """The flag kind for an error raised in a candidate's cell."""
    ev = evalue.lower()
    if ename == "MemoryError":
        return "memory_limit"
    if ename == "SystemExit":
        return "sys_exit"
    if ename == "CellTimeoutError":
        return "timeout"
    if ename in ("BlockingIOError",) and "resource temporarily unavailable" in ev:
        return "process_limit"
    if "file too large" in ev:
        return "file_size_limit"
    if ename in ("gaierror", "ConnectionRefusedError", "URLError", "ConnectionError",
                 "NewConnectionError", "timeout", "TimeoutError") or "network is unreachable" in ev \
            or "name resolution" in ev:
        return "network"
    return "cell_error"


def _nonfinite(value) -> bool:
    import numpy as np

    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return bool(value.size) and not bool(np.all(np.isfinite(value)))
    if isinstance(value, np.ndarray) and value.dtype == object:
        return any(_nonfinite(v) for v in value.ravel()[:10000])
    if isinstance(value, (list, tuple)):
        return any(_nonfinite(v) for v in value[:10000])
    if isinstance(value, dict):
        return any(_nonfinite(v) for v in list(value.values())[:10000])
    if type(value).__name__ in ("Series", "DataFrame"):
        return _nonfinite(value.to_numpy())
    return False


def _sanitize(obj, root: str):
    """Replace the sandbox's random folder name by ``<sandbox>`` (same report every run)."""
    if isinstance(obj, str):
        return obj.replace(root, "<sandbox>")
    if isinstance(obj, list):
        return [_sanitize(x, root) for x in obj]
    if isinstance(obj, dict):
        return {k: _sanitize(v, root) for k, v in obj.items()}
    return obj


def _grade(raw: bytes, report: dict, *, cell_timeout, total_timeout, manifest, isolation,
           limits, trust=False) -> str | None:
    """Fill ``report``; return the executed notebook's text (or None)."""
    import nbformat

    from xaikit.grading.collect import (ANSWERS_FILE, FINAL_FILE, CollectError,
                                        collection_source, decode_answers, read_json_file,
                                        setup_source)
    from xaikit.grading.execute import execute
    from xaikit.grading.integrity import stale_output_flags, static_flags, structure_flags
    from xaikit.grading.notebook import extract_prose
    from xaikit.grading.sandbox import make_sandbox
    from xaikit.grading.score import score_answers
    import xaikit
    from xaikit.exercises import get_exercise, reference_context

    try:
        nb, meta = load_submission(raw)
    except ValueError as e:
        kind, _, detail = str(e).partition(": ")
        _flag(report, kind, detail)
        report["status"] = "invalid"
        return None
    try:
        exercise = get_exercise(meta["exercise"])
    except KeyError as e:
        _flag(report, "unknown_exercise", str(e).strip("'\""))
        report["status"] = "invalid"
        return None
    from xaikit.grading.variants import resolve_variant  # manifest + variant_* flags

    variant, variant_flags = resolve_variant(nb, meta, exercise.id, manifest)
    report["flags"] += variant_flags
    if not 0 <= variant < 2 ** 31:
        _flag(report, "variant_invalid", f"variant {str(variant)[:40]} is out of range")
        report["status"] = "invalid"
        return None
    report.update(exercise=exercise.id, variant=variant)
    report["auto"]["max"] = exercise.auto_points
    report["manual"]["max"] = exercise.manual_points
    names = exercise.answer_names

    # read-only integrity checks on the submitted text
    for f in static_flags(nb, meta):
        _flag(report, f["kind"], f["detail"])
    from xaikit.grading.timeline import timeline_for  # the SUBMITTED times, never a score

    report["timeline"] = timeline_for(nb, exercise)
    ref = reference_notebook(exercise)
    if ref is not None:
        for f in structure_flags(nb, ref):
            _flag(report, f["kind"], f["detail"])

    reference_context(exercise.id, variant)  # the grader's; also warms the model cache
    sandbox = make_sandbox(isolation, limits, trust=trust)
    report["isolation"], report["isolation_reason"] = sandbox.isolation, sandbox.reason
    report["trusted"] = sandbox.trusted
    lim = sandbox.limits
    report["limits"] = {"cell_timeout_s": cell_timeout, "total_timeout_s": total_timeout,
                        "memory_mb": lim.memory_mb, "processes": lim.nproc,
                        "file_size_mb": lim.fsize_mb, "disk_mb": lim.disk_mb, "cpu_s": lim.cpu_s}
    root = str(sandbox.root)
    try:
        run_nb = copy.deepcopy(nb)
        run_nb.cells.insert(0, nbformat.v4.new_code_cell(
            setup_source(names, allowed_read_paths(sandbox),
                         denied=[Path(xaikit.__file__).resolve().parent])))
        run_nb.cells.append(nbformat.v4.new_code_cell(collection_source(names)))
        last = len(run_nb.cells) - 1
        warm = _Prescorer(sandbox.work / ANSWERS_FILE, exercise.id, variant, names)
        try:
            res = execute(run_nb, sandbox, cell_timeout=cell_timeout,
                          total_timeout=total_timeout, grader_cells=(0, last))
        finally:
            warm.stop()
        data, final, events = {}, None, []
        try:
            per_cell = read_json_file(sandbox.work / ANSWERS_FILE)
            if isinstance(per_cell, dict):
                data = per_cell.get("answers") or {}
                events = per_cell.get("events") or []
                if not isinstance(events, list):
                    events = []
        except CollectError:
            per_cell = None
        if last not in res.skipped and not res.kernel_died and not res.stuck:
            try:
                final = read_json_file(sandbox.work / FINAL_FILE)
            except CollectError:
                final = None
        if isinstance(final, dict):
            data = final
        if per_cell is None and final is None:
            _flag(report, "no_answers", "the kernel wrote no answers (it crashed or was "
                                        "stopped before the first cell finished)")
        elif per_cell is None or not isinstance(per_cell, dict):
            _flag(report, "collector_tampered", "the per-cell answers file was removed or "
                                                "overwritten by the notebook")
        answers = decode_answers(data if isinstance(data, dict) else {}, names)
        executed_cells = run_nb.cells
    finally:
        sandbox.cleanup()

    # execution flags (cell numbers as the candidate sees them: 1-based, grader cells removed)
    def cell_no(i):
        return i  # index i in run_nb is candidate cell i (0-based) + 1 because of the setup cell

    if res.startup_error:
        _flag(report, "kernel_start_failed", res.startup_error)
    if res.recoveries:  # the kernel's messages, not the candidate: never a flag
        report["execution_notes"] = [
            f"cell {r['cell']}: " + ("the kernel had not read the request; the grader touched "
                                    "the channel and it ran" if r["kind"] == "poke" else
                                    "the reply was lost; rebuilt from the cell's outputs")
            + f" (after {r['after_s']} s)" for r in res.recoveries]
    for err in res.errors:
        if err["cell"] in (0, last) or err["ename"] == "CellTimeoutError" or \
                (err["ename"] == "KeyboardInterrupt" and err["cell"] in res.timed_out):
            continue  # timeouts are reported below
        kind = _error_kind(err["ename"], err["evalue"])
        _flag(report, kind, f"cell {cell_no(err['cell'])}: {err['ename']}: "
                            f"{err['evalue'][:200]}")
    for i in res.timed_out:
        if i not in (0, last):
            _flag(report, "timeout", f"cell {cell_no(i)} ran longer than the limit "
                                     f"({cell_timeout} s per cell, {total_timeout} s in all)")
    if res.stuck:
        _flag(report, "kernel_stuck", "the kernel did not stop when interrupted after the "
                                      "timeout and was killed; later cells were not run")
    skipped = [i for i in res.skipped if i not in (0, last) and run_nb.cells[i].source.strip()]
    if res.total_timeout_hit:
        _flag(report, "notebook_timeout", f"the notebook ran longer than {total_timeout} s; "
                                          f"{len(skipped)} cell(s) were not run")
    if res.kernel_died and not res.disk_limit_hit:  # the grader stopped it: disk_limit
        if res.died_in is not None and res.died_in not in (0, last):
            where = f"in cell {cell_no(res.died_in)}"
        elif res.died_in == last:
            where = "at the end of the notebook"
        else:
            where = "before the first cell"
        how = res.kernel_exit or "unknown exit status"
        kind = "kernel_crash" if "signal" in how else "kernel_exit"
        if "SIGXCPU" in how:
            kind = "cpu_limit"
        _flag(report, kind, f"the kernel process ended ({how}) {where}; "
                            f"{len(skipped)} cell(s) were not run")
    if res.disk_limit_hit:
        _flag(report, "disk_limit", f"the kernel wrote more than {sandbox.limits.disk_mb} MB "
                                    f"in its folder and was stopped; {len(skipped)} cell(s) "
                                    "were not run")
    if res.process_limit_hit:
        _flag(report, "process_limit", f"the kernel's processes exceeded "
                                       f"{sandbox.limits.nproc}; the kernel was killed")
    if res.truncated:
        cells = sorted(cell_no(i) for i in res.truncated if i not in (0, last))
        total = sum(res.truncated.values())
        _flag(report, "huge_output", f"{total} bytes of output dropped in cell(s) "
                                     f"{', '.join(map(str, cells))}")
    by_kind = {}
    for e in events:
        if isinstance(e, list) and len(e) == 2:
            by_kind.setdefault(str(e[0]), []).append(str(e[1])[:200])
    audit_kinds = {"file": "file_outside_workdir", "network": "network",
                   "process": "process_spawn"}
    for k, flag_kind in audit_kinds.items():
        if by_kind.get(k):
            items = sorted(set(by_kind[k]))
            _flag(report, flag_kind, f"{len(items)} attempt(s), e.g. " + "; ".join(items[:5]))

    # answers
    present = [n for n in names if n in answers]
    if (per_cell is not None or final is not None) and len(present) < len(names):
        missing = [n for n in names if n not in answers]
        _flag(report, "answers_missing", "never defined: " + ", ".join(missing))
    from xaikit.answers import Unsupported

    for n in present:
        v = answers[n]
        if isinstance(v, Unsupported):
            kind = "answer_too_large" if "TooLarge" in v.type_name else "answer_unsupported"
            _flag(report, kind, f"`{n}`: {v.type_name[:200]}")
        elif _nonfinite(v):
            _flag(report, "answer_nonfinite", f"`{n}` contains NaN or infinite values")

    executed = copy.deepcopy(run_nb)
    executed.cells = [c for i, c in enumerate(executed_cells) if i not in (0, last)]
    prose = extract_prose(nb, [q.id for q in exercise.questions if q.kind == "manual"])
    report["questions"] = score_answers(exercise.id, variant, answers, prose)
    for q in report["questions"]:
        if q["kind"] == "auto" and q["status"] == "incorrect" and \
                str(q.get("feedback", "")).startswith("`"):
            _flag(report, "answer_format", f"{q['id']}: {q['feedback'][:200]}")
    report["auto"]["score"] = round(sum(q["score"] for q in report["questions"]
                                        if q["kind"] == "auto"), 6)
    skip_candidate = {i - 1 for i in res.skipped} | {i - 1 for i in res.timed_out}
    for f in stale_output_flags(nb, executed, names, skip_cells=skip_candidate):
        _flag(report, f["kind"], f["detail"])

    if res.kernel_died or res.stuck or res.total_timeout_hit or res.startup_error or \
            res.disk_limit_hit or \
            any(i not in (0, last) for i in res.timed_out) or \
            any(f["kind"] == "no_answers" for f in report["flags"]):
        report["status"] = "incomplete"
    elif any(e["cell"] not in (0, last) for e in res.errors):
        report["status"] = "cell_errors"
    else:
        report["status"] = "ok"
    text = nbformat.writes(executed)
    report.update(_sanitize({k: report[k] for k in ("flags", "questions")}, root))
    return text.replace(root, "<sandbox>")


def grade_submission(path: Path, out: Path, *, name: str | None = None, cell_timeout: int = 120,
                     total_timeout: int = 900, manifest: dict | None = None,
                     isolation: str = "auto", limits=None, trust: bool = False) -> dict:
    """Grade one notebook; write ``out/<name>/report.json``, ``report.md``, ``executed.ipynb``.

    Never raises for a bad submission: problems become a ``status`` and ``flags`` in the
    report. Writes nothing outside ``out/<name>/``; the submission is only read.

    Raises
    ------
    xaikit.grading.sandbox.UnprotectedGrading
        Neither bubblewrap nor a user id of the kernel's own is available and ``trust`` is
        False (see :func:`xaikit.grading.sandbox.make_sandbox`).
    """
    from xaikit.grading.sandbox import UnprotectedGrading

    start = time.monotonic()
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raw = None
        read_error = f"{type(e).__name__}: {e}"
    digest = hashlib.sha256(raw).hexdigest() if raw is not None else None
    report = _empty_report(path, digest)
    report["candidate"] = name or path.stem
    out_dir = Path(out) / report["candidate"]
    executed_text = None
    if raw is None:
        _flag(report, "unreadable", read_error)
    else:
        try:
            executed_text = _grade(raw, report, cell_timeout=cell_timeout,
                                   total_timeout=total_timeout, manifest=manifest,
                                   isolation=isolation, limits=limits, trust=trust)
        except UnprotectedGrading:
            raise
        except Exception as e:  # the grader's own failure on this file: never stop a batch
            report["status"] = "grader_error"
            tb = traceback.format_exc(limit=4).strip().splitlines()
            _flag(report, "grader_error", f"{type(e).__name__}: {str(e)[:300]} "
                                          f"({tb[-3].strip() if len(tb) > 2 else ''})")
        try:
            after = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            after = None
        if after != digest:
            _flag(report, "submission_modified", "the submission's SHA-256 changed while it "
                                                 "was graded")
    report["runtime_s"] = round(time.monotonic() - start, 2)
    write_report(out_dir, report, executed_text)
    return report
