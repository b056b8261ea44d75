"""A self-study learner's progress, read from their saved notebooks.

Every ``ex.check(...)`` / ``p.check(...)`` leaves its result in the cell's saved output (an
HTML block with the class ``xaikit-check xaikit-<status>``). :func:`progress` reads those
outputs from the notebooks in the given folders, without running anything, and tells which
questions the learner has answered correctly so far.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

_CHECK = re.compile(r"class='xaikit-check xaikit-(?P<status>[a-z_]+)'>[^<]*<b>(?P<qid>[^<]+)</b>")

__all__ = ["checks_in", "progress"]


def checks_in(path) -> dict:
    """``{question id: last status shown}`` from the saved outputs of one notebook (empty for an
    unreadable file or one never run)."""
    try:
        nb = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}
    found = {}
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            html = (out.get("data") or {}).get("text/html", "")
            html = "".join(html) if isinstance(html, list) else str(html)
            for m in _CHECK.finditer(html):
                found[m.group("qid")] = m.group("status")
    return found


def _declared(nb_meta: dict):
    """(kind, id, question ids) of a notebook from its ``metadata.xaikit``."""
    meta = nb_meta.get("xaikit", {})
    if "primer" in meta:
        from xaikit.primers import get_primer

        p = get_primer(meta["primer"])
        return "primer", p.id, [q.id for q in p.questions]
    if "exercise" in meta:
        from xaikit.exercises import get_exercise

        e = get_exercise(meta["exercise"])
        return "exercise", e.id, [q.id for q in e.questions if q.kind == "auto"]
    return None


def progress(folders):
    """One row per primer or exercise notebook found in ``folders``: what is checked correct.

    Parameters
    ----------
    folders : iterable of path
        Folders (searched for ``*.ipynb``, checkpoints skipped) or notebook files.

    Returns
    -------
    pandas.DataFrame
        Columns ``notebook, kind, id, correct, attempted, questions, still to do``; ``correct``
        and ``attempted`` count self-checks whose last saved result is correct / not blank.
    """
    import pandas as pd

    paths = []
    for f in map(Path, folders):
        paths += [f] if f.is_file() else sorted(p for p in f.rglob("*.ipynb")
                                                if ".ipynb_checkpoints" not in p.parts)
    rows = []
    for path in paths:
        try:
            meta = json.loads(path.read_text()).get("metadata", {})
            declared = _declared(meta)
        except (OSError, ValueError, KeyError):
            continue
        if declared is None:
            continue
        kind, ident, qids = declared
        seen = checks_in(path)
        correct = [q for q in qids if seen.get(q) == "correct"]
        attempted = [q for q in qids if seen.get(q) not in (None, "not_attempted")]
        rows.append({"notebook": str(path), "kind": kind, "id": ident, "correct": len(correct),
                     "attempted": len(attempted), "questions": len(qids),
                     "still to do": ", ".join(q for q in qids if q not in correct)})
    return pd.DataFrame(rows, columns=["notebook", "kind", "id", "correct", "attempted",
                                       "questions", "still to do"])
