"""Copy detection (xaikit.grading.similarity), calibrated on independent solutions.

tests/data/independent/ holds candidates' own solutions of 01_shap_vs_lime, written without
seeing each other's work (outputs cleared); the reference solution is one more. No pair of them
may be flagged; a cosmetic copy of each (comments, names, layout, string literals and cell
order changed) must be, well above THRESHOLD.
"""
import ast
import copy
import itertools
import random
import re
from pathlib import Path

import nbformat

from xaikit.exercises import get_exercise
from xaikit.grading import similarity as S
from xaikit.grading.notebook import build_exercise, set_mode, set_variant
from xaikit.grading.pipeline import reference_notebook

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "independent"
EXERCISE = get_exercise("shap_vs_lime")
SOLUTION = nbformat.read(ROOT / "solutions" / EXERCISE.notebook, as_version=4)
TEMPLATE = reference_notebook(EXERCISE)
#: a copy must score at least this much above THRESHOLD, the independent pairs this much below
MARGIN = 0.2


def independent() -> dict:
    nbs = {"reference": SOLUTION}
    for p in sorted(DATA.glob("shap_vs_lime_*.ipynb")):
        nbs[p.stem.removeprefix("shap_vs_lime_")] = nbformat.read(p, as_version=4)
    return nbs


def fingerprints(nbs: dict) -> dict:
    return {n: S.fingerprint(nb, TEMPLATE, keep=EXERCISE.answer_names)[0] for n, nb in nbs.items()}


# ---- a cosmetic copy: same code, everything a copier changes to hide it changed ----

class _Disguise(ast.NodeTransformer):
    def __init__(self, mapping, own_functions):
        self.mapping, self.own = mapping, own_functions

    def visit_Name(self, node):
        node.id = self.mapping.get(node.id, node.id)
        return node

    def visit_arg(self, node):
        node.arg = self.mapping.get(node.arg, node.arg)
        return self.generic_visit(node)

    def visit_FunctionDef(self, node):
        node.name = self.mapping.get(node.name, node.name)
        return self.generic_visit(node)

    visit_ClassDef = visit_FunctionDef

    def visit_Call(self, node):  # keyword arguments of the candidate's own functions follow
        if isinstance(node.func, ast.Name) and node.func.id in self.own:
            for kw in node.keywords:
                kw.arg = self.mapping.get(kw.arg, kw.arg)
        return self.generic_visit(node)

    def visit_FormattedValue(self, node):  # leave format specs alone
        node.value = self.visit(node.value)
        return node

    def visit_Constant(self, node):
        if isinstance(node.value, str):
            node.value = f"{node.value[::-1]} (reworded)"
        return node


_SIMPLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return, ast.Assert)


def _edit(stmts, rng, share):
    """``stmts`` with simple statements deleted, or followed by a new one, at rate ``share``."""
    out = []
    for stmt in stmts:
        for field in ("body", "orelse", "finalbody"):
            if isinstance(getattr(stmt, field, None), list) and getattr(stmt, field):
                setattr(stmt, field, _edit(getattr(stmt, field), rng, share)
                        or [ast.Pass()])
        if isinstance(stmt, _SIMPLE) and rng.random() < share:
            continue
        out.append(stmt)
        if isinstance(stmt, _SIMPLE) and rng.random() < share:
            out.append(ast.parse(f"print('step', {rng.randint(0, 9)} ** 2, len(dir()))").body[0])
    return out


def cosmetic_copy(nb, seed=0, edits=0.0):
    """``nb`` with its own code disguised: comments replaced, the names it assigns renamed,
    layout changed (``ast.unparse``, 2-space indents, blank lines), every string literal
    reworded, and its answer cells' code moved between cells (reversed order).

    ``edits``: the share of the candidate's simple statements (at any depth) deleted, and the
    same share followed by a statement of the copier's own (small edits on top of the
    disguise)."""
    rng = random.Random(seed)
    template = [c.source for c in TEMPLATE.cells if c.cell_type == "code"]
    tmpl_lines = {S._line_key(x) for s in template for x in s.split("\n")}
    code = S.candidate_code(nb, TEMPLATE)
    fixed = set(EXERCISE.answer_names) | S._template(TEMPLATE)[1]
    names = sorted(S.assigned_names(code) - fixed)
    mapping = {n: f"{rng.choice(['tmp', 'val', 'res', 'obj'])}{i}_{rng.randint(10, 99)}"
               for i, n in enumerate(names)}
    own = {n.name for n in ast.walk(ast.parse(code))
           if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    words = ["compute", "here", "now", "the", "result", "step", "loop", "check", "values"]
    out = copy.deepcopy(nb)
    changed = []
    for i, cell in enumerate(out.cells):
        if cell.cell_type != "code" or cell.source.strip() in {s.strip() for s in template}:
            continue
        src, pieces = cell.source, []
        for stmt in ast.parse(src).body:
            seg = ast.get_source_segment(src, stmt)
            if "\n" not in seg and S._line_key(seg) in tmpl_lines:
                pieces.append(seg)  # the template's lines stay as they are
                continue
            edited = _edit([stmt], rng, edits)
            if not edited:
                continue
            text = "\n".join(ast.unparse(ast.fix_missing_locations(
                _Disguise(mapping, own).visit(x))) for x in edited)
            text = re.sub(r"(?m)^((?:    )+)", lambda m: "  " * (len(m.group(1)) // 4), text)
            pieces.append(f"# {' '.join(rng.sample(words, 3))}\n{text}")
        cell.source = ("\n" * rng.randint(1, 3)).join(pieces) + "\n"
        changed.append(i)
    sources = [out.cells[i].source for i in changed]
    for i, src in zip(changed, reversed(sources)):
        out.cells[i].source = src
    return out


# ---- normalise and candidate_code ----

def test_normalise_ignores_comments_layout_docstrings_strings_and_names():
    a = ('def area(w, h=2):\n    """Doc."""\n    return w * h  # the area\n\n'
         'res = area(3, h=4)\nprint("area:", res)\n')
    b = ("def f(x,y = 2):\n  '''Other doc.'''\n  # comment\n  return x*y\n"
         "z=f(3,y=4)\nprint('result is', z)")
    assert S.normalise(a) == S.normalise(b)
    assert "Doc" not in " ".join(S.normalise(a)) and S.STR in S.normalise(a)


def test_normalise_keeps_attributes_modules_numbers_answer_names_and_library_keywords():
    toks = S.normalise("import numpy as np\nw = 3\nshap_values = np.zeros(w, dtype=float)\n"
                       "kernel_width = 1\nLib(kernel_width=kernel_width)",
                       keep=["shap_values"])
    assert toks[:4] == ["import", "numpy", "as", "np"]
    assert "shap_values" in toks and "zeros" in toks and "3" in toks and "dtype" in toks
    assert "w" not in toks and toks.count("kernel_width") == 1  # the library's parameter only


def test_normalise_survives_broken_code():
    assert S.normalise("x = (1,\n  def ][ 'unterminated") != []


def test_candidate_code_is_own_code_only():
    code = S.candidate_code(SOLUTION, TEMPLATE)
    assert "TreeExplainer" in code and "LimeTabularExplainer(" in code
    assert "ex.check" not in code and "shap_values = None" not in code
    assert "open_exercise" not in code and "ApplicantExplorer" not in code
    assert "**Answer" not in code
    assert S.candidate_code(SOLUTION, SOLUTION) == code  # a solution notebook is blanked
    assert S.candidate_code(build_exercise(SOLUTION), TEMPLATE) == ""


# ---- calibration ----

def test_at_least_six_independent_solutions():
    assert sorted(independent()) == ["c1", "c2", "c3", "c4", "c5", "reference"]


def test_independent_solutions_are_not_flagged():
    nbs = independent()
    fps = fingerprints(nbs)
    scores = {(a, b): S.score(fps[a], fps[b]) for a, b in itertools.combinations(sorted(fps), 2)}
    flagged = [p for p, s in scores.items() if s >= S.THRESHOLD]
    top = max(scores, key=scores.get)
    print(f"\nindependent: {len(nbs)} solutions, {len(scores)} pairs, highest {scores[top]:.3f} "
          f"{top}, false positives {len(flagged)}/{len(scores)}")
    for p, s in sorted(scores.items(), key=lambda x: -x[1]):
        print(f"  {p[0]:>9} {p[1]:>9} {s:.3f}")
    assert S.similar_pairs(nbs, "shap_vs_lime") == []
    assert not flagged and scores[top] <= S.THRESHOLD - MARGIN


def test_cosmetic_copies_are_flagged():
    nbs = independent()
    lowest = 1.0
    for seed, (name, nb) in enumerate(sorted(nbs.items())):
        disguised = cosmetic_copy(nb, seed)
        assert S.candidate_code(disguised, TEMPLATE) != S.candidate_code(nb, TEMPLATE)
        pairs = S.similar_pairs({name: nb, "copy": disguised, **{
            n: o for n, o in nbs.items() if n != name}}, "shap_vs_lime")
        assert [(a, b) for a, b, _ in pairs] == [tuple(sorted((name, "copy")))], pairs
        s = pairs[0][2]
        print(f"cosmetic copy of {name}: {s:.2f}")
        lowest = min(lowest, s)
    print(f"lowest cosmetic-copy score {lowest:.2f} (threshold {S.THRESHOLD})")
    assert lowest >= S.THRESHOLD + MARGIN


def test_edited_copies_are_flagged():
    """A disguised copy with one statement in ten deleted and one in ten followed by the
    copier's own statement."""
    nbs = independent()
    fps = fingerprints(nbs)
    scores = []
    for seed, (name, nb) in enumerate(sorted(nbs.items())):
        for k in range(3):
            edited = cosmetic_copy(nb, 100 * seed + k, edits=0.1)
            s = S.score(fps[name], fingerprints({"x": edited})["x"])
            scores.append(s)
    print(f"edited copies: lowest {min(scores):.2f}, median {sorted(scores)[len(scores) // 2]:.2f}")
    assert min(scores) >= S.THRESHOLD


def test_blank_hand_ins_are_never_flagged():
    blank = build_exercise(SOLUTION)
    a = set_variant(set_mode(blank, "take-home"), 11, "a")
    b = set_variant(set_mode(blank, "take-home"), 22, "b")
    c = copy.deepcopy(b)  # nearly blank: the same one-liner
    c.cells[8].source += "\nprint(shap_values)"
    d = copy.deepcopy(a)
    d.cells[8].source += "\nprint(shap_values)"
    assert S.fingerprint(c, TEMPLATE)[1] < S.MIN_TOKENS
    assert S.similar_pairs({"a": a, "b": b, "c": c, "d": d}, "shap_vs_lime") == []


def test_other_exercises_and_unloadable_notebooks_are_ignored():
    other = copy.deepcopy(SOLUTION)
    other.metadata["xaikit"]["exercise"] = "pdp_ice"
    assert S.similar_pairs({"a": SOLUTION, "b": other, "c": None}, "shap_vs_lime") == []


def _report(name, exercise="shap_vs_lime"):
    return {"candidate": name, "exercise": exercise, "flags": [{"kind": "x", "detail": "y"}]}


def test_flag_similar_flags_both_naming_each_other_once():
    nbs = independent()
    c1 = nbs["c1"]
    notebooks = {"alice": c1, "bob": cosmetic_copy(c1, 7), "carol": nbs["reference"],
                 "dave": c1}
    reports = [_report("alice"), _report("bob"), _report("carol"), _report("dave", None)]
    for _ in range(2):  # a second run replaces the flags, never duplicates them
        S.flag_similar(reports, notebooks)
        alice, bob, carol, dave = reports
        sim = [[f for f in r["flags"] if f["kind"] == "similar_submission"] for r in reports]
        assert len(sim[0]) == len(sim[1]) == 1 and sim[2] == sim[3] == []
        assert re.fullmatch(r"code near-identical to bob \(similarity (0\.\d\d|1\.00)\)",
                            sim[0][0]["detail"])
        assert sim[1][0]["detail"] == sim[0][0]["detail"].replace("bob", "alice")
        assert {"kind": "x", "detail": "y"} in alice["flags"]


def test_load_notebooks_skips_what_does_not_load(tmp_path):
    good, bad = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    nbformat.write(SOLUTION, good)
    bad.write_text("{not json")
    paths = [good, bad, tmp_path / "missing.ipynb"]
    loaded = S.load_notebooks(paths, {p: p.stem for p in paths})
    assert list(loaded) == ["a"] and loaded["a"].metadata["xaikit"]["exercise"] == "shap_vs_lime"


def test_fast_enough_for_a_batch():
    import time

    nbs = independent()
    batch = {f"{n}_{i}": nb for i in range(10) for n, nb in nbs.items()}
    t = time.perf_counter()
    pairs = S.similar_pairs(batch, "shap_vs_lime")
    assert time.perf_counter() - t < 30
    assert len(pairs) == len(nbs) * 45  # the identical copies, and only those
