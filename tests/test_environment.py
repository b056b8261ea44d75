"""environment.yml (conda / Binder / repo2docker) and pyproject.toml pin the same packages."""
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _norm(req: str) -> str:
    return " ".join(req.replace(" ", "").lower().split())


def test_environment_yml_equals_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_norm(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "python=3.11" in conda and "pip" in conda
    assert "-e ." in pip, "environment.yml must install the xaikit package itself"
    have = {_norm(r) for r in pip if r != "-e ."}
    assert have == wanted, f"only in environment.yml: {have - wanted}; only in pyproject: {wanted - have}"
    assert project["requires-python"].startswith(">=3.11")
