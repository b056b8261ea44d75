"""The timeline of the work: extraction from JupyterLab's recorded cell times (hand-made
metadata with known durations), the plot, report.json / report.md / report.html, and the lab
settings that turn the recording on."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest

from xaikit.grading.timeline import (cell_questions, extract_timeline, summary_lines,
                                     timeline_for, write_lab_settings)

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=timezone.utc)
QUESTIONS = [("q1", ("shap_values", "base_value")), ("q2", ("top3_features",)), ("q3", ())]


def stamp(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def timed(source, start=None, end=None, count=None):
    """A code cell whose last run JupyterLab recorded from ``start`` to ``end`` s after T0."""
    c = nbformat.v4.new_code_cell(source)
    c.execution_count = count
    if start is not None:
        c.metadata["execution"] = {"iopub.status.busy": stamp(start - 0.01),
                                   "iopub.execute_input": stamp(start),
                                   "shell.execute_reply": stamp(end),
                                   "iopub.status.idle": stamp(end + 0.01)}
    return c


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def md(text):
    return nbformat.v4.new_markdown_cell(text)


def test_known_durations_order_and_hidden_runs():
    nb = notebook(md("# Title"), timed("import numpy as np", 0, 2, 1),
                  md("## q1 — SHAP (junior, 2 points)"),
                  timed("shap_values = None\nbase_value = None\nshap_values = 1", 60, 65, 2),
                  md("## q2 — top features"),
                  timed("top3_features = [1, 2]", 600, 601, 5),  # runs 3 and 4 left no trace
                  timed("helper = 2  # under the q2 heading", 900, 910, 6),
                  md("## q3 — written"), md("**Answer q3**\n\ntext"))
    before = nbformat.writes(nb)
    tl = extract_timeline(nb, QUESTIONS)
    assert nbformat.writes(nb) == before  # only read
    assert tl["available"] and tl["timed_cells"] == 4 and tl["code_cells"] == 4
    assert tl["span_s"] == pytest.approx(910)
    assert tl["start"] == "2026-03-02T09:00:00Z"
    q = {r["id"]: r for r in tl["questions"]}
    assert set(q) == {"q1", "q2"}  # q3 is written: markdown cells have no times
    assert q["q1"]["span_s"] == pytest.approx(5) and q["q1"]["run_s"] == pytest.approx(5)
    assert q["q2"]["first_offset_s"] == pytest.approx(600)
    assert q["q2"]["span_s"] == pytest.approx(310) and q["q2"]["run_s"] == pytest.approx(11)
    assert q["q2"]["cells"] == 2
    # the time since the previous run: q1 60 + 5 (after the import at 0-2 s: 65 - 2 = 63)
    assert q["q1"]["lead_s"] == pytest.approx(63) and q["q2"]["lead_s"] == pytest.approx(845)
    assert tl["order"] == ["q1", "q2"] and not tl["out_of_order"]
    assert tl["hidden_runs"] == 2 and len(tl["sessions"]) == 1
    assert tl["revisited_cells"] == [] and not tl["run_all_at_end"]
    assert [c["cell"] for c in tl["cells"]] == [2, 4, 6, 7]  # 1-based, as the flags count
    json.dumps(tl, allow_nan=False)
    text = " ".join(summary_lines(tl))
    assert "q1 → q2" in text and "2 run(s) left no trace" in text


def test_out_of_order_work_and_a_restart():
    nb = notebook(timed("import numpy as np", 1200, 1201, 1),  # after a restart
                  md("## q1"), timed("shap_values = 1", 100, 130, 3),
                  md("## q2"), timed("top3_features = 1", 0, 20, 1))
    tl = extract_timeline(nb, QUESTIONS)
    assert tl["order"] == ["q2", "q1"] and tl["out_of_order"]
    assert [s["recorded_runs"] for s in tl["sessions"]] == [2, 1]
    assert tl["hidden_runs"] == 1  # count 2, between q2's 1 and q1's 3
    assert tl["revisited_cells"] == [1, 3]  # run after cell 5 below them
    text = " ".join(summary_lines(tl))
    assert "not the notebook's order" in text and "2 kernel sessions" in text


def test_final_run_all_is_recognised():
    nb = notebook(timed("import numpy as np", 0, 1, 1), md("## q1"),
                  timed("shap_values = 1", 1, 2, 2), timed("", None), md("## q2"),
                  timed("top3_features = 1", 2, 3, 3))
    tl = extract_timeline(nb, QUESTIONS)
    assert tl["run_all_at_end"] and tl["hidden_runs"] == 0
    assert "Restart and Run All" in " ".join(summary_lines(tl))


def test_without_timing_metadata():
    nb = nbformat.read(ROOT / "solutions" / "01_shap_vs_lime.ipynb", as_version=4)
    from xaikit.exercises import get_exercise

    tl = timeline_for(nb, get_exercise("shap_vs_lime"))
    assert tl["available"] is False and tl["timed_cells"] == 0
    assert "no execution times" in tl["reason"]
    assert "no execution times" in summary_lines(tl)[0]


@pytest.mark.parametrize("execution", [
    "not a dict", {"iopub.execute_input": "yesterday", "shell.execute_reply": stamp(1)},
    {"iopub.execute_input": stamp(5), "shell.execute_reply": stamp(1)},  # ends before it starts
    {"iopub.execute_input": stamp(1)}, {"iopub.execute_input": 17, "shell.execute_reply": [1]},
    {"iopub.execute_input": "2026-03-02T09:00:00", "shell.execute_reply": stamp(1)},  # no zone
])
def test_malformed_metadata_is_ignored(execution):
    c = timed("shap_values = 1", count=True)
    c.metadata["execution"] = execution
    tl = extract_timeline(notebook(c), QUESTIONS)
    assert tl["available"] is False


def test_timeline_for_never_raises():
    class Broken:
        questions = None

    assert timeline_for(notebook(), Broken())["available"] is False


def test_cells_belong_to_the_question_assigning_its_answer_names():
    cells = [md("## q3 — heading"), {"cell_type": "code", "source": "shap_values[0] = 3"},
             {"cell_type": "code", "source": "%time top3_features = 1\n!ls"},
             {"cell_type": "code", "source": "x = 1"}, md("## Before you hand in"),
             {"cell_type": "code", "source": "y = 2"},
             {"cell_type": "code", "source": "for base_value in []: pass"}]
    assert cell_questions(cells, QUESTIONS) == ["q3", "q1", "q2", "q3", None, None, "q1"]


def test_plot_and_reports_show_the_timeline(tmp_path):
    from xaikit.grading.report import write_report
    from xaikit.grading.timeline_plot import TimelineDisplay

    nb = notebook(md("## q1"), timed("shap_values = 1", 0, 30, 1), md("## q2"),
                  timed("top3_features = 1", 300, 310, 2), timed("z = 1", 400, 401, 3))
    tl = extract_timeline(nb, QUESTIONS)
    disp = TimelineDisplay(tl).plot()
    assert [t.get_text() for t in disp.ax_.get_yticklabels()] == ["q1", "q2"]
    assert len(disp.ax_.patches) == 2 + 3  # a span per question, a bar per cell run
    assert disp.to_png_base64().startswith("iVBOR")
    from dashboard_cases import report

    rep = report("ann", "shap_vs_lime", {"q1": (1.0, 1.0)})
    rep["timeline"] = tl
    write_report(tmp_path / "ann", rep)
    html = (tmp_path / "ann" / "report.html").read_text()
    assert "data:image/png;base64,iVBOR" in html and "Timeline of the work" in html
    assert "Timeline of the work" in (tmp_path / "ann" / "report.md").read_text()
    assert json.loads((tmp_path / "ann" / "report.json").read_text())["timeline"] == tl
    rep["timeline"] = extract_timeline(notebook(), QUESTIONS)  # none: said, no image
    write_report(tmp_path / "bob", rep)
    html = (tmp_path / "bob" / "report.html").read_text()
    assert "no execution times" in html and "data:image/png" not in html


def test_write_lab_settings_keeps_other_settings(tmp_path):
    p = write_lab_settings(tmp_path / "s")
    assert p == tmp_path / "s/@jupyterlab/notebook-extension/tracker.jupyterlab-settings"
    assert json.loads(p.read_text()) == {"recordTiming": True}
    p.write_text(json.dumps({"windowingMode": "none", "recordTiming": False}))
    write_lab_settings(tmp_path / "s")
    assert json.loads(p.read_text()) == {"windowingMode": "none", "recordTiming": True}


@pytest.mark.slow
def test_jupyterlab_reads_record_timing_from_the_settings_dir(tmp_path):
    """JupyterLab itself (the pinned version) serves recordTiming = true from the folder
    passed as --LabApp.user_settings_dir, as the pack's README and `make lab` start it."""
    import os
    import secrets
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    write_lab_settings(tmp_path / "jupyter-settings")
    env = dict(os.environ)
    for name in ("config", "data", "runtime"):
        (tmp_path / name).mkdir()
        env[f"JUPYTER_{name.upper()}_DIR"] = str(tmp_path / name)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(8)
    proc = subprocess.Popen([str(Path(sys.executable).with_name("jupyter")), "lab",
                             "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
                             f"--IdentityProvider.token={token}", "--allow-root",
                             "--LabApp.user_settings_dir=jupyter-settings"],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = (f"http://127.0.0.1:{port}/lab/api/settings/@jupyterlab/notebook-extension:tracker"
           f"?token={token}")
    try:
        for _ in range(120):
            try:
                data = json.load(urllib.request.urlopen(url, timeout=5))
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("jupyter lab did not answer")
    finally:
        proc.terminate()
        proc.wait(30)
    assert data["settings"]["recordTiming"] is True
