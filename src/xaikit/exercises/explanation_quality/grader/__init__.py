"""Grader part of ``explanation_quality``: references, checks, hints and rubrics.

Never shipped to candidates, never importable in the grading kernel. The references are
computed from the same data, models, explainers and rows as the notebook (:mod:`.references`);
the metrics are written from the papers (:mod:`.metrics`). Tolerances are calibrated in
``tests/test_calibration_explanation_quality.py`` (20 generated variants).
"""
from __future__ import annotations

import numpy as np

from xaikit.exercises.explanation_quality.public import LETTERS, VERDICTS
from xaikit.exercises.framework import (AnswerFormatError, as_array, as_float, correct,
                                        field_of, incorrect, partial)

from . import metrics
from .references import References, materialise, reference_context, truth
from .rubrics import RUBRICS

__all__ = ["References", "materialise", "reference_context", "truth", "metrics", "CHECKS",
           "HINTS", "RUBRICS", "TOL_AUC", "TOL_RANK"]

#: |candidate - reference| of a mean curve point or a mean area (probability of class 1). The
#: curves are recomputed from the same deterministic attributions and XGBoost's float32
#: predictions; this absorbs the summation order of the mean and of the trapezoid and an
#: argsort that orders exact ties differently (tied features are never both moved in one step
#: with a different effect: exact TreeSHAP zeros belong to features no tree uses). Mistakes
#: sit >= 1e-3 away (calibration test).
TOL_AUC = 1e-5
#: |candidate - reference| of a mean Spearman correlation (stability, randomisation tests, on
#: both data sets). The ranks are recomputed from the same attributions; this absorbs a
#: different noise arithmetic (x + noise * sigma * std in another order, DataFrames) and float
#: noise only. Calibrated over 20 variants on both data sets (mistakes sit >= 1e-3 away).
TOL_RANK = 1e-6

_AUC_MISTAKES = {
    "signed": "Rank features by |attribution| (largest magnitude first), not by the signed "
              "value: a large negative attribution is an important feature too.",
    "ascending": "Delete (and insert) the MOST important feature first: sort |attribution| "
                 "in descending order.",
    "no_step0": "The curve starts at step 0: the untouched row for deletion, the all-baseline "
                "row for insertion (p + 1 points).",
    "steps": "Integrate over the FRACTION of features k / p in [0, 1], not over the step "
             "number k (that is p times the area).",
    "zero_baseline": "A removed feature takes its training MEAN (X_train.mean()), not 0.",
    "mean": "Use the trapezoid rule over k / p (np.trapezoid), not the plain mean of the "
            "curve's points.",
}


def _per_letter(name, value, lo=None, hi=None) -> dict:
    out = {}
    for L in LETTERS:
        v = as_float(f"{name}['{L}']", field_of(name, value, L))
        if (lo is not None and v < lo - 1e-12) or (hi is not None and v > hi + 1e-12):
            raise AnswerFormatError(f"`{name}['{L}']` should be in [{lo}, {hi}].")
        out[L] = v
    return out


def _match(got: dict, want: dict, tol: float) -> int:
    return sum(abs(got[L] - want[L]) <= tol for L in LETTERS)


def _auc_part(name, value, ref, kind, credit):
    """(share of letters right, hint) for one dict of areas."""
    got = _per_letter(name, value)  # no range: an area over steps (> 1) gets its hint
    right = _match(got, ref.auc(kind, credit=credit), TOL_AUC)
    if right == len(LETTERS):
        return 1.0, None
    if kind == "insertion" and _match(got, ref.auc("deletion", credit=credit), TOL_AUC) >= 2:
        # the same numbers as an insertion in ascending order (the reversed deletion curve)
        return right / 3, ("These are the deletion areas: insertion starts from the "
                           "all-baseline row and puts the true values back, most important "
                           "feature first.")
    for mistake, hint in _AUC_MISTAKES.items():
        if _match(got, ref.auc(kind, credit=credit, mistake=mistake), TOL_AUC) >= 2:
            return right / 3, hint
    return right / 3, None


def _auc_result(parts, default_hint):
    score = sum(w * s for w, (s, _) in parts)
    hint = next((h for _, (_, h) in parts if h), default_hint)
    if score >= 1 - 1e-9:
        return correct("Correct: the curves and areas reproduce under the protocol.")
    if score == 0:
        return incorrect("The areas do not match the protocol.", hint)
    return partial(score, "Some of the areas do not match the protocol.", hint)


_DEFAULT_AUC_HINT = ("For each explainer: rank by |attribution| (descending, ties by feature "
                     "index), p + 1 points from step 0, baseline = X_train.mean(), output = "
                     "predict_proba(...)[:, 1], trapezoid over k / p, mean over the 10 rows.")


def check_q1(a, ref):
    p = len(ref.feature_names)
    parts = []
    if a.get("deletion_curve_A") is not None:
        c = np.asarray(a["deletion_curve_A"], dtype=float).ravel()
        if c.shape == (p,):
            parts.append((0.2, (0.0, _AUC_MISTAKES["no_step0"])))
        else:
            c = as_array("deletion_curve_A", c, (p + 1,))
            ok = bool(np.all(np.abs(c - ref.ref_deletion_curve_A) <= TOL_AUC))
            parts.append((0.2, (float(ok), None if ok else _DEFAULT_AUC_HINT)))
    else:
        parts.append((0.2, (0.0, None)))
    for name, kind in (("deletion_auc", "deletion"), ("insertion_auc", "insertion")):
        parts.append((0.4, (0.0, None) if a.get(name) is None
                      else _auc_part(name, a[name], ref, kind, False)))
    return _auc_result(parts, _DEFAULT_AUC_HINT)


def check_q2(a, ref):
    parts = []
    for name, kind in (("credit_deletion_auc", "deletion"), ("credit_insertion_auc", "insertion")):
        parts.append((0.5, (0.0, None) if a.get(name) is None
                      else _auc_part(name, a[name], ref, kind, True)))
    return _auc_result(parts, "The same protocol with the credit model, CREDIT_ROWS, "
                              "credit_explainers and German credit's training mean.")


def _pearson_stability(ref, credit=False):
    rows, noisy = ("credit", "credit_noisy") if credit else ("rows", "noisy")
    out = {}
    for L in LETTERS:
        A, B = ref.attributions(L, rows), ref.attributions(L, noisy)
        out[L] = float(np.mean([np.corrcoef(x, y)[0, 1] for x, y in zip(A, B)]))
    return out


def _stability_part(name, value, ref, credit):
    """(share of letters right, hint) for one stability dict."""
    got = _per_letter(name, value, -1, 1)
    right = _match(got, ref.ref_stability(credit=credit), TOL_RANK)
    if right == 3:
        return 1.0, None
    hint = None
    if _match(got, ref.ref_stability(absolute=True, credit=credit), TOL_RANK) >= 2:
        hint = "Stability ranks the SIGNED attributions; |attribution| is for the sanity checks."
    elif _match(got, _pearson_stability(ref, credit), TOL_RANK) >= 2:
        hint = "Spearman rank correlation (scipy.stats.spearmanr), not Pearson."
    elif all(abs(v - 1) <= TOL_RANK for v in got.values()):
        hint = ("All 1: did the noisy rows differ from the rows? x + N(0, (SIGMA * std_j)^2), "
                "one draw default_rng(NOISE_SEED).standard_normal(rows.shape).")
    elif credit and _match(got, ref.ref_credit_stability_unscaled(), TOL_RANK) >= 2:
        hint = ("Scale the noise by each feature's standard deviation (credit.X_train.std()): "
                "N(0, SIGMA^2) is nothing for credit_amount and a jump for a 0/1 code.")
    return right / 3, hint


def _weighted(parts, *, done, default_hint, wrong):
    """Combine ``(weight, (share, hint))`` parts into one result."""
    score = sum(w * s for w, (s, _) in parts)
    hint = next((h for _, (_, h) in parts if h), default_hint)
    if score >= 1 - 1e-9:
        return correct(done)
    if score <= 0:
        return incorrect(wrong, hint)
    return partial(score, wrong, hint)


def _part(a, name, weight, fn, *args):
    return (weight, (0.0, None) if a.get(name) is None else fn(name, a[name], *args))


def check_q3(a, ref):
    parts = [_part(a, "stability", 2 / 3, _stability_part, ref, False),
             _part(a, "credit_stability", 1 / 3, _stability_part, ref, True)]
    missing = [n for n in ("stability", "credit_stability") if a.get(n) is None]
    return _weighted(
        parts, done="Correct: the stability of each explainer reproduces on both data sets.",
        default_hint=("Use the signed attributions (scipy.stats.spearmanr(a_x, a_noisy) per "
                      "row), then the mean over the 10 rows; for German credit a fresh "
                      "default_rng(NOISE_SEED) and credit.X_train.std()."),
        wrong=("Some stabilities do not match the protocol"
               + (f" (`{'`, `'.join(missing)}` missing)." if missing else ".")))


#: q4's answers: (name, destroyed model in References.attributions, the other test's name)
_Q4 = (("model_randomisation", "random_model", "label_randomisation"),
       ("label_randomisation", "label_random", "model_randomisation"),
       ("credit_model_randomisation", "credit_random_model", "credit_label_randomisation"),
       ("credit_label_randomisation", "credit_label_random", "credit_model_randomisation"))
_Q4_WEIGHT = {"model_randomisation": 0.375, "label_randomisation": 0.375,
              "credit_model_randomisation": 0.125, "credit_label_randomisation": 0.125}
_Q4_CTX = {"random_model": "ctx.random_model", "label_random": "ctx.label_random_model",
           "credit_random_model": "ctx.credit_random_model",
           "credit_label_random": "ctx.credit_label_random_model"}


def check_q4(a, ref):
    score, notes, hint = 0.0, [], None
    mine = {name: ref.ref_randomisation(which) for name, which, _ in _Q4}
    for name, which, other in _Q4:
        if a.get(name) is None:
            notes.append(f"`{name}` missing")
            continue
        got = _per_letter(name, a[name], -1, 1)
        right = _match(got, mine[name], TOL_RANK)
        score += _Q4_WEIGHT[name] * right / 3
        if right == 3:
            continue
        notes.append(f"`{name}`: {right} of 3 right")
        if _match(got, ref.ref_randomisation(which, absolute=False), TOL_RANK) >= 2:
            hint = hint or ("Adebayo et al. compare |attributions| (the rank of the "
                            "magnitude), not the signed values.")
        elif _match(got, mine[other], TOL_RANK) >= 2:
            o = next(w for n, w, _ in _Q4 if n == other)
            hint = hint or (f"{name} uses {_Q4_CTX[which]}; {other} uses {_Q4_CTX[o]}.")
        elif all(abs(v - 1) <= TOL_RANK for v in got.values()):
            hint = hint or ("All 1: explain the rows with the DESTROYED model "
                            f"({_Q4_CTX[which]}), with the same explainer, and compare with "
                            "the trained model's attributions.")
    hint = hint or ("Per explainer and data set: explain the 10 rows with the trained model and "
                    "with the destroyed one, Spearman of |attributions| per row, mean over "
                    "rows.")
    if score >= 1 - 1e-9:
        return correct("Correct: both randomisation tests reproduce on both data sets.")
    return (partial(score, "; ".join(notes) + ".", hint) if score
            else incorrect("; ".join(notes) + ".", hint))


def _own_randomisation(a):
    """Per letter, the candidate's own evidence that the explainer ignores the model: per data
    set the larger of the two similarities, then the smaller over the data sets answered (an
    explainer is called model-free only if it looks so on each of them)."""
    out = None
    for prefix in ("", "credit_"):
        try:
            m = _per_letter(f"{prefix}model_randomisation", a[f"{prefix}model_randomisation"],
                            -1, 1)
            lab = _per_letter(f"{prefix}label_randomisation", a[f"{prefix}label_randomisation"],
                              -1, 1)
        except (AnswerFormatError, KeyError, TypeError):
            continue
        s = {L: max(m[L], lab[L]) for L in LETTERS}
        out = s if out is None else {L: min(out[L], s[L]) for L in LETTERS}
    return out


def check_q5(a, ref):
    v = a["verdicts"]
    got = {}
    for L in LETTERS:
        s = field_of("verdicts", v, L)
        if s not in VERDICTS:
            raise AnswerFormatError(f"`verdicts['{L}']` should be one of {list(VERDICTS)}.")
        got[L] = s
    ignorer = ref.letter_of("correlation")
    want = {L: "unfaithful" if L == ignorer else "faithful" for L in LETTERS}
    own = _own_randomisation(a)
    consistent = True
    if own is not None:
        bad = [L for L in LETTERS if got[L] == "unfaithful"]
        good = [L for L in LETTERS if got[L] == "faithful"]
        consistent = not bad or not good or min(own[L] for L in bad) > max(own[L] for L in good)
    if got == want:
        if consistent:
            return correct("Correct: the explainer whose explanation does not move when the "
                           "model is randomised, on either data set, is the unfaithful one.")
        return partial(0.5, "The verdicts are right, but your own sanity-check numbers (q4) "
                            "do not support them.",
                       "The explainer you call unfaithful should be the one whose explanation "
                       "stays the same under randomisation (q4), on both data sets.")
    if got[ignorer] == "unfaithful":
        return partial(0.5, "You flagged the explainer that ignores the model, and also one "
                            "whose explanations do depend on the model.",
                       "A worse deletion area or a lower stability does not make an explainer "
                       "ignore the model: which ones changed under both randomisations?")
    return incorrect("The explainer that ignores the model is not flagged.",
                     "Look at q4: one explanation does not change at all when the model is "
                     "randomised or retrained on permuted labels, on either data set.")


CHECKS = {"q1": check_q1, "q2": check_q2, "q3": check_q3, "q4": check_q4, "q5": check_q5}

HINTS = {
    "q1": ("np.argsort(-np.abs(a), kind='stable') gives the order with ties by feature index.",),
    "q2": ("Reuse your q1 function with the credit model, rows, explainers and baseline.",),
    "q3": ("scipy.stats.spearmanr(a, b).statistic per row, then the mean; the same function "
           "for both data sets.",),
    "q4": ("Spearman of |attributions| before vs after, per row, then the mean; the same "
           "function for both data sets.",),
    "q5": ("A faithful explanation must change when the model changes.",),
}
