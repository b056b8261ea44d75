"""What every primer promises (tests/test_primers.py tests each primer's own self-checks):
its declaration, its notebook (metadata, no outputs, each answer a None placeholder in the cell
of its check and assigned nowhere else, the pointer to its exercise), the placeholder of every
self-check is "not attempted", and open_primer's repr names the exercise."""
import json
from pathlib import Path

import pytest

from xaikit.exercises import get_exercise
from xaikit.primers import PRIMERS, _context, get_primer, open_primer

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("pid", sorted(PRIMERS))
def test_declaration_and_notebook(pid):
    primer = get_primer(pid)
    exercise = get_exercise(primer.exercise)
    assert primer.id == pid and 3 <= len(primer.questions) <= 5 and 10 <= primer.minutes <= 30
    for q in primer.questions:
        assert q.kind == "auto" and q.check is not None and q.hints and len(q.answers) == 1
    nb = json.loads((ROOT / "notebooks" / "primers" / primer.notebook).read_text())
    assert nb["metadata"]["xaikit"] == {"primer": pid}
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    for q in primer.questions:
        name = q.answers[0]
        cells = [c for c in code if f'p.check("{q.id}")' in c]
        assert len(cells) == 1, q.id
        assigned = [ln.split("#")[0].strip() for ln in cells[0].splitlines()
                    if ln.startswith(name + " =")]
        assert assigned == [f"{name} = None"], (q.id, assigned)
        assert sum(f"{name} =" in c for c in code) == 1, q.id  # answered nowhere else
    text = "".join("".join(c["source"]) for c in nb["cells"])
    assert f"exercises/{exercise.notebook}" in text and "Next: the exercise" in text
    assert exercise.id in repr(open_primer(pid))


@pytest.mark.parametrize("pid,qid", [(p, q.id) for p in sorted(PRIMERS)
                                     for q in get_primer(p).questions])
def test_placeholder_is_not_attempted(pid, qid):
    from xaikit.exercises.framework import run_check

    q = get_primer(pid).question(qid)
    assert run_check(q, {q.answers[0]: None}, _context(pid)).status == "not_attempted"
    assert run_check(q, {}, _context(pid)).status == "not_attempted"  # variable deleted
