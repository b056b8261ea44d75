"""Grader part of ``counterfactuals``: the search, references, checks, hints and rubrics.

Never shipped to candidates, never importable in the grading kernel. The grader recomputes
every property of a candidate's counterfactual from the same model and data: the decision
(probability of denial < 0.5), the constraints (:mod:`xaikit.counterfactuals`), minimality in
its own changes (resetting any changed feature must undo the flip), the MAD-weighted L1
distance against its own exhaustive minimum over changes of one or two features, and
plausibility against the training applicants other than the applicant. Tolerances are
calibrated in ``tests/test_calibration_counterfactuals.py`` (20 variants).

Conventions:

- **Distance** (proximity) is the L1 distance on raw feature values, each feature divided by
  its median absolute deviation (MAD) over the training rows; a MAD of 0 counts as 1. The unit
  is "MADs" (Wachter, Mittelstadt & Russell 2017, eq. 5).
- **Minimal in its own changes**: every changed feature is needed; setting any one of them
  back to the applicant's value leaves the application denied (Wachter et al. 2017; DiCE's
  sparsity post-processing, Mothilal, Sharma & Tan 2020).
- **Plausibility**: the distance from the counterfactual to the nearest training applicant
  *other than the applicant* (an applicant who is a training row is not its own evidence) is
  at most the 95th percentile of each training applicant's distance to its nearest other one.
- **Diversity** of a set: distinct sets of changed features and the pairwise distances
  between members (Mothilal, Sharma & Tan 2020, DiCE).

References
----------
Wachter, S., Mittelstadt, B. & Russell, C. (2017). Counterfactual explanations without opening
the black box: automated decisions and the GDPR. Harvard Journal of Law & Technology 31(2).
Mothilal, R. K., Sharma, A. & Tan, C. (2020). Explaining machine learning classifiers through
diverse counterfactual explanations. FAT* 2020 (DiCE).
"""
from __future__ import annotations

import numpy as np

from xaikit import counterfactuals as CF
from xaikit.exercises.counterfactuals.public import DIVERSITY_MIN_PAIRWISE
from xaikit.exercises.framework import (AnswerFormatError, Rubric, as_array, as_float, correct,
                                        incorrect, partial)

from .measures import (PLAUSIBILITY_PERCENTILE, ConstraintReport, CounterfactualReport,
                       Plausibility, constraint_report, distance, diversity, evaluate,
                       mad_scale)
from .references import (MIN_REFERENCE_DISTANCE, References, _pool, materialise,
                         reference_context, reference_diverse, reference_search,
                         select_applicants)
from .search import SearchResult, exhaustive_minimum, feature_grid

#: The measures, the search and the references are in :mod:`.measures`, :mod:`.search` and
#: :mod:`.references`; re-exported here for the callers.
__all__ = ["PLAUSIBILITY_PERCENTILE", "ConstraintReport", "CounterfactualReport",
           "Plausibility", "constraint_report", "distance", "diversity", "evaluate",
           "mad_scale", "MIN_REFERENCE_DISTANCE", "References", "_pool", "materialise",
           "reference_context", "reference_diverse", "reference_search", "select_applicants",
           "SearchResult", "exhaustive_minimum", "feature_grid", "DIVERSITY_MIN_PAIRWISE",
           "CHECKS", "HINTS", "RUBRICS"]

#: |candidate MAD - reference MAD| (raw units): float64 medians; absorbs summation order.
TOL_MAD = 1e-6
#: |candidate - reference| plausibility threshold (MADs): a percentile of float64 distances.
TOL_PLAUSIBILITY = 1e-6
#: a minimal counterfactual may cost at most this factor times the grader's exhaustive grid
#: minimum. Absorbs searches on a different grid anchoring (calibrated).
PROXIMITY_FACTOR = 1.2
#: a diverse set's mean distance may be at most this factor times the grader's reference set
#: (greedy: cheapest per feature set, in order of cost). Absorbs a different but sensible
#: choice of the three feature sets, e.g. the most spread-out three of the six cheapest
#: (calibrated); still rejects sets of extreme changes.
SET_PROXIMITY_FACTOR = 2.0


# --- checks ----------------------------------------------------------------------------------

def _rows(name, value, n_rows, ctx) -> np.ndarray:
    """An answer of n_rows counterfactuals as an array (n_rows, 12) in feature order."""
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        missing = [f for f in ctx.feature_names if f not in value.columns]
        if missing:
            raise AnswerFormatError(f"`{name}` has no column(s) {missing[:3]}: use the columns "
                                    "of X_test.")
        value = value[ctx.feature_names].to_numpy(dtype=float)
    return as_array(name, value, (n_rows, len(ctx.feature_names)))


def _check_mad(mad, ctx):
    """(ok, feedback, hint) for the MAD scale."""
    if np.all(np.abs(mad - ctx.scale) <= TOL_MAD):
        return True, "", None
    raw = np.median(np.abs(ctx.X_train - ctx.X_train.median()), axis=0)
    if np.any(mad == 0) or np.all(np.abs(mad - raw) <= TOL_MAD):
        return False, "some features of `mad` are 0: the distance would divide by zero", \
            "Where the MAD is 0 (most applicants share one value), use 1."
    hint = "MAD = median(|x - median(x)|) per feature, over X_train, with 0 replaced by 1."
    for other, what in ((ctx.X_test, "the test rows"), (ctx.dataset.X, "all rows")):
        if np.all(np.abs(mad - mad_scale(other)) <= TOL_MAD):
            return False, f"`mad` is the MAD of {what}", \
                "The scale is fixed by the model's training applicants (X_train)."
    std = ctx.X_train.std().to_numpy()
    meandev = (ctx.X_train - ctx.X_train.mean()).abs().mean().to_numpy()
    for alt, what in ((std, "the standard deviation"),
                      (meandev, "the mean absolute deviation from the mean")):
        if np.allclose(mad, alt, atol=1e-4) or np.allclose(mad, np.where(alt > 0, alt, 1),
                                                           atol=1e-4):
            return False, f"`mad` is {what}, not the median absolute deviation", hint
    return False, "`mad` does not match", hint


def _check_threshold(t, ctx):
    if abs(t - ctx.plausibility.threshold) <= TOL_PLAUSIBILITY:
        return True, "", None
    hint = ("For each training applicant, the MAD-weighted L1 distance to its nearest OTHER "
            "training applicant (NearestNeighbors(n_neighbors=2, metric='manhattan') on "
            "X_train / mad, second column); then the 95th percentile.")
    if abs(t) <= 1e-12:
        return False, "`plausibility_threshold` is 0", (
            "Each applicant is its own nearest neighbour at distance 0: take the nearest "
            "other applicant (n_neighbors=2, second column).")
    return False, "`plausibility_threshold` does not match", hint


def check_q1(a, ctx):
    parts = []
    if a["mad"] is not None:
        parts.append(_check_mad(as_array("mad", a["mad"], (len(ctx.feature_names),)), ctx))
    else:
        parts.append((False, "`mad` missing", None))
    if a["plausibility_threshold"] is not None:
        parts.append(_check_threshold(as_float("plausibility_threshold",
                                               a["plausibility_threshold"]), ctx))
    else:
        parts.append((False, "`plausibility_threshold` missing", None))
    score = 0.5 * sum(ok for ok, _, _ in parts)
    if score == 1:
        return correct("Correct: the MAD scale of the training applicants (0 counted as 1) and "
                       "the 95th percentile of their nearest-neighbour distances.")
    notes = "; ".join(f for ok, f, _ in parts if not ok) + "."
    hint = next((h for ok, _, h in parts if not ok and h), None)
    return partial(score, notes, hint) if score else incorrect(notes, hint)


def _row_problems(rep, ref_distance, ctx) -> tuple[list, str | None]:
    """Problems of one counterfactual (ordered by importance) and the hint of the first."""
    probs, hint = [], None
    if not rep.changed:
        return ["it is the original applicant, unchanged"], "Change at least one mutable feature."
    if rep.immutable_changed:
        probs.append("changes immutable " + ", ".join(f"`{n}`" for n in rep.immutable_changed))
        if "black" in rep.immutable_changed:
            hint = ("`black` is a protected attribute the applicant cannot change: a "
                    "counterfactual that changes it is not recourse. Search only dir, hir, "
                    "lvr, ccs and mcs.")
        else:
            hint = ("Only dir, hir, lvr, ccs and mcs may change "
                    "(dataset.features[name].mutable).")
    if rep.direction_violations:
        probs.append("moves " + ", ".join(f"`{n}`" for n in rep.direction_violations)
                     + " the wrong way")
        hint = hint or ("Every mutable feature here may only decrease (lower ratio, better "
                        "score): dataset.features[name].direction.")
    if rep.range_violations:
        probs.append(", ".join(f"`{n}`" for n in rep.range_violations) + " out of range")
        hint = hint or "Stay within dataset.features[name].range."
    if rep.not_whole:
        probs.append(", ".join(f"`{n}`" for n in rep.not_whole) + " not a whole score")
        hint = hint or "ccs (1-6) and mcs (1-4) are whole-number scores."
    if rep.sparsity > ctx.k:
        probs.append(f"changes {rep.sparsity} features (at most {ctx.k})")
        hint = hint or f"Change at most {ctx.k} features."
    if not rep.valid:
        probs.append(f"the model still denies (probability of denial {rep.probability:.3f} ≥ "
                     f"{ctx.threshold:g})")
        hint = hint or ("A counterfactual must flip the decision: predict_proba(...)[:, 1] < "
                        "0.5 (probability, not log-odds).")
    elif rep.redundant:
        probs.append("changes " + ", ".join(f"`{n}`" for n in rep.redundant) + " without need "
                     "(the decision still flips with it set back to the applicant's value)")
        hint = hint or ("Change only what the flip needs: set each changed feature back to the "
                        "applicant's value in turn; if the model still approves, that change "
                        "is not needed (a pair whose one change flips alone is a one-feature "
                        "counterfactual plus a needless change).")
    if not probs and rep.distance > PROXIMITY_FACTOR * ref_distance + 1e-9:
        probs.append(f"valid but not minimal (distance {rep.distance:.2f} MADs is more than "
                     f"{PROXIMITY_FACTOR:g} × the cheapest the grader found)")
        hint = ("Search every single mutable feature and every pair on a grid at least as fine "
                "as the grader's (ratios in steps of 0.005 from the applicant's value, scores "
                "in whole steps) and keep the cheapest valid one.")
    if not probs and not rep.plausible:
        probs.append(f"implausible (nearest other real applicant {rep.nn_distance:.2f} MADs "
                     "away)")
        hint = ("Prefer a change that lands near real applicants: its nearest training "
                "applicant other than the applicant must be within plausibility_threshold "
                "(q1).")
    return probs, hint


def check_q2(a, ctx):
    cfs = _rows("counterfactuals", a["counterfactuals"], len(ctx.applicants), ctx)
    good, notes, hints, fragile = 0, [], [], []
    for i, label in enumerate(ctx.applicants):
        rep = ctx.evaluate(label, cfs[i][None])[0]
        probs, hint = _row_problems(rep, ctx.search(label).distance, ctx)
        if probs:
            notes.append(f"applicant {label}: " + "; ".join(probs))
            hints.append(hint)
            if not rep.changed or rep.immutable_changed:
                for j, other in enumerate(ctx.applicants):
                    if j != i and not ctx.evaluate(other, cfs[i][None])[0].immutable_changed:
                        hints[-1] = ("Row i must be a counterfactual of APPLICANTS[i] (index "
                                     "labels of X_all: use X_all.loc).")
        else:
            good += 1
            if rep.fragile:
                fragile.append(str(label))
    flag = (f" Fragile (within {CF.FRAGILE_MARGIN:g} of the threshold): applicant(s) "
            f"{', '.join(fragile)}; say so when you report them." if fragile else "")
    if good == len(ctx.applicants):
        return correct("Correct: each counterfactual flips the decision, needs every change it "
                       "makes, respects the constraints, is plausible and within the allowed "
                       "distance of the minimum." + flag)
    hint = next(h for h in hints if h)
    if good:
        return partial(good / len(ctx.applicants), "; ".join(notes) + "." + flag, hint)
    return incorrect("; ".join(notes) + ".", hint)


def check_q3(a, ctx):
    label = ctx.diverse_applicant
    cfs = _rows("diverse_set", a["diverse_set"], 3, ctx)
    reps = ctx.evaluate(label, cfs)
    notes, hint, score = [], None, 0.0
    ok_members = 0
    for i, rep in enumerate(reps):
        probs, h = _row_problems(rep, np.inf, ctx)
        if probs:
            notes.append(f"member {i}: " + "; ".join(probs))
            hint = hint or h
        else:
            ok_members += 1
    score += 0.5 * ok_members / 3
    x = ctx.X_all.loc[label].to_numpy(float)
    div = diversity(cfs, x, ctx.scale)
    diverse = div["n_feature_sets"] == 3 and div["min_pairwise"] >= DIVERSITY_MIN_PAIRWISE
    if diverse:
        score += 0.3
    else:
        if div["min_pairwise"] < 1e-9:
            notes.append("two members are identical")
        elif div["n_feature_sets"] < 3:
            notes.append("two members change the same set of features")
        else:
            notes.append(f"two members are closer than {DIVERSITY_MIN_PAIRWISE:g} MADs")
        hint = hint or ("Diverse = three different options: each member changes a different "
                        "set of features, and any two are at least "
                        f"{DIVERSITY_MIN_PAIRWISE:g} MADs apart.")
    ref_mean = float(distance(x, ctx.ref_diverse, ctx.scale).mean())
    mean = float(np.mean([r.distance for r in reps]))
    if ok_members == 3 and diverse:
        if mean <= SET_PROXIMITY_FACTOR * ref_mean + 1e-9:
            score += 0.2
        else:
            notes.append(f"the set is valid and diverse but expensive (mean distance {mean:.2f}"
                         " MADs)")
            hint = ("For each feature set take its cheapest valid counterfactual that needs "
                    "all its changes, then pick the cheapest three that are diverse.")
    if score >= 1 - 1e-9:
        return correct(f"Correct: three valid, minimal, feasible, plausible and diverse "
                       f"counterfactuals (mean pairwise distance {div['mean_pairwise']:.2f} "
                       "MADs).")
    if score == 0:
        return incorrect("; ".join(notes) + ".", hint)
    return partial(round(score, 4), "; ".join(notes) + ".", hint)


# --- declaration: checks, hints and rubrics of the public questions ----------------------

CHECKS = {"q1": check_q1, "q2": check_q2, "q3": check_q3}

HINTS = {
    "q1": ("np.median(np.abs(X - np.median(X, axis=0)), axis=0), then 0 -> 1.",
           "sklearn.neighbors.NearestNeighbors(metric='manhattan') on X_train / mad."),
    "q2": ("Score every single change and every pair of changes of the mutable features on a "
           "grid in one predict_proba call; keep the cheapest valid one that needs both of "
           "its changes.",),
    "q3": ("Keep the cheapest valid counterfactual of every feature set from your q2 search "
           "(pairs only where neither change flips alone), then choose three different ones.",),
}

RUBRICS = {
    "q4": Rubric(
        criteria=(
            "states the recourse concretely for one applicant (which feature, from what to "
            "what, in the applicant's terms: e.g. a larger down payment lowering the loan-to-"
            "value ratio to X) and that it is the model's decision boundary, not a guarantee",
            "not causal: the counterfactual describes the model, not the world; lowering the "
            "ratio might change other things (income, other ratios move together), and a "
            "model trained on 1990 data encodes correlations, not mechanisms",
            "mentions fragility / validity over time: a retrained model or a probability "
            "close to the threshold may not honour it",
            "offers options (the diverse set, each needing all its changes) and lets the "
            "applicant pick what is feasible",
            "mentions plausibility/feasibility limits and that immutable and protected "
            "features are never suggested"),
        strong="A short, plain-language message for one applicant with a concrete option and "
               "alternatives, plus a clear statement that it describes the model's rule, not "
               "a cause, with the fragility caveat.",
        adequate="A correct recourse statement and a generic 'not causal' remark.",
        weak="Restates the numbers, or promises approval, or claims the change causes "
             "approval."),
    "q5": Rubric(
        criteria=(
            "reads the demo: without constraints the cheapest way to flip the decision changes "
            "an immutable feature (for most denied applicants denied mortgage insurance, the "
            "industry unemployment rate or a public bad credit record; never `black` as the "
            "cheapest flip): the model's decision is sensitive to what the applicant cannot "
            "change, so an unconstrained counterfactual is not actionable recourse",
            "explains why constraints are needed: immutable features, directions and ranges "
            "encode what is actionable",
            "reads the second demo: some denied Black applicants would be approved if only "
            "`black` changed; flags a fairness problem: the model uses a protected attribute "
            "(ECOA / Regulation B in the US, GDPR Art. 22, EU AI Act for credit scoring) and "
            "should be audited, not just hidden from the explanation",
            "notes that the MAD scale makes 0/1 flips cheap (a MAD of 0 counted as 1), so "
            "'cheapest' depends on the distance chosen"),
        strong="Connects the demo to model sensitivity and fairness, proposes an audit "
               "(e.g. disparate impact, dropping or constraining the feature) and notes the "
               "role of the distance scale.",
        adequate="Says immutable features must be excluded from recourse and that the model "
                 "depends on them.",
        weak="'The search must be constrained' with no word on what it says about the "
             "model."),
}
