"""Take-home packs: what a pack holds, that it leaks nothing, and the whole take-home path as a
candidate and an interviewer take it, for every exercise:

pack -> unzip -> run the notebook in the pack (untouched, and completed with the solution code)
-> hand in (zip) -> ``xaikit grade --manifest``: status ``ok`` and no flag for both, full marks
for the completed one, 0 for the untouched one.
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import numpy as np
import pytest

from xaikit.boundary import is_grader_file, public_files
from xaikit.exercises import REGISTRY, get_exercise, grader_part, reference_context
from xaikit.grading.notebook import PROSE_BEGIN, PROSE_END, has_solution_markers
from xaikit.packs import PackError, build_pack, extract_handins, verify_pack

ROOT = Path(__file__).resolve().parents[1]
SALT = "test-salt-not-secret"
EXERCISES = sorted(REGISTRY)


def _unzip(path: Path, dest: Path) -> Path:
    with zipfile.ZipFile(path) as z:
        z.extractall(dest)
    (folder,) = [p for p in dest.iterdir() if p.is_dir()]
    return folder


def _files(pack):
    with zipfile.ZipFile(pack.path) as z:
        return {n.split("/", 1)[1]: z.read(n) for n in z.namelist() if not n.endswith("/")}


def complete_with_solutions(pack_nb, solution_nb):
    """The pack's notebook with every answer cell (code and prose) replaced by the solution's
    cell: the notebooks are cell-for-cell the same outside the solution blocks."""
    assert len(pack_nb.cells) == len(solution_nb.cells)
    for mine, sol in zip(pack_nb.cells, solution_nb.cells):
        if "# BEGIN SOLUTION" in sol.source or PROSE_BEGIN in sol.source:
            mine.source = sol.source
    return pack_nb


def candidate_env(home: Path) -> dict:
    """A candidate's machine: none of the project's variables, a home of its own."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("XAIKIT_", "PYTEST")) and k != "MPLBACKEND"}
    env.update(HOME=str(home), JUPYTER_PLATFORM_DIRS="1")  # matplotlib inline, as in JupyterLab
    return env


#: Runs a notebook from the pack folder (so ``import xaikit`` is the pack's copy), with
#: nbclient as nbconvert does, but waiting in slices (xaikit.grading.replies, loaded by path: the
#: pack has no grader side): plain nbclient can miss a reply and wait until its timeout, or for
#: ever on IOPub (benchmarks/notebook_stress.py measured it), which is not what this test is about.
RUNNER = r"""
import importlib.util, sys
import nbformat
from nbclient import NotebookClient
spec = importlib.util.spec_from_file_location("replies", sys.argv[3])
replies = importlib.util.module_from_spec(spec); spec.loader.exec_module(replies)
Client = type("Client", (replies.ReplyRecovery, NotebookClient), {})
nb = nbformat.read(sys.argv[1], as_version=4)
Client(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": "."}}).execute()
nbformat.write(nb, sys.argv[2])
"""


def run_in_pack(folder: Path, name: str, out: Path, extra_cell: str | None = None) -> Path:
    """Execute notebook ``name`` in the extracted pack ``folder`` as the candidate would (from
    the pack folder, matplotlib inline as in JupyterLab); write the executed copy to ``out``."""
    src = folder / name
    if extra_cell:
        nb = nbformat.read(src, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(extra_cell))
        src = folder / f"probe_{name}"
        nbformat.write(nb, src)
    home = out.parent / f"home-{out.stem}"
    home.mkdir(parents=True, exist_ok=True)
    replies = ROOT / "src" / "xaikit" / "grading" / "replies.py"
    res = subprocess.run([sys.executable, "-c", RUNNER, str(src.name), str(out), str(replies)],
                         cwd=folder, env=candidate_env(home), capture_output=True, text=True,
                         timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def packs(tmp_path_factory):
    """Packs for two made-up candidates holding every exercise."""
    out = tmp_path_factory.mktemp("packs")
    a = build_pack("cand-ada", EXERCISES, out, level="mid", minutes=120, salt=SALT)
    b = build_pack("cand-ben", EXERCISES, out, level="mid", salt=SALT)
    return a, b


@pytest.fixture(scope="module")
def taken(packs, tmp_path_factory):
    """The take-home path for ada (every exercise) and a copy for ben (shap_vs_lime).

    Returns ``{(case, exercise): report}`` for the cases ``done`` (completed with the solution
    code, run in the pack, handed in as a zip), ``blank`` (run untouched in the pack),
    ``tampered`` (done, variant metadata removed), ``copied`` (ben's notebook holding ada's
    answers), and ``{("answers", exercise): dict}``: ada's answers as the grader collects them.
    """
    from xaikit.answers import dumps, loads
    from xaikit.grading.batch import grade_many

    a, b = packs
    work = tmp_path_factory.mktemp("work")
    ada = _unzip(a.path, work / "ada")
    ben = _unzip(b.path, work / "ben")
    dirs = {n: work / n for n in ("done", "blank", "tampered", "copied", "answers")}
    for d in dirs.values():
        d.mkdir()
    names = {e["notebook"]: e["id"] for e in a.manifest["exercises"]}
    for name in names:
        nb = nbformat.read(ada / name, as_version=4)
        nb = complete_with_solutions(nb, nbformat.read(ROOT / "solutions" / name, as_version=4))
        nbformat.write(nb, ada / f"done_{name}")

    def answers_cell(eid, out):
        names_ = get_exercise(eid).answer_names
        return ("import xaikit.answers as _codec\n"
                f"open({str(out)!r}, 'w').write(_codec.dumps("
                f"{{n: globals().get(n) for n in {names_!r}}}))")

    jobs = []
    for name, eid in names.items():
        # one run gives the hand-in and ada's answers: the cell that writes them is appended,
        # then taken out of the executed notebook before it is handed in
        jobs.append((ada, f"done_{name}", dirs["done"] / name,
                     answers_cell(eid, dirs["answers"] / f"{eid}.json")))
        jobs.append((ada, name, dirs["blank"] / name, None))
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda j: run_in_pack(*j), jobs))
    for name in names:
        nb = nbformat.read(dirs["done"] / name, as_version=4)
        assert "_codec.dumps" in nb.cells[-1].source
        nb.cells.pop()
        nbformat.write(nb, dirs["done"] / name)
    answers = {eid: loads((dirs["answers"] / f"{eid}.json").read_text())
               for eid in names.values()}
    sv = next(n for n, e in names.items() if e == "shap_vs_lime")
    nb = nbformat.read(dirs["done"] / sv, as_version=4)
    del nb.metadata["xaikit"]["variant"]
    nbformat.write(nb, dirs["tampered"] / sv)
    nb = nbformat.read(ben / sv, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(  # what pasting ada's numbers amounts to
        "import xaikit.answers as _codec\n"
        f"globals().update(_codec.loads({dumps(answers['shap_vs_lime'])!r}))"))
    nbformat.write(nb, dirs["copied"] / sv)
    handin = work / "handin-cand-ada.zip"
    with zipfile.ZipFile(handin, "w") as z:
        for name in names:
            z.write(dirs["done"] / name, name)
    batch = extract_handins([handin, dirs["blank"]], work / "extracted")
    by = {("answers", e): v for e, v in answers.items()}
    for r in grade_many(batch, work / "out-a", progress=False, manifest=a.manifest, jobs=2):
        by[(r["candidate"].split("__")[0].split("-")[0], r["exercise"])] = r
    # alone: in one batch with the hand-in it is (rightly) flagged as a copy of it
    for r in grade_many([dirs["tampered"]], work / "out-t", progress=False, manifest=a.manifest):
        by[("tampered", r["exercise"])] = r
    for r in grade_many([dirs["copied"]], work / "out-b", progress=False, manifest=b.manifest):
        by[("copied", r["exercise"])] = r
    return by


# --- the take-home path ----------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("eid", EXERCISES)
def test_completed_take_home_notebook_grades_full_ok_no_flag(taken, eid):
    r = taken[("handin", eid)]
    assert r["variant"] != 0
    assert (r["status"], r["flags"]) == ("ok", []), r["flags"]
    assert r["auto"]["score"] == pytest.approx(r["auto"]["max"]), r["questions"]
    assert all(q["status"] == "correct" for q in r["questions"] if q["kind"] == "auto")
    assert all(q["answer"] for q in r["questions"] if q["kind"] == "manual")


@pytest.mark.slow
@pytest.mark.parametrize("eid", EXERCISES)
def test_untouched_take_home_notebook_grades_zero_ok_no_flag(taken, eid):
    r = taken[("blank", eid)]
    assert (r["status"], r["flags"]) == ("ok", []), r["flags"]
    assert r["auto"]["score"] == 0
    assert {q["status"] for q in r["questions"]} == {"not_attempted"}


@pytest.mark.slow
def test_removed_variant_is_graded_against_the_manifest_and_flagged(taken):
    r = taken[("tampered", "shap_vs_lime")]
    assert r["variant"] == taken[("handin", "shap_vs_lime")]["variant"]
    assert r["auto"]["score"] == pytest.approx(r["auto"]["max"])
    assert [f["kind"] for f in r["flags"]] == ["variant_missing"]


@pytest.mark.slow
def test_another_candidates_numbers_fail(packs, taken):
    a, b = packs
    va = {e["id"]: e["variant"] for e in a.manifest["exercises"]}
    vb = {e["id"]: e["variant"] for e in b.manifest["exercises"]}
    assert va["shap_vs_lime"] != vb["shap_vs_lime"]
    r = taken[("copied", "shap_vs_lime")]
    assert r["variant"] == vb["shap_vs_lime"]
    assert r["auto"]["score"] <= 0.25 * r["auto"]["max"], r["questions"]


def test_changed_definition_is_flagged(packs, monkeypatch):
    from xaikit.grading import variants

    a, _ = packs
    entry = next(e for e in a.manifest["exercises"] if e["id"] == "pdp_ice")
    assert variants.definition_changes(a.manifest, "pdp_ice") == []
    changed = json.loads(json.dumps(a.manifest))
    f = sorted(entry["definition"])[0]
    next(e for e in changed["exercises"] if e["id"] == "pdp_ice")["definition"][f] = "0" * 64
    assert variants.definition_changes(changed, "pdp_ice") == [f"{f} changed"]
    nb = nbformat.v4.new_notebook()
    _, flags = variants.resolve_variant(nb, {"variant": entry["variant"]}, "pdp_ice", changed)
    assert [x["kind"] for x in flags] == ["definition_changed"] and f in flags[0]["detail"]


# --- what a pack holds ---------------------------------------------------------------------

def test_pack_holds_the_public_files_and_nothing_else(packs):
    a, _ = packs
    files = _files(a)
    ours = {f"xaikit/{p}" for p in public_files()}
    assert {n for n in files if n.startswith("xaikit/")} == ours
    assert not [n for n in files if n.startswith("xaikit/") and is_grader_file(n[7:])]
    allowed = re.compile(r"^(README\.md|MANIFEST\.json|requirements\.txt|\d\d_\w+\.ipynb|"
                         r"datasets/[\w.]+|datasets/variants/\w+/v\d+/\w+\.csv|xaikit/.+|"
                         r"\.xaikit-cache/models/[\w-]+\.ubj|"
                         r"jupyter-settings/@jupyterlab/notebook-extension/"
                         r"tracker\.jupyterlab-settings)$")
    assert not [n for n in files if not allowed.match(n)]
    manifest = json.loads(files["MANIFEST.json"])
    assert manifest["candidate"] == "cand-ada" and manifest["minutes"] == 120
    assert manifest["files"] == {n: hashlib.sha256(v).hexdigest() for n, v in files.items()
                                 if n != "MANIFEST.json"}
    for e in manifest["exercises"]:
        assert e["definition"] and all(len(h) == 64 for h in e["definition"].values())
        nb = nbformat.reads(files[e["notebook"]].decode(), as_version=4)
        assert nb.metadata["xaikit"] == {"exercise": e["id"], "mode": "take-home",
                                         "variant": e["variant"], "candidate": "cand-ada"}
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert f'variant={e["variant"]}, mode="take-home"' in code
    readme = files["README.md"].decode()
    settings = json.loads(files["jupyter-settings/@jupyterlab/notebook-extension/"
                                "tracker.jupyterlab-settings"])
    assert settings == {"recordTiming": True}  # the timeline of the work
    for needed in ("120 minutes", "pip install -r requirements.txt",
                   "jupyter lab --LabApp.user_settings_dir=jupyter-settings",
                   "zipfile -c handin-cand-ada.zip", "What is allowed", "Idle"):
        assert needed in readme


def test_pack_holds_no_pickle(packs):
    a, _ = packs
    for name, blob in _files(a).items():
        assert not name.endswith((".pkl", ".pickle", ".joblib", ".npy"))
        assert not (blob[:1] == b"\x80" and blob[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05")), name


def _grader_names(eid) -> set:
    """Top-level functions and classes the grader part defines, and the ``ref_*`` members."""
    import inspect

    tree = ast.parse(inspect.getsource(grader_part(eid)))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and \
                (node in tree.body or node.name.startswith("ref_")):
            names.add(node.name)
    return names - {"reference_context", "References", "materialise"}


@pytest.mark.parametrize("eid", EXERCISES)
def test_pack_has_no_check_reference_or_solution(packs, eid):
    """No solution marker or reference answer, and no function of the grader part (checks,
    references, the helpers that compute an answer) defined anywhere in the pack."""
    a, _ = packs
    files = _files(a)
    texts = ["BEGIN SOLUTION", "END SOLUTION", "Reference answer", "xaikit.grading"]
    sol = nbformat.read(ROOT / "solutions" / get_exercise(eid).notebook, as_version=4)
    for cell in sol.cells:
        if PROSE_BEGIN in cell.source:
            body = cell.source.split(PROSE_BEGIN, 1)[1].split(PROSE_END, 1)[0]
            texts += [s.strip() for s in re.split(r"[.;:]", body) if len(s.strip()) > 40]
    grader_defs = _grader_names(eid)
    assert grader_defs
    for name, blob in files.items():
        if name.endswith((".ubj", ".gz")):  # binary: models, the compressed Adult CSV
            continue
        text = blob.decode("utf-8")
        assert not [t for t in texts if t in text], name
        if name.endswith(".py"):
            defined = {n.name for n in ast.walk(ast.parse(text))
                       if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
            assert not defined & grader_defs, (name, sorted(defined & grader_defs))
        if name.endswith(".ipynb"):
            assert not has_solution_markers(nbformat.reads(text, as_version=4))


def _numbers(value):
    """Every float of an answer (arrays, lists, dicts, frames), flattened."""
    import pandas as pd

    if isinstance(value, (pd.DataFrame, pd.Series)):
        value = value.to_numpy()
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return [float(x) for x in value.ravel()]
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)) or (isinstance(value, np.ndarray)
                                            and value.dtype == object):
        return [x for v in value for x in _numbers(v)]
    return []


_NUMBER = re.compile(rb"-?\d+\.\d+(?:[eE][-+]?\d+)?")
_TEXT = (".csv", ".py", ".ipynb", ".md", ".json", ".txt", ".jupyterlab-settings")


def _printed(files, digits: int) -> set:
    """Every decimal number written in the files' text, to ``digits`` significant digits."""
    return {f"{float(t):.{digits}g}" for blob in files.values() for t in _NUMBER.findall(blob)}


@pytest.fixture(scope="module")
def pack_numbers(packs):
    """What the leak test compares answers with, computed once per pack: the numbers of the
    data files (5 significant digits), every number written anywhere (10 digits), the numbers
    written outside the data files (6 digits), and the binary files (raw float64 bytes)."""
    files = _files(packs[0])
    data = {n: v for n, v in files.items() if n.startswith("datasets/") and n.endswith(".csv")}
    rest = {n: v for n, v in files.items() if n.endswith(_TEXT) and n not in data}
    return {"data": {float(s) for s in _printed(data, 5)},
            "any10": _printed(files, 10),
            "text6": _printed(rest, 6),
            "binary": b"".join(v for n, v in files.items() if not n.endswith(_TEXT))}


@pytest.mark.slow
@pytest.mark.parametrize("eid", EXERCISES)
def test_no_answer_of_the_candidate_is_in_the_pack(taken, pack_numbers, eid):
    """The numeric answers of the candidate's variant occur in no file of the pack: as float64
    bytes in a binary file, written to 10 significant digits anywhere, or to 6 outside the data
    files (data hold thousands of random 6-digit numbers: matching them at 6 digits would find
    answers by chance). Skipped: simple fractions k/n (n <= 100) and values that are data (in
    the shipped CSVs, e.g. a grid point or an unchanged feature of a row)."""
    got = pack_numbers
    numbers = {round(x, 12) for v in taken[("answers", eid)].values() for x in _numbers(v)}
    numbers = [x for x in numbers if np.isfinite(x) and abs(x) > 1e-3 and not any(
        abs(x * n - round(x * n)) < 1e-6 for n in range(1, 101))
        and float(f"{x:.5g}") not in got["data"]]
    leaked = [x for x in numbers if np.float64(x).tobytes() in got["binary"]
              or f"{x:.10g}" in got["any10"]
              or (len(f"{x:.6g}".strip("-0.")) >= 6 and f"{x:.6g}" in got["text6"])]
    assert not leaked, leaked[:5]


def test_pack_runtime_loads_without_the_grader_part(packs, tmp_path):
    """From the extracted pack, with none of the project's variables: every exercise opens,
    no grader part is importable, and ``ex.check`` validates the format only."""
    a, _ = packs
    assert "ok" in verify_pack(a.path)
    folder = _unzip(a.path, tmp_path)
    v = next(e["variant"] for e in a.manifest["exercises"] if e["id"] == "shap_vs_lime")
    code = f"""
import numpy as np
from xaikit import open_exercise
from xaikit.exercises import grader_part
ex = open_exercise("shap_vs_lime", variant={v}, mode="practice")
print(grader_part("shap_vs_lime"))
print(repr(ex.check("q1", {{"shap_values": None, "base_value": None}})))
print(repr(ex.check("q1", {{"shap_values": np.zeros((20, 5)), "base_value": 0.1}})))
print(repr(ex.check("q1", {{"shap_values": np.zeros((5, 20)), "base_value": 0.1}})))
print(repr(ex.check("q4", {{"top5_overlap": np.full((2, 5), 3.0), "spearman": np.zeros((2, 5))}})))
print([n for n in vars(ex.context) if n.startswith("ref_")], hasattr(ex.context, "ref_shap"))
"""
    res = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True,
                         text=True, timeout=300, env=candidate_env(tmp_path))
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "None"
    assert "not attempted" in lines[1]
    assert "recorded, but `shap_values` should have shape (5, 20)" in lines[2]
    assert lines[3].endswith("answer recorded (graded after hand-in)")
    assert "outside [0, 1]" in lines[4]
    assert lines[5] == "[] False"


def test_packs_differ_per_candidate_and_repeat_per_salt(packs, tmp_path):
    a, b = packs
    assert [e["variant"] for e in a.manifest["exercises"]] != \
        [e["variant"] for e in b.manifest["exercises"]]
    again = build_pack("cand-ada", EXERCISES, tmp_path, level="mid", minutes=120, salt=SALT)
    assert again.manifest["exercises"] == a.manifest["exercises"]
    assert again.manifest["files"] == a.manifest["files"]


def test_pack_refuses_bad_input(tmp_path):
    with pytest.raises(PackError):
        build_pack("has space", ["shap_vs_lime"], tmp_path)
    with pytest.raises(PackError):
        build_pack("x", ["no_such_exercise"], tmp_path)


def test_pack_without_widgets_turns_explorer_cells_into_a_note(tmp_path):
    from xaikit.packs import NO_EXPLORER

    res = build_pack("cand-strict", ["shap_vs_lime"], tmp_path, salt=SALT, widgets=False)
    nb = nbformat.reads(_files(res)["01_shap_vs_lime.ipynb"].decode(), as_version=4)
    assert res.manifest["widgets"] is False
    assert any(c.source == NO_EXPLORER for c in nb.cells)
    assert not any("Explorer" in c.source for c in nb.cells if c.cell_type == "code")


def test_take_home_mode_in_the_repository_is_the_same_format_check():
    """``mode="take-home"`` in the repository (grader part installed) computes no reference
    and says what the pack says; practice mode checks for real."""
    from xaikit import open_exercise

    ex = open_exercise("shap_vs_lime", variant=3, mode="take-home")
    show = [repr(ex.check("q1", ns)) for ns in (
        {"shap_values": None, "base_value": None},
        {"shap_values": np.zeros((20, 5)), "base_value": 0.1},
        {"shap_values": np.zeros((5, 20)), "base_value": 0.1})]
    assert "not attempted" in show[0]
    assert "recorded, but `shap_values` should have shape (5, 20)" in show[1]
    assert show[2].endswith("answer recorded (graded after hand-in)")
    assert "incorrect" in repr(open_exercise("shap_vs_lime", variant=3).check(
        "q1", {"shap_values": np.zeros((5, 20)), "base_value": 0.1}))
    assert reference_context("shap_vs_lime", 3).applicants == ex.context.applicants
