"""Unit tests of the notebook transformations behind `xaikit build` and grading."""
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from xaikit.grading import notebook as T


def test_code_solution_block_becomes_stub_with_indent():
    src = "x = None\nif True:\n    # BEGIN SOLUTION\n    x = 1\n    # END SOLUTION\nprint(x)"
    assert T.strip_solution_code(src) == "x = None\nif True:\n    # YOUR CODE HERE\nprint(x)"


def test_code_without_markers_is_unchanged():
    assert T.strip_solution_code("a = 1\nb = 2") == "a = 1\nb = 2"


@pytest.mark.parametrize("src", [
    "# BEGIN SOLUTION\nx = 1",
    "# END SOLUTION",
    "# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION",
])
def test_malformed_code_markers_raise(src):
    with pytest.raises(T.MarkerError):
        T.strip_solution_code(src, "cell 3")


def test_prose_solution_becomes_placeholder():
    src = f"**Answer q7**\n\n{T.PROSE_BEGIN}\nsecret reference\n{T.PROSE_END}"
    out = T.strip_solution_prose(src)
    assert "secret" not in out and T.PROSE_STUB in out and out.startswith("**Answer q7**")


def test_unbalanced_prose_markers_raise():
    with pytest.raises(T.MarkerError):
        T.strip_solution_prose(f"{T.PROSE_BEGIN} text")


def _nb():
    cell = new_code_cell("x = None\n# BEGIN SOLUTION\nx = 42\n# END SOLUTION\nex.check('q1')")
    cell.outputs = [new_output("stream", text="42\n")]
    cell.execution_count = 3
    return new_notebook(cells=[
        new_markdown_cell("# Title"), cell,
        new_markdown_cell(f"**Answer q2**\n{T.PROSE_BEGIN}\nref\n{T.PROSE_END}")],
        metadata={"xaikit": {"exercise": "demo", "variant": 0}})


def test_build_exercise_strips_everything_and_keeps_metadata():
    sol = _nb()
    ex = T.build_exercise(sol)
    # what the cells hold, not their random ids (an id like "d2e2642c" holds "42")
    text = nbformat.writes(ex)
    for cell in ex.cells:
        text = text.replace(cell.get("id", "\0"), "")
    assert "42" not in text and "ref" not in text and "BEGIN SOLUTION" not in text
    assert ex.cells[1].outputs == [] and ex.cells[1].execution_count is None
    assert ex.metadata["xaikit"] == {"exercise": "demo", "variant": 0, "mode": "practice"}
    assert sol.cells[1].outputs  # the source notebook is not modified


def test_extract_prose_by_header_ignores_placeholder_and_order():
    nb = T.build_exercise(_nb())
    assert T.extract_prose(nb, ["q2"]) == {"q2": None}
    nb.cells.insert(0, new_markdown_cell("**Answer q2**\nMy answer."))
    nb.cells.append(new_markdown_cell("**Answer q2**\nMore."))
    assert T.extract_prose(nb, ["q2"]) == {"q2": "My answer.\n\nMore."}


def test_exercise_meta_requires_xaikit_metadata():
    with pytest.raises(ValueError, match="not an xaikit exercise"):
        T.exercise_meta(new_notebook())


def test_set_mode_rewrites_metadata_and_call():
    nb = new_notebook(cells=[new_code_cell('ex = open_exercise("a", variant=0, mode="practice")')],
                      metadata={"xaikit": {"exercise": "a"}})
    out = T.set_mode(nb, "take-home")
    assert 'mode="take-home"' in out.cells[0].source
    assert out.metadata["xaikit"]["mode"] == "take-home"


def test_take_home_notebooks_say_only_what_a_take_home_check_does():
    """Issue 11 (15): a take-home notebook never promises 'right (practice mode)'."""
    from pathlib import Path

    import nbformat

    from xaikit.grading.notebook import build_exercise, set_mode

    root = Path(__file__).resolve().parents[1]
    for path in sorted((root / "solutions").glob("*.ipynb")):
        nb = set_mode(build_exercise(nbformat.read(path, as_version=4)), "take-home")
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "practice mode" not in text, path.name
        assert "recorded and well-formed" in text, path.name
        # no primer (not in a pack), no restart (it would replace the timeline's run times)
        assert "Start with the primer" not in text, path.name
        assert "Restart Kernel and Run All Cells*." not in text, path.name
        assert "--output-dir checked" in text, path.name
