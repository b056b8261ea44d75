"""The timeline end to end: a solution notebook carrying JupyterLab's recorded times (made by
hand, in 2026-03) and the same notebook without them are graded in one batch. The timeline
comes from the SUBMITTED notebook (not the grader's re-executed copy, whose times are of the
grading run), and it changes no score and adds no flag; the batch writes index.html."""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import nbformat
import pytest
from test_timeline import stamp

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from xaikit.grading.batch import grade_many

    base = tmp_path_factory.mktemp("timeline")
    subs = base / "subs"
    subs.mkdir()
    nb = nbformat.read(ROOT / "solutions" / "01_shap_vs_lime.ipynb", as_version=4)
    nbformat.write(nb, subs / "plain.ipynb")
    timed = copy.deepcopy(nb)
    count = 0
    for k, c in enumerate(timed.cells):
        if c.cell_type == "code":
            count += 1
            c.execution_count = count
            c.metadata["execution"] = {"iopub.execute_input": stamp(120 * k),
                                       "shell.execute_reply": stamp(120 * k + 3)}
    nbformat.write(timed, subs / "timed.ipynb")
    before = (subs / "timed.ipynb").read_bytes()
    reports = grade_many([subs], base / "out", jobs=2, progress=False)
    assert (subs / "timed.ipynb").read_bytes() == before
    return base / "out", {r["candidate"]: r for r in reports}


def test_timeline_is_the_submitted_one_and_changes_nothing(graded):
    out, reps = graded
    timed, plain = reps["timed"], reps["plain"]
    tl = timed["timeline"]
    assert tl["available"] and tl["start"].startswith("2026-03-02T09:")  # not the grading run
    assert tl["timed_cells"] == tl["code_cells"] and tl["hidden_runs"] == 0
    assert [q["id"] for q in tl["questions"]] == ["q1", "q2", "q3", "q4", "q5", "q6"]
    assert plain["timeline"]["available"] is False
    assert timed["auto"] == plain["auto"] and timed["status"] == plain["status"] == "ok"
    assert [f["kind"] for f in timed["flags"]] == [f["kind"] for f in plain["flags"]]
    assert [(q["id"], q["score"]) for q in timed["questions"]] == \
        [(q["id"], q["score"]) for q in plain["questions"]]
    saved = json.loads((out / "timed" / "report.json").read_text())
    assert saved["timeline"] == tl
    assert "data:image/png;base64," in (out / "timed" / "report.html").read_text()


def test_batch_writes_the_dashboard(graded):
    out, _ = graded
    html = (out / "index.html").read_text()
    assert set(re.findall(r"href='([^']+)'", html)) == {"plain/report.html", "timed/report.html"}
    assert "shap_vs_lime (2 submission(s))" in html
