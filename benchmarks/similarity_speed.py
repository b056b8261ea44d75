"""Speed of copy detection (xaikit.grading.similarity) on a batch of synthetic hand-ins.

Builds ``--n`` hand-ins of 01_shap_vs_lime (default 200, i.e. 19,900 pairs) from the
independent solutions in tests/data/independent/ and the reference solution: hand-in ``i`` is
solution ``i mod 6`` with each answer cell replaced, with probability 1/2, by the same cell of
another solution, and its variables suffixed with ``_i``. Prints the wall time of
``similar_pairs`` over the batch (fingerprinting included) and of the pairwise comparison alone.

Usage: ``.venv/bin/python benchmarks/similarity_speed.py [--n 200] [--repeat 3]``.
"""
from __future__ import annotations

import argparse
import copy
import random
import re
import statistics
import time
from pathlib import Path

import nbformat

from xaikit.exercises import get_exercise
from xaikit.grading import similarity as S
from xaikit.grading.notebook import set_variant
from xaikit.grading.pipeline import reference_notebook

ROOT = Path(__file__).resolve().parents[1]


def synthetic_batch(n: int, seed: int = 0) -> dict:
    exercise = get_exercise("shap_vs_lime")
    template = reference_notebook(exercise)
    answer_ids = {c.get("id") for c in template.cells
                  if c.cell_type == "code" and "ex.check(" in c.source}
    sources = [nbformat.read(ROOT / "solutions" / exercise.notebook, as_version=4)]
    sources += [nbformat.read(p, as_version=4)
                for p in sorted((ROOT / "tests" / "data" / "independent").glob("*.ipynb"))]
    by_id = [{c.get("id"): c.source for c in nb.cells} for nb in sources]
    rng = random.Random(seed)
    batch = {}
    for i in range(n):
        nb = set_variant(copy.deepcopy(sources[i % len(sources)]), i, f"cand{i:03d}")
        names = S.assigned_names(S.candidate_code(nb, template)) - set(exercise.answer_names)
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names))) + r")\b")
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            if cell.get("id") in answer_ids and rng.random() < 0.5:
                cell.source = by_id[rng.randrange(len(sources))].get(cell.get("id"), cell.source)
            if names:
                cell.source = pattern.sub(lambda m: f"{m.group(1)}_{i}", cell.source)
        batch[f"cand{i:03d}"] = nb
    return batch


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    batch = synthetic_batch(args.n)
    template = reference_notebook(get_exercise("shap_vs_lime"))
    S.similar_pairs(dict(list(batch.items())[:2]), "shap_vs_lime")  # imports, warm-up
    totals, compares = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        pairs = S.similar_pairs(batch, "shap_vs_lime")
        totals.append(time.perf_counter() - t)
        prints = [S.fingerprint(nb, template)[0] for nb in batch.values()]
        t = time.perf_counter()
        for a in range(len(prints)):
            for b in range(a + 1, len(prints)):
                S.score(prints[a], prints[b])
        compares.append(time.perf_counter() - t)
    n_pairs = args.n * (args.n - 1) // 2
    print(f"{args.n} hand-ins, {n_pairs:,} pairs: similar_pairs {statistics.median(totals):.2f} s "
          f"(median of {args.repeat}; pairwise comparison alone "
          f"{statistics.median(compares):.2f} s); {len(pairs)} pairs >= {S.THRESHOLD}")


if __name__ == "__main__":
    main()
