"""Pure notebook transformations (each unit-tested in tests/test_notebook_transforms.py).

Solution markers
----------------
Code cells::

    shap_values = None          # the placeholder the candidate sees
    # BEGIN SOLUTION
    shap_values = ...           # removed from exercises
    # END SOLUTION

Markdown answer cells start with a line ``**Answer q7**`` and hold the reference answer
between ``<!-- BEGIN SOLUTION -->`` and ``<!-- END SOLUTION -->``.
"""
from __future__ import annotations

import copy
import re

CODE_BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION\s*$")
CODE_END = re.compile(r"^\s*# END SOLUTION\s*$")
PROSE_BEGIN = "<!-- BEGIN SOLUTION -->"
PROSE_END = "<!-- END SOLUTION -->"
CODE_STUB = "# YOUR CODE HERE"
PROSE_STUB = "_Write your answer here._"
ANSWER_HEADER = re.compile(r"^\s*\*\*Answer (q\w+)\*\*")


class MarkerError(ValueError):
    """Unbalanced or nested solution markers; the message names the cell."""


def strip_solution_code(source: str, where: str = "cell") -> str:
    """Replace each ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` block by ``# YOUR CODE HERE``.

    The stub keeps the indentation of the BEGIN line.

    Raises
    ------
    MarkerError
        On an END without BEGIN, a nested BEGIN, or a BEGIN never closed.
    """
    out, inside = [], False
    for line in source.split("\n"):
        m = CODE_BEGIN.match(line)
        if m:
            if inside:
                raise MarkerError(f"{where}: nested # BEGIN SOLUTION")
            inside = True
            out.append(m.group(1) + CODE_STUB)
        elif CODE_END.match(line):
            if not inside:
                raise MarkerError(f"{where}: # END SOLUTION without BEGIN")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise MarkerError(f"{where}: # BEGIN SOLUTION is never closed")
    return "\n".join(out)


def strip_solution_prose(source: str, where: str = "cell") -> str:
    """Replace each prose solution block by ``_Write your answer here._``.

    Raises
    ------
    MarkerError
        On unbalanced markers.
    """
    if source.count(PROSE_BEGIN) != source.count(PROSE_END):
        raise MarkerError(f"{where}: unbalanced prose solution markers")
    pattern = re.compile(re.escape(PROSE_BEGIN) + r".*?" + re.escape(PROSE_END), re.S)
    stripped = pattern.sub(PROSE_STUB, source)
    if PROSE_BEGIN in stripped or PROSE_END in stripped:
        raise MarkerError(f"{where}: nested prose solution markers")
    return stripped


def clear_outputs(nb):
    """A copy of ``nb`` with no outputs and no execution counts."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    return nb


def has_solution_markers(nb) -> bool:
    return any(("# BEGIN SOLUTION" in c.source) or (PROSE_BEGIN in c.source) for c in nb.cells)


def exercise_meta(nb) -> dict:
    """``nb.metadata["xaikit"]``: exercise id, variant, mode.

    Raises
    ------
    ValueError
        When the notebook carries no xaikit metadata.
    """
    meta = nb.metadata.get("xaikit")
    if not isinstance(meta, dict) or "exercise" not in meta:
        raise ValueError("this notebook has no xaikit metadata (metadata.xaikit.exercise): "
                         "it is not an xaikit exercise notebook")
    return dict(meta)


#: The notebooks' sentence on what ``ex.check`` says, in both modes (any line break inside).
_CHECK_SENTENCE = re.compile(r"tells you whether the answer is right \(practice mode\) or\s+"
                             r"recorded \(take-home mode\)\.")
_TAKE_HOME_SENTENCE = ("tells you whether the answer is recorded and well-formed; it is graded "
                       "after you hand the notebook in.")
#: The pointer to the self-study primer (primers are not in a take-home pack).
_PRIMER_SENTENCE = re.compile(r"[ \t]*New to [^\n]*?Start with the primer `notebooks/primers/"
                              r"[\w.]+`[^\n]*\n?")
#: How to check a notebook before handing it in: a restart would replace the run times that
#: make the report's timeline of the work, so take-home notebooks point at a run of a copy.
_RESTART = "*Kernel → Restart Kernel and Run All Cells*"
_TAKE_HOME_RESTART = ("a run of a copy, `jupyter nbconvert --to notebook --execute --output-dir "
                      "checked NOTEBOOK.ipynb` in a terminal (it keeps the record of when you ran "
                      "each cell, which *Restart Kernel and Run All Cells* would replace)")


def set_mode(nb, mode: str):
    """A copy of ``nb`` whose metadata and ``open_exercise(..., mode=...)`` call use ``mode``;
    in take-home mode the sentence on what ``ex.check`` says names that mode only, the pointer
    to the self-study primer is left out, and the check before handing in is a run of a copy
    (which keeps the cells' run times) instead of a restart."""
    nb = copy.deepcopy(nb)
    nb.metadata.setdefault("xaikit", {})["mode"] = mode
    call = re.compile(r"""mode=(['"])[\w-]+\1""")
    for cell in nb.cells:
        if cell.cell_type == "code" and "open_exercise(" in cell.source:
            cell.source = call.sub(f'mode="{mode}"', cell.source)
        elif cell.cell_type == "markdown" and mode == "take-home":
            text = _CHECK_SENTENCE.sub(_TAKE_HOME_SENTENCE, cell.source)
            text = _PRIMER_SENTENCE.sub("", text)
            text = re.sub(r"(^|\n)" + re.escape(_RESTART), lambda m: m.group(1) + "A"
                          + _TAKE_HOME_RESTART[1:], text)
            cell.source = text.replace(_RESTART, _TAKE_HOME_RESTART)
    return nb


def set_variant(nb, variant: int, candidate: str | None = None):
    """A copy of ``nb`` whose metadata and ``open_exercise(..., variant=N)`` calls use
    ``variant`` (a call without ``variant=`` gets one); ``candidate`` is recorded in the
    metadata when given. See :mod:`xaikit.grading.variants`."""
    nb = copy.deepcopy(nb)
    meta = nb.metadata.setdefault("xaikit", {})
    meta["variant"] = int(variant)
    if candidate is not None:
        meta["candidate"] = str(candidate)
    call = re.compile(r"open_exercise\(\s*(['\"])[\w-]+\1[^)]*\)")
    arg = re.compile(r"variant\s*=\s*-?\d+")

    def fix(m):
        text = m.group(0)
        if arg.search(text):
            return arg.sub(f"variant={int(variant)}", text)
        return text[:-1] + f", variant={int(variant)})"

    for cell in nb.cells:
        if cell.cell_type == "code" and "open_exercise(" in cell.source:
            cell.source = call.sub(fix, cell.source)
    return nb


def build_exercise(solution_nb):
    """The candidate's notebook from a solution notebook (practice mode, no outputs).

    Raises
    ------
    MarkerError
        For malformed markers (the message names the cell number).
    """
    nb = clear_outputs(solution_nb)
    for i, cell in enumerate(nb.cells):
        where = f"cell {i + 1}"
        if cell.cell_type == "code":
            cell.source = strip_solution_code(cell.source, where)
        elif cell.cell_type == "markdown":
            cell.source = strip_solution_prose(cell.source, where)
    nb.metadata.setdefault("xaikit", {})["mode"] = nb.metadata.get("xaikit", {}).get(
        "mode", "practice")
    return nb


def extract_prose(nb, qids) -> dict:
    """Prose answers by question id from markdown cells headed ``**Answer qN**``.

    Several cells for one question (duplicated cells) are joined in order; a cell that still
    holds only the placeholder counts as empty. Returns ``{qid: text or None}``.
    """
    found = {q: [] for q in qids}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.split("\n")
        m = ANSWER_HEADER.match(lines[0]) if lines else None
        if not m or m.group(1) not in found:
            continue
        body = "\n".join(lines[1:]).strip()
        body = body.replace(PROSE_BEGIN, "").replace(PROSE_END, "").strip()
        if body and body != PROSE_STUB:
            found[m.group(1)].append(body)
    return {q: ("\n\n".join(v) if v else None) for q, v in found.items()}
