"""``xaikit build``: generate exercises/ from solutions/ (the single source)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xaikit.grading.notebook import build_exercise


@dataclass
class BuildResult:
    """What a build did or would do. ``drift`` lists exercises that differ from their source."""

    written: list
    drift: list
    missing: list


def _dumps(nb) -> str:
    import nbformat

    return nbformat.writes(nb) + "\n"


def build(solutions: Path, exercises: Path, check: bool = False) -> BuildResult:
    """Build every ``solutions/*.ipynb`` carrying xaikit metadata into ``exercises/``.

    Parameters
    ----------
    solutions, exercises : Path
    check : bool
        Write nothing; report exercises that are missing or differ (drift) instead.
    """
    import nbformat

    written, drift, missing = [], [], []
    for src in sorted(Path(solutions).glob("*.ipynb")):
        nb = nbformat.read(src, as_version=4)
        if "xaikit" not in nb.metadata:
            continue
        text = _dumps(build_exercise(nb))
        dest = Path(exercises) / src.name
        if check:
            if not dest.exists():
                missing.append(dest)
            elif dest.read_text() != text:
                drift.append(dest)
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            if not dest.exists() or dest.read_text() != text:
                dest.write_text(text)
                written.append(dest)
    return BuildResult(written, drift, missing)
