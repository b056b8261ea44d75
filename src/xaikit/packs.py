"""Take-home packs: one zip per candidate, made of files copied as they are.

A pack holds the candidate's side of each exercise and nothing else:

- ``xaikit/``: the **public** files of the package (:func:`xaikit.boundary.copy_public`: data
  loaders, models, computation, plots, widgets, each exercise's ``public.py``), the same copy
  the grading kernel imports. No ``grader.py``, no grading code, no solution;
- the take-home notebooks (solutions stripped, outputs cleared, take-home mode, the
  candidate's variant in the metadata and in the ``open_exercise`` call);
- ``datasets/``: the data files, their cards and ``MANIFEST.sha256``, plus
  ``datasets/variants/``: the variant's generated columns where an exercise plants some (made
  by the grader part, written as CSV: values, never which column is which);
- ``.xaikit-cache/models/``: the XGBoost models in XGBoost's own ``.ubj`` format (no pickle);
  scikit-learn models are retrained on the candidate's machine (fixed seeds, one thread, the
  same pinned versions: the same model);
- ``jupyter-settings/``: JupyterLab user settings that record cell execution times (the
  grader's timeline of the work, :mod:`xaikit.grading.timeline`);
- ``README.md`` (time budget, install, hand-in, rules), ``requirements.txt`` (the pins) and
  ``MANIFEST.json`` (candidate, exercises, variants, the xaikit version, a hash of each
  exercise's definition and of every file).

The candidate's context is rebuilt on their machine from data + model + variant,
deterministically; ``ex.check`` there only says whether an answer is recorded and well-formed.
``xaikit grade --manifest PACK.zip`` grades a hand-in against the pack's variants and flags a
changed exercise definition (:func:`xaikit.grading.variants.definition_changes`).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import xaikit
from xaikit.boundary import PACKAGE_DIR, copy_public, exercise_definition
from xaikit.grading.variants import MANIFEST_NAME, derive_seed, derive_variant

PACK_DIR_PREFIX = "xaikit-takehome-"
#: JupyterLab user settings shipped in the pack (recordTiming on); the README starts
#: ``jupyter lab --LabApp.user_settings_dir=jupyter-settings``.
LAB_SETTINGS = "jupyter-settings"


class PackError(RuntimeError):
    """A pack cannot be built, or an input is wrong."""


@dataclass
class PackResult:
    """What :func:`build_pack` wrote: the zip, its manifest, the notebooks it holds."""

    path: Path
    manifest: dict
    notebooks: list = field(default_factory=list)


def project_root() -> Path:
    """The checkout holding ``solutions/`` (the package's source checkout, else the cwd's)."""
    for p in [PACKAGE_DIR.parents[1], Path.cwd(), *Path.cwd().parents]:
        if (p / "solutions").is_dir():
            return p
    raise PackError("cannot find the solutions/ folder: run from the project checkout")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- take-home notebooks ------------------------------------------------------------------

def take_home_notebook(solution_nb, variant: int, candidate: str):
    """The candidate's notebook: solutions stripped, outputs cleared, take-home mode, variant.

    Raises
    ------
    PackError
        If a solution marker survives.
    """
    from xaikit.grading.notebook import (build_exercise, has_solution_markers, set_mode,
                                         set_variant)

    nb = set_variant(set_mode(build_exercise(solution_nb), "take-home"), variant, candidate)
    if has_solution_markers(nb):
        raise PackError("a solution marker survived the build")
    return nb


NO_EXPLORER = ("*The interactive explorer of the practice version is not part of this "
               "take-home pack: explore with your own code.*")
_WIDGET_USE = re.compile(r"xaikit\.widgets|\b[A-Z]\w*(Explorer|Editor)\(")


def without_widgets(nb):
    """A copy of ``nb`` whose code cells using an ``xaikit.widgets`` explorer become a short
    note (for packs built with ``widgets=False``)."""
    import copy

    import nbformat

    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and _WIDGET_USE.search(cell.source):
            nb.cells[i] = nbformat.v4.new_markdown_cell(NO_EXPLORER)
    return nb


# --- requirements, README ------------------------------------------------------------------

def requirements(root: Path) -> str:
    """The grader's pinned runtime dependencies (pyproject.toml), one per line."""
    import tomllib

    deps = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    # jupyter-collaboration serves live interviews (the interviewer's machine): in a candidate's
    # JupyterLab it would only turn real-time collaboration on
    keep = [d for d in deps if not d.split("=")[0].strip().lower().startswith(
        ("nbclient", "click", "tqdm", "pyyaml", "jupyter-collaboration"))]
    return ("# Exact versions: the grader re-runs your notebook with these.\n"
            + "\n".join(keep) + "\n")


def readme(candidate: str, exercises, notebooks, minutes: int, level: str | None) -> str:
    """The pack's README: time budget, install, start, how to work, hand-in, rules."""
    rows = "\n".join(f"| `{nb}` | {e.title} | {e.minutes} min |"
                     for e, nb in zip(exercises, notebooks))
    lvl = f" The role is at **{level}** level." if level else ""
    return f"""# Take-home assessment for {candidate}

Time budget: **{minutes} minutes** of work in total.{lvl} Stop when the time is up: hand in
what you have; partial answers count.

| notebook | exercise | estimate |
|---|---|---|
{rows}

## Install (once, about 5-10 minutes; needs Python 3.11 and internet for `pip`)

Linux / macOS:

    cd {PACK_DIR_PREFIX}{candidate}
    python3.11 -m venv .venv
    . .venv/bin/activate
    python -m pip install -r requirements.txt

Windows (PowerShell): `py -3.11 -m venv .venv`, then `.venv\\Scripts\\Activate.ps1`, then the
same `pip install` line. Conda works too: `conda create -n takehome python=3.11`, activate it,
then the same `pip install` line.

## Start

    jupyter lab --LabApp.user_settings_dir={LAB_SETTINGS}

and open the notebook(s) above from this folder (the notebooks import the small `xaikit`
package in this folder: keep them next to it). The option uses the JupyterLab settings in
`{LAB_SETTINGS}/`: they make JupyterLab record in the notebook when each cell last ran (cell
metadata `execution`), and the interviewer sees a timeline of your work from these times. It
never changes your score. Your own JupyterLab settings (theme, shortcuts) are not used in this
session.

Each notebook explains its scenario and its questions. The data cards are in `datasets/`.
The first run of a notebook may train its model (a few seconds; the same model as the
grader's: fixed seeds, the pinned versions).

## How to work

- Put each answer in the variables the question names (replace the `None`); keep those names.
- `ex.check("qN")` says whether an answer is **recorded and well-formed** (type and shape).
  It does not say whether it is right: the notebooks are graded after you hand them in.
- Written answers go in the Markdown cells that start with **Answer qN**.
- Do not change the notebook's metadata or the `open_exercise(...)` line: they identify your
  version of the exercise (every candidate gets different applicants/rows).
- Before handing in, check that the notebook runs from the top: the grader re-runs it in a
  fresh kernel. `jupyter nbconvert --to notebook --execute --output-dir checked NOTEBOOK.ipynb`
  runs a copy (in `checked/`) and leaves your notebook, and the record of your work in it, as
  it is; *Restart Kernel and Run All Cells* works too, but replaces those run times with the
  last run's. If a cell seems stuck while the kernel shows *Idle*, interrupt it (■) and run it again.

## Hand in

Save the notebooks, then zip them (only the `.ipynb` files):

    python -m zipfile -c handin-{candidate}.zip *.ipynb

(Windows PowerShell: `Compress-Archive -Path *.ipynb -DestinationPath handin-{candidate}.zip`)
and send `handin-{candidate}.zip` as the invitation says. Keep your own copy until you hear
back. Saving from JupyterLab may add widget state and kernel information to the notebook's
metadata: that is expected and does not matter.

## What is allowed

- Allowed: documentation of any library, web search, books and your own notes and code;
  any library already installed by `requirements.txt`.
- Not allowed: help from another person; sharing this pack, its questions or your answers;
  AI assistants, unless your invitation says otherwise.
- If something does not install or run, write down what you tried in the notebook and
  carry on; tell us in your reply. It will not count against you.
"""


def _safe_id(candidate: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", candidate):
        raise PackError("candidate ids are 1-64 letters, digits, '.', '_' or '-' (no spaces), "
                        f"got {candidate!r}")
    return candidate


# --- the files of a pack --------------------------------------------------------------------

def _tree(folder: Path, prefix: str) -> dict[str, bytes]:
    return {f"{prefix}/{p.relative_to(folder).as_posix()}": p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _data_files() -> dict[str, bytes]:
    """Every bundled data file, its card and the data manifest, under ``datasets/``."""
    from xaikit.datasets import MANIFEST_NAME as DATA_MANIFEST, data_dir, read_manifest

    ddir = data_dir()
    files = {f"datasets/{DATA_MANIFEST}": (ddir / DATA_MANIFEST).read_bytes()}
    for name in read_manifest(ddir):
        files[f"datasets/{name}"] = (ddir / name).read_bytes()
        card = ddir / f"{name.split('.')[0]}.md"  # adult.csv.gz -> adult.md
        if card.is_file():
            files[f"datasets/{card.name}"] = card.read_bytes()
    return files


def _variant_files(exercise_id: str, variant: int) -> dict[str, bytes]:
    """The variant's planted data (if the exercise plants any), under ``datasets/variants/``."""
    from xaikit.exercises import grader_part, materialise_variant

    grader = grader_part(exercise_id)
    if grader is None or not hasattr(grader, "materialise"):
        return {}
    with tempfile.TemporaryDirectory(prefix="xaikit-variant-") as tmp:
        materialise_variant(exercise_id, variant, tmp)
        return {k: v for k, v in _tree(Path(tmp), "datasets/variants").items()
                if k.endswith(".csv")}


def _model_files(ctx) -> dict[str, bytes]:
    """The context's XGBoost model file(s) from the cache (``.ubj``: data, not code)."""
    from xaikit.models import cache_dir

    out = {}
    trained = [v for v in vars(ctx).values() if hasattr(v, "card") and hasattr(v, "model")]
    for t in trained:
        p = cache_dir() / f"{t.card.name}-{t.card.cache_key}.ubj"
        if p.is_file():
            out[f".xaikit-cache/models/{p.name}"] = p.read_bytes()
    return out


def build_pack(candidate: str, exercise_ids, out, *, level: str | None = None,
               minutes: int | None = None, salt: str | None = None, root=None,
               widgets: bool = True, verify: bool = False) -> PackResult:
    """Write ``out/xaikit-takehome-<candidate>.zip`` (see the module docstring).

    Parameters
    ----------
    candidate : str
        1-64 letters, digits, ``.``, ``_`` or ``-``.
    exercise_ids : list of str
        Exercises from :data:`xaikit.exercises.REGISTRY` with a solution notebook.
    out : path
        Folder for the zip (created).
    level : {"junior", "mid", "senior"}, optional
        Shown in the README.
    minutes : int, optional
        Time budget; default: the sum of the exercises' estimates.
    salt : str, optional
        Secret mixed into the variant seed (default: ``$XAIKIT_PACK_SECRET`` or random). The
        same candidate, exercises and salt give the same variants.
    widgets : bool, default True
        False: the explorer cells become a note (the public widget files still ship).
    verify : bool
        Load every exercise of the pack in a fresh interpreter from the extracted pack.

    Raises
    ------
    PackError
    """
    import os

    import nbformat

    from xaikit.exercises import context_for, get_exercise

    candidate = _safe_id(candidate)
    root = Path(root) if root else project_root()
    ids = list(dict.fromkeys(e.strip() for e in exercise_ids if e.strip()))
    if not ids:
        raise PackError("no exercises given")
    try:
        exercises = [get_exercise(eid) for eid in ids]
    except KeyError as e:
        raise PackError(str(e).strip("'\"")) from None
    salt = salt or os.environ.get("XAIKIT_PACK_SECRET") or secrets.token_hex(16)
    top = PACK_DIR_PREFIX + candidate
    from xaikit.grading.timeline import write_lab_settings

    with tempfile.TemporaryDirectory(prefix="xaikit-pack-") as tmp:
        files = _tree(copy_public(Path(tmp)) / "xaikit", "xaikit")
        write_lab_settings(Path(tmp) / LAB_SETTINGS)  # recordTiming: the work's timeline
        files.update(_tree(Path(tmp) / LAB_SETTINGS, LAB_SETTINGS))
    files.update(_data_files())
    entries, notebooks = [], []
    for ex in exercises:
        src = root / "solutions" / ex.notebook
        if not src.is_file():
            raise PackError(f"{ex.id}: no solution notebook {src}")
        variant = derive_variant(candidate, ex.id, salt)
        nb = take_home_notebook(nbformat.read(src, as_version=4), variant, candidate)
        if not widgets:
            nb = without_widgets(nb)
        files[ex.notebook] = (nbformat.writes(nb) + "\n").encode()
        notebooks.append(ex.notebook)
        files.update(_variant_files(ex.id, variant))
        files.update(_model_files(context_for(ex.id, variant)))
        entries.append({"id": ex.id, "title": ex.title, "notebook": ex.notebook,
                        "variant": variant, "seed": derive_seed(candidate, ex.id, salt)[:16],
                        "minutes": ex.minutes, "level": ex.level,
                        "definition": exercise_definition(ex.id)})
    budget = int(minutes) if minutes else sum(e.minutes for e in exercises)
    files["README.md"] = readme(candidate, exercises, notebooks, budget, level).encode()
    files["requirements.txt"] = requirements(root).encode()
    manifest = {"format": 2, "kind": "xaikit-takehome-pack", "candidate": candidate,
                "widgets": bool(widgets),
                "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                "xaikit_version": xaikit.__version__, "level": level, "minutes": budget,
                "exercises": entries,
                "files": {k: _sha256(v) for k, v in sorted(files.items())}}
    files[MANIFEST_NAME] = (json.dumps(manifest, indent=1) + "\n").encode()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{top}.zip"
    tmp_zip = path.with_name(f".{path.name}.tmp")
    with zipfile.ZipFile(tmp_zip, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in sorted(files.items()):
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, blob)
    tmp_zip.replace(path)
    if verify:
        verify_pack(path)
    return PackResult(path=path, manifest=manifest, notebooks=notebooks)


def verify_pack(zip_path) -> str:
    """Unzip the pack in a temporary folder and, from there, in a fresh interpreter, import
    the pack's ``xaikit``, open every exercise with its variant, build its context and import
    every widget module. Returns the interpreter's output.

    Raises
    ------
    PackError
        When the pack's runtime does not load (the message holds the error).
    """
    with tempfile.TemporaryDirectory(prefix="xaikit-pack-") as tmp:
        with zipfile.ZipFile(zip_path) as z:
            z.extractall(tmp)
        (folder,) = [p for p in Path(tmp).iterdir() if p.is_dir()]
        script = Path(tmp) / "verify_pack.py"
        shutil.copyfile(Path(__file__).parent / "grading" / "verify_pack.py", script)
        res = subprocess.run([sys.executable, str(script)], cwd=folder, capture_output=True,
                             text=True, timeout=600,
                             env={"PATH": "/usr/bin:/bin", "MPLBACKEND": "agg", "HOME": tmp,
                                  "PYTHONPATH": str(folder)})
        if res.returncode != 0:
            raise PackError(f"the pack's runtime does not load:\n{res.stderr[-2000:]}")
        return res.stdout


def extract_handins(paths, folder: Path) -> list[Path]:
    """Replace each ``.zip`` in ``paths`` by the notebooks it holds (extracted under
    ``folder/<zip stem>/``, ``__MACOSX`` and checkpoints skipped); other paths unchanged."""
    out = []
    for p in map(Path, paths):
        if p.is_file() and p.suffix == ".zip":
            dest = folder / p.stem
            dest.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(p) as z:
                for name in z.namelist():
                    parts = Path(name).parts
                    if not name.endswith(".ipynb") or "__MACOSX" in parts or \
                            ".ipynb_checkpoints" in parts or ".." in parts:
                        continue
                    target = dest / Path(name).name
                    target.write_bytes(z.read(name))
            out.append(dest)
        else:
            out.append(p)
    return out
