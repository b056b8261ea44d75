"""Every registered exercise with a solution notebook: the grader gives the solution (variant 0,
practice-mode metadata) full auto points, status ok, no flag.

All notebooks are graded in ONE batch (``grade_many(..., jobs=2)``) to keep CI time down. The
untouched exercise grades zero with every question "not attempted": tested on the take-home
copy of every exercise in ``test_packs.py`` (the same cells), so not graded twice here.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from xaikit.exercises import REGISTRY, get_exercise

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = [eid for eid in REGISTRY
             if (ROOT / "solutions" / get_exercise(eid).notebook).is_file()]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from xaikit.grading.batch import grade_many

    base = tmp_path_factory.mktemp("all")
    subs = base / "subs"
    subs.mkdir()
    for eid in EXERCISES:
        src = ROOT / "solutions" / get_exercise(eid).notebook
        (subs / f"solution__{eid}.ipynb").write_bytes(src.read_bytes())
    reports = grade_many([subs], base / "out", jobs=2, progress=False)
    return {r["candidate"]: r for r in reports}


def test_some_exercise_is_graded():
    assert "shap_vs_lime" in EXERCISES


@pytest.mark.parametrize("eid", EXERCISES)
def test_solution_gets_full_auto_points(graded, eid):
    r = graded[f"solution__{eid}"]
    bad = [(q["id"], q["status"], q["feedback"]) for q in r["questions"]
           if q["kind"] == "auto" and q["status"] != "correct"]
    assert r["auto"]["score"] == pytest.approx(r["auto"]["max"]), (bad, r["flags"])
    assert r["auto"]["max"] > 0
    assert r["status"] == "ok", r["flags"]
