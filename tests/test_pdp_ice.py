"""Every check of pdp_ice, three ways: reference passes, known wrong answers fail with the right
hint, the untouched placeholder is not attempted. References are computed here the way the
solution notebook does (by hand and with scikit-learn), not taken from the context. Then: the
public / grader split, the explorer's rows, and the texts of the notebook and the rubrics."""
import json
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.inspection import partial_dependence
from sklearn.metrics import r2_score
from sklearn.tree import DecisionTreeRegressor

from xaikit.answers import roundtrip
from xaikit.exercises import context_for, get_exercise, graded_exercise, reference_context
from xaikit.exercises.formats import format_check
from three_way import three_way

EX = graded_exercise("pdp_ice")
check, test_reference_answer_is_correct, test_placeholder_is_not_attempted = \
    three_way(EX)
ROOT = Path(__file__).resolve().parents[1]


def _reference(ctx):
    X, model = ctx.X_rows, ctx.model
    ice = np.empty((len(X), len(ctx.grid)))
    for g, v in enumerate(ctx.grid):
        Xm = X.copy()
        Xm[ctx.feature] = v
        ice[:, g] = model.predict(Xm)
    hr = partial_dependence(model, X, ["hr"], method="brute", kind="individual",
                            custom_values={"hr": ctx.hr_grid})["individual"][0]
    k = int(np.flatnonzero(ctx.hr_grid == ctx.anchor_hour)[0])
    centered = hr - hr[:, [k]]
    shape = centered / np.ptp(centered, axis=1, keepdims=True)
    scores = {f: r2_score(shape, DecisionTreeRegressor(max_depth=1, random_state=0)
                          .fit(X[[f]], shape).predict(X[[f]]), multioutput="variance_weighted")
              for f in X.columns.drop("hr")}
    x = ctx.X_train["temp"].to_numpy()
    edges = np.unique(np.quantile(x, np.linspace(0, 1, ctx.ale_bins + 1)))
    K = len(edges) - 1
    b = np.clip(np.searchsorted(edges, x, side="left"), 1, K)
    lo, hi = ctx.X_train.copy(), ctx.X_train.copy()
    lo["temp"], hi["temp"] = edges[b - 1], edges[b]
    d = model.predict(hi) - model.predict(lo)
    n = np.bincount(b - 1, minlength=K)
    unc = np.concatenate([[0.0], np.cumsum(np.bincount(b - 1, weights=d, minlength=K) / n)])
    ale = unc - np.sum((unc[:-1] + unc[1:]) / 2 * n) / n.sum()
    return {"ice": ice, "pdp": ice.mean(0), "ice_hr_centered": centered, "_hr": hr,
            "ice_driver": max(scores, key=scores.get), "ale_edges": edges, "ale_temp": ale,
            "_unc": unc, "_n": n, "_local": d, "_bins": b}


@pytest.fixture(scope="module")
def ctx():
    # anchor hour 1, feature hum: mistakes are distinguishable
    return reference_context("pdp_ice", 1)


@pytest.fixture(scope="module")
def ref(ctx):
    return _reference(ctx)


def _with(ref, **changes):
    return {**ref, **changes}


AUTO = [q.id for q in EX.questions if q.kind == "auto"]


@pytest.mark.parametrize("qid", AUTO)
def test_reference_answer_is_correct_in_variant_0(qid):
    c = reference_context("pdp_ice", 0)
    r = check(qid, _reference(c), c)
    assert (r.status, r.score) == ("correct", 1.0), r.feedback


def test_answers_of_another_variant_fail(ref):
    other = reference_context("pdp_ice", 5)
    for qid in ("q1", "q2", "q4"):
        assert check(qid, ref, other).status == "incorrect"


# --- q1 ---------------------------------------------------------------------------------------

def test_q1_recursion_pdp_is_recognised(ref, ctx):
    rec = partial_dependence(ctx.model, ctx.X_rows, [ctx.feature], method="recursion",
                             custom_values={ctx.feature: ctx.grid})["average"][0]
    r = check("q1", _with(ref, pdp=rec), ctx)
    assert r.status == "partial" and r.score == 0.5 and "recursion" in r.hint


def test_q1_median_is_not_the_pdp(ref, ctx):
    r = check("q1", _with(ref, pdp=np.median(ref["ice"], axis=0)), ctx)
    assert r.status == "partial" and "mean" in r.hint


def test_q1_centered_ice_is_recognised(ref, ctx):
    r = check("q1", _with(ref, ice=ref["ice"] - ref["ice"][:, [0]]), ctx)
    assert r.status == "partial" and "centring comes in q2" in r.hint


def test_q1_transposed_ice_is_a_format_error(ref, ctx):
    r = check("q1", _with(ref, ice=ref["ice"].T), ctx)
    assert r.status == "incorrect" and "transposed" in r.feedback


def test_q1_ice_of_other_rows_fails(ref, ctx):
    X = ctx.X_test.iloc[:len(ctx.X_rows)]
    ice = partial_dependence(ctx.model, X, [ctx.feature], method="brute", kind="individual",
                             custom_values={ctx.feature: ctx.grid})["individual"][0]
    r = check("q1", _with(ref, ice=ice, pdp=ice.mean(0)), ctx)
    assert r.status == "incorrect" and "X_ROWS" in r.hint


def test_q1_pdp_must_be_the_mean_of_the_candidates_ice(ref, ctx):
    ice = ref["ice"] + 1.0
    r = check("q1", _with(ref, ice=ice), ctx)  # right pdp, wrong ice: pdp != mean(ice)
    assert r.status == "partial" and r.score == 0.25


# --- q2 ---------------------------------------------------------------------------------------

def test_q2_raw_ice_is_not_centered(ref, ctx):
    r = check("q2", _with(ref, ice_hr_centered=ref["_hr"]), ctx)
    assert r.status == "incorrect" and "ANCHOR_HOUR" in r.hint


def test_q2_mean_centering_is_recognised(ref, ctx):
    hr = ref["_hr"]
    r = check("q2", _with(ref, ice_hr_centered=hr - hr.mean(1, keepdims=True)), ctx)
    assert r.status == "incorrect" and "anchor" in r.hint


def test_q2_pdp_subtracted_is_recognised(ref, ctx):
    hr = ref["_hr"]
    r = check("q2", _with(ref, ice_hr_centered=hr - hr.mean(0)), ctx)
    assert r.status == "incorrect" and "own value" in r.hint


def test_q2_wrong_anchor_is_recognised(ref, ctx):
    assert ctx.anchor_hour != 0
    hr = ref["_hr"]
    r = check("q2", _with(ref, ice_hr_centered=hr - hr[:, [0]]), ctx)
    assert r.status == "incorrect" and "HR_GRID" in r.hint


# --- q3 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,needle", [("weekday", "Saturday"), ("holiday", "public holidays"),
                                         ("hr", "every feature except hr"),
                                         ("windspeed", "max_depth=1")])
def test_q3_other_features_are_rejected(name, needle, ref, ctx):
    r = check("q3", _with(ref, ice_driver=name), ctx)
    assert r.status == "incorrect" and needle in r.hint


def test_q3_each_wrong_answer_gets_its_own_true_hint(ref, ctx):
    # a new learner answered holiday and got a hint about weekday's thresholds
    assert ref["ice_driver"] not in ("weekday", "holiday")
    hints = {n: check("q3", _with(ref, ice_driver=n), ctx).hint
             for n in ("weekday", "holiday", "temp", "season", "hr")}
    assert len(set(hints.values())) == 4 and hints["temp"] == hints["season"]
    n_hol = int((ctx.X_rows["holiday"] == 1).sum())
    assert "weekday" not in hints["holiday"] and "Saturday (6)" not in hints["holiday"]
    assert f"{n_hol} of the {len(ctx.X_rows)} rows" in hints["holiday"]
    assert "0 = Sunday to 6 = Saturday" in hints["weekday"]
    # the measure is the variance-weighted R², which the tree's .score is not
    Y = ref["ice_hr_centered"] / np.ptp(ref["ice_hr_centered"], axis=1, keepdims=True)
    stump = DecisionTreeRegressor(max_depth=1, random_state=0).fit(ctx.X_rows[["temp"]], Y)
    pred = stump.predict(ctx.X_rows[["temp"]])
    assert abs(stump.score(ctx.X_rows[["temp"]], Y)
               - r2_score(Y, pred, multioutput="variance_weighted")) > 1e-3
    for name in ("temp", "season"):
        assert 'multioutput="variance_weighted"' in hints[name], hints[name]
        assert ".score is the R²" not in hints[name]
        assert ".score is not this measure" in hints[name]
    text = _markdown("02_pdp_ice", "## q3")
    assert 'multioutput="variance_weighted"' in text and ".score" not in text


def test_q3_unknown_name_is_a_format_error(ref, ctx):
    r = check("q3", _with(ref, ice_driver="working day"), ctx)
    assert r.status == "incorrect" and "not a feature" in r.feedback


# --- q4 ---------------------------------------------------------------------------------------

def test_q4_equal_width_bins_are_recognised(ref, ctx):
    x = ctx.X_train["temp"]
    r = check("q4", _with(ref, ale_edges=np.linspace(x.min(), x.max(), ctx.ale_bins + 1)), ctx)
    assert r.status == "incorrect" and "quantile" in r.hint


def test_q4_uncentered_ale_is_partial(ref, ctx):
    r = check("q4", _with(ref, ale_temp=ref["_unc"]), ctx)
    assert r.status == "partial" and "mean 0" in r.hint


def test_q4_step_centering_is_accepted(ref, ctx):
    unc, n = ref["_unc"], ref["_n"]
    r = check("q4", _with(ref, ale_temp=unc - np.sum(unc[1:] * n) / n.sum()), ctx)
    assert r.status == "correct"


def test_q4_summed_local_effects_are_recognised(ref, ctx):
    K = len(ref["ale_edges"]) - 1
    sums = np.concatenate([[0.0], np.cumsum(np.bincount(ref["_bins"] - 1, weights=ref["_local"],
                                                        minlength=K))])
    r = check("q4", _with(ref, ale_temp=sums - sums.mean()), ctx)
    assert r.status == "incorrect" and "Average" in r.hint


def test_q4_pdp_instead_of_ale_is_recognised(ref, ctx):
    pdp = partial_dependence(ctx.model, ctx.X_train, ["temp"], method="brute",
                             custom_values={"temp": ref["ale_edges"]})["average"][0]
    r = check("q4", _with(ref, ale_temp=pdp - pdp.mean()), ctx)
    assert r.status == "incorrect" and "PDP" in r.hint


# --- formats: the reference answers pass the take-home self-check ---------------------------

@pytest.mark.parametrize("qid", AUTO)
def test_reference_answer_has_the_declared_format(qid, ref, ctx):
    q = EX.question(qid)
    formats = get_exercise("pdp_ice").answer_formats(context_for("pdp_ice", 1))
    r = format_check(q, {n: roundtrip(ref[n]) for n in q.answers}, formats)
    assert (r.status, r.feedback) == ("correct", "recorded")


# --- q3 asks for what its check measures (issue 11, item 4) ------------------------------------

def _raw_spread_ranking(ctx):
    """One-split share of the total sum of squares per feature on the *raw* centered hour
    curves (no range scaling): what "drives the spread" would measure taken literally."""
    c = _reference(ctx)["ice_hr_centered"]
    X = ctx.X_rows
    scores = {f: r2_score(c, DecisionTreeRegressor(max_depth=1, random_state=0)
                          .fit(X[[f]], c).predict(X[[f]]), multioutput="variance_weighted")
              for f in X.columns.drop("hr")}
    return sorted(scores, key=scores.get, reverse=True)


def test_q3_raw_spread_driver_is_recognised_as_size_not_shape():
    # variant 5: on the raw centered curves temp (and atemp, tied) explains the most spread
    c = reference_context("pdp_ice", 5)
    top = _raw_spread_ranking(c)[0]
    assert top != "workingday"
    r = check("q3", {"ice_driver": top}, c)
    assert r.status == "incorrect" and "range" in r.hint and "shape" in r.feedback


def _markdown(stem, heading):
    nb = json.loads((ROOT / "solutions" / f"{stem}.ipynb").read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    return next(c for c in cells if c.startswith(heading))


def test_q3_question_states_the_measure_it_is_checked_against():
    text = _markdown("02_pdp_ice", "## q3")
    for needle in ("range", "max_depth=1", "random_state=0", "R²", "shape"):
        assert needle in text, needle
    assert "drives the spread" not in text


# --- q5: the rubric and the reference answer (issue 11, item 7) -----------------------------

def test_q5_rubric_does_not_call_a_limit_of_both_methods_a_pdp_flaw():
    rubric = EX.question("q5").rubric
    for c in rubric.criteria:
        if "routed through" in c:
            assert "ALE" in c and "both" in c, c


def test_q5_reference_answer_matches_the_bin_counts():
    text = _markdown("02_pdp_ice", "**Answer q5**")
    assert "few rows" not in text
    assert "routes through `temp` (the" not in text  # the PDP-only reading of it
    c = reference_context("pdp_ice", 0)            # the solution notebook's variant
    counts = c.ref_ale.counts
    assert counts[-1] >= 0.8 * counts.mean()         # quantile bins: the top bin is not thin
    assert re.search(r"\b%d\b" % counts[-1], text)   # the answer quotes the real count


# --- q11: the model predicts negative rentals and the notebook says so ---------------------

def test_notebook_says_the_model_predicts_negative_rentals():
    c = context_for("pdp_ice", 0)
    p = c.model.predict(c.X_test)
    n_neg = int((p < 0).sum())
    assert n_neg > 0
    text = _markdown("02_pdp_ice", "## The model and the data")
    assert "negative" in text and str(n_neg) in text and "clip" in text


# --- the public / grader split and the explorer ------------------------------------------------

def test_public_part_holds_no_reference():
    import xaikit.effects as public_effects
    import xaikit.exercises.pdp_ice.public as P

    src = Path(P.__file__).read_text()
    assert "grader" not in re.sub(r'""".*?"""', "", src, flags=re.S)
    for name in ("ice_heterogeneity", "ice_pdp", "center_ice", "ale", "quantile_edges",
                 "pdp_recursion"):
        assert not hasattr(public_effects, name), name
    assert not any(n.startswith("ref_") for n in vars(context_for("pdp_ice", 1)))


def test_explorer_uses_rows_disjoint_from_the_questions():
    from xaikit.widgets.effects import EffectsExplorer

    c = context_for("pdp_ice", 1)
    w = EffectsExplorer.from_context(c)
    assert len(w.X_explore) == 300
    assert not set(w.X_explore.index) & set(c.X_rows.index)
    assert len(w.features) == 12 and w.last_update_ms is not None
    for v in [w.view.options[i][1] for i in range(3)]:  # every view draws
        w.view.value = v


# --- the explorer's computation is bound to its own rows and settings (review items 1-5) -------

def _own_functions(module):
    """Every function and method (public or private) written in ``module``, by name."""
    import inspect

    out = {}
    for name, obj in vars(module).items():
        if inspect.isfunction(obj) and obj.__module__ == module.__name__:
            out[name] = obj
        elif inspect.isclass(obj) and obj.__module__ == module.__name__:
            for m, f in vars(obj).items():
                f = getattr(f, "__func__", f)
                if inspect.isfunction(f) and not (m.startswith("__") and m.endswith("__")):
                    out[f"{name}.{m}"] = f
    return out


#: The only parameters a computation behind an explorer may take: the context and choices
#: that select among the explorer's own results (no rows, grid, anchor, bins, seed, model).
BOUND_PARAMETERS = {"ctx", "feature", "features", "sample", "self", "cls", "d"}


def test_no_function_of_effects_takes_rows_grid_anchor_or_bins():
    import inspect

    import xaikit.effects as E

    funcs = _own_functions(E)
    assert {"feature_effects", "all_feature_effects"} <= set(funcs)
    for name, f in funcs.items():
        params = list(inspect.signature(f).parameters)
        assert set(params) <= BOUND_PARAMETERS, (name, params)
        if "." not in name:
            assert params[0] == "ctx", (name, params)


def test_effects_explorer_takes_only_the_context():
    import inspect

    from xaikit.widgets.effects import EffectsExplorer

    params = list(inspect.signature(EffectsExplorer.__init__).parameters)
    assert params[:2] == ["self", "ctx"] and set(params) <= {"self", "ctx", "features", "n_lines"}


def test_feature_effects_compute_on_the_explore_rows_only():
    import dataclasses

    from xaikit.effects import EXPLORE_ALE_BINS, feature_effects

    c = context_for("pdp_ice", 1)
    res = feature_effects(c, "temp")
    X = c.X_explore
    assert res.ice.shape[0] == len(X) == 300
    expect = np.empty_like(res.ice)
    for g, v in enumerate(res.grid):
        Xm = X.copy()
        Xm["temp"] = v
        expect[:, g] = c.model.predict(Xm)
    assert np.allclose(res.ice, expect, atol=1e-9, rtol=0)
    assert np.allclose(res.ale_edges, np.unique(np.quantile(
        X["temp"], np.linspace(0, 1, EXPLORE_ALE_BINS + 1))), atol=1e-12)
    # the questions' rows cannot be slipped in, neither as rows nor through a forged context
    with pytest.raises(TypeError):
        feature_effects(c.X_rows, "temp")
    for forged in (dataclasses.replace(c, explore_positions=c.row_positions),
                   dataclasses.replace(c, row_positions=c.explore_positions)):
        with pytest.raises(ValueError):
            feature_effects(forged, "temp")


def _cell_after(stem, heading):
    nb = json.loads((ROOT / "solutions" / f"{stem}.ipynb").read_text())
    cells = ["".join(c["source"]) for c in nb["cells"]]
    i = next(i for i, c in enumerate(cells) if c.startswith(heading))
    return cells[i + 2]


@pytest.mark.parametrize("qid", ["q2", "q3"])
def test_open_questions_have_an_ungraded_notes_cell(qid):
    text = _markdown("02_pdp_ice", f"## {qid}")
    assert "What do you see?" not in text
    assert "**not graded**" in text and "notes cell below" in text
    notes = _cell_after("02_pdp_ice", f"## {qid}")
    assert notes.startswith(f"**Notes {qid} (not graded)**") and "not graded" in notes
    assert "<!-- BEGIN SOLUTION -->" not in notes  # the same cell in the exercise


def test_q4_says_which_rows_and_centring_the_pdp_uses():
    text = " ".join(_markdown("02_pdp_ice", "## q4").split())
    assert "same rows as the ALE, `X_train`** (not `X_ROWS`)" in text
    assert "centred **like the ALE** (step 5" in text
    assert "on the same edges (centred too)" not in text
    nb = json.loads((ROOT / "solutions" / "02_pdp_ice.ipynb").read_text())
    code = next("".join(c["source"]) for c in nb["cells"]
                if "ale_edges = None" in "".join(c["source"]))
    assert "partial_dependence(model, X_train" in code and "pd_temp.mean()" not in code


def test_q1_states_each_features_unit_and_the_day_extrapolation():
    from xaikit.exercises.pdp_ice.public import Q1_FEATURES
    from xaikit.plots.effects import feature_label

    text = " ".join(_markdown("02_pdp_ice", "## q1").split())
    assert "the feature's unit" not in text
    for f in Q1_FEATURES:
        assert f"| `{f}` |" in text, f
    assert "day of the year 2011, in days" in text
    day = text[text.index("If `FEATURE` is `day`"):]
    for needle in ("`season`", "`mnth`", "extrapolation"):
        assert needle in day, needle
    ds = context_for("pdp_ice", 3).dataset
    assert context_for("pdp_ice", 3).feature == "day"
    label = feature_label(ds, "day")
    assert label != "day (day)" and "day of the year" in label and ";" not in label


# --- what a new learner found (primer effects, then the exercise in practice mode) -----------

def _exercise_cells(stem="02_pdp_ice"):
    """The cells of the exercise notebook as a candidate sees them: solutions/ with every
    solution block removed (what ``xaikit build`` writes to exercises/)."""
    nb = json.loads((ROOT / "solutions" / f"{stem}.ipynb").read_text())
    out = []
    for c in nb["cells"]:
        src = "".join(c["source"])
        src = re.sub(r"# BEGIN SOLUTION.*?# END SOLUTION\n?", "", src, flags=re.S)
        src = re.sub(r"<!-- BEGIN SOLUTION -->.*?<!-- END SOLUTION -->", "", src, flags=re.S)
        out.append((c["cell_type"], src))
    return out


def test_cells_before_q3_do_not_single_out_its_answer():
    # "cell 4's table by workingday" gave q3 away before the question was asked
    cells = _exercise_cells()
    q3 = next(i for i, (t, s) in enumerate(cells) if s.startswith("## q3"))
    calendar = ("season", "weekday", "holiday", "workingday")
    for kind, src in cells[:q3]:
        if kind == "code" and "workingday" in src:
            assert all(f'"{f}"' in src for f in calendar), src
    text = "".join(s for _, s in cells)
    assert '["hr", "workingday"]' not in text


def test_feature_label_writes_offsets_as_the_data_card_does():
    ds = context_for("pdp_ice", 0).dataset
    card = (ROOT / "datasets" / "bikeshare_2011_hourly.md").read_text()
    from xaikit.plots.effects import feature_label

    for name, form in (("temp", "(t + 8 °C) / 47 °C"), ("atemp", "(t + 16 °C) / 66 °C")):
        label = feature_label(ds, name)
        assert form in label and "- (-" not in label, label
    assert "(t + 8 °C) / 47 °C" in card
    assert feature_label(ds, "hum") == "hum: relative humidity / 100"


def test_every_imported_plotting_helper_is_explained_or_used():
    cells = _exercise_cells()
    setup = next(s for t, s in cells if t == "code" and "open_exercise(" in s)
    imported = re.search(r"from xaikit\.plots\.effects import ([^\n#]+)", setup).group(1)
    rest = "\n".join(s for _, s in cells).replace(imported, "")
    for name in (n.strip() for n in imported.split(",")):
        assert f"{name}(" in rest, name  # called somewhere, or its call shown in a comment


def test_q4_says_the_primer_code_may_be_reused():
    text = " ".join(_markdown("02_pdp_ice", "## q4").split())
    assert "may reuse code from the primer" in text and "`ale()`" in text


def test_durations_are_the_measured_ones_everywhere():
    # a new learner took 80-90 minutes (stated: 70); another strong candidate found 70 honest
    ex = get_exercise("pdp_ice")
    assert ex.minutes >= 80
    first = _exercise_cells()[0][1]
    assert f"**Time:** about {ex.minutes} minutes" in first
    table = {m.group(1): int(m.group(2))
             for m in re.finditer(r"^\| (q\d) \|.*\| (\d+) \|$", first, flags=re.M)}
    assert table == {q.id: q.minutes for q in ex.questions}
    reading = int(re.search(r"exploring with the widget: about (\d+) minutes", first).group(1))
    assert sum(table.values()) + reading == ex.minutes
    from xaikit.primers import get_primer

    assert f"(about {get_primer('effects').minutes} minutes)" in first
    row = next(l for l in (ROOT / "README.md").read_text().splitlines()
               if l.startswith("| 02 | `pdp_ice`"))
    assert f"| {ex.minutes} min |" in row
    guide = json.loads((ROOT / "notebooks" / "interviewer" / "02_pdp_ice_guide.ipynb")
                       .read_text())
    assert f"about {ex.minutes} minutes" in "".join(guide["cells"][0]["source"])


def test_interviewer_guide_describes_q3_by_its_measure():
    nb = json.loads((ROOT / "notebooks" / "interviewer" / "02_pdp_ice_guide.ipynb").read_text())
    text = " ".join(" ".join("".join(c["source"]) for c in nb["cells"]).split())
    assert "drives the spread" not in text
    assert "range-scaled" in text and "max_depth=1" in text
