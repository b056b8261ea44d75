"""The interviewer's live scoring sheet (issue 7): ticks -> scores -> the score file that
``xaikit grade --manual`` reads."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from xaikit.plan import DISCUSSION
from xaikit.exercises import REGISTRY, get_exercise, graded_exercise
from xaikit.widgets.scoring import (FIELDS, ScoringSheet, discussion_guide, rubric_table)

ROOT = Path(__file__).resolve().parents[1]


def _read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_exercise_sheet_has_the_written_questions_and_their_rubric():
    sheet = ScoringSheet.for_exercise("shap_vs_lime", candidate="ada")
    ex = graded_exercise("shap_vs_lime")  # the rubrics are in the grader part
    manual = [q for q in ex.questions if q.kind == "manual"]
    assert list(sheet.items) == [q.id for q in manual]
    for q in manual:
        assert sheet.items[q.id].criteria == tuple(q.rubric.criteria)
        assert sheet.items[q.id].points == q.points
    assert sheet.total == (0, ex.manual_points)


def test_ticks_set_the_score_and_a_manual_score_overrides_them():
    sheet = ScoringSheet.for_exercise("shap_vs_lime", candidate="ada")
    q7 = sheet.items["q7"]  # 2 points, 5 criteria
    sheet.tick("q7", 0)
    assert q7.score == 0.5  # 2 * 1/5 = 0.4 -> 0.5
    for i in range(1, 5):
        sheet.tick("q7", i)
    assert q7.score == 2.0
    sheet.tick("q7", 4, False)
    assert q7.score == 1.5
    sheet.set_score("q7", 1.0)
    sheet.tick("q7", 4)
    assert q7.score == 1.0  # overridden: ticks no longer change it
    sheet.set_score("q8", 99)
    assert sheet.items["q8"].score == 3.0  # clipped to the points
    sheet.set_score("q8", None)
    assert sheet.items["q8"].score is None


def test_export_writes_the_manual_score_format_and_keeps_other_candidates(tmp_path):
    path = tmp_path / "scores.csv"
    ada = ScoringSheet.for_exercise("shap_vs_lime", candidate="ada")
    ada.tick("q7", 0)
    ada.tick("q7", 1)
    ada.set_notes("q7", "named the sampling, 'binned' vs continuous, numbers from q6")
    ada.export(path)
    ben = ScoringSheet.for_exercise("shap_vs_lime", candidate="ben")
    ben.set_score("q8", 2)
    ben.export(path)
    ada.set_score("q8", 3)
    ada.export(path)  # replaces ada's rows, keeps ben's
    rows = _read(path)
    assert list(rows[0]) == FIELDS
    got = {(r["candidate"], r["question"]): r for r in rows}
    assert len(rows) == 4
    assert got[("ada", "q7")]["score"] == "1" and "numbers from q6" in got[("ada", "q7")]["comment"]
    assert got[("ada", "q8")]["score"] == "3"
    assert got[("ben", "q7")]["score"] == "" and got[("ben", "q8")]["score"] == "2"
    with pytest.raises(ValueError):
        ScoringSheet.for_exercise("shap_vs_lime").export(tmp_path / "x.csv")
    manual = pytest.importorskip("xaikit.grading.manual")
    parsed = manual.load_scores(path)
    assert {(r.candidate, r.question, r.score) for r in parsed} == {
        ("ada", "q7", 1.0), ("ada", "q8", 3.0), ("ben", "q7", None), ("ben", "q8", 2.0)}


def test_the_widget_drives_the_same_sheet(tmp_path):
    sheet = ScoringSheet.for_exercise("shap_vs_lime")
    w = sheet.widget()
    assert "xaikit-scoring-sheet" in w._dom_classes
    c = sheet._controls["q7"]
    c["boxes"][0].value = True
    c["boxes"][1].value = True
    assert sheet.items["q7"].score == 1.0 and c["score"].value == 1.0
    c["score"].value = 1.5
    assert sheet.items["q7"].score == 1.5
    c["notes"].value = "ok"
    assert sheet.items["q7"].notes == "ok"
    c["score"].value = -1
    assert sheet.items["q7"].score is None
    assert "Total: 0 / 5" in sheet._controls["total"].value


def test_discussion_sheet_and_guides_render():
    sheet = ScoringSheet.for_discussion(candidate="ada", level="senior")
    assert [i for i in sheet.items] == [d.id for d in DISCUSSION if "senior" in d.levels]
    sheet.tick("d1", 0)
    assert sheet.items["d1"].score == 1.0  # one point per criterion
    html = discussion_guide()
    for d in DISCUSSION:
        assert d.title.replace("'", "&#x27;") in html
    for eid in REGISTRY:
        assert "rubric" in rubric_table(eid)


def test_interviewer_notebooks_exist_for_every_exercise():
    folder = ROOT / "notebooks" / "interviewer"
    names = {p.name for p in folder.glob("*.ipynb")}
    assert "00_discussion_guide.ipynb" in names
    for eid in REGISTRY:
        stem = get_exercise(eid).notebook.replace(".ipynb", "")
        assert f"{stem}_guide.ipynb" in names, eid


@pytest.mark.slow
def test_exported_scores_merge_into_a_graded_report(tmp_path):
    """The exported file is what ``xaikit grade --manual`` reads (one blank notebook graded)."""
    pytest.importorskip("xaikit.grading.manual")
    from xaikit.grading.batch import grade_many

    sub = tmp_path / "ada.ipynb"
    shutil.copy(ROOT / "exercises" / "01_shap_vs_lime.ipynb", sub)
    sheet = ScoringSheet.for_exercise("shap_vs_lime", candidate="ada")
    sheet.set_score("q7", 1.5)
    sheet.set_score("q8", 2)
    scores = sheet.export(tmp_path / "scores.csv")
    (rep,) = grade_many([sub], tmp_path / "out", progress=False, manual=scores)
    assert rep["manual"]["score"] == 3.5
    assert {q["id"]: q["score"] for q in rep["questions"] if q["kind"] == "manual"} == \
        {"q7": 1.5, "q8": 2.0}
