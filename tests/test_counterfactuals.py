"""Every check of counterfactuals, three ways: reference passes, known wrong answers fail with
the right hint, the untouched placeholder is not attempted. Plus the computation modules."""
import json
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xaikit import counterfactuals as CF
from xaikit.exercises import graded_exercise, reference_context
from xaikit.exercises.counterfactuals import grader as G
from three_way import three_way

EX = graded_exercise("counterfactuals")
check, test_reference_answer_is_correct, test_placeholder_is_not_attempted = \
    three_way(EX)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ctx():
    return reference_context("counterfactuals", 0)


@pytest.fixture(scope="module")
def ref(ctx):
    return {"mad": G.mad_scale(ctx.X_train),
            "plausibility_threshold": ctx.plausibility.threshold,
            "counterfactuals": pd.DataFrame(ctx.ref_minimal, columns=ctx.feature_names),
            "diverse_set": ctx.ref_diverse}


def _cfs(ref, i, **changes):
    """The reference counterfactuals with row i's features changed (raw values)."""
    out = ref["counterfactuals"].copy()
    for f, v in changes.items():
        out.loc[out.index[i], f] = v
    return out


# --- q1 ---------------------------------------------------------------------------------------

def test_q1_mad_with_zeros_fails_with_hint(ref, ctx):
    raw = np.median(np.abs(ctx.X_train - ctx.X_train.median()), axis=0)
    r = check("q1", {**ref, "mad": raw}, ctx)
    assert r.status == "partial" and r.score == 0.5
    assert "use 1" in r.hint


def test_q1_standard_deviation_is_named(ref, ctx):
    r = check("q1", {**ref, "mad": ctx.X_train.std().to_numpy()}, ctx)
    assert "standard deviation" in r.feedback


def test_q1_mad_of_test_rows_is_named(ref, ctx):
    r = check("q1", {**ref, "mad": G.mad_scale(ctx.X_test)}, ctx)
    assert "test rows" in r.feedback and "X_train" in r.hint


def test_q1_self_distance_threshold(ref, ctx):
    r = check("q1", {**ref, "plausibility_threshold": 0.0}, ctx)
    assert r.status == "partial" and "n_neighbors=2" in r.hint


def test_q1_wrong_shape_is_a_format_error(ref, ctx):
    r = check("q1", {**ref, "mad": np.ones(11)}, ctx)
    assert r.status == "incorrect" and "shape" in r.feedback


# --- q2 ---------------------------------------------------------------------------------------

def test_q2_changing_black_fails_with_hint(ref, ctx):
    i = 0
    black = ctx.X_all.loc[ctx.applicants[i], "black"]
    r = check("q2", {"counterfactuals": _cfs(ref, i, black=1 - black)}, ctx)
    assert r.status == "partial" and abs(r.score - 2 / 3) < 1e-9
    assert "immutable `black`" in r.feedback and "protected attribute" in r.hint


def test_q2_no_flip_fails_with_hint(ref, ctx):
    x = ctx.X_all.loc[ctx.applicants].copy()
    x["lvr"] = x["lvr"] - 0.005  # a tiny step: still denied
    r = check("q2", {"counterfactuals": x}, ctx)
    assert r.status == "incorrect" and "still denies" in r.feedback
    assert "< 0.5" in r.hint


def test_q2_unchanged_applicants(ctx):
    r = check("q2", {"counterfactuals": ctx.X_all.loc[ctx.applicants].to_numpy()}, ctx)
    assert r.status == "incorrect" and "unchanged" in r.feedback


def test_q2_wrong_direction_and_fraction(ref, ctx):
    a = ctx.applicants[1]
    x = ctx.X_all.loc[a]
    r = check("q2", {"counterfactuals": _cfs(ref, 1, dir=min(x["dir"] + 0.05, 3.0))}, ctx)
    assert "wrong way" in r.feedback and "decrease" in r.hint
    r = check("q2", {"counterfactuals": _cfs(ref, 1, ccs=x["ccs"] - 0.5)}, ctx)
    assert "whole" in r.feedback


def test_q2_too_many_features(ref, ctx):
    i = next(i for i, a in enumerate(ctx.applicants)
             if ctx.X_all.loc[a, "ccs"] > 1 and ctx.X_all.loc[a, "mcs"] > 1
             and len(ctx.search(a).changed) == 2)
    x = ctx.X_all.loc[ctx.applicants[i]]
    r = check("q2", {"counterfactuals": _cfs(ref, i, ccs=x["ccs"] - 1, mcs=x["mcs"] - 1)}, ctx)
    assert "features (at most 2)" in r.feedback and "at most 2" in r.hint


def test_q2_valid_but_far_from_minimal(ref, ctx):
    i = 0
    x = ctx.X_all.loc[ctx.applicants[i]]
    cf = x.copy()
    cf["lvr"] = 0.2  # the range's lower bound: flips, but far
    cf["dir"] = ref["counterfactuals"].iloc[i]["dir"]
    out = ref["counterfactuals"].copy()
    out.iloc[i] = cf.to_numpy()
    rep = ctx.evaluate(ctx.applicants[i], cf.to_numpy()[None])[0]
    assert rep.valid and rep.feasible
    r = check("q2", {"counterfactuals": out}, ctx)
    assert r.status == "partial" and "not minimal" in r.feedback and "0.005" in r.hint
    # feedback never reveals the grader's minimum
    assert f"{ctx.search(ctx.applicants[i]).distance:.2f}" not in r.feedback


def test_q2_rows_in_wrong_order(ref, ctx):
    r = check("q2", {"counterfactuals": ref["counterfactuals"].iloc[::-1]}, ctx)
    assert r.status in ("incorrect", "partial") and "APPLICANTS[i]" in r.hint


def test_q2_other_variant_fails(ctx):
    other = reference_context("counterfactuals", 2)
    assert set(other.applicants) != set(ctx.applicants)
    r = check("q2", {"counterfactuals": other.ref_minimal}, ctx)
    assert r.status != "correct"


def test_q2_fragile_counterfactual_is_flagged(ref, ctx):
    reps = [ctx.evaluate(a, ctx.ref_minimal[i][None])[0] for i, a in enumerate(ctx.applicants)]
    r = check("q2", ref, ctx)
    assert ("Fragile" in r.feedback) == any(rep.fragile for rep in reps)


# --- q3 ---------------------------------------------------------------------------------------

def test_q3_identical_members_fail(ref, ctx):
    same = np.repeat(ref["diverse_set"][:1], 3, axis=0)
    r = check("q3", {"diverse_set": same}, ctx)
    assert r.status == "partial" and "identical" in r.feedback and "different" in r.hint


def test_q3_member_changing_an_immutable(ref, ctx):
    s = np.array(ref["diverse_set"], dtype=float)
    j = ctx.feature_names.index("black")
    s[2, j] = 1 - s[2, j]
    r = check("q3", {"diverse_set": s}, ctx)
    assert r.status == "partial" and "member 2" in r.feedback and "`black`" in r.feedback


def test_q3_expensive_set(ctx):
    """Valid, minimal in their own changes, plausible and diverse, but far from the cheapest:
    the most expensive such counterfactuals on the grader's grid."""
    a = ctx.diverse_applicant
    x = ctx.X_all.loc[a].to_numpy(float)
    cons = ctx.constraints
    grids = {j: G.feature_grid(j, x, cons) for j in np.flatnonzero(cons.mutable)}
    alone = {j: CF.deny_probability(ctx.model, np.where(np.arange(len(x)) == j, g[:, None], x))
             for j, g in grids.items()}
    rows = [np.where(np.arange(len(x)) == j, v, x) for j, g in grids.items()
            for v, p in zip(g, alone[j]) if p < 0.5]
    for j, k in combinations(grids, 2):  # pairs whose changes are both needed
        for v, pv in zip(grids[j], alone[j]):
            for w, pw in zip(grids[k], alone[k]):
                if pv >= 0.5 and pw >= 0.5:
                    c = x.copy()
                    c[j], c[k] = v, w
                    rows.append(c)
    C = np.array(rows)
    C = C[CF.deny_probability(ctx.model, C) < 0.5]
    C = C[ctx.plausibility.nearest(C, exclude=a) <= ctx.plausibility.threshold]
    C = C[np.argsort(-G.distance(x, C, ctx.scale), kind="stable")]
    pick, sets = [], set()
    for c in C:
        ch = tuple(np.flatnonzero(np.abs(c - x) > 1e-9))
        if ch not in sets and all(G.distance(r, c[None], ctx.scale)[0] >= 0.5 for r in pick):
            pick.append(c)
            sets.add(ch)
        if len(pick) == 3:
            break
    r = check("q3", {"diverse_set": np.array(pick)}, ctx)
    assert r.status == "partial" and abs(r.score - 0.8) < 1e-9 and "expensive" in r.feedback


# --- computation --------------------------------------------------------------------------------

def test_mad_zero_counts_as_one():
    X = np.array([[0, 1.0], [0, 2.0], [1, 4.0]])
    assert np.allclose(G.mad_scale(X), [1.0, 1.0])
    assert np.allclose(G.distance([0, 1], [[1, 3]], [1.0, 2.0]), [2.0])


def test_exhaustive_minimum_respects_constraints(ctx):
    for a in ctx.applicants:
        res = ctx.search(a)
        rep = ctx.evaluate(a, res.best[None])[0]
        assert rep.valid and rep.feasible and rep.sparsity <= 2
        assert abs(rep.distance - res.distance) < 1e-9


def test_unconstrained_trap_changes_an_immutable(ctx):
    res = ctx.search(ctx.trap_applicant, constrained=False)
    assert set(res.changed) & set(ctx.constraints.immutable_names)
    assert res.distance <= ctx.search(ctx.trap_applicant).distance


def test_loader_drops_the_imputed_row():
    from xaikit.datasets import load_boston_hmda

    d = load_boston_hmda()
    assert d.X.shape == (2380, 12) and int(d.y.sum()) == 285
    assert d.extra["dropped_rows"] == (2381,)
    assert not d.X.isna().any().any()
    assert [f for f, i in d.features.items() if i.mutable] == ["dir", "hir", "lvr", "ccs", "mcs"]


# --- minimal in its own changes (issue 11, item 1) ----------------------------------------------

def _one_step(row, x, feature):
    out = np.array(row, dtype=float)
    j = list(x.index).index(feature)
    out[j] = x[feature] - 1
    return out


def test_q3_set_of_one_counterfactual_plus_needless_changes_fails(ref, ctx):
    """{A, A + one ccs step, A + one mcs step}: valid, diverse and cheap, but two members
    change a score the flip does not need."""
    a = ctx.diverse_applicant
    x = ctx.X_all.loc[a]
    A = next(c for c in ref["diverse_set"] if len(ctx.evaluate(a, c[None])[0].changed) == 1)
    assert x["ccs"] > 1 and x["mcs"] > 1
    wrong = np.array([A, _one_step(A, x, "ccs"), _one_step(A, x, "mcs")])
    reps = ctx.evaluate(a, wrong)
    assert all(r.valid and r.feasible for r in reps)
    r = check("q3", {"diverse_set": wrong}, ctx)
    assert r.status == "partial" and r.score < 0.5
    assert "member 1" in r.feedback and "without need" in r.feedback
    assert "set each changed feature back" in r.hint


def test_q2_needless_second_change_fails(ref, ctx):
    i = next(i for i, a in enumerate(ctx.applicants)
             if len(ctx.search(a).changed) == 1 and ctx.X_all.loc[a, "mcs"] > 1)
    a = ctx.applicants[i]
    out = ref["counterfactuals"].copy()
    out.iloc[i] = _one_step(out.iloc[i], ctx.X_all.loc[a], "mcs")
    rep = ctx.evaluate(a, out.iloc[i].to_numpy()[None])[0]
    assert rep.valid and rep.feasible and rep.redundant == ["mcs"]
    r = check("q2", {"counterfactuals": out}, ctx)
    assert r.status == "partial" and "`mcs` without need" in r.feedback


def test_grader_counterfactuals_need_every_change(ctx):
    for a in ctx.applicants:
        res = ctx.search(a)
        C = np.array([c for _, c, _ in res.per_set.values()])
        assert all(not r.redundant and r.valid for r in ctx.evaluate(a, C))
    assert not any(r.redundant for r in ctx.evaluate(ctx.diverse_applicant, ctx.ref_diverse))


def test_q4_reference_answer_offers_no_needless_change():
    nb = json.loads((ROOT / "solutions" / "04_counterfactuals.ipynb").read_text())
    text = "".join(next(c["source"] for c in nb["cells"]
                        if "**Answer q4**" in "".join(c["source"])))
    text = " ".join(text.split())
    assert "**Answer q4**" in text and "80 % together with" not in text


# --- plausibility, grids, ranges (issue 11, item 14) -------------------------------------------

def test_plausibility_leaves_the_applicant_out(ctx):
    """The applicants are training rows: their own row is no evidence of plausibility."""
    a = next(a for a in ctx.applicants if a in ctx.X_train.index)
    x = ctx.X_all.loc[a].to_numpy(float)
    rep = ctx.evaluate(a, x[None])[0]
    others = ctx.X_train.drop(index=a).to_numpy(float)
    expected = G.distance(x, others, ctx.scale).min()
    assert rep.nn_distance > 0 and abs(rep.nn_distance - expected) < 1e-9


def test_unconstrained_search_uses_the_constrained_grid(ctx):
    x = ctx.X_all.loc[ctx.trap_applicant].to_numpy(float)
    cons = ctx.constraints
    for j in np.flatnonzero(cons.mutable):
        held = G.feature_grid(j, x, cons, constrained=True)
        free = G.feature_grid(j, x, cons, constrained=False)
        assert np.isin(np.round(held, 9), np.round(free, 9)).all()


def test_ranges_hold_the_data_stored_in_single_precision(ctx):
    cons = ctx.constraints
    j = list(cons.names).index("uria")
    assert ctx.X_all["uria"].min() < cons.low[j] <= ctx.X_all["uria"].min() + CF.RANGE_TOL
    lvr = list(cons.names).index("lvr")
    x = ctx.X_all.loc[ctx.applicants[0]].to_numpy(float)
    c = x.copy()
    c[lvr] = float(np.float32(cons.low[lvr]))  # 0.2 as the source stores it
    assert not G.constraint_report(x, c, cons).range_violations


# --- the interviewer guide and the demo (issue 11, item 9) -------------------------------------

def test_guide_does_not_claim_the_unconstrained_search_changes_black():
    nb = json.loads((ROOT / "notebooks" / "interviewer" / "04_counterfactuals_guide.ipynb")
                    .read_text())
    text = " ".join("".join(c["source"]) for c in nb["cells"])
    assert "unconstrained search changes `black`" not in text
    assert "never" in text and "`black`" in text


def test_unconstrained_search_never_changes_black():
    trained, cons, _, _, denied = G._pool()
    changed = [G.reference_search(a, constrained=False).changed for a in denied]
    assert not any("black" in c for c in changed)
    assert sum(bool(set(c) & set(cons.immutable_names)) for c in changed) > len(denied) // 3


# --- no public function checks a counterfactual (candidates' defects, item 6) -----------------

def test_public_module_checks_no_counterfactual():
    """Checking an arbitrary (x, cf) against the constraints is part of the q2 check: it lives
    in the grader part; the public module only states the rules and the decision."""
    import inspect

    assert not hasattr(CF, "constraint_report") and not hasattr(CF, "ConstraintReport")
    public = {n for n, f in inspect.getmembers(CF, inspect.isfunction)
              if f.__module__ == CF.__name__ and not n.startswith("_")}
    assert public == {"deny_probability"}


def test_editor_takes_only_the_context_and_evaluates_its_own_state(ctx):
    import dataclasses
    import inspect
    from types import SimpleNamespace

    from xaikit.exercises import context_for
    from xaikit.widgets.counterfactuals import CounterfactualEditor

    assert list(inspect.signature(CounterfactualEditor).parameters) == ["ctx"]
    for name, fn in inspect.getmembers(CounterfactualEditor, inspect.isfunction):
        if not name.startswith("_"):
            assert list(inspect.signature(fn).parameters) == ["self"], name
    pub = context_for("counterfactuals", 0)
    with pytest.raises(TypeError):
        CounterfactualEditor(SimpleNamespace(**vars(pub)))
    other = reference_context("counterfactuals", 1)
    with pytest.raises(ValueError):
        CounterfactualEditor(dataclasses.replace(pub, applicants=list(other.applicants)))
    w = CounterfactualEditor(ctx)  # the grader's context wraps the public one
    a = w.labels[0]
    x = ctx.X_all.loc[a]
    w.sliders["dir"].value = float(x["dir"]) + 0.05
    w.sliders["lvr"].value = float(x["lvr"]) - 0.05
    w.sliders["mcs"].value = int(x["mcs"]) - 1 if x["mcs"] > 1 else int(x["mcs"]) + 1
    p, changes, problems = w.status()
    assert [c[0] for c in changes] == ["dir", "lvr", "mcs"]
    assert "dir moved the wrong way" in problems and "3 features changed (at most 2)" in problems
    assert abs(p - CF.deny_probability(ctx.model, w.current()[None])[0]) < 1e-12


# --- the notebook's text says what the grader does (candidates' defects, items 4, 5, 7) ---------

def _nb_cells(folder):
    nb = json.loads((ROOT / folder / "04_counterfactuals.ipynb").read_text())
    return [" ".join("".join(c["source"]).split()) for c in nb["cells"]
            if c["cell_type"] == "markdown"]


def _section(folder, start):
    return next(t for t in _nb_cells(folder) if t.startswith(start))


@pytest.mark.parametrize("folder", ["exercises", "solutions"])
def test_q2_text_does_not_claim_the_applicants_are_training_rows(folder):
    text = _section(folder, "## q2")
    assert "applicants are training rows" not in text
    assert "may or may not be a training row" in text and "a in X_train.index" in text
    assert "If it is not, every training row counts" in text


def test_applicants_are_sometimes_training_rows_and_sometimes_not():
    """The q2 text's 'may or may not': over 20 variants both occur, also within one variant."""
    inside = []
    for v in range(20):
        c = reference_context("counterfactuals", v)
        inside.append([a in c.X_train.index for a in c.applicants])
    assert any(all(i) for i in inside) and any(not any(i) for i in inside)
    assert any(any(i) and not all(i) for i in inside)


def test_plausibility_of_an_applicant_outside_the_training_rows(ctx):
    """An applicant who is not a training row: every training row counts (the grader's reference
    and the notebook's nearest_other agree)."""
    a = next(a for a in ctx.applicants if a not in ctx.X_train.index)
    x = ctx.X_all.loc[a].to_numpy(float)
    c = x.copy()
    c[ctx.feature_names.index("lvr")] -= 0.05
    expected = G.distance(c, ctx.X_train.to_numpy(float), ctx.scale).min()
    rep = ctx.evaluate(a, c[None])[0]
    assert abs(rep.nn_distance - expected) < 1e-9
    assert abs(ctx.plausibility.nearest(c, exclude=a)[0] - expected) < 1e-9


@pytest.mark.parametrize("folder", ["exercises", "solutions"])
def test_q1_text_states_the_mad_and_the_percentile_exactly(folder):
    text = _section(folder, "## q1")
    assert "without** the 1.4826" in text and "scale=1.0" in text
    assert 'default method (`"linear"`' in text


def test_mad_is_raw_and_the_percentile_linear(ctx):
    """What the q1 text states: no 1.4826 factor, numpy's default (linear) percentile; either
    other choice fails the tolerance."""
    from scipy.stats import median_abs_deviation

    raw = median_abs_deviation(ctx.X_train.to_numpy(float), axis=0, scale=1.0)
    assert np.allclose(np.where(raw > 0, raw, 1.0), ctx.scale, atol=G.TOL_MAD)
    normal = median_abs_deviation(ctx.X_train.to_numpy(float), axis=0, scale="normal")
    assert np.abs(np.where(normal > 0, normal, 1.0) - ctx.scale).max() > G.TOL_MAD
    from sklearn.neighbors import NearestNeighbors

    Z = ctx.X_train.to_numpy(float) / ctx.scale
    d = NearestNeighbors(n_neighbors=2, metric="manhattan").fit(Z).kneighbors(Z)[0][:, 1]
    assert abs(np.percentile(d, 95, method="linear") - ctx.plausibility.threshold) <= \
        G.TOL_PLAUSIBILITY
    assert any(abs(np.percentile(d, 95, method=m) - ctx.plausibility.threshold)
               > G.TOL_PLAUSIBILITY for m in ("lower", "higher", "nearest"))


@pytest.mark.parametrize("folder", ["exercises", "solutions"])
def test_grid_q3_and_demo_texts_say_what_the_grader_does(folder):
    q2 = _section(folder, "## q2")
    assert "plus the lower bound itself" in q2 and "up to the applicant's score minus 1" in q2
    assert "not monotone" in q2 and "values between grid points" in q2
    q3 = _section(folder, "## q3")
    assert "skipping a feature set whose cheapest counterfactual is implausible" in q3
    demo = _section(folder, "## Demo")
    assert "on the same grid" not in demo and "same step sizes" in demo
    assert "contains the q2 grid" in demo and "in `X_all`" in demo
    assert "not monotone" in demo and "values that no applicant has" in demo


def test_the_constrained_grid_is_the_one_the_text_states(ctx):
    """Ratios: x - k * RATIO_STEP (k = 1, 2, ...) down to the lower bound, plus the lower bound
    itself; scores: every whole value from the lower bound up to the applicant's minus 1."""
    cons = ctx.constraints
    for a in ctx.applicants:
        x = ctx.X_all.loc[a].to_numpy(float)
        for name in ("dir", "hir", "lvr"):
            j = ctx.feature_names.index(name)
            g = np.sort(G.feature_grid(j, x, cons))
            lo = cons.low[j]
            n = int(np.floor((x[j] - lo) / CF.RATIO_STEP + 1e-9))
            expected = np.unique(np.round(np.append(x[j] - CF.RATIO_STEP * np.arange(1, n + 1),
                                                    lo), 12))
            assert np.allclose(g, expected[expected < x[j]]) and np.isclose(g[0], lo)
        for name in ("ccs", "mcs"):
            j = ctx.feature_names.index(name)
            assert np.array_equal(np.sort(G.feature_grid(j, x, cons)), np.arange(cons.low[j], x[j]))


def test_the_model_is_not_monotone_and_the_demo_leaves_the_data():
    """The q2 text: a lower ratio can deny again, some applicants are approved only in a narrow
    lvr window; the demo text: the free grid gives uria values no applicant has and flags /
    scores every whole value of their range or of X_all."""
    trained, cons, _, _, denied = G._pool()
    X = trained.dataset.X
    j = cons.names.index("lvr")
    narrow = 0
    for a in denied:
        x = X.loc[a].to_numpy(float)
        g = np.sort(G.feature_grid(j, x, cons))[::-1]  # from the applicant downwards
        C = np.repeat(x[None], len(g), 0)
        C[:, j] = g
        ok = CF.deny_probability(trained.model, C) < CF.THRESHOLD
        if ok.any():
            first = int(np.argmax(ok))
            end = first + int(np.argmin(ok[first:])) if not ok[first:].all() else len(ok)
            if end < len(ok) and g[first] - g[end - 1] <= 0.02:
                narrow += 1
    assert narrow >= 5
    u = cons.names.index("uria")
    x = X.loc[denied[0]].to_numpy(float)
    free = G.feature_grid(u, x, cons, constrained=False)
    assert len(set(np.round(free, 6)) - set(np.round(X["uria"].to_numpy(float), 6))) > 10
    for k in np.flatnonzero(cons.integer):
        lo = cons.low[k] if np.isfinite(cons.low[k]) else X.iloc[:, k].min()
        hi = cons.high[k] if np.isfinite(cons.high[k]) else X.iloc[:, k].max()
        whole = np.arange(lo, hi + 1)
        assert np.array_equal(np.sort(G.feature_grid(k, x, cons, constrained=False)),
                              whole[whole != x[k]])


def test_an_answer_off_the_grid_is_accepted(ref, ctx):
    """q2's text: values between grid points are allowed; the grader checks the values given."""
    for i, a in enumerate(ctx.applicants):
        best = ctx.search(a)
        for name in best.changed:
            if name not in ("dir", "hir", "lvr"):
                continue
            j = ctx.feature_names.index(name)
            for shift in (0.0013, 0.0021, 0.0037):
                c = best.best.copy()
                c[j] -= shift
                rep = ctx.evaluate(a, c[None])[0]
                if rep.valid and not rep.redundant and rep.plausible:
                    out = ref["counterfactuals"].copy()
                    out.iloc[i] = c
                    r = check("q2", {"counterfactuals": out}, ctx)
                    assert (r.status, r.score) == ("correct", 1.0), r.feedback
                    return
    pytest.fail("no off-grid counterfactual found to test")
