"""Integrity checks on a submission, run in the grader (pure functions on notebooks).

- :func:`static_flags`: imports of the grader's internals, monkeypatching of numpy / shap /
  sklearn / xaikit (and the other libraries the exercises use), ``open_exercise`` calls naming
  another exercise than the notebook's metadata (another *variant* is
  :func:`xaikit.grading.variants.resolve_variant`'s ``variant_mismatch``);
- :func:`structure_flags`: cells of the original exercise deleted, duplicated or reordered;
- :func:`stale_output_flags`: outputs saved in the submitted notebook that the re-run does not
  reproduce (stale or hand-edited results), tolerant of timing noise.

Each returns a list of ``{"kind", "detail"}`` flags; none changes a score.
"""
from __future__ import annotations

import ast
import hashlib
import re

PATCHABLE = ("numpy", "shap", "sklearn", "xaikit", "pandas", "scipy", "lime", "xgboost")
GRADER_INTERNALS = ("xaikit.grading", "xaikit.answers")
#: the grader part of an exercise, and the public entry points that load it
_GRADER_PART = re.compile(r"^xaikit\.exercises\.(\w+\.grader|reference_context|graded_exercise|"
                          r"grader_part)\b")


def _is_internal(name: str) -> bool:
    return name.startswith(GRADER_INTERNALS) or bool(_GRADER_PART.match(name))


def _code(source: str) -> str:
    """Cell source as plain Python (IPython magics and shell escapes removed)."""
    lines = []
    for line in source.split("\n"):
        s = line.lstrip()
        if s.startswith(("%", "!")):
            lines.append(line[: len(line) - len(s)] + "pass")
        else:
            lines.append(line)
    return "\n".join(lines)


def parse_cell(source: str):
    """The cell's AST, or None when it is not valid Python."""
    try:
        return ast.parse(_code(source))
    except (SyntaxError, ValueError):
        return None


def _root_name(node):
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _dotted(node) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def code_cells(nb):
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def static_flags(nb, meta: dict | None = None) -> list[dict]:
    """Flags found by reading the candidate's code (never by running it)."""
    flags, seen = [], set()

    def flag(kind, detail):
        if (kind, detail) not in seen:
            seen.add((kind, detail))
            flags.append({"kind": kind, "detail": detail})

    aliases = {}  # local name -> module it stands for
    xaikit_objects = set()
    for i, cell in code_cells(nb):
        tree = parse_cell(cell.source)
        if tree is None:
            continue
        where = f"cell {i + 1}"
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if _is_internal(a.name):
                        flag("grader_import", f"{where}: import {a.name}")
                    top = a.name.split(".")[0]
                    aliases[a.asname or top] = a.name if a.asname else top
            elif isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    full = f"{node.module}.{a.name}"
                    if _is_internal(node.module) or _is_internal(full):
                        flag("grader_import", f"{where}: from {node.module} import {a.name}")
                    if node.module.split(".")[0] in PATCHABLE:
                        aliases[a.asname or a.name] = full
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if _is_internal(node.value) and re.fullmatch(r"[\w.]+", node.value):
                    flag("grader_import", f"{where}: names module {node.value!r}")
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                fn = _dotted(node.value.func)
                if fn.split(".")[-1] == "open_exercise":
                    for t in node.targets:
                        if isinstance(t, ast.Name):
                            xaikit_objects.add(t.id)
    for i, cell in code_cells(nb):
        tree = parse_cell(cell.source)
        if tree is None:
            continue
        where = f"cell {i + 1}"
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, (ast.Assign, ast.Delete)):
                targets = node.targets
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets = [node.target]
            for t in targets:
                if isinstance(t, ast.Attribute):
                    root = _root_name(t)
                    mod = aliases.get(root, "")
                    if mod.split(".")[0] in PATCHABLE or root in xaikit_objects:
                        flag("monkeypatch", f"{where}: assigns {_dotted(t) or root + '...'}")
            if isinstance(node, ast.Call):
                fn = _dotted(node.func)
                if fn in ("setattr", "delattr", "object.__setattr__") and node.args:
                    root = _root_name(node.args[0])
                    mod = aliases.get(root, "")
                    if mod.split(".")[0] in PATCHABLE or root in xaikit_objects:
                        flag("monkeypatch", f"{where}: {fn}({_dotted(node.args[0]) or root}, ...)")
            if isinstance(node, ast.Subscript) and _dotted(node.value) == "sys.modules":
                parent_assign = False
                for t in ast.walk(tree):
                    if isinstance(t, (ast.Assign, ast.Delete)) and node in getattr(t, "targets", []):
                        parent_assign = True
                if parent_assign:
                    flag("monkeypatch", f"{where}: replaces an entry of sys.modules")
            if meta and isinstance(node, ast.Call) and _dotted(node.func).split(".")[-1] == "open_exercise":
                args = [a.value for a in node.args if isinstance(a, ast.Constant)]
                kw = {k.arg: k.value.value for k in node.keywords
                      if isinstance(k.value, ast.Constant)}
                ex = args[0] if args else kw.get("exercise_id")
                if isinstance(ex, str) and ex != meta.get("exercise"):
                    flag("wrong_exercise", f"{where}: opens exercise {ex!r} but the notebook's "
                                           f"metadata says {meta.get('exercise')!r}")
    return flags


def assigned_names(nb, names) -> dict:
    """``{name: [code cell indices assigning it]}`` for the answer ``names``."""
    out = {n: [] for n in names}
    for i, cell in code_cells(nb):
        tree = parse_cell(cell.source)
        if tree is None:
            for n in names:
                if re.search(rf"^\s*{re.escape(n)}\s*=", cell.source, re.M):
                    out[n].append(i)
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in out:
                if i not in out[node.id]:
                    out[node.id].append(i)
    return out


def _fingerprint(cell) -> str:
    return hashlib.sha256((cell.cell_type + "\0" + cell.source.strip()).encode()).hexdigest()


def structure_flags(nb, reference) -> list[dict]:
    """Deleted, duplicated or reordered cells, compared with the original exercise notebook.

    Cells are matched by their id (Jupyter keeps it) or, failing that, their text; only the
    instruction cells (markdown without an answer header) are compared, since candidates edit
    code and answer cells.
    """
    from xaikit.grading.notebook import ANSWER_HEADER

    def instructions(book):
        return [(c.get("id"), _fingerprint(c)) for c in book.cells
                if c.cell_type == "markdown" and not ANSWER_HEADER.match(c.source)]

    ref = instructions(reference)
    sub = instructions(nb)
    sub_ids = [cid for cid, _ in sub]
    sub_fps = [fp for _, fp in sub]
    flags = []
    positions = []
    missing = 0
    for k, (cid, fp) in enumerate(ref):
        if cid and cid in sub_ids:
            positions.append(sub_ids.index(cid))
        elif fp in sub_fps:
            positions.append(sub_fps.index(fp))
        else:
            missing += 1
    if missing:
        flags.append({"kind": "cells_deleted",
                      "detail": f"{missing} instruction cell(s) of the exercise are missing"})
    dup_ids = {c for c in sub_ids if c and sub_ids.count(c) > 1}
    dup_fps = {f for f in sub_fps if sub_fps.count(f) > 1} - {fp for _, fp in ref
                                                              if [x for _, x in ref].count(fp) > 1}
    all_fps = [_fingerprint(c) for c in nb.cells if c.source.strip()]
    ref_all = [_fingerprint(c) for c in reference.cells if c.source.strip()]
    dup_code = {f for f in all_fps if all_fps.count(f) > max(1, ref_all.count(f))}
    if dup_ids or dup_fps or dup_code:
        flags.append({"kind": "cells_duplicated",
                      "detail": f"{len(dup_ids | dup_fps | dup_code)} cell(s) appear more than once"})
    if any(b < a for a, b in zip(positions, positions[1:])):
        flags.append({"kind": "cells_reordered",
                      "detail": "the exercise's cells are not in their original order"})
    return flags


_TIMING = re.compile(r"(\d+(\.\d+)?\s*(ms|µs|us|ns|s|sec|secs|seconds|it/s|s/it)\b|\d+%\|"
                     r"|wall time|cpu times|elapsed|took)", re.I)
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
_NUMBER = re.compile(r"[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?")


def _output_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        t = out.get("output_type")
        if t == "stream":
            parts.append(out.get("text", ""))
        elif t in ("execute_result", "display_data"):
            data = out.get("data", {})
            html = data.get("text/html", "")
            if "xaikit-check" in ("".join(html) if isinstance(html, list) else str(html)):
                continue  # an ex.check display: its wording depends on where it ran
            if any(k.startswith("image/") for k in data):
                continue  # a figure: whether it shows depends on the matplotlib backend
            if "text/plain" in data:
                v = data["text/plain"]
                parts.append("".join(v) if isinstance(v, list) else str(v))
        elif t == "error":
            parts.append(f"{out.get('ename', '')}: {out.get('evalue', '')}")
    text = "\n".join(parts)
    lines = [_ADDRESS.sub("0x?", l) for l in text.splitlines()
             if l.strip() and not _TIMING.search(l)]
    return "\n".join(l.rstrip() for l in lines)


def outputs_match(a: str, b: str, rtol: float = 1e-4, atol: float = 1e-6) -> bool:
    """Equal up to numbers within tolerance and trailing spaces (timing lines already
    removed)."""
    a = "\n".join(l.rstrip() for l in a.strip().splitlines())
    b = "\n".join(l.rstrip() for l in b.strip().splitlines())
    if _NUMBER.sub("#", a) != _NUMBER.sub("#", b):
        return False
    na = [float(m.group(0)) for m in _NUMBER.finditer(a)]
    nb_ = [float(m.group(0)) for m in _NUMBER.finditer(b)]
    return all(abs(x - y) <= atol + rtol * max(abs(x), abs(y)) for x, y in zip(na, nb_))


def stale_output_flags(submitted, executed, names, skip_cells=()) -> list[dict]:
    """Answer-bearing cells whose saved outputs the re-run does not reproduce.

    ``submitted`` and ``executed`` have the same cells in the same order (the executed notebook
    is the submission run from the top). Cells with no saved output, and cells the re-run did
    not reach (``skip_cells``), are not compared.
    """
    bearing = sorted({i for cells in assigned_names(submitted, names).values() for i in cells})
    stale = []
    for i in bearing:
        if i in skip_cells or i >= len(executed.cells):
            continue
        old = _output_text(submitted.cells[i])
        if not old:
            continue
        new = _output_text(executed.cells[i])
        if not outputs_match(old, new):
            stale.append(i + 1)
    if not stale:
        return []
    return [{"kind": "stale_output",
             "detail": "saved outputs differ from the re-run in cell(s) "
                       + ", ".join(map(str, stale))
                       + " (results produced by different code, or edited by hand)"}]
