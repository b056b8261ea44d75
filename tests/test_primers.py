"""Primers: each primer's own self-checks (right passes, typical wrong answers fail with
their hints) and facts its notebook states; what every primer promises is in
tests/test_primers_common.py. Each primer has its own section below."""


# =============================================================================================
# Primer `shap_lime` (SHAP and LIME): every self-check tested three ways (right answer passes,
# a typical wrong answer fails with its targeted hint, the placeholder None is not attempted),
# plus the notebook's metadata and placeholders.
# =============================================================================================
from pathlib import Path as _SlPath

import numpy as _sl_np
import pytest as _sl_pytest

_SL_NOTEBOOK = _SlPath(__file__).resolve().parents[1] / "notebooks" / "primers" / "shap_lime.ipynb"


@_sl_pytest.fixture(scope="module")
def sl_primer():
    from xaikit.primers import _context, get_primer

    return get_primer("shap_lime"), _context("shap_lime")


def _sl_check(sl_primer, qid, value):
    from xaikit.answers import roundtrip
    from xaikit.exercises.framework import run_check

    primer, ctx = sl_primer
    q = primer.question(qid)
    return run_check(q, {q.answers[0]: roundtrip(value)}, ctx)


def _sl_ref_s1(ctx):
    return ctx.rf_shap_test[ctx.X_test.index.get_loc(ctx.check_patient), :, 1]


def _sl_ref_s2(ctx):
    return 1.0 / (1.0 + _sl_np.exp(-ctx.gbm_base))


def test_shap_lime_context_matches_a_fresh_computation(sl_primer):
    import shap

    _, ctx = sl_primer
    x = ctx.X_test.loc[[ctx.check_patient]]
    fresh = shap.TreeExplainer(ctx.rf).shap_values(x)
    assert fresh.shape == (1, 30, 2)  # the shap >= 0.45 layout the primer teaches
    assert _sl_np.allclose(fresh[0, :, 1], _sl_ref_s1(ctx), atol=1e-12)
    # the .iloc trap is live: both labels are valid positions pointing at other tumours
    for label in (ctx.patient, ctx.check_patient):
        assert label < len(ctx.X_test) and ctx.X_test.index[label] != label
    assert ctx.y_test.loc[ctx.patient] == 0 and ctx.gbm.predict_proba(
        ctx.X_test.loc[[ctx.patient]])[0, 1] > 0.5  # the false alarm of the story
    # the s2 distractors are far from the right answer
    assert abs(_sl_ref_s2(ctx) - ctx.y_train.mean()) > 0.1


@_sl_pytest.mark.parametrize("shape", ["flat", "row", "series"])
def test_shap_lime_s1_right(sl_primer, shape):
    import pandas as pd

    _, ctx = sl_primer
    ref = _sl_ref_s1(ctx)
    value = {"flat": ref, "row": ref[None, :],
             "series": pd.Series(ref, index=ctx.feature_names)}[shape]
    assert _sl_check(sl_primer, "s1", value).status == "correct"


def test_shap_lime_s1_wrong(sl_primer):
    _, ctx = sl_primer
    pos = ctx.X_test.index.get_loc(ctx.check_patient)
    sv = ctx.rf_shap_test
    cases = {
        "ROW": sv[pos],                              # sv[i]: one row, both classes
        "Class 1 is malignant": sv[pos, :, 0],       # the benign class
        ".loc": sv[ctx.check_patient, :, 1],         # .iloc: the row at that position
        "TreeExplainer(rf)": ctx.gbm_shap_test[pos],  # the other model
        "label": sv[:, :, 1],                        # every row
    }
    for hint_part, value in cases.items():
        r = _sl_check(sl_primer, "s1", value)
        assert r.status == "incorrect", hint_part
        assert hint_part in (r.hint or ""), (hint_part, r.hint)
    r = _sl_check(sl_primer, "s1", _sl_ref_s1(ctx) + 0.01)
    assert r.status == "incorrect" and r.hint
    assert _sl_check(sl_primer, "s1", [1.0, 2.0]).status == "incorrect"  # wrong shape


def test_shap_lime_s2(sl_primer):
    _, ctx = sl_primer
    ref = _sl_ref_s2(ctx)
    assert _sl_check(sl_primer, "s2", ref).status == "correct"
    assert _sl_check(sl_primer, "s2", _sl_np.float32(ref)).status == "correct"
    mean_prob = float(ctx.gbm.predict_proba(ctx.X_train)[:, 1].mean())
    cases = {"logistic": ctx.gbm_base,                 # the log-odds base value itself
             "MARGIN": mean_prob,                      # mean of the probabilities
             "malignant": 1.0 - ref}                   # P(benign)
    for hint_part, value in cases.items():
        r = _sl_check(sl_primer, "s2", value)
        assert r.status == "incorrect" and hint_part in (r.hint or ""), (hint_part, r.hint)
    r = _sl_check(sl_primer, "s2", float(ctx.y_train.mean()))
    assert r.status == "incorrect" and "MARGIN" in r.hint
    # feedback never shows the expected value
    for value in (ctx.gbm_base, mean_prob, 0.5, 7.0):
        r = _sl_check(sl_primer, "s2", value)
        text = r.feedback + (r.hint or "")
        assert f"{ref:.2f}" not in text and f"{ref:.3f}" not in text
    assert _sl_check(sl_primer, "s2", [0.1, 0.2]).status == "incorrect"  # not one number





@_sl_pytest.mark.parametrize("qid", ["s3", "s4", "s5"])
def test_shap_lime_choices(sl_primer, qid):
    assert _sl_check(sl_primer, qid, "b").status == "correct"
    assert _sl_check(sl_primer, qid, " B ").status == "correct"
    for wrong in "acd":
        r = _sl_check(sl_primer, qid, wrong)
        assert r.status == "incorrect" and r.hint, (qid, wrong)
    r = _sl_check(sl_primer, qid, "e")
    assert r.status == "incorrect" and "one letter" in r.feedback
    assert _sl_check(sl_primer, qid, 2).status == "incorrect"


def test_shap_lime_open_primer_checks_a_namespace(sl_primer):
    from xaikit.primers import open_primer

    _, ctx = sl_primer
    p = open_primer("shap_lime")
    assert "shap_vs_lime" in repr(p)
    shown = p.check("s2", namespace={"base_prob": _sl_ref_s2(ctx)})
    assert shown.result.status == "correct" and "xaikit-correct" in shown._repr_html_()
    shown = p.check("s1", namespace={"phi_rf": None})
    assert shown.result.status == "not_attempted"





# =============================================================================================
# Primer `effects` (PDP, ICE, centred ICE, ALE): every self-check tested three ways (right
# answer passes, a typical wrong answer fails with its targeted hint, the placeholder None is
# not attempted), references recomputed independently of the primer's own helpers, plus the
# notebook's metadata and placeholders.
# =============================================================================================
import json as _ef_json
from pathlib import Path as _EfPath

import numpy as _ef_np
import pytest as _ef_pytest

_EF_NOTEBOOK = _EfPath(__file__).resolve().parents[1] / "notebooks" / "primers" / "effects.ipynb"


@_ef_pytest.fixture(scope="module")
def ef_primer():
    from xaikit.primers import _context, get_primer

    return get_primer("effects"), _context("effects")


def _ef_check(ef_primer, qid, value):
    from xaikit.answers import roundtrip
    from xaikit.exercises.framework import run_check

    primer, ctx = ef_primer
    q = primer.question(qid)
    return run_check(q, {q.answers[0]: roundtrip(value)}, ctx)


def _ef_ice_loop(model, X, feature, grid):
    """ICE by an explicit loop over the grid (no partial_dependence)."""
    out = _ef_np.empty((len(X), len(grid)))
    for g, v in enumerate(grid):
        Xg = X.copy()
        Xg[feature] = v
        out[:, g] = model.predict(Xg)
    return out


def _ef_ale_loop(model, X, feature, edges):
    """Centred ALE by an explicit loop over the bins (Apley & Zhu's centring)."""
    x = X[feature].to_numpy(dtype=float)
    acc, counts = [0.0], []
    for k in range(1, len(edges)):
        in_k = (x > edges[k - 1]) & (x <= edges[k])
        if k == 1:
            in_k |= x == edges[0]
        rows = X[in_k]
        step = 0.0
        if len(rows):
            step = float(_ef_np.mean(model.predict(rows.assign(**{feature: edges[k]}))
                                     - model.predict(rows.assign(**{feature: edges[k - 1]}))))
        acc.append(acc[-1] + step)
        counts.append(len(rows))
    acc, counts = _ef_np.array(acc), _ef_np.array(counts)
    return acc - _ef_np.sum((acc[:-1] + acc[1:]) / 2 * counts) / counts.sum()


def test_effects_context_and_pitfalls_are_live(ef_primer):
    from sklearn.inspection import partial_dependence

    _, ctx = ef_primer
    assert ctx.X_train.shape == (331, 10) and ctx.X_rows.shape == (111, 10)
    assert 0.2 < ctx.model.score(ctx.X_test, ctx.y_test) < 0.45
    # recursion (the default for gradient boosting) is far from the brute-force PDP
    grid = ctx.s6_grid
    brute = _ef_ice_loop(ctx.model, ctx.X_rows, "s6", grid).mean(axis=0)
    rec = partial_dependence(ctx.model, ctx.X_rows, ["s6"], custom_values={"s6": grid})
    assert _ef_np.all(_ef_np.abs(brute - rec["average"][0]) > 100)
    # the anchor is not the first grid value, and e4's equal-width bins differ from quantile bins
    assert ctx.age_anchor in ctx.age_grid and ctx.age_anchor != ctx.age_grid[0]
    x = ctx.X_train[ctx.ale_feature]
    q = _ef_np.unique(_ef_np.quantile(x, _ef_np.linspace(0, 1, ctx.ale_bins + 1)))
    w = _ef_np.linspace(x.min(), x.max(), ctx.ale_bins + 1)
    assert len(q) == len(w) and not _ef_np.allclose(q, w)


def test_effects_e1(ef_primer):
    from sklearn.inspection import partial_dependence

    _, ctx = ef_primer
    grid = ctx.s6_grid
    ice = _ef_ice_loop(ctx.model, ctx.X_rows, "s6", grid)
    assert _ef_check(ef_primer, "e1", ice.mean(axis=0)).status == "correct"
    assert _ef_check(ef_primer, "e1", list(ice.mean(axis=0))).status == "correct"
    rec = partial_dependence(ctx.model, ctx.X_rows, ["s6"], custom_values={"s6": grid})
    cases = {"recursion": rec["average"][0],
             "X_rows": _ef_ice_loop(ctx.model, ctx.X_train, "s6", grid).mean(axis=0),
             "mean": _ef_np.median(ice, axis=0)}
    for hint_part, value in cases.items():
        r = _ef_check(ef_primer, "e1", value)
        assert r.status == "incorrect" and hint_part in (r.hint or ""), (hint_part, r.hint)
    r = _ef_check(ef_primer, "e1", ice.mean(axis=0) + 1.0)
    assert r.status == "incorrect" and r.hint
    assert _ef_check(ef_primer, "e1", ice.mean(axis=0)[:5]).status == "incorrect"  # shape
    ref = ice.mean(axis=0)
    for value in (rec["average"][0], ref + 1.0):  # feedback never shows the expected value
        r = _ef_check(ef_primer, "e1", value)
        assert not any(f"{v:.1f}" in r.feedback + (r.hint or "") for v in ref)


def test_effects_e2(ef_primer):
    _, ctx = ef_primer
    grid, j = ctx.age_grid, int(_ef_np.flatnonzero(ctx.age_grid == ctx.age_anchor)[0])
    raw = _ef_ice_loop(ctx.model, ctx.X_rows, "age", grid)
    right = raw - raw[:, [j]]
    assert _ef_check(ef_primer, "e2", right).status == "correct"
    cases = {"AGE_ANCHOR": raw - raw[:, [0]],                       # anchored at 20 years
             "own value at AGE_ANCHOR": raw,                        # not centred
             "passes through 0": raw - raw.mean(axis=1, keepdims=True),  # own mean
             "own value": raw - raw.mean(axis=0)}                   # minus the PDP
    for hint_part, value in cases.items():
        r = _ef_check(ef_primer, "e2", value)
        assert r.status == "incorrect" and hint_part in (r.hint or ""), (hint_part, r.hint)
    r = _ef_check(ef_primer, "e2", right.T)
    assert r.status == "incorrect" and "transposed" in r.feedback
    r = _ef_check(ef_primer, "e2", right[:, :-1])
    assert r.status == "incorrect" and "shape" in r.feedback


def test_effects_e4(ef_primer):
    _, ctx = ef_primer
    f, X = ctx.ale_feature, ctx.X_train
    q = _ef_np.unique(_ef_np.quantile(X[f], _ef_np.linspace(0, 1, ctx.ale_bins + 1)))
    right = _ef_ale_loop(ctx.model, X, f, q)
    assert _ef_check(ef_primer, "e4", right).status == "correct"
    w = _ef_np.linspace(X[f].min(), X[f].max(), ctx.ale_bins + 1)
    r = _ef_check(ef_primer, "e4", _ef_ale_loop(ctx.model, X, f, w))
    assert r.status == "incorrect" and "quantile" in r.hint and "equal-width" in r.feedback
    r = _ef_check(ef_primer, "e4", right - right[0])          # not centred
    assert r.status == "incorrect" and "count-weighted" in r.hint
    r = _ef_check(ef_primer, "e4", right[:-1])
    assert r.status == "incorrect" and r.hint
    r = _ef_check(ef_primer, "e4", right + 0.5)
    assert r.status == "incorrect" and r.hint


def test_effects_e4_hints_point_at_the_rows_without_writing_the_solution(ef_primer):
    # a new learner averaged over X_rows and got "ale(model, X_train, 'bp', edges)" as the hint
    _, ctx = ef_primer
    f, X, rows = ctx.ale_feature, ctx.X_train, ctx.X_rows
    q_train = _ef_np.unique(_ef_np.quantile(X[f], _ef_np.linspace(0, 1, ctx.ale_bins + 1)))
    q_rows = _ef_np.unique(_ef_np.quantile(rows[f], _ef_np.linspace(0, 1, ctx.ale_bins + 1)))
    right = _ef_ale_loop(ctx.model, X, f, q_train)
    wrong = {"bins and local effects": _ef_ale_loop(ctx.model, rows, f, q_rows),
             "local effects": _ef_ale_loop(ctx.model, rows, f, q_train),
             "unrecognised": right + 0.5}
    for what, value in wrong.items():
        assert len(value) == len(right) and not _ef_np.allclose(value, right), what
        r = _ef_check(ef_primer, "e4", value)
        assert r.status == "incorrect", what
        text = r.feedback + " " + r.hint
        assert "rows" in r.hint and "X_rows" in text, (what, text)
        assert "ale(" not in text and "X_train, 'bp'" not in text, (what, text)
        if what != "unrecognised":
            assert f"The {what} of this ALE come from X_rows" in r.feedback, (what, r.feedback)





@_ef_pytest.mark.parametrize("qid,right", [("e3", "b"), ("e5", "c")])
def test_effects_choices(ef_primer, qid, right):
    assert _ef_check(ef_primer, qid, right).status == "correct"
    assert _ef_check(ef_primer, qid, f" {right.upper()} ").status == "correct"
    for wrong in sorted(set("abcd") - {right}):
        r = _ef_check(ef_primer, qid, wrong)
        assert r.status == "incorrect" and r.hint, (qid, wrong)
    r = _ef_check(ef_primer, qid, "e")
    assert r.status == "incorrect" and "one letter" in r.feedback


def test_effects_open_primer_checks_a_namespace(ef_primer):
    from xaikit.primers import open_primer

    p = open_primer("effects")
    assert "pdp_ice" in repr(p)
    shown = p.check("e3", namespace={"answer_e3": "b"})
    assert shown.result.status == "correct" and "xaikit-correct" in shown._repr_html_()
    assert p.check("e1", namespace={"pd_s6": None}).result.status == "not_attempted"





def test_effects_durations_are_the_measured_ones(ef_primer):
    # a new learner took 25-30 minutes for the primer (stated: 15) and 80-90 for the exercise
    from xaikit.exercises import get_exercise

    primer, _ = ef_primer
    ex = get_exercise(primer.exercise)
    assert primer.minutes >= 25 and ex.minutes >= 80
    cells = ["".join(c["source"]) for c in _ef_json.loads(_EF_NOTEBOOK.read_text())["cells"]]
    assert f"**About {primer.minutes} minutes**" in cells[0]
    nxt = " ".join(next(c for c in cells if c.startswith("## Next: the exercise")).split())
    assert f"about {ex.minutes} minutes" in nxt


# =============================================================================================
# Primer `importance` (MDI, permutation, SHAP): every self-check tested three ways (right answer
# passes, a typical wrong answer fails with its targeted hint, the placeholder None is not
# attempted), plus the notebook's metadata and placeholders.
# =============================================================================================
from pathlib import Path as _ImPath

import numpy as _im_np
import pytest as _im_pytest

_IM_NOTEBOOK = (_ImPath(__file__).resolve().parents[1] / "notebooks" / "primers"
                / "importance.ipynb")


@_im_pytest.fixture(scope="module")
def im_primer():
    from xaikit.primers import _context, get_primer

    return get_primer("importance"), _context("importance")


def _im_check(im_primer, qid, value):
    from xaikit.answers import roundtrip
    from xaikit.exercises.framework import run_check

    primer, ctx = im_primer
    q = primer.question(qid)
    return run_check(q, {q.answers[0]: roundtrip(value)}, ctx)


def _im_group(ctx, cols, X, y, seed=None, aligned=False):
    """The stated group protocol, written out here (``aligned``: the .iloc bug)."""
    rng = _im_np.random.default_rng(ctx.seed if seed is None else seed)
    base = _im_np.mean(_im_np.abs(y - ctx.model.predict(X)))
    drops = []
    for _ in range(ctx.n_repeats):
        idx = rng.permutation(len(X))
        X_perm = X.copy()
        X_perm[cols] = X[cols].iloc[idx] if aligned else X[cols].to_numpy()[idx]
        drops.append(_im_np.mean(_im_np.abs(y - ctx.model.predict(X_perm))) - base)
    return float(_im_np.mean(drops))


def test_importance_context_and_pitfalls_are_live(im_primer):
    import pandas as pd

    _, ctx = im_primer
    assert ctx.X_train.shape == (309, 13) and ctx.X_test.shape == (133, 13)
    assert ctx.X_pi_train.index.isin(ctx.X_train.index).all() and len(ctx.X_pi_train) == 133
    assert ctx.X_train["bmi"].corr(ctx.X_train["bmi_self"]) > 0.95
    mdi = pd.Series(ctx.model.feature_importances_, ctx.feature_names)
    # MDI: the random ID beats the random code and several real measurements
    assert mdi["record_id"] > 2 * mdi["clinic"]
    assert (mdi["record_id"] > mdi[["age", "s1", "s2", "s6"]]).all()
    # permutation: the ID matters on training rows, not on held-out rows
    pi_test = pd.Series(ctx.perm("test", "neg_mean_absolute_error"), ctx.feature_names)
    pi_train = pd.Series(ctx.perm("pi_train", "neg_mean_absolute_error"), ctx.feature_names)
    assert pi_train["record_id"] > 3 and abs(pi_test["record_id"]) < 1
    # the pair: together far more than either alone, and more than their sum
    g = _im_group(ctx, ctx.group, ctx.X_test, ctx.y_test)
    singles = [_im_group(ctx, [c], ctx.X_test, ctx.y_test) for c in ctx.group]
    assert g > sum(singles) + 2
    # the alignment bug shuffles nothing, exactly
    assert _im_group(ctx, ctx.group, ctx.X_test, ctx.y_test, aligned=True) == 0.0


def test_importance_i2(im_primer):
    from sklearn.inspection import permutation_importance

    _, ctx = im_primer
    r = permutation_importance(ctx.model, ctx.X_test, ctx.y_test, scoring="r2",
                               n_repeats=ctx.n_repeats, random_state=ctx.seed)
    assert _im_check(im_primer, "i2", r.importances_mean).status == "correct"
    assert _im_check(im_primer, "i2", r.importances).status == "correct"  # every repeat
    r_tr = permutation_importance(ctx.model, ctx.X_pi_train, ctx.y_pi_train, scoring="r2",
                                  n_repeats=ctx.n_repeats, random_state=ctx.seed)
    r_mae = permutation_importance(ctx.model, ctx.X_test, ctx.y_test,
                                   scoring="neg_mean_absolute_error",
                                   n_repeats=ctx.n_repeats, random_state=ctx.seed)
    cases = {"score before minus score after": -r.importances_mean,
             "held-out rows": r_tr.importances_mean,
             "scoring='r2'": r_mae.importances_mean}
    for hint_part, value in cases.items():
        res = _im_check(im_primer, "i2", value)
        assert res.status == "incorrect" and hint_part in (res.hint or ""), (hint_part, res.hint)
    other_seed = permutation_importance(ctx.model, ctx.X_test, ctx.y_test, scoring="r2",
                                        n_repeats=ctx.n_repeats, random_state=ctx.seed + 1)
    res = _im_check(im_primer, "i2", other_seed.importances_mean)
    assert res.status == "incorrect" and "random_state=SEED" in res.hint
    assert _im_check(im_primer, "i2", r.importances_mean[:5]).status == "incorrect"  # shape


def test_importance_i3(im_primer):
    _, ctx = im_primer
    X, y = ctx.X_test, ctx.y_test
    right = _im_group(ctx, ctx.group, X, y)
    assert _im_check(im_primer, "i3", right).status == "correct"
    assert _im_check(im_primer, "i3", _im_np.float32(right)).status == "correct"
    # another permutation stream is still the same quantity
    assert _im_check(im_primer, "i3", _im_group(ctx, ctx.group, X, y, seed=7)).status == "correct"
    singles = [_im_group(ctx, [c], X, y) for c in ctx.group]
    cases = {".to_numpy()[idx]": 0.0,                                       # the .iloc no-op
             "ONE row order": sum(singles),
             "bmi_self the shuffled rows": singles[0],
             "held-out rows": _im_group(ctx, ctx.group, ctx.X_pi_train, ctx.y_pi_train),
             "a loss grows": -right}
    for hint_part, value in cases.items():
        res = _im_check(im_primer, "i3", value)
        assert res.status == "incorrect" and hint_part in (res.hint or ""), (hint_part, res.hint)
    res = _im_check(im_primer, "i3", right + 10)
    assert res.status == "incorrect" and res.hint
    res = _im_check(im_primer, "i3", "six")
    assert res.status == "incorrect" and "numeric" in res.feedback





@_im_pytest.mark.parametrize("qid,right", [("i1", "c"), ("i4", "d"), ("i5", "b")])
def test_importance_choices(im_primer, qid, right):
    assert _im_check(im_primer, qid, right).status == "correct"
    assert _im_check(im_primer, qid, f" {right.upper()} ").status == "correct"
    for wrong in sorted(set("abcd") - {right}):
        r = _im_check(im_primer, qid, wrong)
        assert r.status == "incorrect" and r.hint, (qid, wrong)
    r = _im_check(im_primer, qid, "e")
    assert r.status == "incorrect" and "one letter" in r.feedback


def test_importance_open_primer_checks_a_namespace(im_primer):
    from xaikit.primers import open_primer

    p = open_primer("importance")
    assert "feature_importance" in repr(p)
    shown = p.check("i5", namespace={"answer_i5": "b"})
    assert shown.result.status == "correct" and "xaikit-correct" in shown._repr_html_()
    assert p.check("i3", namespace={"group_importance": None}).result.status == "not_attempted"





# =============================================================================================
# Primer `counterfactuals` (counterfactual explanations and recourse): every self-check tested
# three ways (right answer passes, a typical wrong answer fails with its targeted hint, the
# placeholder None is not attempted), the facts the notebook's text states about its data, and
# the notebook's metadata and placeholders.
# =============================================================================================
import json as _cf_json
from pathlib import Path as _CfPath

import numpy as _cf_np
import pytest as _cf_pytest

_CF_PRIMERS = _CfPath(__file__).resolve().parents[1] / "notebooks" / "primers"
_CF_NOTEBOOK = _CF_PRIMERS / "counterfactuals.ipynb"


@_cf_pytest.fixture(scope="module")
def cf_primer():
    from xaikit.primers import _context, get_primer

    return get_primer("counterfactuals"), _context("counterfactuals")


def _cf_check(cf_primer, qid, value):
    from xaikit.answers import roundtrip
    from xaikit.exercises.framework import run_check

    primer, ctx = cf_primer
    q = primer.question(qid)
    return run_check(q, {q.answers[0]: roundtrip(value)}, ctx)


def _cf_cost(ctx, scale):
    change = ctx.candidate.to_numpy() - ctx.patient_q.to_numpy()
    return float(_cf_np.sum(_cf_np.abs(change) / scale))


def test_counterfactuals_context_is_what_the_notebook_says(cf_primer):
    from xaikit.primers.counterfactuals import FEATURES, RULES, needless_reference

    _, ctx = cf_primer
    assert ctx.X_train.shape == (309, 6) and ctx.X_test.shape == (133, 6)
    raw_mad = _cf_np.median(_cf_np.abs(ctx.X_train - ctx.X_train.median()), axis=0)
    assert raw_mad[FEATURES.index("sex")] == 0 and ctx.mad[FEATURES.index("sex")] == 1.0
    for x in (ctx.patient_p, ctx.patient_q):                 # both flagged
        assert ctx.p_high(x)[0] >= 0.5
    held, free = ctx.single_flips(ctx.patient_p), ctx.single_flips(ctx.patient_p, free=True)
    held, free = held.set_index("feature"), free.set_index("feature")
    assert held["mads"].idxmin() == "hdl" and held.loc["hdl", "value"] == 53
    assert held["raw"].idxmin() == "ltg"                     # raw units pick another feature
    assert free["mads"].idxmin() == "sex"                    # the immutable trap is live
    assert (held["p_high"] < 0.5).all()
    # the exact boundary of hdl is still flagged (the validity pitfall)
    x = ctx.patient_p.to_numpy(float)
    j = FEATURES.index("hdl")
    w = ctx.model[-1].coef_[0] / ctx.model[0].scale_
    p0 = ctx.p_high(x)[0]
    c = x.copy()
    c[j] = x[j] - _cf_np.log(p0 / (1 - p0)) / w[j]
    assert ctx.p_high(c)[0] >= 0.5
    # the candidate flips Q, is feasible, and exactly one of its changes is needless
    assert ctx.p_high(ctx.candidate)[0] < 0.5
    delta = (ctx.candidate - ctx.patient_q)[list(FEATURES)]
    for f, d in delta.items():                               # feasible: allowed moves only
        assert d == 0 or RULES[f] == ("decrease" if d < 0 else "increase"), f
    assert ((ctx.candidate >= ctx.low) & (ctx.candidate <= ctx.high)).all()
    assert needless_reference(ctx) == ["bmi"]
    # Q: the three wrong answers of cf2 are distinct from the right one
    q_held = ctx.single_flips(ctx.patient_q).set_index("feature")
    q_free = ctx.single_flips(ctx.patient_q, free=True).set_index("feature")
    ref = q_held["mads"].min()
    assert abs(q_free["mads"].min() - ref) > 0.1
    assert q_held["raw"].idxmin() != q_held["mads"].idxmin()


def test_counterfactuals_cf1(cf_primer):
    _, ctx = cf_primer
    ref = _cf_cost(ctx, ctx.mad)
    assert _cf_check(cf_primer, "cf1", ref).status == "correct"
    assert _cf_check(cf_primer, "cf1", _cf_np.float32(ref)).status == "correct"
    cases = {"Divide each feature's change by its MAD": _cf_cost(ctx, 1.0),          # raw units
             "median absolute deviation": _cf_cost(ctx, ctx.X_train.std().to_numpy()),  # std
             "unchanged": ref + 0.5}
    for hint_part, value in cases.items():
        r = _cf_check(cf_primer, "cf1", value)
        assert r.status == "incorrect" and hint_part in (r.hint or ""), (hint_part, r.hint)
        assert f"{ref:.2f}" not in r.feedback + (r.hint or "")
    assert _cf_check(cf_primer, "cf1", [1.0, 2.0]).status == "incorrect"   # not one number


def test_counterfactuals_cf2(cf_primer):
    from xaikit.primers.counterfactuals import FEATURES, STEPS

    _, ctx = cf_primer
    held = ctx.single_flips(ctx.patient_q).set_index("feature")
    free = ctx.single_flips(ctx.patient_q, free=True).set_index("feature")
    best = held["mads"].idxmin()
    ref = float(held["mads"].min())
    assert _cf_check(cf_primer, "cf2", ref).status == "correct"
    cases = {"allowed direction": free["mads"].min(),                    # sex flip
             "MAD-weighted": held.loc[best, "raw"],                      # raw units
             "smallest MAD": held.loc[held["raw"].idxmin(), "mads"],     # ranked by raw units
             "below the threshold": ref - STEPS[best] / ctx.mad[FEATURES.index(best)],  # short
             "single_flips": ref + 1.0}
    for hint_part, value in cases.items():
        r = _cf_check(cf_primer, "cf2", value)
        assert r.status == "incorrect" and hint_part in (r.hint or ""), (hint_part, r.hint)
        assert f"{ref:.2f}" not in r.feedback + (r.hint or "")


def test_counterfactuals_cf3(cf_primer):
    for right in (["bmi"], "bmi", _cf_np.array(["bmi"]), (" bmi ",)):
        assert _cf_check(cf_primer, "cf3", right).status == "correct", right
    cases = {"ONE": ["bmi", "hdl", "ltg"], "three changed": ["age"],
             "Reset one changed feature": ["hdl"]}
    for hint_part, value in cases.items():
        r = _cf_check(cf_primer, "cf3", value)
        assert r.status == "incorrect" and hint_part in (r.hint or ""), (hint_part, r.hint)
    assert _cf_check(cf_primer, "cf3", []).status == "incorrect"       # [] is an answer
    r = _cf_check(cf_primer, "cf3", ["BMI"])
    assert r.status == "incorrect" and "unknown" in r.feedback
    assert _cf_check(cf_primer, "cf3", 3).status == "incorrect"


@_cf_pytest.mark.parametrize("qid,right", [("cf4", "a"), ("cf5", "c")])
def test_counterfactuals_choices(cf_primer, qid, right):
    assert _cf_check(cf_primer, qid, right).status == "correct"
    assert _cf_check(cf_primer, qid, f" {right.upper()} ").status == "correct"
    for wrong in sorted(set("abcd") - {right}):
        r = _cf_check(cf_primer, qid, wrong)
        assert r.status == "incorrect" and r.hint, (qid, wrong)
    r = _cf_check(cf_primer, qid, "e")
    assert r.status == "incorrect" and "one letter" in r.feedback





def test_counterfactuals_open_primer_checks_a_namespace(cf_primer):
    from xaikit.primers import open_primer

    _, ctx = cf_primer
    p = open_primer("counterfactuals")
    assert "counterfactuals" in repr(p)
    shown = p.check("cf1", namespace={"candidate_cost": _cf_cost(ctx, ctx.mad)})
    assert shown.result.status == "correct" and "xaikit-correct" in shown._repr_html_()
    assert p.check("cf3", namespace={"needless_changes": None}).result.status == "not_attempted"


def test_counterfactuals_notebook_holds_no_worked_answer(cf_primer):
    _, ctx = cf_primer
    nb = _cf_json.loads(_CF_NOTEBOOK.read_text())
    text = "".join("".join(c["source"]) for c in nb["cells"])
    q_best = ctx.single_flips(ctx.patient_q)["mads"].min()
    for value in (_cf_cost(ctx, ctx.mad), q_best):
        assert f"{value:.2f}" not in text


# =============================================================================================
# Primer `surrogates` (global surrogates): every self-check tested three ways (right answer
# passes, a typical wrong answer fails with its targeted hint, the placeholder None is not
# attempted), the facts the notebook's text states about its data, and the notebook's metadata
# and placeholders.
# =============================================================================================
_SG_NOTEBOOK = _CF_PRIMERS / "surrogates.ipynb"


@_cf_pytest.fixture(scope="module")
def sg_primer():
    from xaikit.primers import _context, get_primer

    return get_primer("surrogates"), _context("surrogates")


def _sg_check(sg_primer, qid, value):
    from xaikit.answers import roundtrip
    from xaikit.exercises.framework import run_check

    primer, ctx = sg_primer
    q = primer.question(qid)
    return run_check(q, {q.answers[0]: roundtrip(value)}, ctx)


def _sg_r2(a, b):
    from sklearn.metrics import r2_score

    return float(r2_score(a, b))


def test_surrogates_context_is_what_the_notebook_says(sg_primer):
    _, ctx = sg_primer
    assert ctx.X_fit.shape == (265, 10) and ctx.X_eval.shape == (177, 10)
    held = [_sg_r2(ctx.teacher_eval, ctx.surrogate(d).predict(ctx.X_eval)) for d in ctx.depths]
    fit = [_sg_r2(ctx.teacher_fit, ctx.surrogate(d).predict(ctx.X_fit)) for d in ctx.depths]
    acc = [_sg_r2(ctx.y_eval, ctx.surrogate(d).predict(ctx.X_eval)) for d in ctx.depths]
    assert int(_cf_np.argmax(held)) + 1 == 4 and held[-1] < held[2]   # peaks, then falls
    assert fit[-1] > 0.98 and max(acc) < 0.4                          # the two wrong measures
    assert _sg_r2(ctx.y_eval, ctx.teacher_eval) < 0.35               # a noisy outcome
    pred3 = ctx.surrogate(3).predict(ctx.X_eval)
    by_age = {b: _sg_r2(ctx.teacher_eval[ctx.age_bands == b], pred3[ctx.age_bands == b])
              for b in set(ctx.age_bands)}
    assert min(by_age, key=by_age.get) == "60+" and held[2] - by_age["60+"] > 0.1
    # the depth-2 rules: the new patient reaches a leaf other than the teacher's value
    s2 = ctx.surrogate(2)
    assert abs(s2.predict(ctx.new_patient)[0] - ctx.teacher.predict(ctx.new_patient)[0]) > 0.5


def test_surrogates_s1(sg_primer):
    _, ctx = sg_primer
    s = ctx.surrogate(3, "rf")
    pred = s.predict(ctx.X_eval)
    ref = _sg_r2(ctx.rf_eval, pred)
    assert _sg_check(sg_primer, "s1", ref).status == "correct"
    assert _sg_check(sg_primer, "s1", _cf_np.float32(ref)).status == "correct"
    cases = {"held-out rows": _sg_r2(ctx.rf_fit, s.predict(ctx.X_fit)),
             "TEACHER's predictions": _sg_r2(ctx.y_eval, pred),
             "rf.predict(X_fit)": _sg_r2(ctx.rf_eval,
                                         ctx.surrogate(3, "labels").predict(ctx.X_eval)),
             "reference": _sg_r2(pred, ctx.rf_eval),
             "random forest": _sg_r2(ctx.teacher_eval, ctx.surrogate(3).predict(ctx.X_eval)),
             "DecisionTreeRegressor(max_depth=3": ref + 0.05}
    for hint_part, value in cases.items():
        r = _sg_check(sg_primer, "s1", value)
        assert r.status == "incorrect" and hint_part in (r.hint or ""), (hint_part, r.hint)
        assert f"{ref:.3f}" not in r.feedback + (r.hint or "")


def test_surrogates_s3(sg_primer):
    from xaikit.primers.surrogates import _band_fidelity

    _, ctx = sg_primer
    r2, rmse = _band_fidelity(ctx)
    worst = min(r2, key=r2.get)
    assert sorted(r2) == ["25 to 30", "over 30", "up to 25"]
    assert sorted(r2.values())[1] - r2[worst] > 0.02                    # a clear worst band
    assert _sg_check(sg_primer, "s3", worst).status == "correct"
    assert _sg_check(sg_primer, "s3", f" {worst} ").status == "correct"
    by_rmse = max(rmse, key=rmse.get)
    assert by_rmse != worst
    r = _sg_check(sg_primer, "s3", by_rmse)
    assert r.status == "incorrect" and "RMSE" in r.feedback and "smallest" in r.hint
    other = (set(r2) - {worst, by_rmse}).pop()
    r = _sg_check(sg_primer, "s3", other)
    assert r.status == "incorrect" and "BMI_BANDS" in r.hint
    r = _sg_check(sg_primer, "s3", "obese")
    assert r.status == "incorrect" and "one of the labels" in r.feedback


def test_surrogates_s4(sg_primer):
    _, ctx = sg_primer
    s2 = ctx.surrogate(2)
    ref = float(s2.predict(ctx.new_patient)[0])
    assert _sg_check(sg_primer, "s4", ref).status == "correct"
    assert _sg_check(sg_primer, "s4", round(ref, 2)).status == "correct"   # read off the print
    leaves = s2.tree_.value[s2.tree_.children_left == -1].ravel()
    for other in leaves[_cf_np.abs(leaves - ref) > 0.5]:
        r = _sg_check(sg_primer, "s4", float(other))
        assert r.status == "incorrect" and "another leaf" in r.feedback
    r = _sg_check(sg_primer, "s4", float(ctx.teacher.predict(ctx.new_patient)[0]))
    assert r.status == "incorrect" and "teacher's prediction" in r.feedback
    r = _sg_check(sg_primer, "s4", 1000.0)
    assert r.status == "incorrect" and "value:" in r.hint


@_cf_pytest.mark.parametrize("qid", ["s2", "s5"])
def test_surrogates_choices(sg_primer, qid):
    assert _sg_check(sg_primer, qid, "b").status == "correct"
    assert _sg_check(sg_primer, qid, " B ").status == "correct"
    for wrong in "acd":
        r = _sg_check(sg_primer, qid, wrong)
        assert r.status == "incorrect" and r.hint, (qid, wrong)
    r = _sg_check(sg_primer, qid, "e")
    assert r.status == "incorrect" and "one letter" in r.feedback





def test_surrogates_notebook_holds_no_worked_answer(sg_primer):
    _, ctx = sg_primer
    nb = _cf_json.loads(_SG_NOTEBOOK.read_text())
    text = "".join("".join(c["source"]) for c in nb["cells"])
    rf_ref = _sg_r2(ctx.rf_eval, ctx.surrogate(3, "rf").predict(ctx.X_eval))
    leaf = float(ctx.surrogate(2).predict(ctx.new_patient)[0])
    assert f"{rf_ref:.2f}" not in text and f"{leaf:.0f}" not in text
