"""Grading a batch: find the submissions, name their reports, skip those already graded,
grade the rest (in parallel processes), then write the batch's summary, manual-score template
and dashboard (``index.html``, :mod:`xaikit.grading.dashboard`).

One submission is graded by :func:`xaikit.grading.pipeline.grade_submission`.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from xaikit.grading.pipeline import REPORT_STATUSES, _empty_report, _flag, grade_submission
from xaikit.grading.report import write_report


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
    import re

    def clean(text):  # a safe folder name: never '.', '..', hidden or with separators
        return re.sub(r"[^\w.-]", "_", text).lstrip(".") or "submission"

    stems = [p.stem for p in paths]
    names, used = {}, set()
    for p in paths:
        name = clean(p.stem) if stems.count(p.stem) == 1 else \
            f"{clean(p.resolve().parent.name)}__{clean(p.stem)}"
        base, k = name, 2
        while name in used:
            name, k = f"{base}__{k}", k + 1
        used.add(name)
        names[p] = name
    return names


def _sha256_file(path: Path) -> str | None:
    try:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None


def existing_report(out_dir: Path, digest: str | None) -> dict | None:
    """The report already in ``out_dir`` for this exact submission (same SHA-256), if any."""
    try:
        rep = json.loads((out_dir / "report.json").read_text())
    except (OSError, ValueError):
        return None
    if digest and rep.get("submission_sha256") == digest and \
            rep.get("status") in REPORT_STATUSES and rep.get("status") != "grader_error":
        return rep
    return None


def _grade_job(args):
    path, out, name, kw = args
    return grade_submission(path, out, name=name, **kw)


def grade_many(inputs, out: Path, *, cell_timeout: int = 120, total_timeout: int = 900,
               progress: bool = True, manifest: dict | None = None, jobs: int = 1,
               force: bool = False, isolation: str = "auto", limits=None,
               manual: Path | None = None, trust: bool = False) -> list[dict]:
    """Grade every submission in ``inputs`` (files or folders) and write ``out/summary.csv``.

    Parameters
    ----------
    jobs : int
        Submissions graded in parallel (separate processes).
    force : bool
        Re-grade submissions whose report already exists for the same SHA-256.
    trust : bool
        Grade even where the kernel would run with the grader's own user id and no
        namespaces (the user's own notebooks); otherwise that raises
        :class:`~xaikit.grading.sandbox.UnprotectedGrading` before anything is graded.
    manual : Path, optional
        Interviewer's scores (CSV or YAML) to merge into the reports; see
        :mod:`xaikit.grading.manual`. Raises :class:`~xaikit.grading.manual.ManualScoreError`.

    Each report is written (atomically) as soon as its submission is graded; a worker that
    dies yields a ``grader_error`` report, never a stopped batch.
    """
    from tqdm.auto import tqdm

    from xaikit.grading.manual import apply_manual, load_scores, write_template
    from xaikit.grading.report import write_summary

    out = Path(out)
    paths = find_submissions(inputs)
    if not paths:
        raise ValueError("no .ipynb files found in the given paths")
    names = report_names(paths)
    scores = load_scores(manual) if manual else None  # fail early on a malformed file
    from xaikit.grading.sandbox import make_sandbox

    make_sandbox(isolation, limits, trust=trust).cleanup()  # refuses before any grading
    kw = dict(cell_timeout=cell_timeout, total_timeout=total_timeout, manifest=manifest,
              isolation=isolation, limits=limits, trust=trust)
    done, todo = {}, []
    for p in paths:
        rep = None if force else existing_report(out / names[p], _sha256_file(p))
        if rep is not None:
            done[p] = rep
        else:
            todo.append(p)
    bar = tqdm(total=len(paths), initial=len(done), desc="grading", unit="notebook",
               disable=not progress)
    if jobs <= 1 or len(todo) <= 1:
        for p in todo:
            done[p] = grade_submission(p, out, name=names[p], **kw)
            bar.update(1)
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=min(jobs, len(todo)),
                                 mp_context=mp.get_context("spawn")) as pool:
            futures = {pool.submit(_grade_job, (p, out, names[p], kw)): p for p in todo}
            for fut in as_completed(futures):
                p = futures[fut]
                try:
                    done[p] = fut.result()
                except Exception as e:  # the worker process itself died
                    digest = _sha256_file(p)
                    rep = _empty_report(p, digest)
                    rep["candidate"] = names[p]
                    rep["status"] = "grader_error"
                    _flag(rep, "grader_error", f"the grading worker failed: "
                                               f"{type(e).__name__}: {str(e)[:200]}")
                    write_report(out / names[p], rep)
                    done[p] = rep
                bar.update(1)
    bar.close()
    reports = [done[p] for p in paths]
    from xaikit.grading.similarity import flag_similar, load_notebooks

    before = [list(r["flags"]) for r in reports]
    flag_similar(reports, load_notebooks(paths, names))  # copied code, pairwise in the batch
    for r, flags in zip(reports, before):
        if r["flags"] != flags:
            write_report(out / r["candidate"], r)
    if scores is not None:
        reports = apply_manual(reports, scores, out)
    write_template(out, reports)
    write_summary(out, [(r, f"{r['candidate']}/report.json") for r in reports])
    from xaikit.grading.dashboard import write_dashboard

    write_dashboard(out, reports)  # OUT/index.html, rewritten for every batch
    return reports
