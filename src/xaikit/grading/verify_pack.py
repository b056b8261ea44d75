"""Run from an extracted take-home pack (``xaikit.packs.verify_pack``): the pack's own
``xaikit`` must load every exercise of its manifest and import every widget module.

A script file run in a fresh interpreter, never imported by the grader.
"""
import json
from pathlib import Path

import xaikit

here = Path.cwd()
assert Path(xaikit.__file__).resolve().parent == (here / "xaikit").resolve(), xaikit.__file__
from xaikit.exercises import grader_part, open_exercise  # noqa: E402

manifest = json.loads((here / "MANIFEST.json").read_text())
for entry in manifest["exercises"]:
    assert grader_part(entry["id"]) is None, "a grader part is importable from the pack"
    ex = open_exercise(entry["id"], variant=entry["variant"], mode="take-home")
    ctx = ex.context
    print(entry["id"], entry["variant"], type(ctx).__name__)
for f in sorted((here / "xaikit" / "widgets").glob("*.py")):
    if f.stem != "__init__":
        __import__("xaikit.widgets." + f.stem)
print("ok")
