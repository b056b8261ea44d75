"""The public / grader boundary: drawn by files, and held inside the grading kernel.

- No public file imports a grader file (static scan of every import statement).
- The public copy the kernel imports (and a pack ships) holds no grader file.
- Adversarial notebooks try to reach the references from inside the grading kernel in every
  isolation mode (imports, the public entry points, attributes, files on disk, the model
  cache): each gets nothing, and scores 0 for what it tried to obtain.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pytest

from xaikit.boundary import PACKAGE_DIR, copy_public, is_grader_file, public_files
from xaikit.exercises import REGISTRY, get_exercise

ROOT = Path(__file__).resolve().parents[1]
GRADER_MODULES = ("xaikit.grading", "xaikit.cli", "xaikit.packs", "xaikit.plan",
                  "xaikit.widgets.scoring", "xaikit.primers", "xaikit.progress", "xaikit.live")


def _imports(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            out += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:  # relative imports
            out += [f".{a.name}" for a in node.names]
    return out


def test_grader_files_are_recognised():
    assert is_grader_file("exercises/shap_vs_lime/grader.py")
    assert is_grader_file("grading/pipeline.py") and is_grader_file("cli.py")
    assert not is_grader_file("exercises/shap_vs_lime/public.py")
    assert not is_grader_file("widgets/applicant.py") and not is_grader_file("grading_notes.py")


@pytest.mark.parametrize("rel", [str(p) for p in public_files()])
def test_no_public_file_imports_the_grader_side(rel):
    bad = [m for m in _imports(PACKAGE_DIR / rel)
           if m.startswith(GRADER_MODULES) or m.endswith(".grader") or ".grader." in m
           or m == ".grader"]
    assert not bad, f"{rel} imports {bad}"


def test_every_exercise_has_a_public_and_a_grader_part():
    for eid in REGISTRY:
        folder = PACKAGE_DIR / "exercises" / eid
        assert (folder / "public.py").is_file(), eid
        assert (folder / "grader.py").is_file() or (folder / "grader" / "__init__.py").is_file()
        ex = get_exercise(eid)
        assert all(q.check is None and q.rubric is None and not q.hints for q in ex.questions)


def test_public_copy_has_no_grader_file(tmp_path):
    copied = copy_public(tmp_path) / "xaikit"
    files = {p.relative_to(copied).as_posix() for p in copied.rglob("*") if p.is_file()}
    assert files == {str(p) for p in public_files()}
    assert not [f for f in files if is_grader_file(f)]
    assert not list(copied.rglob("grader.py")) and not (copied / "grading").exists()


# --- adversarial notebooks in the grading kernel ---------------------------------------------

PROBE = r'''
import glob, json, os, importlib
probes = {}
def attempt(name, fn):
    try:
        got = fn()
        probes[name] = "GOT " + repr(got)[:80]
        return got
    except Exception as e:
        probes[name] = "blocked: " + type(e).__name__
        return None

def _import_grader():
    from xaikit.exercises.shap_vs_lime import grader
    return grader.reference_context(ctx).ref_shap.values
got = attempt("import grader", _import_grader)
got = got if got is not None else attempt(
    "reference_context", lambda: __import__("xaikit.exercises", fromlist=["x"]).reference_context(
        "shap_vs_lime", ex.variant).ref_shap.values)
got = got if got is not None else attempt("graded_exercise", lambda: __import__(
    "xaikit.exercises", fromlist=["x"]).graded_exercise("shap_vs_lime").questions[0].check)
got = got if got is not None else attempt("ctx.ref_shap", lambda: ctx.ref_shap.values)
got = got if got is not None else attempt("importlib", lambda: importlib.import_module(
    "xaikit.exercises.shap_vs_lime.grader"))
src = attempt("read grader.py", lambda: open(GRADER_FILE).read())
attempt("read solution", lambda: open(SOLUTION_FILE).read()[:10])
attempt("cache holds", lambda: sorted(os.path.basename(p) for p in glob.glob(
    os.path.join(os.environ.get("XAIKIT_CACHE_DIR", "/nonexistent"), "**", "*"),
    recursive=True) if not p.endswith((".ubj", ".joblib", ".csv")) and os.path.isfile(p)))
attempt("xaikit files", lambda: sorted(p for p in glob.glob(os.path.join(
    os.path.dirname(__import__("xaikit").__file__), "**", "*.py"), recursive=True)
    if "grader" in p or "grading" in p))
if got is not None and hasattr(got, "shape"):
    shap_values, base_value = got, 0.0
print("PROBES " + json.dumps(probes))
'''


def _hostile_notebook(tmp_path: Path) -> Path:
    nb = nbformat.read(ROOT / "exercises" / "01_shap_vs_lime.ipynb", as_version=4)
    setup = next(i for i, c in enumerate(nb.cells) if "open_exercise(" in c.source)
    grader_file = PACKAGE_DIR / "exercises" / "shap_vs_lime" / "grader" / "__init__.py"
    assert grader_file.is_file()  # the probe reads a file that exists on the grader's side
    code = (f"GRADER_FILE = {str(grader_file)!r}\n"
            f"SOLUTION_FILE = {str(ROOT / 'solutions' / '01_shap_vs_lime.ipynb')!r}\n" + PROBE)
    nb.cells.insert(setup + 1, nbformat.v4.new_code_cell(code))
    path = tmp_path / "hostile.ipynb"
    nbformat.write(nb, path)
    return path


def _probes(out: Path) -> dict:
    nb = nbformat.read(next(out.glob("*/executed.ipynb")), as_version=4)
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            text = o.get("text", "")
            if "PROBES " in text:
                return json.loads(text.split("PROBES ", 1)[1].splitlines()[0])
    raise AssertionError("the probe cell printed nothing")


def _grade(path, out, isolation):
    from xaikit.grading.pipeline import grade_submission

    # rlimits with the grader's own user id is refused unless trusted: trust it here to test
    # what such a kernel can still reach
    return grade_submission(path, out, isolation=isolation, trust=(isolation == "rlimits"))


@pytest.mark.slow
def test_kernel_cannot_reach_references_with_bubblewrap(tmp_path):
    from xaikit.grading.sandbox import bwrap_status

    ok, why = bwrap_status()
    if not ok:
        pytest.skip(f"needs bubblewrap ({why}); Debian: apt-get install bubblewrap")
    r = _grade(_hostile_notebook(tmp_path), tmp_path / "out", "bwrap")
    probes = _probes(tmp_path / "out")
    for k in ("import grader", "reference_context", "graded_exercise", "ctx.ref_shap",
              "importlib", "read grader.py", "read solution"):
        assert probes[k].startswith("blocked"), probes
    assert probes["xaikit files"] == "GOT []"
    assert not any(w in probes["cache holds"] for w in ("ref", "answer", "grader", "truth"))
    q1 = next(q for q in r["questions"] if q["id"] == "q1")
    assert q1["score"] == 0 and q1["status"] == "not_attempted"
    assert r["auto"]["score"] == 0


@pytest.mark.slow
def test_kernel_cannot_import_references_without_bubblewrap(tmp_path):
    """rlimits only: the kernel still imports the public copy, so every import route fails;
    reading files outside its folder is not prevented there, but it is flagged."""
    r = _grade(_hostile_notebook(tmp_path), tmp_path / "out", "rlimits")
    probes = _probes(tmp_path / "out")
    for k in ("import grader", "reference_context", "graded_exercise", "ctx.ref_shap",
              "importlib"):
        assert probes[k].startswith("blocked"), probes
    assert probes["xaikit files"] == "GOT []"
    assert r["auto"]["score"] == 0
    assert probes["read grader.py"].startswith("GOT")  # not prevented without namespaces ...
    assert "file_outside_workdir" in {f["kind"] for f in r["flags"]}  # ... but flagged
