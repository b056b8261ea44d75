"""Calibration of the distillation tolerances over 20 variants (kept as a test).

TOL_FIDELITY must absorb a legitimate difference (another tie-breaking ``random_state``) and
still separate the typical mistakes and other variants' numbers. Run with ``-s`` to see the
figures.
"""
import numpy as np
import pytest

from xaikit import distill as D
from xaikit.answers import roundtrip
from xaikit.exercises import graded_exercise, run_check
from xaikit.exercises.distillation import grader as Q
from xaikit.exercises.distillation.public import PRED_DEPTH, build_context
from xaikit.exercises.formats import format_check

VARIANTS = range(20)
EX = graded_exercise("distillation")


@pytest.fixture(scope="module")
def contexts():
    """The grader's reference contexts of 20 variants (public context + references)."""
    return [Q.reference_context(build_context(v)) for v in VARIANTS]


def test_reference_answers_pass_in_every_variant(contexts):
    for ctx in contexts:
        ans = {"fidelity": ctx.curve.fidelity, "chosen_depth": ctx.ref_depth,
               "depth3_pred": ctx.curve.surrogate(PRED_DEPTH).predict(ctx.X_eval),
               "subgroup_fidelity": ctx.subgroup_fidelity(), "worst_subgroup": ctx.ref_worst}
        formats = EX.answer_formats(ctx.ctx)
        for q in EX.questions:
            if q.kind == "auto":
                r = run_check(q, ans, ctx)
                assert r.status == "correct", (ctx.variant, q.id, r.feedback)
                r = format_check(q, {k: roundtrip(v) for k, v in ans.items()}, formats)
                assert r.feedback == "recorded", (ctx.variant, q.id, r.feedback)


def test_tie_breaking_seed_within_tolerance(contexts):
    """Other random_state values (ties between equally good splits): 2 variants x 10 seeds."""
    worst, worst_sub = 0.0, 0.0
    for ctx in contexts[:2]:
        for seed in range(1, 11):
            curve = Q.fidelity_curve(ctx.X_fit, ctx.teacher_fit, ctx.X_eval, ctx.teacher_eval,
                                     random_state=seed)
            worst = max(worst, float(np.abs(curve.fidelity - ctx.curve.fidelity).max()))
            s = curve.surrogate(ctx.ref_depth).predict(ctx.X_eval)
            sub = Q.subgroup_fidelity(ctx.teacher_eval, s, ctx.subgroups)
            ref = ctx.subgroup_fidelity()
            worst_sub = max(worst_sub, max(abs(sub[k] - ref[k]) for k in ref))
    print(f"\nfidelity under another random_state: max diff {worst:.4f} (all depths), "
          f"subgroups at the chosen depth {worst_sub:.4f} (tol {Q.TOL_FIDELITY})")
    # a forgotten random_state passes at the chosen depth; at depth 8 it may not
    assert worst_sub <= Q.TOL_FIDELITY
    assert worst <= 2 * Q.TOL_FIDELITY


def test_mistakes_and_other_variants_exceed_tolerance(contexts):
    gaps = {}
    for ctx in contexts:
        for hint, alt in Q._alternatives(ctx).items():
            key = hint.split(":")[0][:40]
            gaps[key] = min(gaps.get(key, np.inf),
                            float(np.abs(alt - ctx.curve.fidelity).max()))
    F = np.array([c.curve.fidelity for c in contexts])
    between = min(float(np.abs(F[i] - F[j]).max())
                  for i in range(len(F)) for j in range(i + 1, len(F)))
    for k, g in gaps.items():
        print(f"\nmistake '{k}...': smallest max-diff over variants {g:.4f}")
    print(f"\nother variants' fidelity arrays: smallest max-diff {between:.4f} "
          f"(tol {Q.TOL_FIDELITY})")
    # mistakes in how fidelity is computed are far outside the tolerance; mistakes in which
    # rows or targets the tree learns from can be within it: depth3_pred catches those
    for k, g in gaps.items():
        if k.startswith(("Fidelity compares", "Measure fidelity", "r2_score")):
            assert g > 2 * Q.TOL_FIDELITY, k
    assert between > Q.TOL_FIDELITY


def test_targets_and_worst_groups_are_unambiguous(contexts):
    margins = [float(np.min(np.abs(c.curve.fidelity - c.target))) for c in contexts]
    gaps = []
    for c in contexts:
        v = sorted(c.subgroup_fidelity().values())
        gaps.append(v[1] - v[0])
    print(f"\nclosest fidelity to the target: {min(margins):.4f} (need {Q.TARGET_MARGIN}); "
          f"worst subgroup gap: {min(gaps):.4f} (need {Q.WORST_MARGIN}); groupings used: "
          f"{sorted({c.grouping for c in contexts})}, targets {sorted({c.target for c in contexts})}")
    assert min(margins) >= Q.TARGET_MARGIN and min(gaps) >= Q.WORST_MARGIN


def test_depth3_predictions_separate_the_row_mistakes(contexts):
    worst_ok, closest_bad = 0.0, np.inf
    for ctx in contexts:
        ref = ctx.curve.surrogate(PRED_DEPTH).predict(ctx.X_eval)
        for seed in (1, 2):  # no ties at depth 3: another random_state gives the same tree
            other = Q.fit_surrogate(ctx.X_fit, ctx.teacher_fit, PRED_DEPTH, random_state=seed)
            worst_ok = max(worst_ok, float(np.abs(other.predict(ctx.X_eval) - ref).max()))
        y_fit = ctx.trained.y_train.loc[ctx.fit_rows]
        labels = Q.fit_surrogate(ctx.X_fit, y_fit, PRED_DEPTH, random_state=ctx.seed)
        closest_bad = min(closest_bad, float(np.abs(labels.predict(ctx.X_eval) - ref).max()))
    print(f"\ndepth-3 predictions: other seeds max diff {worst_ok:.2e}, tree fit to labels "
          f"at least {closest_bad:.2f} rentals/h away (tol {Q.TOL_PRED})")
    assert worst_ok <= Q.TOL_PRED / 10 and closest_bad > 100 * Q.TOL_PRED


def test_a_low_subgroup_r2_has_either_cause(contexts):
    """q3's text: a subgroup's R² is 1 - MSE / Var(teacher) within the subgroup, so a low value
    comes from large errors or from a teacher that varies little there. Over the 20 variants
    both happen for the worst subgroup (so the text names both and assumes neither)."""
    large_error, little_variation = [], []
    for ctx in contexts:
        s = ctx.curve.surrogate(ctx.ref_depth).predict(ctx.X_eval)
        g, t = np.asarray(ctx.subgroups), ctx.teacher_eval
        sf = ctx.subgroup_fidelity()
        for k, r2 in sf.items():  # the identity the text states
            assert abs(1 - np.mean((t[g == k] - s[g == k]) ** 2) / np.var(t[g == k]) - r2) < 1e-9
        w = ctx.ref_worst
        rmse = {k: np.sqrt(np.mean((t[g == k] - s[g == k]) ** 2)) for k in sf}
        std = {k: t[g == k].std() for k in sf}
        if rmse[w] == max(rmse.values()) and std[w] != min(std.values()):
            large_error.append((ctx.variant, w))
        if std[w] == min(std.values()) and rmse[w] != max(rmse.values()):
            little_variation.append((ctx.variant, w))
    print(f"\nworst subgroup with the largest RMSE, not the smallest teacher std: {large_error}; "
          f"with the smallest teacher std, not the largest RMSE: {little_variation}")
    assert large_error and little_variation


def test_explorer_depth_can_differ_from_the_questions(contexts):
    """The text above the explorer: on its own rows the depth reaching TARGET can differ from
    q2's answer (its subgroups are another grouping than q3's: tests/test_distillation.py)."""
    other_depth = []
    for ctx in contexts:
        e = D.explorer_surrogates(ctx.ctx)
        if Q.smallest_depth(e.depths, e.fidelity, ctx.target) != ctx.ref_depth:
            other_depth.append(ctx.variant)
    print(f"\nthe explorer's depth differs from q2's in variants {other_depth}")
    assert other_depth
