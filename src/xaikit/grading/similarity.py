"""Copy detection in a batch: flag two hand-ins whose own code is near-identical.

Only the candidate's own code is compared (:func:`candidate_code`): the code cells they changed
or added, without the template's lines. It is normalised (:func:`normalise`: comments, layout,
docstrings dropped; string literals -> one placeholder; the names the candidate assigns ->
canonical names per statement) and fingerprinted by winnowing the hashes of its token k-grams,
the algorithm of MOSS:

    S. Schleimer, D. S. Wilkerson and A. Aiken (2003). "Winnowing: local algorithms for document
    fingerprinting". Proc. ACM SIGMOD 2003, 76-85. doi:10.1145/872757.872770

Any run of at least ``K + WINDOW - 1`` tokens shared by two hand-ins yields a shared
fingerprint, whatever the order of the cells (each cell is fingerprinted on its own). The score
of a pair is the Jaccard index of their fingerprint sets, in [0, 1].
"""
from __future__ import annotations

import ast
import hashlib
import io
import re
import tokenize
from itertools import combinations
from pathlib import Path

#: Pairs scoring at least this are flagged. Calibrated (tests/test_similarity.py) on six
#: independent solutions of 01_shap_vs_lime (five candidates' and the reference solution,
#: tests/data/independent/): their 15 pairs score 0.01-0.14 (the highest: two solutions written
#: in the style the exercise suggests). Cosmetic copies of each (comments, names, layout,
#: string literals, cell order changed) score 1.00; with one statement in ten also deleted and
#: one in ten added, 0.42-0.89 (median 0.71); one in five: median 0.53, 92% flagged.
THRESHOLD = 0.4
#: Hand-ins with fewer normalised tokens of their own are never compared (blank or near-blank;
#: the shortest plausible answer to one question is about 30 tokens).
MIN_TOKENS = 40
#: k-gram length (tokens) and winnowing window (k-grams).
K = 10
WINDOW = 5
STR = "<str>"

_OPEN_CALL = re.compile(r"open_exercise\(.*")
_TAIL_COMMENT = re.compile(r"\s+#[^'\"]*$")
_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
         tokenize.ENCODING, tokenize.ENDMARKER}
_STATEMENT_END = (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)


def _line_key(line: str) -> str:
    """A line as compared with the template's: no whitespace, no trailing comment, and the
    ``open_exercise(...)`` call (variant and mode differ per hand-in) cut after its name."""
    return _OPEN_CALL.sub("open_exercise(", re.sub(r"\s+", "", _TAIL_COMMENT.sub("", line)))


def _template(reference_nb):
    """``(line keys, top-level names)`` of the blank exercise."""
    from xaikit.grading.notebook import build_exercise, has_solution_markers

    if has_solution_markers(reference_nb):
        reference_nb = build_exercise(reference_nb)
    sources = [c.source for c in reference_nb.cells if c.cell_type == "code"]
    lines = {_line_key(x) for s in sources for x in s.split("\n")} - {""}
    names = set()  # model, X_test, ex, the placeholders...: fixed by the exercise
    for s in sources:
        try:
            body = ast.parse(s).body
        except (SyntaxError, ValueError):
            continue
        for node in body:
            for target in filter(None, getattr(node, "targets", None) or
                                 [getattr(node, "target", None)]):
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return lines, names


def candidate_cells(nb, reference_nb, template=None) -> list[str]:
    """The candidate's own code, one string per code cell (see :func:`candidate_code`)."""
    lines = (template or _template(reference_nb))[0]
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        own = [x for x in str(cell.source).split("\n")
               if _line_key(x) not in lines and not x.lstrip().startswith(("%", "!"))]
        if "".join(own).strip():
            out.append("\n".join(own).strip("\n"))
    return out


def candidate_code(nb, reference_nb) -> str:
    """The candidate's own code in ``nb``.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The hand-in.
    reference_nb : nbformat.NotebookNode
        The blank exercise (``build_exercise`` of the solution notebook); a solution notebook
        is blanked here.

    Returns
    -------
    str
        The code cells that differ from the template's, without the template's lines
        (placeholders ``x = None``, ``ex.check(...)``, set-up), and the cells the candidate
        added, separated by blank lines. Never markdown, IPython magics or shell escapes.
    """
    return "\n\n".join(candidate_cells(nb, reference_nb))


def assigned_names(code: str) -> set[str]:
    """Names ``code`` binds: assignment and loop targets, functions, classes, arguments (not
    import aliases: module names are kept as written). Code that does not parse: ``name =``."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return set(re.findall(r"^\s*([A-Za-z_]\w*)\s*=(?!=)", code, re.M))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            found.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.add(node.name)
    return found


def _raw_tokens(code: str) -> list[tuple[int, str]]:
    """``(type, text)`` from :mod:`tokenize`: up to the error in code that does not tokenize."""
    out = []
    try:
        for t in tokenize.generate_tokens(io.StringIO(code).readline):
            out.append((t.type, t.string))
    except (tokenize.TokenError, SyntaxError):
        pass
    return out


def normalise(code: str, assigned=None, keep=()) -> list[str]:
    """The token sequence compared for copies.

    Parameters
    ----------
    code : str
        Python source.
    assigned : set of str, optional
        Names to rename; default :func:`assigned_names` of ``code``.
    keep : iterable of str
        Names never renamed (the answer variables, the template's names).

    Returns
    -------
    list of str
        Tokens of ``ast.unparse(code)`` (one layout; ``code`` itself if it does not parse)
        without comments, line breaks, indentation or docstrings; string literals (adjacent
        ones merged) are ``"<str>"``; renamed names are ``v1``, ``v2``... in order of first
        appearance in their statement (an inserted or deleted statement renumbers no other).
        Attribute names, keyword names in calls of others' code (a library's parameters),
        other names, keywords, operators and numbers stay as written.
    """
    rename = (assigned_names(code) if assigned is None else set(assigned)) - set(keep)
    try:
        code = ast.unparse(ast.parse(code))
    except (SyntaxError, ValueError, RecursionError):
        pass
    sig = [(t, s) for t, s in _raw_tokens(code) if t not in (tokenize.COMMENT, tokenize.NL)]
    out, names, raw = [], {}, ["", ""]  # raw: the last two tokens as written
    own = []  # per open bracket: a call of the candidate's own function (or its ``def``)?
    for i, (typ, text) in enumerate(sig):
        if typ == tokenize.NEWLINE:
            names.clear()
        if typ in _SKIP or not text.strip():
            continue
        nxt = sig[i + 1] if i + 1 < len(sig) else (tokenize.ENDMARKER, "")
        if typ == tokenize.STRING:
            if (sig[i - 1][0] if i else tokenize.NEWLINE) in _STATEMENT_END and \
                    nxt[0] in _STATEMENT_END:
                continue  # a docstring or a bare string statement
            if not (out and out[-1] == STR):
                out.append(STR)
            raw = [raw[1], STR]
            continue
        shown = text
        if text in ("(", "[", "{"):
            own.append(text == "(" and (raw[0] == "def" or raw[1] in rename and raw[0] != "."))
        elif text in (")", "]", "}") and own:
            own.pop()
        elif typ == tokenize.NAME and text in rename and raw[1] != ".":
            if not (nxt[1] == "=" and own and not own[-1]):  # not a library's keyword
                shown = names.setdefault(text, f"v{len(names) + 1}")
        out.append(shown)
        raw = [raw[1], text]
    return out


def winnow(tokens: list[str], k: int = K, window: int = WINDOW) -> set[int]:
    """Winnowed fingerprints of ``tokens`` (Schleimer et al. 2003): the minimum of every
    ``window`` consecutive (64-bit BLAKE2b) hashes of token k-grams."""
    hashes = [int.from_bytes(hashlib.blake2b("\x1f".join(tokens[i:i + k]).encode(),
                                             digest_size=8).digest(), "big")
              for i in range(len(tokens) - k + 1)]
    if len(hashes) <= window:
        return set(hashes)
    return {min(hashes[i:i + window]) for i in range(len(hashes) - window + 1)}


def fingerprint(nb, reference_nb, keep=(), template=None) -> tuple[set[int], int]:
    """``(fingerprints, number of tokens)`` of the candidate's own code in ``nb``.

    Each cell is normalised and winnowed on its own; the names assigned anywhere in the
    candidate's code are renamed in every cell, except ``keep`` and the template's names.
    """
    template = template or _template(reference_nb)
    cells = candidate_cells(nb, reference_nb, template)
    assigned = set().union(*map(assigned_names, cells))
    prints, count = set(), 0
    for cell in cells:
        tokens = normalise(cell, assigned, set(keep) | template[1])
        count += len(tokens)
        prints |= winnow(tokens)
    return prints, count


def score(a: set[int], b: set[int]) -> float:
    """Jaccard index of two fingerprint sets, in [0, 1] (0 when both are empty)."""
    shared = len(a & b)
    union = len(a) + len(b) - shared
    return shared / union if union else 0.0


def similar_pairs(notebooks: dict, exercise_id: str,
                  threshold: float | None = None) -> list[tuple[str, str, float]]:
    """Pairs of hand-ins of ``exercise_id`` whose own code is near-identical.

    Parameters
    ----------
    notebooks : dict
        ``{candidate name: NotebookNode}``; notebooks of other exercises are ignored.
    exercise_id : str
        The exercise compared (its template: ``pipeline.reference_notebook``).
    threshold : float, optional
        Default :data:`THRESHOLD`.

    Returns
    -------
    list of (str, str, float)
        ``(a, b, score)``, ``a < b``, ``score >= threshold`` (rounded to 2 decimals), highest
        first. Hand-ins with under :data:`MIN_TOKENS` tokens of their own, or unreadable, are
        skipped (a hostile notebook never raises here).
    """
    from xaikit.exercises import get_exercise
    from xaikit.grading.pipeline import reference_notebook

    exercise = get_exercise(exercise_id)
    ref = reference_notebook(exercise)
    if ref is None:
        return []
    template = _template(ref)
    threshold = THRESHOLD if threshold is None else threshold
    prints = {}
    for name, nb in notebooks.items():
        try:
            if (nb.metadata.get("xaikit") or {}).get("exercise") != exercise_id:
                continue
            fp, count = fingerprint(nb, ref, exercise.answer_names, template)
        except Exception:  # noqa: BLE001 - a hand-in that cannot be read is skipped
            continue
        if count >= MIN_TOKENS and fp:
            prints[name] = fp
    pairs = [(a, b, score(prints[a], prints[b])) for a, b in combinations(sorted(prints), 2)]
    return sorted([(a, b, round(s, 2)) for a, b, s in pairs if s >= threshold],
                  key=lambda p: (-p[2], p[0], p[1]))


def flag_similar(reports: list[dict], notebooks: dict) -> None:
    """Flag ``similar_submission`` on both reports of each near-identical pair.

    Parameters
    ----------
    reports : list of dict
        Grading reports (``candidate``, ``exercise``, ``flags``), changed in place: each of a
        pair (same exercise) gets ``{"kind": "similar_submission", "detail": "code
        near-identical to <other> (similarity 0.93)"}``. Earlier such flags are replaced (a
        re-graded batch never duplicates them). No score changes.
    notebooks : dict
        ``{candidate: NotebookNode}``, the hand-ins (see :func:`load_notebooks`).
    """
    groups = {}
    for rep in reports:
        rep["flags"] = [f for f in rep.get("flags", []) if f.get("kind") != "similar_submission"]
        if rep.get("exercise") and rep.get("candidate") in notebooks:
            groups.setdefault(rep["exercise"], {})[rep["candidate"]] = rep
    for exercise_id, reps in groups.items():
        try:
            pairs = similar_pairs({n: notebooks[n] for n in reps}, exercise_id)
        except KeyError:  # an exercise this installation does not know
            continue
        for a, b, s in pairs:
            for me, other in ((a, b), (b, a)):
                reps[me]["flags"].append({"kind": "similar_submission", "detail":
                                          f"code near-identical to {other} (similarity {s:.2f})"})


def load_notebooks(paths, names: dict) -> dict:
    """``{names[path]: NotebookNode}`` of the hand-ins that load as notebooks (never raises)."""
    from xaikit.grading.pipeline import load_submission

    out = {}
    for p in paths:
        try:
            out[names[p]] = load_submission(Path(p).read_bytes())[0]
        except (OSError, ValueError, KeyError):
            pass
    return out
