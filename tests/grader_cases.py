"""Builders of broken and hostile submissions for tests/test_grader_hostile.py.

Every case is generated from exercises/01_shap_vs_lime.ipynb into a temporary folder (no
notebook is committed). Most cases are *light*: the exercise's instruction cells are kept (so the
structure check sees the original exercise), its code cells are emptied, and the first one
defines every answer as ``None`` except ``default_kernel_width`` (LIME's default, a constant worth
0.3 of q6's point). That answer is the marker of "what was answered before the failure is still
graded"; the hostile code goes in the cells after it. No heavy library is imported, so a kernel
runs in a second or two.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
EXERCISE = ROOT / "exercises" / "01_shap_vs_lime.ipynb"
ANSWER_NAMES = ["shap_values", "base_value", "top3_features", "lime_continuous", "lime_binned",
                "lime_scores", "top5_overlap", "spearman", "lime_stability",
                "kernel_width_scores", "default_kernel_width"]
MARKER_SCORE = 0.3  # q6: default_kernel_width right, kernel_width_scores not given

HEADER = ("import numpy as np\n"
          + " = ".join(ANSWER_NAMES[:-1]) + " = None\n"
          "default_kernel_width = 0.75 * 20 ** 0.5\n")


def exercise():
    return nbformat.read(EXERCISE, as_version=4)


def code_indices(nb):
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def light(*cells: str, header: str = HEADER):
    """The exercise with its code cells emptied; the first holds ``header``, the next ones
    ``cells`` (more code cells are appended at the end when needed)."""
    nb = exercise()
    idx = code_indices(nb)
    for i in idx:
        nb.cells[i].source = ""
        nb.cells[i].outputs = []
    nb.cells[idx[0]].source = header
    for k, src in enumerate(cells):
        if k + 1 < len(idx):
            nb.cells[idx[k + 1]].source = src
        else:
            nb.cells.append(nbformat.v4.new_code_cell(src))
    return nb


def with_meta(nb, **meta):
    nb = copy.deepcopy(nb)
    nb.metadata.setdefault("xaikit", {}).update(meta)
    return nb


def write(folder: Path, name: str, content) -> Path:
    p = folder / f"{name}.ipynb"
    if isinstance(content, bytes):
        p.write_bytes(content)
    elif isinstance(content, str):
        p.write_text(content)
    elif isinstance(content, dict) and not hasattr(content, "cells"):
        p.write_text(json.dumps(content))
    else:
        p.write_text(nbformat.writes(content))
    return p


def cases(sentinel: Path, solutions: Path, submissions: Path) -> dict:
    """``{name: notebook content}``; ``sentinel`` is a folder outside the sandbox the hostile
    code tries to read and write, ``solutions`` the project's solutions folder, ``submissions``
    the folder holding the submissions themselves."""
    ex = exercise()
    idx = code_indices(ex)
    out = {}

    # --- not gradable ----------------------------------------------------------------------
    out["invalid_json"] = b'{"cells": [ this is not json'
    out["not_a_notebook"] = {"hello": "world", "cells_missing": True}
    v3 = json.loads(nbformat.writes(ex))
    v3["nbformat"] = 3
    out["nbformat3"] = v3
    out["unknown_exercise"] = with_meta(light(), exercise="no_such_exercise")
    no_meta = light()
    del no_meta.metadata["xaikit"]
    out["no_metadata"] = no_meta

    # --- another exercise or variant ---------------------------------------------------------
    out["other_exercise"] = light('from xaikit import open_exercise\n'
                                  'ex = open_exercise("pdp_ice", variant=0)\n')
    out["other_variant"] = light('from xaikit import open_exercise\n'
                                 'ex = open_exercise("shap_vs_lime", variant=7)\n')

    # --- cells deleted, duplicated, reordered (answers are named: grading still works) ------
    deleted = light()
    q1_md = next(i for i, c in enumerate(deleted.cells) if c.source.startswith("## q1"))
    del deleted.cells[q1_md]
    deleted.cells[code_indices(deleted)[0]].source = HEADER.replace("shap_values = ", "")
    out["deleted_cells"] = deleted
    dup = light("top3_features = None\n")
    dup.cells.insert(idx[1] + 1, copy.deepcopy(dup.cells[idx[1]]))
    dup.cells.insert(3, copy.deepcopy(dup.cells[2]))
    out["duplicated_cells"] = dup
    reo = light()
    q2_md = next(i for i, c in enumerate(reo.cells) if c.source.startswith("## q2"))
    reo.cells.insert(1, reo.cells.pop(q2_md))
    out["reordered_cells"] = reo

    # --- answers missing / wrong type / shape / NaN / huge -----------------------------------
    out["answers_missing"] = light(header="import numpy as np\n"
                                          "default_kernel_width = 0.75 * 20 ** 0.5\n")
    out["wrong_type"] = light('shap_values = "all the features"\nbase_value = {"a": 1}\n'
                              'top3_features = 42\n')
    out["wrong_shape"] = light("shap_values = np.zeros((3, 4))\nbase_value = 0.0\n"
                               "top3_features = [['a']]\n")
    out["nan_inf"] = light("shap_values = np.full((5, 20), np.nan)\nbase_value = float('inf')\n")
    out["huge_answer"] = light("shap_values = np.zeros(3_000_000)\nbase_value = 0.0\n")
    out["unpicklable_answer"] = light("shap_values = (lambda: 1)\nbase_value = open\n")

    # --- never ending, memory, processes, exits, crashes, outputs ----------------------------
    out["endless_loop"] = light("while True:\n    pass\n", "top3_features = [['x'] * 3] * 5\n")
    out["ignores_interrupt"] = light(
        "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "while True:\n    time.sleep(0.1)\n", "top3_features = [['x'] * 3] * 5\n")
    # bytes(n) is calloc'ed: the limit is hit without touching gigabytes of real memory
    out["memory_bomb"] = light("hog = []\nwhile True:\n    hog.append(bytes(200_000_000))\n",
                               "del hog\ntop3_features = [['x'] * 3] * 5\n")
    out["fork_bomb"] = light("import os\nkids = []\nwhile True:\n    pid = os.fork()\n"
                             "    if pid == 0:\n        import time\n        while True:\n"
                             "            time.sleep(1)\n    kids.append(pid)\n")
    out["os_exit"] = light("import os\nos._exit(3)\n", "top3_features = [['x'] * 3] * 5\n")
    out["sys_exit"] = light("import sys\nsys.exit(2)\n", "top3_features = [['x'] * 3] * 5\n")
    out["kernel_crash"] = light("import ctypes\nctypes.string_at(0)\n")
    out["huge_output"] = light("print('x' * 30_000_000)\n",
                               "for i in range(200):\n    print('y' * 100_000)\n")

    # --- network, files outside the working folder, tampering ---------------------------------
    out["network"] = light("import socket\n"
                           "socket.create_connection(('1.1.1.1', 80), timeout=3)\n",
                           "import urllib.request\n"
                           "urllib.request.urlopen('http://example.com', timeout=3)\n")
    out["read_outside"] = light(f"open({str(solutions / '01_shap_vs_lime.ipynb')!r}).read()\n",
                                f"import os\nos.listdir({str(sentinel)!r})\n",
                                "open('/etc/hostname').read()\n")
    out["write_outside"] = light(
        f"open({str(sentinel / 'owned.txt')!r}, 'w').write('owned')\n",
        f"open({str(submissions / 'write_outside.ipynb')!r}, 'w').write('{{}}')\n",
        "import os\nos.symlink('/etc/passwd', '__xaikit_final__.json')\n"
        "open('big.bin', 'wb').write(b'0' * 100_000_000)\n")
    out["monkeypatch"] = light(
        "import numpy\nimport xaikit.exercises.framework as qb\n"
        "try:\n    import xaikit.exercises.shap_vs_lime.grader as G\nexcept ImportError:\n"
        "    G = None\n"
        "numpy.allclose = lambda *a, **k: True\nnumpy.isfinite = lambda x: True\n"
        "qb.run_check = lambda *a, **k: qb.correct()\n"
        "setattr(numpy, 'abs', lambda x: 0)\n"
        "shap_values = numpy.zeros((5, 20))\nbase_value = 0.0\n")
    stale = light("shap_values = np.zeros((5, 20))\nbase_value = 0.0\n"
                  "print('sum of |phi|:', np.abs(shap_values).sum())\n")
    stale.cells[idx[1]].outputs = [nbformat.v4.new_output(
        "stream", name="stdout", text="sum of |phi|: 12.8731\n")]
    stale.cells[idx[1]].execution_count = 1
    out["stale_output"] = stale
    fresh = light("shap_values = np.zeros((5, 20))\nbase_value = 0.0\n"
                  "print('sum of |phi|:', np.abs(shap_values).sum())\n"
                  "import time\nprint(f'took {time.time() % 1:.3f} s')\n")
    fresh.cells[idx[1]].outputs = [nbformat.v4.new_output(
        "stream", name="stdout", text="sum of |phi|: 0.0\ntook 0.512 s\n")]
    out["fresh_output"] = fresh
    # the same notebook twice: same report apart from timings
    out["twin_a"] = light("shap_values = [[1.0] * 20] * 5\nbase_value = -1.0\n")
    out["twin_b"] = light("shap_values = [[1.0] * 20] * 5\nbase_value = -1.0\n")
    return out
