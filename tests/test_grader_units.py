"""Unit tests of the grader's pieces (no kernel, except the marked rlimits test at the end)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from grader_cases import EXERCISE, ROOT, light
from xaikit.grading import integrity
from xaikit.grading.collect import (CollectError, collection_source, decode_answers,
                                    read_json_file, setup_source)
from xaikit.grading.manual import ManualScoreError, apply_manual, load_scores, write_template
from xaikit.grading.batch import existing_report, report_names
from xaikit.grading.pipeline import _error_kind, load_submission

NAMES = ["shap_values", "base_value"]


def nb_with(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


# --- static integrity flags -----------------------------------------------------------------

@pytest.mark.parametrize("src", [
    "import xaikit.exercises.shap_vs_lime.grader", "from xaikit.grading import pipeline",
    "from xaikit import grading",
    "import importlib; importlib.import_module('xaikit.exercises.shap_vs_lime.grader')",
    "from xaikit.exercises.shap_vs_lime.grader import check_q1",
    "from xaikit.exercises.shap_vs_lime import grader",
    "from xaikit.exercises import reference_context"])
def test_grader_imports_are_flagged(src):
    kinds = [f["kind"] for f in integrity.static_flags(nb_with(src))]
    assert "grader_import" in kinds


@pytest.mark.parametrize("src", [
    "import numpy as np\nnp.allclose = lambda *a: True",
    "import shap\nshap.TreeExplainer.shap_values = None",
    "from sklearn import inspection\ninspection.partial_dependence = print",
    "import numpy\nsetattr(numpy, 'mean', max)",
    "from xaikit import open_exercise\nex = open_exercise('shap_vs_lime')\nex.check = print",
    "import sys\nsys.modules['numpy'] = None",
    "import xaikit.models as m\ndel m.credit_model"])
def test_monkeypatching_is_flagged(src):
    assert "monkeypatch" in [f["kind"] for f in integrity.static_flags(nb_with(src))]


def test_no_integrity_flags_on_the_solution():
    for p in sorted((ROOT / "solutions").glob("*.ipynb")):
        nb = nbformat.read(p, as_version=4)
        assert integrity.static_flags(nb, nb.metadata["xaikit"]) == [], p.name


def test_magics_do_not_break_the_analysis():
    nb = nb_with("%matplotlib inline\n!ls\nimport numpy as np\nnp.sum = 3", "this is ( not python")
    assert [f["kind"] for f in integrity.static_flags(nb)] == ["monkeypatch"]


def test_other_exercise_is_flagged():
    nb = nb_with("from xaikit import open_exercise\nex = open_exercise('pdp_ice')")
    flags = integrity.static_flags(nb, {"exercise": "shap_vs_lime", "variant": 0})
    assert [f["kind"] for f in flags] == ["wrong_exercise"]


# --- structure --------------------------------------------------------------------------------

def test_structure_of_the_exercise_itself_is_clean():
    ex = nbformat.read(EXERCISE, as_version=4)
    assert integrity.structure_flags(ex, ex) == []
    assert integrity.structure_flags(light("x = 1"), ex) == []


def test_structure_changes():
    ex = nbformat.read(EXERCISE, as_version=4)
    md = [i for i, c in enumerate(ex.cells) if c.cell_type == "markdown"]
    deleted = nbformat.read(EXERCISE, as_version=4)
    del deleted.cells[md[2]]
    assert [f["kind"] for f in integrity.structure_flags(deleted, ex)] == ["cells_deleted"]
    swapped = nbformat.read(EXERCISE, as_version=4)
    swapped.cells[md[1]], swapped.cells[md[3]] = swapped.cells[md[3]], swapped.cells[md[1]]
    assert [f["kind"] for f in integrity.structure_flags(swapped, ex)] == ["cells_reordered"]
    dup = nbformat.read(EXERCISE, as_version=4)
    dup.cells.insert(md[2], nbformat.from_dict(dict(dup.cells[md[2]])))
    assert [f["kind"] for f in integrity.structure_flags(dup, ex)] == ["cells_duplicated"]


# --- stale outputs ----------------------------------------------------------------------------

def test_outputs_match_tolerates_timing_and_rounding():
    assert integrity.outputs_match("value 0.123456\n", "value 0.1234561")
    assert not integrity.outputs_match("value 0.12\n", "value 0.13")
    assert not integrity.outputs_match("correct", "incorrect")


def test_stale_output_flags():
    sub = nb_with("shap_values = 1\nprint(shap_values)", "y = 2\nprint(y)")
    sub.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                   text="5\nWall time: 3.2 s\n")]
    sub.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="99\n")]
    ran = nb_with("", "")
    ran.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    ran.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
    flags = integrity.stale_output_flags(sub, ran, NAMES)
    assert len(flags) == 1 and "cell(s) 1 " in flags[0]["detail"]  # cell 2 bears no answer
    ran.cells[0].outputs[0]["text"] = "5\nWall time: 9.9 s\n"
    assert integrity.stale_output_flags(sub, ran, NAMES) == []
    assert integrity.stale_output_flags(sub, nb_with("", ""), NAMES, skip_cells={0}) == []


# --- collection -------------------------------------------------------------------------------

def test_collection_sources_are_python():
    import ast

    ast.parse(setup_source(NAMES, ["/tmp"]))
    ast.parse(collection_source(NAMES))


def test_read_json_file_refuses_symlinks_fifos_and_junk(tmp_path):
    ok = tmp_path / "ok.json"
    ok.write_text('{"a": 1}')
    assert read_json_file(ok) == {"a": 1}
    link = tmp_path / "link.json"
    link.symlink_to(ok)
    with pytest.raises(CollectError):
        read_json_file(link)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    with pytest.raises(CollectError, match="regular"):
        read_json_file(fifo)
    big = tmp_path / "big.json"
    big.write_text("[" + "1," * 1000 + "1]")
    with pytest.raises(CollectError, match="larger"):
        read_json_file(big, max_bytes=100)
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(CollectError, match="not valid JSON"):
        read_json_file(bad)
    with pytest.raises(CollectError, match="no answers"):
        read_json_file(tmp_path / "missing.json")


def test_decode_answers_keeps_declared_names_only():
    data = {"shap_values": {"__ndarray__": [1.0, 2.0], "shape": [2], "dtype": "float64"},
            "evil": {"__frame__": {}}, "base_value": {"__ndarray__": "junk", "shape": [9]}}
    out = decode_answers(data, NAMES)
    assert set(out) == set(NAMES)
    assert list(out["shap_values"]) == [1.0, 2.0]
    assert type(out["base_value"]).__name__ == "Unsupported"


# --- loading and naming -----------------------------------------------------------------------

@pytest.mark.parametrize("raw,kind", [
    (b"\xff\xfe", "invalid_json"), (b"[1, 2]", "not_a_notebook"),
    (b'{"cells": [], "nbformat": 3}', "unsupported_nbformat"),
    (b'{"cells": "x", "nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "not_a_notebook"),
    (b"[" * 100000, "invalid_json")])
def test_load_submission_errors(raw, kind):
    with pytest.raises(ValueError, match=f"^{kind}: "):
        load_submission(raw)


def test_report_names_are_safe_and_unique(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    paths = [tmp_path / "a" / "x.ipynb", tmp_path / "b" / "x.ipynb", tmp_path / "..ipynb",
             tmp_path / "we ird;name.ipynb"]
    names = report_names(paths)
    assert names[paths[0]] == "a__x" and names[paths[1]] == "b__x"
    assert all("/" not in n and not n.startswith(".") and n for n in names.values())
    assert names[paths[3]] == "we_ird_name"


def test_error_kinds():
    assert _error_kind("MemoryError", "") == "memory_limit"
    assert _error_kind("BlockingIOError", "[Errno 11] Resource temporarily unavailable") == \
        "process_limit"
    assert _error_kind("OSError", "[Errno 27] File too large") == "file_size_limit"
    assert _error_kind("OSError", "[Errno 101] Network is unreachable") == "network"
    assert _error_kind("SystemExit", "0") == "sys_exit"
    assert _error_kind("ValueError", "x") == "cell_error"


def test_existing_report_needs_the_same_hash(tmp_path):
    (tmp_path / "report.json").write_text(json.dumps({"submission_sha256": "abc",
                                                      "status": "ok"}))
    assert existing_report(tmp_path, "abc")["status"] == "ok"
    assert existing_report(tmp_path, "def") is None
    (tmp_path / "report.json").write_text("{broken")
    assert existing_report(tmp_path, "abc") is None


# --- sandbox ----------------------------------------------------------------------------------

def test_sandbox_environment_is_scrubbed(monkeypatch):
    from xaikit.grading.sandbox import make_sandbox

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t")
    monkeypatch.setenv("GITHUB_TOKEN", "t0k3n")
    sb = make_sandbox("rlimits", trust=True)
    try:
        env = sb.env()
        assert "s3cr3t" not in env.values() and "t0k3n" not in env.values()
        assert env["HOME"].startswith(str(sb.root))
        cmd = sb.wrap(["python", "-c", "pass"])
        cfg = json.loads(cmd[5])
        assert cfg["limits"]["RLIMIT_AS"] == sb.limits.memory_mb * 2 ** 20
    finally:
        sb.cleanup()
    assert not sb.root.exists()


def test_bwrap_arguments_hide_solutions_and_network(tmp_path):
    from xaikit.grading.sandbox import Sandbox, bwrap_args, hidden_paths, readonly_paths

    sb = Sandbox(root=tmp_path / "grade", isolation="bwrap", reason="",
                 readonly=readonly_paths(), hidden=hidden_paths())
    args = bwrap_args(sb)
    assert "--unshare-all" in args or "--unshare-net" in args
    binds = [args[i + 1] for i, a in enumerate(args) if a == "--ro-bind"]
    assert not any(b == str(ROOT) for b in binds)
    assert not any((ROOT / "solutions").is_relative_to(b) for b in binds if b != "/")
    import xaikit

    package = str(Path(xaikit.__file__).resolve().parent)  # the kernel gets the public copy
    assert package in [args[i + 1] for i, a in enumerate(args) if a == "--tmpfs"]


# --- manual scores ----------------------------------------------------------------------------

def _reports():
    def rep(c):
        return {"candidate": c, "exercise": "shap_vs_lime", "status": "ok",
                "auto": {"score": 1.0, "max": 10.0}, "manual": {"score": None, "max": 5.0},
                "flags": [], "runtime_s": 1.0, "submission": f"{c}.ipynb",
                "questions": [{"id": "q1", "title": "t", "kind": "auto", "points": 2.0,
                               "level": "junior", "score": 1.0, "status": "partial",
                               "feedback": ""},
                              {"id": "q7", "title": "t", "kind": "manual", "points": 2.0,
                               "level": "mid", "score": None, "status": "ungraded",
                               "feedback": "", "answer": "because", "rubric": {}},
                              {"id": "q8", "title": "t", "kind": "manual", "points": 3.0,
                               "level": "senior", "score": None, "status": "ungraded",
                               "feedback": "", "answer": None, "rubric": {}}]}
    return [rep("alice"), rep("bob")]


def test_manual_csv_and_yaml_merge(tmp_path):
    reps = _reports()
    write_template(tmp_path, reps)
    tpl = (tmp_path / "manual_scores.csv").read_text().splitlines()
    assert tpl[0] == "candidate,question,score,comment" and len(tpl) == 5
    csv_file = tmp_path / "s.csv"
    csv_file.write_text("candidate,question,score,comment\nalice,q7,1.5,\"good, clear\"\n"
                        "alice,q8,,\nbob,q8,3,full marks\n")
    apply_manual(reps, load_scores(csv_file), tmp_path)
    assert reps[0]["manual"]["score"] == 1.5 and reps[0]["manual"]["scored"] == "1/2"
    assert reps[0]["questions"][1]["comment"] == "good, clear"
    assert reps[1]["manual"]["score"] == 3.0
    saved = json.loads((tmp_path / "alice" / "report.json").read_text())
    assert saved["manual"]["score"] == 1.5
    assert "good, clear" in (tmp_path / "alice" / "report.md").read_text()
    yml = tmp_path / "s.yaml"
    yml.write_text("- candidate: alice\n  question: q8\n  score: 2\n  comment: ok\n")
    apply_manual(reps, load_scores(yml), tmp_path)
    assert reps[0]["manual"]["score"] == 3.5
    write_template(tmp_path, reps)  # never drops or duplicates rows
    assert len((tmp_path / "manual_scores.csv").read_text().splitlines()) == 5


@pytest.mark.parametrize("text,suffix,match", [
    ("candidate,question,score\nalice,q7,abc\n", ".csv", "line 2: score 'abc' is not a number"),
    ("candidate,question,score\nalice,q7,1\nalice,q7,2\n", ".csv", "line 3: .*scored twice"),
    ("candidate,score\nalice,1\n", ".csv", "line 1: the header lacks question"),
    ("candidate,question,score\n\nalice,q7,-1\n", ".csv", "line 3: .*>= 0"),
    ("candidate,question,score\nalice,q7,1,a,b\n", ".csv", "line 2: 5 fields"),
    ("- candidate: alice\n  question: q7\n  score: [1, 2]\n", ".yaml", "line 3"),
    ("- candidate: alice\n  score: 1\n", ".yaml", "line 1: question is missing"),
    ("- candidate: alice\n  question: q7\n  score: 1\n- candidate: [\n", ".yaml", "line"),
    ("candidate: alice\n", ".yml", "line 1: expected a list")])
def test_malformed_score_files_name_the_line(tmp_path, text, suffix, match):
    p = tmp_path / f"scores{suffix}"
    p.write_text(text)
    with pytest.raises(ManualScoreError, match=match):
        load_scores(p)


@pytest.mark.parametrize("row,match", [
    ("carol,q7,1", "line 2: no graded submission for candidate 'carol'"),
    ("alice,q1,1", "line 2: 'q1' is not a manual question"),
    ("alice,q7,2.5", "line 2: score 2.5 is more than q7's 2 points")])
def test_scores_that_do_not_fit_the_reports(tmp_path, row, match):
    p = tmp_path / "s.csv"
    p.write_text("candidate,question,score\n" + row + "\n")
    with pytest.raises(ManualScoreError, match=match):
        apply_manual(_reports(), load_scores(p), tmp_path)


def test_cli_manual_error_is_clear(tmp_path):
    from click.testing import CliRunner

    from xaikit.cli import main

    bad = tmp_path / "s.csv"
    bad.write_text("candidate,question,score\nalice,q7,many\n")
    nb = tmp_path / "x.ipynb"
    nb.write_text("{}")
    r = CliRunner().invoke(main, ["grade", str(nb), "--out", str(tmp_path / "o"),
                                  "--manual", str(bad), "-q"])
    assert r.exit_code == 1 and "line 2" in r.output and "not a number" in r.output


# --- the fallback sandbox, with a kernel ---------------------------------------------------------

@pytest.mark.slow
def test_rlimits_fallback_grades_and_reports_it(tmp_path):
    from grader_cases import MARKER_SCORE, write

    from xaikit.grading.batch import grade_many

    sub = write(tmp_path, "exit_after_answer",
                light("import socket\ntry:\n    socket.create_connection(('1.1.1.1', 80), "
                      "timeout=1)\nexcept OSError:\n    pass\n",
                      "x = bytearray(8 * 2 ** 30)\n", "import os\nos._exit(5)\n"))
    rep = grade_many([sub], tmp_path / "out", isolation="rlimits", progress=False,
                     cell_timeout=20, total_timeout=60, trust=True)[0]
    kinds = [f["kind"] for f in rep["flags"]]
    assert rep["isolation"] == "rlimits" and "rlimits" in rep["isolation_reason"]
    assert "network" in kinds and "memory_limit" in kinds and "kernel_exit" in kinds
    q6 = next(q for q in rep["questions"] if q["id"] == "q6")
    assert q6["score"] == pytest.approx(MARKER_SCORE)


def test_figures_and_check_displays_never_make_an_output_stale():
    """A candidate's JupyterLab shows figures (inline backend) and practice/take-home check
    wording that a re-run elsewhere does not reproduce: neither is a stale output."""
    import nbformat

    from xaikit.exercises.framework import CheckDisplay, CheckResult

    src = "shap_values = 1\nprint('ok', 0.123456)\nplt.show()\nex.check('q1')"
    sub = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src)])
    exe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src)])
    fig = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=",
                                                       "text/plain": "<Figure size 640x480>"})
    seen = CheckDisplay("q1", "t", "practice", CheckResult("correct", 1.0, "right"))
    rerun = CheckDisplay("q1", "t", "take-home", CheckResult("correct", 1.0, "recorded"))
    text = nbformat.v4.new_output("stream", name="stdout", text="ok 0.123456\n")

    def shown(d):
        return nbformat.v4.new_output("execute_result", execution_count=1, data={
            "text/plain": repr(d), "text/html": d._repr_html_()})

    sub.cells[0].outputs = [text, fig, shown(seen)]
    exe.cells[0].outputs = [text, shown(rerun)]
    assert integrity.stale_output_flags(sub, exe, ["shap_values"]) == []
    exe.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="ok 9.9\n")]
    assert integrity.stale_output_flags(sub, exe, ["shap_values"])  # a changed number still is


def test_jupyterlab_metadata_is_never_flagged():
    """Saving from JupyterLab or running nbconvert adds language_info and widget state."""
    import nbformat

    nb = nb_with("x = 1")
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {f"m{i}": {"model_name": "DropdownModel", "state": {"_options_labels": [
            f"option {k}" for k in range(300)]}} for i in range(20)}, "version_major": 2}}
    assert integrity.static_flags(nb) == []
