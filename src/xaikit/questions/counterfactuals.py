"""Exercise ``counterfactuals``: "Minimal recourse under constraints" (Boston HMDA, XGBoost).

The grader recomputes every property of a candidate's counterfactual from the same model and
data (:mod:`xaikit.counterfactuals`): the decision (probability of denial < 0.5), the
constraints of :func:`xaikit.datasets.load_boston_hmda`'s feature metadata, the MAD-weighted
L1 distance against its own exhaustive minimum over changes of one or two features, and
plausibility against the training applicants. Tolerances are calibrated in
``tests/test_calibration_counterfactuals.py`` (20 variants).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np

from xaikit import counterfactuals as CF
from xaikit.questions.base import (AnswerFormatError, as_array, as_float, correct, Exercise,
                                   incorrect, ModelContext, partial, Question, Rubric)

#: |candidate MAD - reference MAD| (raw units): the reference is float64 medians of float64
#: data; this only absorbs summation order / float32 round trips.
TOL_MAD = 1e-6
#: a minimal counterfactual may cost at most this factor times the grader's exhaustive grid
#: minimum (issue 4). Absorbs searches on a different grid anchoring (calibrated).
PROXIMITY_FACTOR = 1.2
#: a diverse set's mean distance may be at most this factor times the grader's reference set
#: (greedy: cheapest per feature set, in order of cost). Absorbs a different but sensible
#: choice of the three feature sets, e.g. the most spread-out three of the six cheapest
#: (calibrated: up to 1.78 over 20 variants); still rejects sets of extreme changes.
SET_PROXIMITY_FACTOR = 2.0
#: members of a diverse set must be at least this far apart pairwise (MADs)
DIVERSITY_MIN_PAIRWISE = 0.5
#: at most this many features changed per counterfactual
K_MAX = 2
#: applicants whose constrained minimum is cheaper than this (MADs) are not used: below it the
#: 0.005 grid step of a ratio (0.05-0.11 MADs) is a large fraction of the answer.
MIN_REFERENCE_DISTANCE = 0.5
N_APPLICANTS = 3


def _fit_reference(trained):
    constraints = CF.Constraints.from_dataset(trained.dataset)
    scale = CF.mad_scale(trained.X_train)
    plaus = CF.Plausibility(trained.X_train, scale)
    return constraints, scale, plaus


@lru_cache(maxsize=None)
def _pool():
    """The model, the reference objects, and every applicant (all 2380 rows) the model denies.

    Recourse is asked for applicants of the whole data set, not only the test rows: the model's
    decision is what matters, and 46 denied test applicants (15 eligible) were too few for
    variants to differ (151 denied, 54 eligible).
    """
    from xaikit.models import hmda_model

    trained = hmda_model()
    constraints, scale, plaus = _fit_reference(trained)
    X = trained.dataset.X
    p = CF.deny_probability(trained.model, X)
    denied = [int(a) for a in X.index[p >= CF.THRESHOLD]]
    return trained, constraints, scale, plaus, denied


_SEARCH_CACHE: dict = {}


def reference_search(label: int, constrained: bool = True) -> CF.SearchResult:
    """The grader's exhaustive search for applicant ``label`` (row of ``dataset.X``; cached)."""
    key = (int(label), constrained)
    if key not in _SEARCH_CACHE:
        trained, constraints, scale, _, _ = _pool()
        _SEARCH_CACHE[key] = CF.exhaustive_minimum(
            trained.model, trained.dataset.X.loc[label].to_numpy(float), constraints, scale,
            max_features=K_MAX, constrained=constrained, X_ref=trained.X_train)
    return _SEARCH_CACHE[key]


def reference_diverse(label: int):
    """The grader's diverse set of 3 for ``label``: greedy over plausible per-set minima.

    Returns ndarray (3, n_features) or None.
    """
    trained, _, scale, plaus, _ = _pool()
    x = trained.dataset.X.loc[label].to_numpy(float)
    res = reference_search(label)
    rows, sets = [], set()
    for key in sorted(res.per_set, key=lambda s: res.per_set[s][0]):
        c = res.per_set[key][1]
        ch = tuple(np.flatnonzero(np.abs(c - x) > CF.CHANGE_TOL))
        if ch in sets or plaus.nearest(c)[0] > plaus.threshold:
            continue
        if any(CF.distance(r, c[None], scale)[0] < DIVERSITY_MIN_PAIRWISE for r in rows):
            continue
        rows.append(c)
        sets.add(ch)
        if len(rows) == 3:
            return np.array(rows)
    return None


def _eligible(label: int, need_diverse: bool) -> bool:
    trained, _, _, plaus, _ = _pool()
    res = reference_search(label)
    if res.best is None or res.distance < MIN_REFERENCE_DISTANCE:
        return False
    if plaus.nearest(res.best)[0] > plaus.threshold:
        return False
    return reference_diverse(label) is not None if need_diverse else True


def _traps_immutable(label: int) -> bool:
    _, constraints, _, _, _ = _pool()
    res = reference_search(label, constrained=False)
    return res.best is not None and bool(set(res.changed) & set(constraints.immutable_names))


@dataclass
class CounterfactualsContext(ModelContext):
    """Everything the notebook and the grader share for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.models.TrainedModel
        XGBoost on Boston HMDA; class 1 = denied.
    applicants : list of int
        Index labels (``X_all.loc``, the source's row numbers) of the denied applicants of q2,
        in order; the first is also the applicant of the diverse set (q3).
    trap_applicant : int
        A denied applicant whose cheapest *unconstrained* flip changes an immutable feature.
    constraints : xaikit.counterfactuals.Constraints
    scale : ndarray of shape (12,)
        MAD of each feature over ``X_train`` (0 counted as 1), raw units.
    plausibility : xaikit.counterfactuals.Plausibility
    threshold : float
        Probability of denial at or above which the model denies (0.5).
    k : int
        Maximum number of features a counterfactual may change.
    """

    variant: int
    trained: object
    applicants: list
    trap_applicant: int
    constraints: object
    scale: np.ndarray
    plausibility: object
    threshold: float = CF.THRESHOLD
    k: int = K_MAX
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def X_all(self):
        """Every applicant, shape (2380, 12): ``dataset.X`` (train and test rows)."""
        return self.trained.dataset.X

    @property
    def X_applicants(self):
        """The applicants' rows, shape (3, 12), in the order of ``applicants``."""
        return self.X_all.loc[self.applicants]

    @property
    def diverse_applicant(self) -> int:
        return self.applicants[0]

    def search(self, label, constrained=True) -> CF.SearchResult:
        return reference_search(label, constrained)

    @cached_property
    def ref_minimal(self) -> np.ndarray:
        """The grader's minimal counterfactual of each applicant, shape (3, 12)."""
        return np.array([self.search(a).best for a in self.applicants])

    @cached_property
    def ref_diverse(self) -> np.ndarray:
        return reference_diverse(self.diverse_applicant)

    def evaluate(self, label, cfs) -> list:
        return CF.evaluate(self.model, self.X_all.loc[label].to_numpy(float), cfs,
                           self.constraints, self.scale, self.plausibility, self.threshold)


def build_context(variant: int = 0) -> CounterfactualsContext:
    """The context of ``variant``: denied applicants drawn with seed ``variant``.

    The applicants the model denies (all rows of ``dataset.X``) are shuffled with ``numpy.random.default_rng(40_000 + variant)``;
    the first three whose constrained minimum exists, costs at least
    ``MIN_REFERENCE_DISTANCE`` and is plausible (the first also needing a diverse set of
    three) become ``applicants``; the first applicant of the same order whose cheapest
    unconstrained flip changes an immutable feature becomes ``trap_applicant``.
    """
    trained, constraints, scale, plaus, denied = _pool()
    order = [int(a) for a in np.random.default_rng(40_000 + int(variant)).permutation(denied)]
    chosen = []
    for a in order:
        if _eligible(a, need_diverse=not chosen):
            chosen.append(a)
            if len(chosen) == N_APPLICANTS:
                break
    if len(chosen) < N_APPLICANTS:
        raise RuntimeError("not enough eligible denied applicants")
    trap = next(a for a in order if a not in chosen and _traps_immutable(a))
    return CounterfactualsContext(variant=int(variant), trained=trained, applicants=chosen,
                                  trap_applicant=trap, constraints=constraints, scale=scale,
                                  plausibility=plaus)


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


#: |candidate - reference| plausibility threshold (MADs): a percentile of float64 distances.
TOL_PLAUSIBILITY = 1e-6


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
        if np.all(np.abs(mad - CF.mad_scale(other)) <= TOL_MAD):
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
    if not probs and rep.distance > PROXIMITY_FACTOR * ref_distance + 1e-9:
        probs.append(f"valid but not minimal (distance {rep.distance:.2f} MADs is more than "
                     f"{PROXIMITY_FACTOR:g} × the cheapest the grader found)")
        hint = ("Search every single mutable feature and every pair on a grid at least as fine "
                "as the grader's (ratios in steps of 0.005 from the applicant's value, scores "
                "in whole steps) and keep the cheapest valid one.")
    if not probs and not rep.plausible:
        probs.append(f"implausible (nearest real applicant {rep.nn_distance:.2f} MADs away)")
        hint = ("Prefer a change that lands near real applicants: its nearest training "
                    "applicant must be within plausibility_threshold (q1).")
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
        return correct("Correct: each counterfactual flips the decision, respects the "
                       "constraints, is plausible and within the allowed distance of the "
                       "minimum." + flag)
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
    div = CF.diversity(cfs, x, ctx.scale)
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
    ref = ctx.ref_diverse
    ref_mean = float(CF.distance(x, ref, ctx.scale).mean())
    mean = float(np.mean([r.distance for r in reps]))
    if ok_members == 3 and diverse:
        if mean <= SET_PROXIMITY_FACTOR * ref_mean + 1e-9:
            score += 0.2
        else:
            notes.append(f"the set is valid and diverse but expensive (mean distance {mean:.2f}"
                         " MADs)")
            hint = ("For each feature set take its cheapest valid counterfactual, then pick "
                    "the cheapest three that are diverse.")
    if score >= 1 - 1e-9:
        return correct(f"Correct: three valid, feasible, plausible and diverse counterfactuals "
                       f"(mean pairwise distance {div['mean_pairwise']:.2f} MADs).")
    if score == 0:
        return incorrect("; ".join(notes) + ".", hint)
    return partial(round(score, 4), "; ".join(notes) + ".", hint)


# --- declaration -----------------------------------------------------------------------------

QUESTIONS = (
    Question("q1", "The distance scale and the plausibility bound", "auto", 2, "junior", 10,
             answers=("mad", "plausibility_threshold"), check=check_q1,
             hints=("np.median(np.abs(X - np.median(X, axis=0)), axis=0), then 0 -> 1.",
                    "sklearn.neighbors.NearestNeighbors(metric='manhattan') on X_train / mad.")),
    Question("q2", "A minimal counterfactual per applicant", "auto", 4, "mid", 25,
             answers=("counterfactuals",), check=check_q2,
             hints=("Score every single change and every pair of changes of the mutable "
                    "features on a grid in one predict_proba call; keep the cheapest valid.",)),
    Question("q3", "A diverse set of three", "auto", 3, "senior", 15,
             answers=("diverse_set",), check=check_q3,
             hints=("Keep the cheapest valid counterfactual of every feature set from your q2 "
                    "search, then choose three different ones.",)),
    Question("q4", "What to tell the applicant", "manual", 3, "senior", 10, rubric=Rubric(
        criteria=(
            "states the recourse concretely for one applicant (which feature, from what to "
            "what, in the applicant's terms: e.g. a larger down payment lowering the loan-to-"
            "value ratio to X) and that it is the model's decision boundary, not a guarantee",
            "not causal: the counterfactual describes the model, not the world; lowering the "
            "ratio might change other things (income, other ratios move together), and a "
            "model trained on 1990 data encodes correlations, not mechanisms",
            "mentions fragility / validity over time: a retrained model or a probability "
            "close to the threshold may not honour it",
            "offers options (the diverse set) and lets the applicant pick what is feasible",
            "mentions plausibility/feasibility limits and that immutable and protected "
            "features are never suggested"),
        strong="A short, plain-language message for one applicant with a concrete option and "
               "alternatives, plus a clear statement that it describes the model's rule, not "
               "a cause, with the fragility caveat.",
        adequate="A correct recourse statement and a generic 'not causal' remark.",
        weak="Restates the numbers, or promises approval, or claims the change causes "
             "approval.")),
    Question("q5", "The cheapest flip changes an immutable feature", "manual", 2, "senior", 8,
             rubric=Rubric(
        criteria=(
            "reads the demo: without constraints the cheapest way to flip the decision changes "
            "an immutable feature (e.g. public bad credit record, industry unemployment, "
            "black): the model's decision is sensitive to it",
            "explains why constraints are needed: an unconstrained counterfactual is not "
            "actionable recourse",
            "if the feature is `black` (or a proxy), flags a fairness problem: the model uses "
            "a protected attribute (ECOA / Regulation B in the US, GDPR Art. 22, EU AI Act for "
            "credit scoring) and should be audited, not just hidden from the explanation",
            "notes that the MAD scale makes 0/1 flips cheap (a MAD of 0 counted as 1), so "
            "'cheapest' depends on the distance chosen"),
        strong="Connects the demo to model sensitivity and fairness, proposes an audit "
               "(e.g. disparate impact, dropping or constraining the feature) and notes the "
               "role of the distance scale.",
        adequate="Says immutable features must be excluded from recourse and that the model "
                 "depends on them.",
        weak="'The search must be constrained' with no word on what it says about the "
             "model.")),
)

EXERCISE = Exercise(
    id="counterfactuals", title="Minimal recourse under constraints", level="mid-senior",
    minutes=90, notebook="04_counterfactuals.ipynb",
    topics=("counterfactual explanations", "actionable explanations",
            "fair, unbiased interpretations", "causal questions vs model explanations"),
    questions=QUESTIONS, build_context=build_context)
