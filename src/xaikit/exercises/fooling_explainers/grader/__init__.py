"""Grader part of ``fooling_explainers``: the planted scaffold, references, checks, hints and
rubrics.

Never shipped to candidates. The references recompute every answer from the same variant (its
black box, audit rows and seeds): LIME and KernelSHAP under the notebook's protocol, the flip
tests on ``X_test`` and the domain-classifier shares. Tolerances are calibrated in
``tests/test_calibration_fooling_explainers.py`` (24 variants).
"""
from __future__ import annotations

import numpy as np

from xaikit.exercises.fooling_explainers.public import CONTROLS, SENSITIVE, VERDICTS
from xaikit.exercises.framework import (AnswerFormatError, Rubric, as_array, as_float,
                                        correct, field_of, incorrect, partial)

from .references import References, reference_context
from .rubrics import RUBRICS
from .scaffold import materialise

__all__ = ["References", "reference_context", "materialise", "CHECKS", "HINTS", "RUBRICS",
           "TOL_RATE", "TOL_OOD", "TOL_SHARE"]

#: flip rates are counts / 300 recomputed on the same rows with the same model: exact up to
#: float printing (a rate typed with 3 decimals is off by < 5e-4).
TOL_RATE = 6e-4
#: q1 shares of |attribution|: exact reproduction of LIME (float64 ridge) and KernelSHAP
#: (same seed, same samples); absorbs float summation order only.
TOL_SHARE = 1e-6
#: Domain-classifier shares. The stated recipe is deterministic; this absorbs the legitimate
#: routes (another seed of the forest, the folds and the draw; LIME's samples regenerated or
#: drawn without the explained rows). Calibrated over 24 variants in the calibration test.
TOL_OOD = 0.05


def _names(name, value, n, names):
    if not isinstance(value, (list, tuple, np.ndarray)):
        raise AnswerFormatError(f"`{name}` should be a list of {n} feature names.")
    vals = [str(v) for v in np.ravel(np.asarray(value, dtype=object))]
    if len(vals) != n:
        raise AnswerFormatError(f"`{name}` should be a list of {n} feature names.")
    unknown = sorted(set(vals) - set(names))
    if unknown:
        raise AnswerFormatError(f"`{name}` names unknown features: {unknown[:3]}.")
    return vals


def check_q1(a, ctx):
    ref = ctx.ref_q1
    n, names = len(ctx.audit_rows), ctx.feature_names
    score, notes, hint = 0.0, [], None
    for key, part in (("lime_top", 0.3), ("shap_top", 0.3)):
        if a[key] is None:
            notes.append(f"`{key}` missing")
            continue
        got = _names(key, a[key], n, names)
        ok = sum(g == r for g, r in zip(got, ref[key]))
        score += part * ok / n
        if ok < n:
            notes.append(f"`{key}`: {ok} of {n} rows right")
            signed = ref["lime_weights" if key == "lime_top" else "shap_values"]
            if all(g == names[int(np.argmax(s))] for g, s in zip(got, signed)):
                hint = "Rank by the absolute attribution, not the signed one."
            else:
                hint = hint or ("A fresh explainer per row with the stated seed and sample "
                                "size; explain class 1 (bad risk); KernelSHAP on P(bad) with "
                                "the one-row mean background and np.random.seed before each row.")
    if a["sensitive_share"] is None:
        notes.append("`sensitive_share` missing")
    else:
        r = as_array("sensitive_share", a["sensitive_share"], (2, n))
        ok = (np.abs(r - ref["sensitive_share"]) <= TOL_SHARE).all(axis=1)
        score += 0.2 * ok.sum()
        if not ok.all():
            notes.append("`sensitive_share` row " + " and ".join(
                ("0 (LIME)", "1 (KernelSHAP)")[i] for i in range(2) if not ok[i]) + " wrong")
            j = names.index(SENSITIVE)
            raw = np.array([[abs(w[j]) for w in ref["lime_weights"]],
                            [abs(s[j]) for s in ref["shap_values"]]])
            if np.allclose(r, raw, atol=TOL_SHARE):
                hint = "Divide |attribution of personal_status_sex| by the sum of all 20 |attributions|."
            else:
                hint = hint or ("Share = |attribution of personal_status_sex| / sum of |all 20 "
                                "attributions| per row (0 if all are 0).")
    if score >= 1 - 1e-9:
        return correct("Correct: you reproduced both explainers' view of the audit rows.")
    if score == 0:
        return incorrect("; ".join(notes) + ".", hint)
    return partial(round(score, 3), "; ".join(notes) + ".", hint)


def check_q2(a, ctx):
    ref = ctx.ref_flip_rates
    feats = (SENSITIVE,) + CONTROLS
    got = {f: as_float(f"flip_rates['{f}']", field_of("flip_rates", a["flip_rates"], f))
           for f in feats}
    for f, v in got.items():
        if not 0 <= v <= 1:
            raise AnswerFormatError("A flip rate is a share of rows, in [0, 1].")
    ok = {f: abs(got[f] - ref[f]) <= TOL_RATE for f in feats}
    if all(ok.values()):
        return correct("Correct: the decisions on real rows depend on sex, not on the controls.")
    hint = None
    v = got[SENSITIVE]
    model, X = ctx.model, ctx.X_test
    if not ok[SENSITIVE]:
        from .references import flip
        women = X[SENSITIVE].to_numpy() == 1.0
        changed = model.predict(X) != model.predict(flip(X, SENSITIVE))
        pf = model.predict_proba(flip(X, SENSITIVE))[:, 1]
        if abs(v - changed.sum()) <= 0.5 or v > 1:
            hint = "A rate is a share of the 300 rows, not a count."
        elif abs(v - changed[women].mean()) <= TOL_RATE or abs(v - changed[~women].mean()) <= TOL_RATE:
            hint = "Flip every row of X_test (women to code 2, everyone else to code 1), not one group."
        elif abs(v - np.mean(np.abs(pf - model.predict_proba(X)[:, 1]) > 0)) <= TOL_RATE:
            hint = "Count changed DECISIONS (P(bad) >= 0.5), not changed probabilities."
        else:
            hint = ("On all 300 rows of X_test change only personal_status_sex, keep whole "
                    "codes, and count rows whose decision at 0.5 changes.")
    else:
        hint = "A control is flipped 0 <-> 1 on every row of X_test; nothing else changes."
    bad = [f for f in feats if not ok[f]]
    score = sum(ok.values()) / len(feats)
    msg = "Not reproduced: " + ", ".join(f"`{f}`" for f in bad) + "."
    return partial(round(score, 3), msg, hint) if score else incorrect(msg, hint)


def check_q3(a, ctx):
    ref = ctx.ref_ood
    got = {k: None if a[k] is None else as_float(k, a[k]) for k in ref}
    ok = {k: got[k] is not None and abs(got[k] - ref[k]) <= TOL_OOD for k in ref}
    if all(ok.values()):
        return correct("Correct: the explainers' samples are far more often off-distribution "
                       "than real applicants.")
    hint = None
    gl = got["ood_share_lime"]
    if gl is not None and not ok["ood_share_lime"]:
        gr = got["ood_share_real"]
        if abs(gl - (1 - ref["ood_share_lime"])) <= TOL_OOD and (
                gr is None or abs(gr - (1 - ref["ood_share_real"])) <= TOL_OOD):
            hint = "Report the share predicted PERTURBED (label 1), not real."
        else:
            hint = ("Use the stated domain classifier (not an unsupervised detector): record "
                    "the rows LIME passes to the model for the 5 audit rows of q1, draw 300 "
                    "with the stated generator, out-of-fold predictions (cross_val_predict).")
    elif not ok["ood_share_real"]:
        hint = "The real-row share is over the 300 rows of X_test, out-of-fold, same classifier."
    score = 0.6 * ok["ood_share_lime"] + 0.4 * ok["ood_share_real"]
    msg = "Not reproduced: " + ", ".join(f"`{k}`" for k in ref if not ok[k]) + "."
    return partial(score, msg, hint) if score else incorrect(msg, hint)


def check_q4(a, ctx):
    v = a["verdict"]
    if not isinstance(v, str) or v not in VERDICTS:
        raise AnswerFormatError("`verdict` must be one of VERDICTS (copy the string).")
    if v == ctx.ref_verdict:
        return correct()
    hints = {VERDICTS[0]: "The explainers say so; what do the flip tests on real rows say?",
             VERDICTS[2]: "Do LIME and KernelSHAP rank personal_status_sex high? Compare q1 "
                          "with q2.",
             VERDICTS[3]: "A black box is enough: flip tests need only predict, and q3 shows "
                          "where the explainers' rows lie."}
    return incorrect("Not the verdict the evidence supports.", hints[v])


CHECKS = {"q1": check_q1, "q2": check_q2, "q3": check_q3, "q4": check_q4}

HINTS = {
    "q1": ("exp.as_map()[1] gives (feature index, weight) pairs for class 1 (bad risk).",
           "Share = |attribution of personal_status_sex| / sum of |attributions|."),
    "q2": ("Flip only one column on real rows; compare model.predict before and after.",),
    "q3": ("Pass a recorder (xaikit.fooling.record_calls) to explain_instance; read .rows.",
           "cross_val_predict gives out-of-fold labels; a share is their mean.",),
    "q4": ("Weigh what the explainers show against what the model does on real rows.",),
}
