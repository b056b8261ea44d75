"""The public / grader boundary of the package, drawn by files.

The **public** files are what a candidate's notebook may import: the data loaders, the models,
the computation, plots and widgets, and each exercise's ``public.py`` (context, question
declarations, answer formats). The **grader** files hold what must never reach a candidate:
each exercise's ``grader.py`` (references, checks, hints, rubrics, planted truth), the grading
pipeline, the command line, the pack builder and the interviewer's planning tools.

Two places use :func:`copy_public`, so they hold exactly the same files:

- the grading kernel imports a fresh public copy (with bubblewrap the real package is not in
  its file system at all);
- a take-home pack ships a public copy as its ``xaikit/`` folder.

There is no code surgery: a file is public or it is not. ``tests/test_boundary.py`` checks
that no public file imports a grader file.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path, PurePosixPath

import xaikit

PACKAGE_DIR = Path(xaikit.__file__).resolve().parent

#: Paths (relative to the package, POSIX) of the grader side besides every ``grader.py``
#: (and the self-study tools, which neither a pack nor the grading kernel needs).
GRADER_ONLY = ("grading", "cli.py", "packs.py", "plan.py", "widgets/scoring.py", "primers",
               "progress.py", "live.py", "live_server.py")
#: File suffixes a public copy holds (sources and package data, never caches or pickles).
PUBLIC_SUFFIXES = (".py", ".json", ".md", ".txt", ".csv")


def is_grader_file(rel) -> bool:
    """Whether the package file ``rel`` (relative path) belongs to the grader side."""
    rel = PurePosixPath(str(rel).replace("\\", "/"))
    if rel.name == "grader.py" or "grader" in rel.parts[:-1]:
        return True
    text = rel.as_posix()
    return any(text == g or text.startswith(g + "/") for g in GRADER_ONLY)


def public_files(package_dir: Path = PACKAGE_DIR) -> list[PurePosixPath]:
    """The package's public files, relative to ``package_dir``, sorted."""
    out = []
    for p in sorted(package_dir.rglob("*")):
        rel = PurePosixPath(p.relative_to(package_dir).as_posix())
        if not p.is_file() or "__pycache__" in rel.parts or p.suffix not in PUBLIC_SUFFIXES:
            continue
        if not is_grader_file(rel):
            out.append(rel)
    return out


def copy_public(dest: Path, package_dir: Path = PACKAGE_DIR) -> Path:
    """Copy the public files into ``dest/xaikit/`` (made fresh); return ``dest``.

    Files are made world-readable and read-only, folders world-searchable, so a kernel under
    another user id can import them and not change them.
    """
    dest = Path(dest)
    target = dest / "xaikit"
    if target.exists():
        shutil.rmtree(target)
    for rel in public_files(package_dir):
        out = target / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(package_dir / rel, out)
        out.chmod(0o444)
    for d in [target, *[p for p in target.rglob("*") if p.is_dir()]]:
        d.chmod(0o755)
    return dest


def exercise_definition(exercise_id: str, package_dir: Path = PACKAGE_DIR) -> dict:
    """``{file: sha256}`` of what defines an exercise: its folder (public and grader part) and
    the shared framework. A pack records it; grading against a pack compares it."""
    files = sorted((package_dir / "exercises" / exercise_id).rglob("*.py"))
    files += [package_dir / "exercises" / n for n in ("__init__.py", "framework.py",
                                                       "formats.py")]
    return {p.relative_to(package_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in files if p.is_file()}
