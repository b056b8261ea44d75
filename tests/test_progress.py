"""Self-study progress is read from the saved check outputs, without running anything."""
import json

import nbformat

from xaikit.exercises import get_exercise
from xaikit.exercises.framework import CheckDisplay, CheckResult
from xaikit.progress import checks_in, progress


def _saved(path, exercise_id, results, mode="practice"):
    """A notebook whose cells carry the displays of ``results`` ``{qid: status}``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["xaikit"] = {"exercise": exercise_id, "variant": 0, "mode": mode}
    for qid, status in results.items():
        cell = nbformat.v4.new_code_cell(f'ex.check("{qid}")')
        shown = CheckDisplay(qid, "t", mode, CheckResult(status, 1.0 if status == "correct"
                                                         else 0.0))
        cell.outputs = [nbformat.v4.new_output("execute_result", execution_count=1, data={
            "text/plain": repr(shown), "text/html": shown._repr_html_()})]
        nb.cells.append(cell)
    nbformat.write(nb, path)


def test_progress_counts_the_last_saved_results(tmp_path):
    _saved(tmp_path / "a.ipynb", "shap_vs_lime", {"q1": "correct", "q2": "incorrect",
                                                  "q3": "not_attempted"})
    (tmp_path / "notes.ipynb").write_text(json.dumps(nbformat.v4.new_notebook()))
    df = progress([tmp_path])
    assert len(df) == 1
    row = df.iloc[0]
    n_auto = sum(q.kind == "auto" for q in get_exercise("shap_vs_lime").questions)
    assert (row["id"], row["correct"], row["attempted"], row["questions"]) == \
        ("shap_vs_lime", 1, 2, n_auto)
    assert row["still to do"].startswith("q2, q3")


def test_take_home_recorded_is_not_counted_as_correct(tmp_path):
    _saved(tmp_path / "t.ipynb", "shap_vs_lime", {"q1": "correct"}, mode="take-home")
    assert checks_in(tmp_path / "t.ipynb") == {"q1": "recorded"}
    assert progress([tmp_path]).iloc[0]["correct"] == 0


def test_unreadable_or_unrun_notebooks_show_nothing(tmp_path):
    (tmp_path / "broken.ipynb").write_text("{not json")
    assert checks_in(tmp_path / "broken.ipynb") == {}
    assert progress([tmp_path]).empty


def test_study_path_lists_every_primer_with_its_exercise_and_times():
    """START_HERE's study path names each primer and its exercise with their real durations."""
    import re
    from pathlib import Path

    from xaikit.primers import PRIMERS, get_primer

    root = Path(__file__).resolve().parents[1]
    text = "".join("".join(c["source"]) for c in
                   json.loads((root / "notebooks" / "START_HERE.ipynb").read_text())["cells"])
    for pid in PRIMERS:
        p = get_primer(pid)
        ex = get_exercise(p.exercise)
        row = next(l for l in text.splitlines() if f"primers/{p.notebook}" in l)
        assert f"exercises/{ex.notebook}" in row
        assert re.search(rf"\b{p.minutes} \+ {ex.minutes} min\b", row), row
        assert (root / "notebooks" / "primers" / p.notebook).is_file()
        first = json.loads((root / "solutions" / ex.notebook).read_text())["cells"][0]
        assert f"primers/{p.notebook}" in "".join(first["source"])  # linked from the exercise
