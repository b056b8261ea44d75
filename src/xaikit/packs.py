"""Take-home packs: one zip per candidate, with nothing in it that could give an answer away.

Design (issue 7)
----------------
Where the checks live. A candidate still works with ``open_exercise(id, variant, mode)``: the
data, the model and the variant's context (the applicants to explain, seeds, grids...). But the
pack carries **no** exercise module (``xaikit.questions.<id>``: checks, references, the
context's ``ref_*`` methods, planted-truth keys), no grading code and no solution. Instead it
carries a small *candidate runtime*, a package also called ``xaikit`` so that the notebook's
``from xaikit import open_exercise`` runs unchanged in the candidate's environment and in the
grader's:

- ``xaikit/answers.py`` (the JSON codec), ``xaikit/plots/`` and ``xaikit/widgets/``, copied;
- every other module those import (``xaikit.explain``, ``xaikit.datasets``, ``xaikit.models``)
  **pruned** to the top-level names actually used (a static analysis of the shipped code and
  of the classes the context needs when unpickled), so e.g. ``models.bikeshare_with_noise``
  (which returns the planted noise columns) or ``explain.jaccard_stability`` never ship;
- a generated ``xaikit/questions/__init__.py``: ``open_exercise`` / ``OpenExercise`` whose
  ``check`` only says *recorded* and validates the format (type, shape, range; declared in the
  exercise module's optional ``ANSWER_FORMATS`` or in :data:`ANSWER_FORMATS` here; otherwise
  codec-encodable and finite only);
- ``xaikit/questions/contexts/<id>-v<variant>.pkl``: the candidate's context, materialised at
  pack time: only the context attributes the candidate's notebook and the shipped widgets use
  (``ctx.<name>`` in their source), never ``ref_*``/private ones, and refused if a name looks
  like a planted-truth key. The pickle is checked to reference no class outside the runtime.

The grader's installation keeps everything else: ``xaikit grade`` re-executes the submission in
the grader's environment (the full package), collects the answers as JSON and runs the real
checks against the variant recorded in the notebook or, with ``--manifest``, in the pack's
``MANIFEST.json`` (see :mod:`xaikit.grading.variants`). In that environment too, take-home mode
runs only the format check (:func:`take_home_check`, the same code as the pack's), so the
executed notebook shows the candidate what they saw and no reference is computed in the kernel.

Modes: *practice* (the repository default): the real check, hints; *take-home*: recorded and
well-formed only, no hints, nothing of the above in the candidate's files; *interviewer*: the
reference notebook in ``solutions/`` with the guide in ``notebooks/interviewer/`` (rubric,
follow-ups, live scoring sheet).

What an exercise author declares for take-home packs (all optional, in the exercise module;
the tables below are fallbacks for the first exercises): ``ANSWER_FORMATS`` (format specs, or a
callable of the context), ``TAKE_HOME_METHODS`` (context methods safe to ship, as source),
``TAKE_HOME_PRECOMPUTED`` (the demo calls of grader-side methods whose results may ship) and
``TAKE_HOME_EXCLUDE`` (attributes that hold a reference under an innocent name: the pack is
refused). A pack is refused too when the candidate's cells or a shipped widget use a
``ref_*`` attribute or import a checks/grading module: fix the notebook, not the packer.

Pack layout (``<out>/xaikit-takehome-<candidate>.zip``, one top folder)::

    README.md            time budget, install, start, hand-in, rules
    MANIFEST.json        candidate, level, minutes, exercises + variants, SHA-256 of every file
    requirements.txt     the exact pins of the grader's environment
    NN_<exercise>.ipynb  take-home notebooks (no solutions, no outputs), variant set
    datasets/            the data files the exercises use, their data cards, MANIFEST.sha256
    xaikit/              the candidate runtime (above), model and data inside the contexts
"""
from __future__ import annotations

import ast
import datetime as _dt
import hashlib
import io
import json
import pickle
import re
import secrets
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field, is_dataclass, replace
from pathlib import Path

import xaikit
from xaikit.grading.variants import MANIFEST_NAME, derive_seed, derive_variant

PACKAGE_DIR = Path(xaikit.__file__).resolve().parent

#: Modules copied whole into the candidate runtime (relative to the package).
RUNTIME_COPY = ("answers.py", "plots", "widgets")
#: Modules that must never reach a candidate, not even pruned.
FORBIDDEN = ("xaikit.questions", "xaikit.grading", "xaikit.cli", "xaikit.packs", "xaikit.plan")
#: Context attribute names refused in a pack (they look like answers or planted truth).
SUSPICIOUS_ATTR = re.compile(r"^_|^ref_|truth|planted|answer|expected|solution|secret|key$|"
                             r"^noise|leak|reference", re.I)
#: Modules a pickled context may reference besides the runtime's own.
PICKLE_OK = ("builtins", "copyreg", "collections", "datetime", "pathlib", "numpy", "pandas",
             "sklearn", "xgboost", "scipy", "_codecs", "functools", "joblib")

#: Format specs of answers (take-home checks: type, shape, range only), per exercise. An
#: exercise module may declare its own ``ANSWER_FORMATS`` with the same structure; that wins.
#: Spec keys: ``type`` (number | array | list | dict | str | bool), ``shape`` (arrays),
#: ``length`` and ``items`` (lists), ``keys`` (dicts: name -> spec), ``range`` [low, high].
ANSWER_FORMATS = {
    "shap_vs_lime": {
        "shap_values": {"type": "array", "shape": [5, 20]},
        "base_value": {"type": "number"},
        "top3_features": {"type": "list", "length": 5,
                          "items": {"type": "list", "length": 3, "items": {"type": "str"}}},
        "lime_continuous": {"type": "array", "shape": [5, 20]},
        "lime_binned": {"type": "array", "shape": [5, 20]},
        "lime_scores": {"type": "dict", "keys": {"continuous": {"type": "array", "shape": [5]},
                                                 "binned": {"type": "array", "shape": [5]}}},
        "top5_overlap": {"type": "array", "shape": [2, 5], "range": [0, 1]},
        "spearman": {"type": "array", "shape": [2, 5], "range": [-1, 1]},
        "lime_stability": {"type": "dict",
                           "keys": {"continuous": {"type": "number", "range": [0, 1]},
                                    "binned": {"type": "number", "range": [0, 1]}}},
        "kernel_width_scores": {"type": "array", "shape": [6]},
        "default_kernel_width": {"type": "number", "range": [0, None]},
    },
    # callables: evaluated with the candidate's context when the pack is built (shapes only;
    # never a length that depends on planted truth, e.g. the number of noise columns)
    "pdp_ice": lambda ctx: {
        "ice": {"type": "array", "shape": [len(ctx.X_rows), len(ctx.grid)]},
        "pdp": {"type": "array", "shape": [len(ctx.grid)]},
        "ice_hr_centered": {"type": "array", "shape": [len(ctx.X_rows), len(ctx.hr_grid)]},
        "ice_driver": {"type": "str"},
        "ale_edges": {"type": "array"},
        "ale_temp": {"type": "array"},
    },
    "counterfactuals": lambda ctx: {
        "mad": {"type": "array", "shape": [len(ctx.feature_names)], "range": [0, None]},
        "plausibility_threshold": {"type": "number", "range": [0, None]},
        "counterfactuals": {"type": "array",
                            "shape": [len(ctx.applicants), len(ctx.feature_names)]},
        "diverse_set": {"type": "array", "shape": [3, len(ctx.feature_names)]},
    },
    "feature_importance": {  # importances may be arrays, Series or dicts: no spec
        "noise_features": {"type": "list", "items": {"type": "str"}},
    },
    "distillation": lambda ctx: {
        "fidelity": {"type": "array", "shape": [len(ctx.depths)], "range": [None, 1]},
        "chosen_depth": {"type": "number", "range": [1, max(ctx.depths)]},
        "worst_subgroup": {"type": "str"},
    },
}


#: Context *methods* a pack may carry, per exercise: ``{name: (source, attributes)}`` where
#: ``source`` defines a function of ``self`` (the candidate-side context) that uses only
#: shipped modules and the listed public ``attributes``. An exercise module may declare its own
#: ``TAKE_HOME_METHODS`` with the same structure. Never list a reference computation here.
TAKE_HOME_METHODS: dict = {}

#: Grader-side methods a notebook's *demo* cells call: the pack carries the results of exactly
#: these calls (``ctx -> [(args, kwargs), ...]``), nothing else. Per exercise; an exercise
#: module may declare ``TAKE_HOME_PRECOMPUTED``.
TAKE_HOME_PRECOMPUTED = {
    "counterfactuals": {
        "search": lambda ctx: [((ctx.trap_applicant,), {"constrained": False}),
                               ((ctx.trap_applicant,), {"constrained": True})],
    },
}


#: Context attributes that hold a reference answer under an innocent name: a pack using them
#: is refused (the exercise's candidate cells or widget must do without them in take-home
#: mode). Per exercise ``{name: why}``; an exercise module may declare ``TAKE_HOME_EXCLUDE``.
TAKE_HOME_EXCLUDE = {
    "distillation": {"curve": "the grader's fidelity curve (the answer of q1)",
                     "ref_depth": "the grader's chosen depth"},
}


class PackError(RuntimeError):
    """A pack cannot be built without leaking something, or an input is wrong."""


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


def without_widgets(nb):
    """A copy of ``nb`` whose code cells using an ``xaikit.widgets`` explorer become a short
    note (for packs built with ``widgets=False``)."""
    import copy

    import nbformat

    widget_names = set()
    for f in (PACKAGE_DIR / "widgets").glob("*.py"):
        widget_names |= {n.name for n in ast.parse(f.read_text()).body
                         if isinstance(n, ast.ClassDef) and not n.name.startswith("_")}
    pattern = re.compile(r"xaikit\.widgets|\b(" + "|".join(map(re.escape, sorted(widget_names)))
                         + r")\b") if widget_names else re.compile(r"xaikit\.widgets")
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and pattern.search(cell.source):
            nb.cells[i] = nbformat.v4.new_markdown_cell(NO_EXPLORER)
    return nb


_CTX_ATTR = re.compile(r"\bctx\.([A-Za-z_]\w*)")


def public_attributes(blank_nb_text: str, runtime_sources: list[str]) -> list[str]:
    """Context attributes the candidate may see: those used as ``ctx.<name>`` in the blank
    notebook, and in the shipped widget/plot modules the notebook uses (a module counts when
    the notebook names one of its top-level classes or functions)."""
    names = set(_CTX_ATTR.findall(blank_nb_text))
    for src in runtime_sources:
        tops = {n.name for n in ast.parse(src).body
                if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        if any(re.search(rf"\b{re.escape(t)}\b", blank_nb_text) for t in tops):
            names |= set(_CTX_ATTR.findall(src))
    return sorted(names)


def _relocate(value, memo):
    """Copies of Dataset / TrainedModel objects with pack-relative data paths."""
    from xaikit.datasets import Dataset
    from xaikit.models import TrainedModel

    if id(value) in memo:
        return memo[id(value)]
    out = value
    if isinstance(value, Dataset):
        out = replace(value, path=Path("datasets") / value.path.name,
                      card=Path("datasets") / value.card.name)
    elif isinstance(value, TrainedModel):
        out = replace(value, dataset=_relocate(value.dataset, memo))
    elif isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        out = type(value)(_relocate(v, memo) for v in value)
    elif isinstance(value, dict):
        out = {k: _relocate(v, memo) for k, v in value.items()}
    memo[id(value)] = out
    return out


def _datasets_in(value, found, seen=None):
    from xaikit.datasets import Dataset
    from xaikit.models import TrainedModel

    seen = seen if seen is not None else set()
    if id(value) in seen:
        return found
    seen.add(id(value))
    if isinstance(value, Dataset):
        found[value.path.name] = value
    elif isinstance(value, TrainedModel):
        _datasets_in(value.dataset, found, seen)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _datasets_in(v, found, seen)
    elif isinstance(value, dict):
        for v in value.values():
            _datasets_in(v, found, seen)
    return found


class _RecordingUnpickler(pickle.Unpickler):
    def __init__(self, f):
        super().__init__(f)
        self.globals = set()

    def find_class(self, module, name):
        self.globals.add((module, name))
        return super().find_class(module, name)


def _exercise_table(exercise, name: str, fallback: dict) -> dict:
    import importlib

    from xaikit.questions import REGISTRY

    module = importlib.import_module(REGISTRY[exercise.id])
    return dict(getattr(module, name, None) or fallback.get(exercise.id, {}))


def materialise_context(exercise, variant: int, attributes) -> tuple[bytes, dict, set, dict]:
    """Pickle the public part of the exercise's context for ``variant``.

    Data attributes are pickled by value. A context *method* the notebook uses becomes, in
    the candidate runtime: ``code`` (declared in ``TAKE_HOME_METHODS``), ``table`` (the
    results of the demo calls declared in ``TAKE_HOME_PRECOMPUTED``) or ``grader`` (a stub
    saying the computation is the grader's).

    Returns
    -------
    data : bytes
        The pickle of ``{"values": {attribute: value}, "tables": {...}}``.
    datasets : dict
        ``{csv file name: Dataset}`` the context holds.
    globals : set of (module, name)
        Every class/function the pickle references.
    methods : dict
        ``{name: "code" | "table" | "grader"}``.

    Raises
    ------
    PackError
        For a suspicious attribute name, a missing attribute, or a pickle referencing code
        that must not ship.
    """
    import inspect

    from xaikit.questions import context_for

    ctx = context_for(exercise.id, variant)
    code = _exercise_table(exercise, "TAKE_HOME_METHODS", TAKE_HOME_METHODS)
    precomputed = _exercise_table(exercise, "TAKE_HOME_PRECOMPUTED", TAKE_HOME_PRECOMPUTED)
    exclude = _exercise_table(exercise, "TAKE_HOME_EXCLUDE", TAKE_HOME_EXCLUDE)
    values, methods, tables = {}, {}, {}
    todo = list(attributes)
    while todo:
        name = todo.pop(0)
        if name in values or name in methods:
            continue
        if SUSPICIOUS_ATTR.search(name):
            raise PackError(f"{exercise.id}: the notebook uses ctx.{name}, which looks like an "
                            "answer or planted truth: take it out of the candidate's cells")
        if name in exclude:
            raise PackError(f"{exercise.id}: the candidate's cells or widget use ctx.{name}, "
                            f"{exclude[name]}: it cannot go in a take-home pack")
        static = inspect.getattr_static(ctx, name, None)
        if static is None and not hasattr(ctx, name):
            raise PackError(f"{exercise.id}: ctx.{name} is used but the context has no such "
                            "attribute")
        if inspect.isfunction(static) or callable(static) and not hasattr(static, "predict") \
                and not is_dataclass(static) and not isinstance(static, (property, type)):
            if name in code:
                methods[name] = "code"
                todo += list(code[name][1])
            elif name in precomputed:
                methods[name] = "table"
                method = getattr(ctx, name)
                tables[name] = [(tuple(a), dict(k), method(*a, **k))
                                for a, k in precomputed[name](ctx)]
            else:
                methods[name] = "grader"
            continue
        values[name] = getattr(ctx, name)
    datasets = _datasets_in(values, {})
    values = _relocate(values, {})
    data = pickle.dumps({"exercise": exercise.id, "variant": int(variant), "values": values,
                         "tables": tables}, protocol=4)
    rec = _RecordingUnpickler(io.BytesIO(data))
    rec.load()
    for module, name in rec.globals:
        top = module.split(".")[0]
        if module.startswith(FORBIDDEN) or (top != "xaikit" and top not in PICKLE_OK):
            raise PackError(f"{exercise.id}: the context references {module}.{name}, which "
                            "cannot ship in a take-home pack")
    return data, datasets, rec.globals, methods


# --- the candidate runtime ------------------------------------------------------------------

def _module_file(module: str) -> Path | None:
    rel = module.split(".")[1:]
    if not rel:
        return PACKAGE_DIR / "__init__.py"
    p = PACKAGE_DIR.joinpath(*rel)
    if (p / "__init__.py").is_file():
        return p / "__init__.py"
    if p.with_suffix(".py").is_file():
        return p.with_suffix(".py")
    return None


def _xaikit_uses(tree) -> dict[str, set]:
    """``{module: names}`` of xaikit modules a source uses: ``from xaikit.m import a``,
    ``from xaikit import m as E`` + ``E.a``, ``import xaikit.m as E`` + ``E.a``."""
    uses, aliases = {}, {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "xaikit":
                for a in node.names:
                    if _module_file(f"xaikit.{a.name}") is not None:
                        aliases[a.asname or a.name] = f"xaikit.{a.name}"
                        uses.setdefault(f"xaikit.{a.name}", set())
                    else:
                        uses.setdefault("xaikit", set()).add(a.name)
            elif node.module.startswith("xaikit."):
                uses.setdefault(node.module, set()).update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("xaikit.") and a.asname:
                    aliases[a.asname] = a.name
                    uses.setdefault(a.name, set())
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                node.value.id in aliases:
            uses[aliases[node.value.id]].add(node.attr)
    return uses


def _defined(node) -> set:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    return set()


def prune_module(source: str, keep: set) -> str:
    """``source`` reduced to its docstring, imports and the top-level definitions in ``keep``
    plus those they use (transitively). Comments are dropped; docstrings stay."""
    tree = ast.parse(source)
    defs = {}
    for node in tree.body:
        for n in _defined(node):
            defs.setdefault(n, []).append(node)
    wanted, todo = set(), [k for k in keep if k in defs]
    missing = sorted(k for k in keep if k not in defs)
    if missing:
        raise PackError(f"names not defined at top level: {missing}")
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted.add(name)
        for node in defs[name]:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and sub.id in defs and sub.id not in wanted:
                    todo.append(sub.id)
    body = []
    for i, node in enumerate(tree.body):
        if i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            body.append(node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            body.append(node)
        elif _defined(node) & wanted:
            body.append(node)
    header = ("# Candidate runtime of an xaikit take-home pack: pruned by xaikit.packs to the\n"
              "# names the notebooks, widgets and plots use.\n")
    return header + ast.unparse(ast.Module(body=body, type_ignores=[])) + "\n"


def _used_by(source: str, text: str) -> bool:
    """Whether ``text`` names one of the top-level classes/functions defined in ``source``."""
    tops = {n.name for n in ast.parse(source).body
            if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")}
    return any(re.search(rf"\b{re.escape(t)}\b", text) for t in tops)


def runtime_files(extra_uses: dict[str, set], notebooks_text: str | None = None) -> dict[str, str]:
    """``{path in the pack: text}`` of the candidate runtime (without the generated
    ``__init__.py`` and ``questions/``). With ``notebooks_text``, only the widget modules the
    notebooks use ship (``widgets/__init__.py`` imports them lazily).

    Raises
    ------
    PackError
        If shipped code imports a forbidden module.
    """
    files, helpers = {}, {}
    for item in RUNTIME_COPY:
        p = PACKAGE_DIR / item
        for f in ([p] if p.is_file() else sorted(p.rglob("*.py"))):
            text = f.read_text()
            rel = "xaikit/" + f.relative_to(PACKAGE_DIR).as_posix()
            if notebooks_text is not None and item == "widgets" and f.name != "__init__.py":
                if f.name.startswith("_"):  # a private helper: ships with a widget using it
                    helpers[rel] = (f.stem, text)
                    continue
                if not _used_by(text, notebooks_text):
                    continue
            files[rel] = text
    for rel, (stem, text) in helpers.items():
        if any(f"xaikit.widgets.{stem}" in t for t in files.values()):
            files[rel] = text
    copied = ("xaikit.plots", "xaikit.widgets", "xaikit.answers")
    needed = {m: set(n) for m, n in extra_uses.items() if not m.startswith(copied)}
    pruned = {}
    while True:
        changed = False
        for text in list(files.values()) + list(pruned.values()):
            for module, names in _xaikit_uses(ast.parse(text)).items():
                if module in ("xaikit",) or module.startswith(("xaikit.plots", "xaikit.widgets",
                                                               "xaikit.answers")):
                    continue
                if module == "xaikit.questions" and names <= {"open_exercise"}:
                    continue
                if module.startswith(FORBIDDEN):
                    raise PackError(f"shipped code imports {module}: it cannot go in a pack")
                before = needed.get(module, set())
                if not names <= before:
                    needed[module] = before | names
                    changed = True
        for module, names in needed.items():
            if module.startswith(FORBIDDEN):
                raise PackError(f"a pack would need {module}")
            src = _module_file(module)
            if src is None:
                raise PackError(f"unknown module {module}")
            pruned[module] = prune_module(src.read_text(), names)
        if not changed:
            break
    for module, text in pruned.items():
        rel = Path(*module.split(".")).with_suffix(".py").as_posix()
        files[rel] = text
    return files


def _runtime_init(version: str) -> str:
    return f'''"""xaikit take-home runtime (candidate edition {version}).

It loads the exercise data and model, draws the plots and widgets, encodes answers, and
checks that an answer is recorded and well-formed. It cannot tell whether an answer is right:
your notebook is graded after you hand it in.
"""
__version__ = "{version}"
__all__ = ["open_exercise", "__version__"]


def open_exercise(exercise_id, variant=0, mode="take-home"):
    """Open an exercise of this pack; see :func:`xaikit.questions.open_exercise`."""
    from xaikit.questions import open_exercise as _open

    return _open(exercise_id, variant=variant, mode=mode)
'''


#: Format-only validation of take-home answers (type, shape, range). The same code runs in
#: the candidate runtime (pasted into its ``questions/__init__.py``) and, through
#: :func:`take_home_check`, in the grader's own take-home mode.
FORMAT_VALIDATOR = r'''class FormatProblem(ValueError):
    pass


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_range(name, values, spec):
    lo, hi = (spec.get("range") or [None, None])
    for v in values:
        if lo is not None and v < lo or hi is not None and v > hi:
            raise FormatProblem(f"`{name}` has values outside [{lo}, {hi}].")


def _validate(name, value, spec):
    import numpy as np
    import pandas as pd

    if isinstance(value, Unsupported):
        raise FormatProblem(f"`{name}` holds a {value.type_name}, which cannot be graded: "
                            "store plain numbers, strings, lists, dicts or numpy/pandas objects.")
    kind = (spec or {}).get("type")
    if kind in ("number", "array"):
        if isinstance(value, (pd.Series, pd.DataFrame)):
            value = value.to_numpy()
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise FormatProblem(f"`{name}` should be numeric, got {type(value).__name__}.")
        if kind == "number" and arr.size != 1:
            raise FormatProblem(f"`{name}` should be a single number, got shape {arr.shape}.")
        shape = spec.get("shape")
        if kind == "array" and shape is not None and list(arr.shape) != list(shape):
            raise FormatProblem(f"`{name}` should have shape {tuple(shape)}, got {arr.shape}.")
        if not np.all(np.isfinite(arr)):
            raise FormatProblem(f"`{name}` contains NaN or infinite values.")
        _check_range(name, arr.ravel().tolist(), spec)
    elif kind == "str":
        if not isinstance(value, str):
            raise FormatProblem(f"`{name}` should be a string, got {type(value).__name__}.")
    elif kind == "bool":
        if not isinstance(value, (bool, np.bool_)):
            raise FormatProblem(f"`{name}` should be True or False.")
    elif kind == "list":
        if isinstance(value, np.ndarray):
            value = value.tolist()
        if not isinstance(value, (list, tuple)):
            raise FormatProblem(f"`{name}` should be a list, got {type(value).__name__}.")
        if spec.get("length") is not None and len(value) != spec["length"]:
            raise FormatProblem(f"`{name}` should hold {spec['length']} items, got "
                                f"{len(value)}.")
        for i, v in enumerate(value):
            _validate(f"{name}[{i}]", v, spec.get("items"))
    elif kind == "dict":
        if not isinstance(value, dict):
            raise FormatProblem(f"`{name}` should be a dict, got {type(value).__name__}.")
        for key, sub in (spec.get("keys") or {}).items():
            if key not in value:
                raise FormatProblem(f"`{name}` has no key {key!r} (it has {sorted(value)}).")
            _validate(f"{name}[{key!r}]", value[key], sub)
    else:  # no declared format: it must at least be finite if numeric
        try:
            arr = np.asarray(value, dtype=float)
            if not np.all(np.isfinite(arr)):
                raise FormatProblem(f"`{name}` contains NaN or infinite values.")
        except (TypeError, ValueError):
            pass


'''

#: The candidate-side ``xaikit/questions/__init__.py``: format checks only, no references.
RUNTIME_QUESTIONS = r'''"""Exercises of this pack: context (data, model, variant) and a format-only check.

``ex.check("qN")`` tells you whether the answer variables of question qN are recorded and
well-formed (type, shape, range). It does not know the right answers: those are computed by
the grader after you hand in.
"""
import html
import json
import math
import pickle
from pathlib import Path

from xaikit.answers import Unsupported, roundtrip

MODES = ("practice", "take-home", "interviewer")
_HERE = Path(__file__).resolve().parent
EXERCISES = json.loads((_HERE / "exercises.json").read_text())
_CONTEXTS = {}


class _GraderOnly:
    def __init__(self, name):
        self.name = name

    def __call__(self, *args, **kwargs):
        raise RuntimeError(f"ctx.{self.name} is computed by the grader; it is not part of a "
                           "take-home pack.")


class _Precomputed:
    """A grader-side computation of which the pack holds only the notebook's demo calls."""

    def __init__(self, name, table):
        self.name, self.table = name, table

    def __call__(self, *args, **kwargs):
        for a, k, result in self.table:
            if tuple(a) == tuple(args) and dict(k) == dict(kwargs):
                return result
        raise RuntimeError(f"ctx.{self.name} is computed by the grader; this pack only holds "
                           "the calls of the notebook's demo cells.")


class Context:
    """The exercise's context: data, model and this variant's settings (attributes)."""

    def __init__(self, exercise_id, data, methods):
        import types

        self.__dict__.update(data["values"])
        for name, kind in (methods or {}).items():
            if kind == "code":
                from xaikit.questions import methods as _m

                fn = types.MethodType(getattr(_m, f"{exercise_id}__{name}"), self)
            elif kind == "table":
                fn = _Precomputed(name, data["tables"][name])
            else:
                fn = _GraderOnly(name)
            setattr(self, name, fn)

    def __repr__(self):
        return f"Context({', '.join(sorted(self.__dict__))})"


''' + FORMAT_VALIDATOR + r'''class CheckDisplay:
    """What ``ex.check`` shows: recorded, not attempted, or a format problem."""

    def __init__(self, qid, title, status, text):
        self.qid, self.title, self.status, self.text = qid, title, status, text

    def _icon(self):
        return {"recorded": "📝", "not_attempted": "⬜", "format": "⚠️"}[self.status]

    def __repr__(self):
        return f"{self._icon()} {self.qid} ({self.title}): {self.text}"

    def _repr_html_(self):
        return (f"<div class='xaikit-check xaikit-{self.status}'>{self._icon()} "
                f"<b>{html.escape(self.qid)}</b> ({html.escape(self.title)}): "
                f"{html.escape(self.text)}</div>")


class OpenExercise:
    """An exercise opened in a notebook: its context and a format self-check."""

    def __init__(self, spec, variant, mode):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.spec, self.variant, self.mode = spec, int(variant), "take-home"
        self.questions = {q["id"]: q for q in spec["questions"]}

    @property
    def context(self):
        key = (self.spec["id"], self.variant)
        if key not in _CONTEXTS:
            path = _HERE / "contexts" / f"{self.spec['id']}-v{self.variant}.pkl"
            if not path.is_file():
                raise FileNotFoundError(
                    f"this pack holds variant {self.spec['variant']} of {self.spec['id']}, "
                    f"not {self.variant}: keep open_exercise(..., variant="
                    f"{self.spec['variant']}, ...) as it was in the notebook you received.")
            with open(path, "rb") as f:
                _CONTEXTS[key] = Context(self.spec["id"], pickle.load(f),
                                         self.spec.get("methods"))
        return _CONTEXTS[key]

    def answers_from(self, namespace):
        names = [n for q in self.spec["questions"] for n in q["answers"]]
        return {n: roundtrip(namespace[n]) for n in names if n in namespace}

    def check(self, qid, namespace=None):
        """Is question ``qid``'s answer recorded and well-formed? (Not: is it right.)"""
        if qid not in self.questions:
            raise KeyError(f"{self.spec['id']} has no question {qid!r}")
        q = self.questions[qid]
        if q["kind"] != "auto":
            raise ValueError(f"{qid} is a written answer, read by the interviewer.")
        if namespace is None:
            from IPython import get_ipython

            namespace = get_ipython().user_ns
        answers = self.answers_from(namespace)
        values = {n: answers.get(n) for n in q["answers"]}
        if all(v is None for v in values.values()):
            return CheckDisplay(qid, q["title"], "not_attempted", "not attempted yet")
        missing = [n for n, v in values.items() if v is None]
        try:
            for n, v in values.items():
                if v is not None:
                    _validate(n, v, q["formats"].get(n))
        except FormatProblem as e:
            return CheckDisplay(qid, q["title"], "format", "recorded, but " + str(e))
        if missing:
            return CheckDisplay(qid, q["title"], "format", "recorded, but "
                                + ", ".join(f"`{n}`" for n in missing) + " still None.")
        return CheckDisplay(qid, q["title"], "recorded", "answer recorded (graded after hand-in)")

    def __repr__(self):
        s = self.spec
        return (f"{s['title']} ({s['id']}, variant {self.variant}, take-home mode): "
                f"{len(s['questions'])} questions, about {s['minutes']} minutes")


def open_exercise(exercise_id, variant=0, mode="take-home"):
    """Open exercise ``exercise_id`` of this pack (any mode behaves as take-home here)."""
    if exercise_id not in EXERCISES:
        raise KeyError(f"this pack holds {sorted(EXERCISES)}, not {exercise_id!r}")
    return OpenExercise(EXERCISES[exercise_id], variant, mode)
'''


def answer_formats(exercise, variant: int = 0) -> dict:
    """Format specs of ``exercise``'s answers: its module's ``ANSWER_FORMATS`` or ours; a
    callable spec is evaluated with the context of ``variant``. Answers without a spec are
    only checked to be encodable and finite."""
    import importlib

    from xaikit.questions import REGISTRY, context_for

    module = importlib.import_module(REGISTRY[exercise.id])
    spec = getattr(module, "ANSWER_FORMATS", None) or ANSWER_FORMATS.get(exercise.id, {})
    if callable(spec):
        spec = spec(context_for(exercise.id, variant))
    names = set(exercise.answer_names)
    return {k: v for k, v in dict(spec).items() if k in names}


def exercise_spec(exercise, variant: int) -> dict:
    """What the candidate runtime knows of an exercise: titles, answer names and formats."""
    formats = answer_formats(exercise, variant)
    return {"id": exercise.id, "title": exercise.title, "level": exercise.level,
            "minutes": exercise.minutes, "variant": int(variant),
            "questions": [{"id": q.id, "title": q.title, "kind": q.kind,
                           "points": float(q.points), "level": q.level,
                           "answers": list(q.answers),
                           "formats": {n: formats[n] for n in q.answers if n in formats}}
                          for q in exercise.questions]}


# --- requirements, README, manifest ----------------------------------------------------------

def requirements(root: Path) -> str:
    """The grader's pinned runtime dependencies (pyproject.toml), one per line."""
    import tomllib

    deps = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    keep = [d for d in deps if not d.split("=")[0].strip().lower().startswith(
        ("nbclient", "click", "tqdm", "pyyaml"))]
    return ("# Exact versions: the grader re-runs your notebook with these.\n"
            + "\n".join(keep) + "\n")


def readme(candidate: str, exercises, notebooks, minutes: int, level: str | None) -> str:
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

    jupyter lab

and open the notebook(s) above from this folder (the notebooks import the small `xaikit`
package in this folder: keep them next to it). Each notebook explains its scenario and its
questions. The data cards are in `datasets/`.

## How to work

- Put each answer in the variables the question names (replace the `None`); keep those names.
- `ex.check("qN")` says whether an answer is **recorded and well-formed** (type and shape).
  It does not say whether it is right: the notebooks are graded after you hand them in.
- Written answers go in the Markdown cells that start with **Answer qN**.
- Do not change the notebook's metadata or the `open_exercise(...)` line: they identify your
  version of the exercise (every candidate gets different applicants/rows).
- Before handing in: *Kernel → Restart Kernel and Run All Cells*; every cell should run. The
  grader re-runs your notebook from the top in a fresh kernel.

## Hand in

Save the notebooks, then zip them (only the `.ipynb` files):

    python -m zipfile -c handin-{candidate}.zip *.ipynb

(Windows PowerShell: `Compress-Archive -Path *.ipynb -DestinationPath handin-{candidate}.zip`)
and send `handin-{candidate}.zip` as the invitation says. Keep your own copy until you hear
back.

## What is allowed

- Allowed: documentation of any library, web search, books and your own notes and code;
  any library already installed by `requirements.txt`.
- Not allowed: help from another person; sharing this pack, its questions or your answers;
  AI assistants, unless your invitation says otherwise.
- If something does not install or run, write down what you tried in the notebook and
  carry on; tell us in your reply. It will not count against you.
"""


PACK_DIR_PREFIX = "xaikit-takehome-"


def _safe_id(candidate: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", candidate):
        raise PackError("candidate ids are 1-64 letters, digits, '.', '_' or '-' (no spaces), "
                        f"got {candidate!r}")
    return candidate


def build_pack(candidate: str, exercise_ids, out, *, level: str | None = None,
               minutes: int | None = None, salt: str | None = None, root=None,
               widgets: bool = True, verify: bool = False) -> PackResult:
    """Write ``out/xaikit-takehome-<candidate>.zip`` (see the module docstring).

    Parameters
    ----------
    candidate : str
    exercise_ids : list of str
        Exercises from :data:`xaikit.questions.REGISTRY` with a solution notebook.
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
        Ship the interactive explorers the notebooks use, with the computation they wire
        (pruned to the functions they call; these can compute some answers, e.g. TreeSHAP or
        ICE curves, as the practice notebooks' explorers do). False: the explorer cells
        become a note and no explorer code ships.
    verify : bool
        Import the runtime and load every context in a subprocess from the pack folder.

    Raises
    ------
    PackError
    """
    import os

    import nbformat

    from xaikit.questions import get_exercise

    candidate = _safe_id(candidate)
    root = Path(root) if root else project_root()
    ids = list(dict.fromkeys(e.strip() for e in exercise_ids if e.strip()))
    if not ids:
        raise PackError("no exercises given")
    exercises = []
    for eid in ids:
        try:
            exercises.append(get_exercise(eid))
        except (KeyError, ImportError, AttributeError) as e:
            raise PackError(f"exercise {eid!r} is not available: {e}") from None
    salt = salt or os.environ.get("XAIKIT_PACK_SECRET") or secrets.token_hex(16)
    top = PACK_DIR_PREFIX + candidate
    files: dict[str, bytes] = {}
    shipped_sources = {f: f.read_text() for d in ("widgets", "plots")  # ctx.<name> they use
                       for f in sorted((PACKAGE_DIR / d).rglob("*.py"))}
    entries, notebooks, specs, pickle_globals, data = [], [], {}, set(), {}
    method_code = []
    notebook_code = []
    for ex in exercises:
        src = root / "solutions" / ex.notebook
        if not src.is_file():
            raise PackError(f"{ex.id}: no solution notebook {src}")
        variant = derive_variant(candidate, ex.id, salt)
        nb = take_home_notebook(nbformat.read(src, as_version=4), variant, candidate)
        if not widgets:
            nb = without_widgets(nb)
        text = nbformat.writes(nb) + "\n"
        files[ex.notebook] = text.encode()
        notebooks.append(ex.notebook)
        attrs = public_attributes(text, list(shipped_sources.values()))
        notebook_code += [c.source for c in nb.cells if c.cell_type == "code"]
        blob, dsets, globs, methods = materialise_context(ex, variant, attrs)
        files[f"xaikit/questions/contexts/{ex.id}-v{variant}.pkl"] = blob
        pickle_globals |= globs
        data.update(dsets)
        specs[ex.id] = exercise_spec(ex, variant)
        specs[ex.id]["methods"] = methods
        table = _exercise_table(ex, "TAKE_HOME_METHODS", TAKE_HOME_METHODS)
        method_code += [f"# {ex.id}\n" + table[m][0].replace(f"def {m}(", f"def {ex.id}__{m}(", 1)
                        for m, kind in sorted(methods.items()) if kind == "code"]
        entries.append({"id": ex.id, "title": ex.title, "notebook": ex.notebook,
                        "variant": variant, "seed": derive_seed(candidate, ex.id, salt)[:16],
                        "minutes": ex.minutes, "level": ex.level, "context_attributes": attrs})
    extra = {}
    for module, name in pickle_globals:
        if module.startswith("xaikit"):
            extra.setdefault(module, set()).add(name)
    methods_src = ('"""Context methods of this pack\'s exercises (data and model only)."""\n\n'
                   + "\n\n".join(method_code))
    for src in [methods_src, *notebook_code]:  # what the notebooks and methods import
        src = "\n".join(line for line in src.split("\n")
                        if not line.lstrip().startswith(("%", "!")))
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for module, names in _xaikit_uses(tree).items():
            if module.startswith(FORBIDDEN):
                if module == "xaikit.questions" and names <= {"open_exercise"}:
                    continue
                raise PackError(f"a notebook or context method uses {module}: it cannot ship")
            if module != "xaikit":
                extra.setdefault(module, set()).update(names)
    for rel, text in runtime_files(extra, "\n".join(notebook_code)).items():
        files[rel] = text.encode()
    files["xaikit/questions/methods.py"] = methods_src.encode()
    version = f"{xaikit.__version__}+takehome"
    files["xaikit/__init__.py"] = _runtime_init(version).encode()
    files["xaikit/questions/__init__.py"] = RUNTIME_QUESTIONS.encode()
    files["xaikit/questions/exercises.json"] = (json.dumps(specs, indent=1) + "\n").encode()
    from xaikit.datasets import MANIFEST_NAME as DATA_MANIFEST, data_dir, read_manifest

    ddir = data_dir()
    digests = read_manifest(ddir)
    lines = []
    for name, ds in sorted(data.items()):
        files[f"datasets/{name}"] = (ddir / name).read_bytes()
        lines.append(f"{digests[name]}  {name}")
        if ds.card.is_file():
            files[f"datasets/{ds.card.name}"] = ds.card.read_bytes()
    files[f"datasets/{DATA_MANIFEST}"] = ("\n".join(lines) + "\n").encode()
    budget = int(minutes) if minutes else sum(e.minutes for e in exercises)
    files["README.md"] = readme(candidate, exercises, notebooks, budget, level).encode()
    files["requirements.txt"] = requirements(root).encode()
    manifest = {"format": 1, "kind": "xaikit-takehome-pack", "candidate": candidate,
                "widgets": bool(widgets),
                "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                "xaikit_version": xaikit.__version__, "level": level, "minutes": budget,
                "exercises": entries,
                "files": {k: _sha256(v) for k, v in sorted(files.items())}}
    files[MANIFEST_NAME] = (json.dumps(manifest, indent=1) + "\n").encode()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{top}.zip"
    tmp = path.with_name(f".{path.name}.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in sorted(files.items()):
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, blob)
    tmp.replace(path)
    if verify:
        verify_pack(path)
    return PackResult(path=path, manifest=manifest, notebooks=notebooks)


_VERIFY = r"""
import json, sys, xaikit
from pathlib import Path
assert Path(xaikit.__file__).resolve().parent == (Path.cwd() / "xaikit").resolve(), xaikit.__file__
from xaikit import open_exercise
import xaikit.widgets, xaikit.plots
for eid, spec in json.loads(Path("xaikit/questions/exercises.json").read_text()).items():
    ex = open_exercise(eid, variant=spec["variant"], mode="take-home")
    ctx = ex.context
    print(eid, spec["variant"], sorted(vars(ctx)))
for f in Path("xaikit/widgets").glob("*.py"):
    __import__("xaikit.widgets." + f.stem) if f.stem != "__init__" else None
print("ok")
"""


def verify_pack(zip_path) -> str:
    """Unzip the pack in a temporary folder and, from there, import the runtime, load every
    context and import every widget module in a fresh interpreter. Returns its output.

    Raises
    ------
    PackError
    """
    with tempfile.TemporaryDirectory(prefix="xaikit-pack-") as tmp:
        with zipfile.ZipFile(zip_path) as z:
            z.extractall(tmp)
        (folder,) = [p for p in Path(tmp).iterdir() if p.is_dir()]
        res = subprocess.run([sys.executable, "-c", _VERIFY], cwd=folder, capture_output=True,
                             text=True, timeout=300,
                             env={"PATH": "/usr/bin:/bin", "MPLBACKEND": "agg",
                                  "HOME": tmp})
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


_VALIDATOR_NS: dict = {}


def take_home_check(open_exercise, qid: str, namespace: dict):
    """The take-home self-check in the grader's full package: the same format-only
    validation as the candidate runtime, no reference computed.

    Returns
    -------
    CheckResult
        ``not_attempted``; ``incorrect`` whose feedback starts with the variable name (a
        format problem); or ``correct`` meaning only *recorded and well-formed*.
    """
    from xaikit.questions.base import NOT_ATTEMPTED, CheckResult

    if not _VALIDATOR_NS:
        exec(compile("from xaikit.answers import Unsupported\n" + FORMAT_VALIDATOR,
                     "xaikit-format-validator", "exec"), _VALIDATOR_NS)
    ex = open_exercise.exercise
    q = ex.question(qid)
    answers = open_exercise.answers_from(namespace)
    values = {n: answers.get(n) for n in q.answers}
    if all(v is None for v in values.values()):
        return NOT_ATTEMPTED
    formats = answer_formats(ex, open_exercise.variant)
    try:
        for n, v in values.items():
            if v is not None:
                _VALIDATOR_NS["_validate"](n, v, formats.get(n))
    except _VALIDATOR_NS["FormatProblem"] as e:
        return CheckResult("incorrect", 0.0, str(e))
    missing = [n for n, v in values.items() if v is None]
    if missing:
        return CheckResult("incorrect", 0.0, ", ".join(f"`{n}`" for n in missing)
                           + " still None.")
    return CheckResult("correct", 1.0, "recorded")
