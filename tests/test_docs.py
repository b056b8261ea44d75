"""The project's documents stand on their own: every ``xaikit.<module>.<Name>`` a docstring,
notebook or guide names exists, and nothing points at files outside the project."""
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOTTED = re.compile(r"(?<!metadata\.)\bxaikit(?:\.[A-Za-z_]\w*)+")
TEXTS = sorted([*ROOT.glob("src/xaikit/**/*.py"), *ROOT.glob("notebooks/**/*.ipynb"),
                *ROOT.glob("solutions/*.ipynb"), ROOT / "README.md", ROOT / "CONTRIBUTING.md"])


def _resolves(name: str) -> bool:
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_named_xaikit_objects_exist(path):
    text = path.read_text()
    names = {n.rstrip(".") for n in DOTTED.findall(text)}
    names = {n for n in names if not n.endswith(("_", ".py", ".ipynb", ".json", ".md"))}
    missing = sorted(n for n in names if not _resolves(n))
    assert not missing, missing


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_points_outside_the_project(path):
    text = path.read_text()
    assert "CATALOG.md" not in text and "../shared" not in text
