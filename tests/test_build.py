"""exercises/ is generated from solutions/ and carries no solution, output or drift."""
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from xaikit.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_build_check_passes_on_the_repository():
    r = CliRunner().invoke(main, ["build", "--check", "--solutions", str(ROOT / "solutions"),
                                  "--exercises", str(ROOT / "exercises")])
    assert r.exit_code == 0, r.output


def test_build_check_fails_on_drift_and_build_repairs_it(tmp_path):
    sol, ex = tmp_path / "solutions", tmp_path / "exercises"
    shutil.copytree(ROOT / "solutions", sol)
    shutil.copytree(ROOT / "exercises", ex)
    target = next(ex.glob("*.ipynb"))
    nb = json.loads(target.read_text())
    nb["cells"][0]["source"] = "edited by hand"
    target.write_text(json.dumps(nb))
    args = ["--solutions", str(sol), "--exercises", str(ex)]
    r = CliRunner().invoke(main, ["build", "--check", *args])
    assert r.exit_code == 1 and "drifted" in r.output
    assert CliRunner().invoke(main, ["build", *args]).exit_code == 0
    assert CliRunner().invoke(main, ["build", "--check", *args]).exit_code == 0


def test_missing_exercise_is_reported(tmp_path):
    sol, ex = tmp_path / "solutions", tmp_path / "exercises"
    shutil.copytree(ROOT / "solutions", sol)
    ex.mkdir()
    r = CliRunner().invoke(main, ["build", "--check", "--solutions", str(sol), "--exercises", str(ex)])
    assert r.exit_code == 1 and "missing" in r.output


def test_exercises_hold_no_solution_and_no_outputs():
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        text = path.read_text()
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, path
        nb = json.loads(text)
        assert nb["metadata"]["xaikit"]["mode"] == "practice"
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path


def test_every_solution_is_registered_and_declares_its_answers():
    from xaikit.exercises import REGISTRY, get_exercise

    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        meta = json.loads(path.read_text())["metadata"]["xaikit"]
        assert meta["exercise"] in REGISTRY, path
        ex = get_exercise(meta["exercise"])
        assert ex.notebook == path.name
        text = path.read_text()
        for q in ex.questions:
            if q.kind == "auto":
                assert f'ex.check(\\"{q.id}\\")' in text, f"{path.name}: no self-check for {q.id}"
                for name in q.answers:
                    assert f"{name} = None" in text, f"{path.name}: no placeholder for {name}"
            else:
                assert f"**Answer {q.id}**" in text, f"{path.name}: no answer cell for {q.id}"
