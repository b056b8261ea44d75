"""Primers: their self-checks and notebooks. Each primer has its own section below."""


# =============================================================================================
# Primer `shap_lime` (SHAP and LIME): every self-check tested three ways (right answer passes,
# a typical wrong answer fails with its targeted hint, the placeholder None is not attempted),
# plus the notebook's metadata and placeholders.
# =============================================================================================
import json as _sl_json
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


@_sl_pytest.mark.parametrize("qid", ["s1", "s2", "s3", "s4", "s5"])
def test_shap_lime_placeholder_is_not_attempted(sl_primer, qid):
    assert _sl_check(sl_primer, qid, None).status == "not_attempted"


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


def test_shap_lime_declaration_and_notebook(sl_primer):
    from xaikit.exercises import get_exercise

    primer, _ = sl_primer
    assert primer.id == "shap_lime" and primer.notebook == _SL_NOTEBOOK.name
    assert get_exercise(primer.exercise).id == "shap_vs_lime"
    assert 3 <= len(primer.questions) <= 5
    for q in primer.questions:
        assert q.kind == "auto" and q.check is not None and q.hints
    nb = _sl_json.loads(_SL_NOTEBOOK.read_text())
    assert nb["metadata"]["xaikit"] == {"primer": "shap_lime"}
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
    for q in primer.questions:  # each answer variable is a None placeholder next to its check
        name = q.answers[0]
        cells = [c for c in code if f'p.check("{q.id}")' in c]
        assert len(cells) == 1, q.id
        first = cells[0].splitlines()[0]
        assert first.split("#")[0].strip() == f"{name} = None", first
    text = "".join("".join(c["source"]) for c in nb["cells"])
    assert "exercises/01_shap_vs_lime.ipynb" in text and "Next: the exercise" in text
