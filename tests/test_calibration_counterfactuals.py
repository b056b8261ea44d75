"""Calibration of the counterfactuals tolerances over 20 variants (kept as a test).

For each tolerance: what answers found by other legitimate searches score (must sit under the
bound, with headroom), and that the grader's own answers pass in every variant. Run with ``-s``
to see the figures.
"""
import time
from itertools import combinations

import numpy as np
import pytest

from xaikit import counterfactuals as CF
from xaikit.exercises import graded_exercise, reference_context, run_check
from xaikit.exercises.counterfactuals import grader as Q

VARIANTS = range(20)
EX = graded_exercise("counterfactuals")


@pytest.fixture(scope="module")
def contexts():
    return [reference_context("counterfactuals", v) for v in VARIANTS]


def _labels(contexts):
    return sorted({a for c in contexts for a in c.applicants})


def _alt_per_set(ctx, label, grid_kind):
    """Cheapest plausible valid counterfactual per feature set, from another grid (pairs only
    where neither change flips alone, as the exercise asks)."""
    x = ctx.X_all.loc[label].to_numpy(float)
    cons = ctx.constraints
    mutable = [j for j in range(len(x)) if cons.mutable[j]]

    def grid(j):
        lo = cons.low[j]
        if cons.integer[j]:
            v = np.arange(lo, x[j])
        elif grid_kind == "anchored":  # multiples of 0.005, not offsets from the applicant
            v = np.arange(np.ceil(lo / 0.005) * 0.005, x[j], 0.005)
        elif grid_kind == "coarse":  # steps of 0.01 from the applicant
            v = x[j] - 0.01 * np.arange(1, int((x[j] - lo) / 0.01) + 1)
        else:  # "quantile": percentiles of the training data
            v = np.unique(np.quantile(ctx.X_train.iloc[:, j], np.linspace(0, 1, 101)))
        return v[(v < x[j]) & (v >= lo)]

    grids = {j: grid(j) for j in mutable}
    alone = {}
    for j in mutable:
        C = np.repeat(x[None], len(grids[j]), 0)
        C[:, j] = grids[j]
        alone[j] = CF.deny_probability(ctx.model, C) if len(C) else np.empty(0)
    out = []
    for k in (1, 2):
        for s in combinations(mutable, k):
            vals = [grids[j] if k == 1 else grids[j][alone[j] >= CF.THRESHOLD] for j in s]
            mesh = np.meshgrid(*vals, indexing="ij")
            if mesh[0].size == 0:
                continue
            C = np.repeat(x[None], mesh[0].size, 0)
            for j, m in zip(s, mesh):
                C[:, j] = m.ravel()
            ok = CF.deny_probability(ctx.model, C) < CF.THRESHOLD
            if not ok.any():
                continue
            C = C[ok]
            d = Q.distance(x, C, ctx.scale)
            cheap = np.argsort(d, kind="stable")[:200]  # plausibility of the cheapest only
            near = ctx.plausibility.nearest(C[cheap], exclude=label)
            plausible = cheap[near <= ctx.plausibility.threshold]
            if len(plausible):
                out.append((float(d[plausible[0]]), C[plausible[0]]))
    return sorted(out, key=lambda t: t[0])


def test_reference_answers_pass_in_every_variant(contexts):
    for ctx in contexts:
        ans = {"mad": Q.mad_scale(ctx.X_train),
               "plausibility_threshold": ctx.plausibility.threshold,
               "counterfactuals": ctx.ref_minimal, "diverse_set": ctx.ref_diverse}
        for q in EX.questions:
            if q.kind == "auto":
                r = run_check(q, ans, ctx)
                assert r.status == "correct", (ctx.variant, q.id, r.feedback)


def test_proximity_factor_has_headroom(contexts):
    ratios = {"anchored": [], "coarse": [], "quantile": []}
    for label in _labels(contexts):
        ref = Q.reference_search(label).distance
        for kind in ratios:
            ratios[kind].append(_alt_per_set(contexts[0], label, kind)[0][0] / ref)
    for kind, r in ratios.items():
        print(f"\nminimal counterfactual, {kind} grid: distance / grader's minimum over "
              f"{len(r)} applicants: min {min(r):.3f}, max {max(r):.3f} "
              f"(bound {Q.PROXIMITY_FACTOR})")
    # the stated step (0.005) on a differently anchored grid is well inside the bound; grids
    # coarser than the stated step (0.01, or data percentiles) can exceed it for some
    # applicants: reported, not asserted (the notebook asks for a step of 0.005 or finer)
    assert max(ratios["anchored"]) <= Q.PROXIMITY_FACTOR - 0.1


def test_set_proximity_factor_has_headroom(contexts):
    """Another sensible diverse set: from an anchored grid, greedy; and the 'most spread'
    choice among the six cheapest feature sets, for applicants that have six (with fewer, the
    most spread three include the most expensive option, which the check should call
    expensive: reported, not asserted)."""
    greedy, spread, few = [], [], []
    for label in sorted({c.diverse_applicant for c in contexts}):
        ctx = next(c for c in contexts if c.diverse_applicant == label)
        x = ctx.X_all.loc[label].to_numpy(float)
        ref_mean = Q.distance(x, ctx.ref_diverse, ctx.scale).mean()
        entries = _alt_per_set(ctx, label, "anchored")
        rows = []
        for d, c in entries:
            if all(Q.distance(r, c[None], ctx.scale)[0] >= Q.DIVERSITY_MIN_PAIRWISE
                   for r in rows):
                rows.append(c)
            if len(rows) == 3:
                break
        greedy.append(Q.distance(x, np.array(rows), ctx.scale).mean() / ref_mean)
        best = max((s for s in combinations(entries[:6], 3)),
                   key=lambda s: Q.diversity([c for _, c in s], x, ctx.scale)["min_pairwise"])
        (spread if len(entries) >= 6 else few).append(np.mean([d for d, _ in best]) / ref_mean)
    print(f"\ndiverse set mean distance / grader's over {len(greedy)} applicants: greedy on "
          f"another grid max {max(greedy):.3f}; most spread of the 6 cheapest max "
          f"{max(spread):.3f} over {len(spread)} applicants with six or more feature sets "
          f"(most spread of all, {len(few)} with fewer: max {max(few, default=0):.3f}) "
          f"(bound {Q.SET_PROXIMITY_FACTOR})")
    assert len(spread) >= 10
    assert max(greedy) <= Q.SET_PROXIMITY_FACTOR - 0.5
    assert max(spread) <= Q.SET_PROXIMITY_FACTOR - 0.1


def test_exhaustive_search_is_fast(contexts):
    ctx = contexts[0]
    t0 = time.perf_counter()
    n = 0
    for a in ctx.applicants:
        n += Q.exhaustive_minimum(ctx.model, ctx.X_all.loc[a].to_numpy(float),
                                  ctx.constraints, ctx.scale).n_evaluated
    dt = (time.perf_counter() - t0) / len(ctx.applicants)
    print(f"\nexhaustive constrained search: {dt * 1000:.0f} ms per applicant, "
          f"{n // len(ctx.applicants)} candidate rows scored")
    assert dt < 1.0


def test_variants_differ(contexts):
    firsts = [c.diverse_applicant for c in contexts]
    sets = [tuple(c.applicants) for c in contexts]
    print(f"\n{len(set(sets))} distinct applicant lists and {len(set(firsts))} distinct q3 "
          f"applicants over {len(contexts)} variants")
    assert len(set(sets)) == len(sets)  # copying another variant's q2 rows fails
    assert len(set(firsts)) >= 15
