"""Exercise ``distillation``: "Distil the black box" (bike sharing 2011, XGBoost teacher).

The teacher is an XGBoost **regressor** of hourly rentals: a regression teacher makes
fidelity a plain R² between two real-valued outputs (rentals per hour), with no choice of
probability vs log-odds vs class to argue about. The grader refits the same surrogates
(:mod:`xaikit.distill`) on the same rows. Tolerances are calibrated in
``tests/test_calibration_distillation.py`` (20 variants, 20 tie-breaking seeds).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from xaikit import distill as D
from xaikit.questions.base import (AnswerFormatError, as_array, as_float, correct, Exercise,
                                   field_of, incorrect, ModelContext, partial, Question, Rubric)

#: |candidate - reference| fidelity (R²). The issue's bound; it absorbs the surrogate's
#: tie-breaking between equally good splits when a different random_state is used (measured
#: at most ~0.003, at depth 8).
TOL_FIDELITY = 0.005
#: |candidate - reference| predictions of the depth-3 surrogate (rentals per hour): the same
#: tree refit on the same rows is bit-identical (no ties at depth 3); this absorbs float32
#: teacher outputs passed as float64 or the reverse.
TOL_PRED = 1e-4
#: depth of the surrogate whose held-out predictions q1 also asks for (no tie-breaking there)
PRED_DEPTH = 3
#: a variant's target is at least this far from every depth's fidelity, so that the chosen
#: depth cannot flip within TOL_FIDELITY
TARGET_MARGIN = 0.01
#: the worst subgroup is at least this much worse than the second worst
WORST_MARGIN = 0.02
#: rows the surrogates learn from (a sample of the teacher's training rows) and held-out rows
N_FIT, N_EVAL = 4000, 1500
SURROGATE_SEED = 0
TARGETS = (0.70, 0.75, 0.80, 0.85)
GROUPINGS = ("hour band", "season", "weather", "day type")
LABEL_FIDELITY_HINT = (
    "Fidelity compares the surrogate with the TEACHER's predictions on the held-out rows "
    "(r2_score(teacher.predict(X_eval), surrogate.predict(X_eval))), not with the observed "
    "rentals: a surrogate explains the model, so it must be judged on how well it mimics the "
    "model, whatever the model's own errors.")


def group_labels(X, grouping: str) -> np.ndarray:
    """Subgroup label of each row of the bike data ``X`` for ``grouping`` (array of str)."""
    if grouping == "hour band":
        bins = np.digitize(X["hr"].to_numpy(), [7, 10, 16, 20])
        names = np.array(["night 0-6h", "morning peak 7-9h", "daytime 10-15h",
                          "evening peak 16-19h", "late evening 20-23h"])
        return names[bins]
    if grouping == "season":
        names = np.array(["winter", "spring", "summer", "autumn"])
        return names[X["season"].to_numpy().astype(int) - 1]
    if grouping == "weather":
        names = np.array(["clear", "cloudy or misty", "rain or snow", "rain or snow"])
        return names[X["weathersit"].to_numpy().astype(int)]
    if grouping == "day type":
        return np.where(X["workingday"].to_numpy() == 1, "working day", "weekend or holiday")
    raise ValueError(f"unknown grouping {grouping!r}; known: {GROUPINGS}")


@dataclass
class DistillationContext(ModelContext):
    """Everything the notebook and the grader share for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.models.TrainedModel
        The teacher: XGBoost regressor of rentals per hour.
    fit_rows : list of int
        Index labels of ``X_train`` the surrogates learn from (N_FIT rows).
    eval_rows : list of int
        Index labels of ``X_test`` (held out from the teacher too) for fidelity (N_EVAL rows).
    target : float
        Fidelity (R²) the chosen depth must reach.
    grouping : str
        How the evaluation rows are split into subgroups (see :func:`group_labels`).
    depths : tuple of int
    seed : int
        ``random_state`` of every surrogate.
    """

    variant: int
    trained: object
    fit_rows: list
    eval_rows: list
    target: float
    grouping: str
    depths: tuple = D.DEPTHS
    seed: int = SURROGATE_SEED

    @property
    def teacher(self):
        return self.trained.model

    @property
    def X_fit(self):
        return self.trained.X_train.loc[self.fit_rows]

    @property
    def X_eval(self):
        return self.trained.X_test.loc[self.eval_rows]

    @property
    def y_eval(self):
        """Observed rentals of the evaluation rows (labels: NOT what fidelity uses)."""
        return self.trained.y_test.loc[self.eval_rows].to_numpy(float)

    @cached_property
    def teacher_fit(self) -> np.ndarray:
        return np.asarray(self.teacher.predict(self.X_fit), float)

    @cached_property
    def teacher_eval(self) -> np.ndarray:
        return np.asarray(self.teacher.predict(self.X_eval), float)

    @cached_property
    def subgroups(self) -> np.ndarray:
        """Subgroup label of each evaluation row, shape (N_EVAL,), in ``eval_rows`` order."""
        return group_labels(self.X_eval, self.grouping)

    # --- rows for the explorer widget: disjoint from the questions' rows, so that the widget
    # illustrates the depth/fidelity trade-off without computing the graded numbers

    @property
    def X_explore_fit(self):
        """Training rows not in ``fit_rows`` (the explorer's surrogates learn from these)."""
        return self.trained.X_train.drop(index=self.fit_rows)

    @property
    def X_explore_eval(self):
        """Held-out rows not in ``eval_rows`` (the explorer measures fidelity on these)."""
        return self.trained.X_test.drop(index=self.eval_rows)

    @cached_property
    def teacher_explore_fit(self) -> np.ndarray:
        return np.asarray(self.teacher.predict(self.X_explore_fit), float)

    @cached_property
    def teacher_explore_eval(self) -> np.ndarray:
        return np.asarray(self.teacher.predict(self.X_explore_eval), float)

    @property
    def y_explore_eval(self):
        return self.trained.y_test.drop(index=self.eval_rows).to_numpy(float)

    @cached_property
    def explore_subgroups(self) -> np.ndarray:
        return group_labels(self.X_explore_eval, self.grouping)

    @cached_property
    def curve(self) -> D.FidelityCurve:
        return D.fidelity_curve(self.X_fit, self.teacher_fit, self.X_eval, self.teacher_eval,
                                self.y_eval, depths=self.depths, random_state=self.seed)

    @property
    def ref_depth(self) -> int:
        return D.smallest_depth(self.depths, self.curve.fidelity, self.target)

    def subgroup_fidelity(self, depth: int | None = None) -> dict:
        s = self.curve.surrogate(self.ref_depth if depth is None else depth)
        return D.subgroup_fidelity(self.teacher_eval, s.predict(self.X_eval), self.subgroups)

    @property
    def ref_worst(self) -> str:
        sf = self.subgroup_fidelity()
        return min(sf, key=sf.get)


@lru_cache(maxsize=None)
def _teacher():
    from xaikit.models import bikeshare_teacher

    return bikeshare_teacher()


def _unambiguous(ctx) -> bool:
    fid = ctx.curve.fidelity
    if ctx.ref_depth is None or np.min(np.abs(fid - ctx.target)) < TARGET_MARGIN:
        return False
    vals = sorted(ctx.subgroup_fidelity().values())
    return len(vals) >= 2 and vals[1] - vals[0] >= WORST_MARGIN


def build_context(variant: int = 0) -> DistillationContext:
    """The context of ``variant``.

    ``numpy.random.default_rng(50_000 + variant)`` draws N_FIT training rows and N_EVAL
    held-out rows; the target and the grouping are taken in turn from ``TARGETS`` and
    ``GROUPINGS`` (offset by the variant), skipping combinations where the chosen depth or the
    worst subgroup would be within tolerance of a tie.
    """
    trained = _teacher()
    rng = np.random.default_rng(50_000 + int(variant))
    fit_rows = sorted(int(i) for i in rng.choice(trained.X_train.index, N_FIT, replace=False))
    eval_rows = sorted(int(i) for i in rng.choice(trained.X_test.index, N_EVAL, replace=False))
    ctx = None
    for k in range(len(TARGETS) * len(GROUPINGS)):
        target = TARGETS[(variant + k) % len(TARGETS)]
        grouping = GROUPINGS[(variant + k // len(TARGETS)) % len(GROUPINGS)]
        cand = DistillationContext(int(variant), trained, fit_rows, eval_rows, target, grouping)
        if ctx is not None:
            cand.__dict__["curve"] = ctx.curve  # same rows: reuse the fitted surrogates
            cand.__dict__["teacher_fit"] = ctx.teacher_fit
            cand.__dict__["teacher_eval"] = ctx.teacher_eval
        ctx = cand
        if _unambiguous(ctx):
            return ctx
    raise RuntimeError(f"variant {variant}: no unambiguous target/grouping")


# --- checks ----------------------------------------------------------------------------------

def _alternatives(ctx) -> dict:
    """Fidelity arrays of typical mistakes, keyed by their hint."""
    from sklearn.metrics import r2_score

    c = ctx.curve
    out = {LABEL_FIDELITY_HINT: c.accuracy}
    out["The surrogates must learn the teacher's predictions (teacher.predict(X_fit)), not "
        "the labels: a tree fit to the labels is a second model, not a surrogate."] = np.array(
        [r2_score(ctx.teacher_eval, D.fit_surrogate(
            ctx.X_fit, ctx.trained.y_train.loc[ctx.fit_rows], d, random_state=ctx.seed)
            .predict(ctx.X_eval)) for d in ctx.depths])
    out["Measure fidelity on the held-out EVAL_ROWS, not on the rows the surrogate was fit "
        "to: in-sample fidelity is optimistic."] = np.array(
        [D.fidelity(ctx.teacher_fit, s.predict(ctx.X_fit)) for s in c.surrogates])
    out["r2_score(y_true, y_pred): the teacher's predictions are y_true, the surrogate's "
        "y_pred (R² is not symmetric)."] = np.array(
        [r2_score(s.predict(ctx.X_eval), ctx.teacher_eval) for s in c.surrogates])
    out["Evaluate on X_test.loc[EVAL_ROWS] (the variant's held-out rows), not all of "
        "X_test."] = np.array(
        [D.fidelity(ctx.teacher.predict(ctx.trained.X_test), s.predict(ctx.trained.X_test))
         for s in c.surrogates])
    out["Fit on X_train.loc[FIT_ROWS] (the variant's transfer set), not all of "
        "X_train."] = D.fidelity_curve(
        ctx.trained.X_train, ctx.teacher.predict(ctx.trained.X_train), ctx.X_eval,
        ctx.teacher_eval, depths=ctx.depths, random_state=ctx.seed).fidelity
    return out


def _check_fidelity(f, ctx):
    """(score in [0, 1], feedback, hint) for the fidelity array."""
    ref = ctx.curve.fidelity
    ok = np.abs(f - ref) <= TOL_FIDELITY
    if ok.all():
        return 1.0, "", None
    for hint, alt in _alternatives(ctx).items():
        if np.all(np.abs(f - alt) <= TOL_FIDELITY):
            if hint == LABEL_FIDELITY_HINT:
                return 0.0, ("`fidelity` holds accuracies against the observed rentals (labels), "
                             "not fidelities against the teacher"), hint
            return 0.0, "`fidelity` is not the fidelity asked for", hint
    if np.allclose(f, ref[::-1], atol=TOL_FIDELITY):
        return 0.0, "`fidelity` is in reverse order", "fidelity[i] is for depth DEPTHS[i] = i + 1."
    wrong = [str(d) for d, o in zip(ctx.depths, ok) if not o]
    hint = ("DecisionTreeRegressor(max_depth=d, random_state=SURROGATE_SEED) fit to "
            "teacher.predict(X_fit); fidelity = r2_score(teacher.predict(X_eval), "
            "surrogate.predict(X_eval)).")
    if ok.any():
        return 0.5 * ok.mean(), f"`fidelity` is wrong at depth(s) {', '.join(wrong)}", hint
    return 0.0, "`fidelity` matches at no depth", hint


def _check_pred(p, ctx):
    """(ok, feedback, hint) for the depth-3 surrogate's held-out predictions."""
    ref = ctx.curve.surrogate(PRED_DEPTH).predict(ctx.X_eval)
    if np.all(np.abs(p - ref) <= TOL_PRED):
        return True, "", None
    labels = D.fit_surrogate(ctx.X_fit, ctx.trained.y_train.loc[ctx.fit_rows], PRED_DEPTH,
                             random_state=ctx.seed).predict(ctx.X_eval)
    if np.all(np.abs(p - labels) <= TOL_PRED):
        return False, "`depth3_pred` comes from a tree fit to the labels", (
            "The surrogates must learn the teacher's predictions (teacher.predict(X_fit)), not "
            "the labels: a tree fit to the labels is a second model, not a surrogate.")
    full = D.fit_surrogate(ctx.trained.X_train, ctx.teacher.predict(ctx.trained.X_train),
                           PRED_DEPTH, random_state=ctx.seed).predict(ctx.X_eval)
    if np.all(np.abs(p - full) <= TOL_PRED):
        return False, "`depth3_pred` comes from a tree fit to all of X_train", (
            "Fit on X_train.loc[FIT_ROWS] (the variant's transfer set), not all of X_train.")
    if np.all(np.abs(p - ctx.teacher_eval) <= TOL_PRED):
        return False, "`depth3_pred` holds the teacher's predictions", (
            "depth3_pred = the depth-3 surrogate's predictions on X_eval.")
    return False, "`depth3_pred` does not match the depth-3 surrogate", (
        "depth3_pred = surrogate of depth 3 (fit as in q1) .predict(X_eval), in EVAL_ROWS order.")


def check_q1(a, ctx):
    parts, score = [], 0.0
    if a["fidelity"] is not None:
        s, fb, h = _check_fidelity(as_array("fidelity", a["fidelity"], (len(ctx.depths),)), ctx)
        score += 0.7 * s
        parts.append((s == 1.0, fb, h))
    else:
        parts.append((False, "`fidelity` missing", None))
    if a["depth3_pred"] is not None:
        ok, fb, h = _check_pred(as_array("depth3_pred", a["depth3_pred"],
                                         (len(ctx.eval_rows),)), ctx)
        score += 0.3 * ok
        parts.append((ok, fb, h))
    else:
        parts.append((False, "`depth3_pred` missing", None))
    if score >= 1 - 1e-9:
        return correct("Correct: the surrogates' fidelity (R² against the teacher on the "
                       "held-out rows) is reproduced at every depth, and the depth-3 surrogate "
                       "is the one asked for.")
    notes = "; ".join(fb for ok, fb, _ in parts if not ok) + "."
    hint = next((h for ok, _, h in parts if not ok and h), None)
    return partial(round(score, 4), notes, hint) if score else incorrect(notes, hint)


def check_q2(a, ctx):
    d = as_float("chosen_depth", a["chosen_depth"])
    if d != int(d):
        raise AnswerFormatError("`chosen_depth` should be a whole number (a depth 1-8).")
    d = int(d)
    if d == ctx.ref_depth:
        return correct(f"Correct: the smallest depth with fidelity ≥ {ctx.target:g}.")
    hint = f"The smallest depth whose fidelity (q1) is at least TARGET = {ctx.target:g}."
    if d == D.smallest_depth(ctx.depths, ctx.curve.accuracy, ctx.target):
        return incorrect("This depth reaches the target in accuracy against the labels, not "
                         "in fidelity against the teacher.", LABEL_FIDELITY_HINT)
    if d == ctx.ref_depth + 1 or d == ctx.ref_depth - 1:
        return incorrect("Off by one.", "Depths start at 1; fidelity[i] belongs to depth i + 1; "
                                        "'at least' includes equality.")
    return incorrect("Not the smallest depth that reaches the target.", hint)


def _dict_answer(name, value, keys):
    if not isinstance(value, dict):
        raise AnswerFormatError(f"`{name}` should be a dict {{subgroup label: R²}}, got "
                                f"{type(value).__name__}.")
    missing = [k for k in keys if k not in value]
    extra = [k for k in value if k not in keys]
    if missing or extra:
        raise AnswerFormatError(f"`{name}` should have exactly the labels of SUBGROUPS as keys"
                                f" (missing {missing[:3]}, unexpected {extra[:3]}).")
    return {k: as_float(f"{name}[{k!r}]", value[k]) for k in keys}


def check_q3(a, ctx):
    ref = ctx.subgroup_fidelity()
    score, notes, hint = 0.0, [], None
    if a["subgroup_fidelity"] is not None:
        sf = _dict_answer("subgroup_fidelity", a["subgroup_fidelity"], list(ref))
        diff = np.array([abs(sf[k] - ref[k]) for k in ref])
        if np.all(diff <= TOL_FIDELITY):
            score += 0.5
        else:
            notes.append("`subgroup_fidelity` does not match")
            hint = ("At the grader's chosen depth (q2), R² of the surrogate against the "
                    "teacher within each subgroup of the evaluation rows.")
            g = ctx.subgroups
            labels_based = {k: D.fidelity(ctx.y_eval[g == k],
                                          ctx.curve.surrogate(ctx.ref_depth)
                                          .predict(ctx.X_eval)[g == k]) for k in ref}
            if all(abs(sf[k] - labels_based[k]) <= TOL_FIDELITY for k in ref):
                hint = LABEL_FIDELITY_HINT
            else:
                for d in ctx.depths:
                    other = ctx.subgroup_fidelity(d)
                    if d != ctx.ref_depth and all(abs(sf[k] - other[k]) <= TOL_FIDELITY
                                                  for k in ref):
                        hint = "Use the surrogate of the chosen depth (q2), not another depth."
                        break
    else:
        notes.append("`subgroup_fidelity` missing")
    if a["worst_subgroup"] is not None:
        w = a["worst_subgroup"]
        if not isinstance(w, str) or w not in ref:
            raise AnswerFormatError("`worst_subgroup` should be one of the labels in "
                                    "SUBGROUPS (a string).")
        if w == ctx.ref_worst:
            score += 0.5
        else:
            notes.append("`worst_subgroup` is not the least faithful subgroup")
            hint = hint or "Least faithful = lowest fidelity (R² against the teacher)."
    else:
        notes.append("`worst_subgroup` missing")
    if score >= 1 - 1e-9:
        return correct("Correct: per-subgroup fidelity and the least faithful subgroup.")
    if score:
        return partial(score, "; ".join(notes) + ".", hint)
    return incorrect("; ".join(notes) + ".", hint)


# --- declaration -----------------------------------------------------------------------------

QUESTIONS = (
    Question("q1", "Surrogates of depth 1-8 and their fidelity", "auto", 3, "mid", 15,
             answers=("fidelity", "depth3_pred"), check=check_q1,
             hints=("Fit to teacher.predict(X_fit), score against teacher.predict(X_eval).",)),
    Question("q2", "The smallest faithful depth", "auto", 1, "mid", 3,
             answers=("chosen_depth",), check=check_q2,
             hints=("The first depth whose fidelity is at least TARGET.",)),
    Question("q3", "Where is the surrogate least faithful?", "auto", 2, "mid", 10,
             answers=("subgroup_fidelity", "worst_subgroup"), check=check_q3,
             hints=("Split the evaluation rows by SUBGROUPS; R² against the teacher in each.",)),
    Question("q4", "The rules, for a business audience", "manual", 3, "mid", 12, rubric=Rubric(
        criteria=(
            "turns the depth-3 surrogate's rules into plain sentences with units (rentals per "
            "hour, hours of the day, temperature on its normalised scale explained)",
            "states the surrogate's fidelity at that depth and what it means: the rules "
            "reproduce only that share of the teacher's variation; the rest is not explained",
            "says what the rules do NOT say: they describe the teacher, not the world (not "
            "causal: warmer weather 'raising' rentals is a pattern of 2011 data), and where "
            "the surrogate is least faithful (q3) they should not be trusted",
            "mentions that thresholds are artefacts of the fit (another sample gives other "
            "cut points) and correlated features (temp/atemp) can swap"),
        strong="Clear rules a manager can read, with the fidelity caveat, the weak subgroup "
               "named, and the model-not-world distinction.",
        adequate="Readable rules and one caveat.",
        weak="Pastes export_text output, or presents the rules as facts about cyclists.")),
    Question("q5", "Fidelity, not accuracy", "manual", 2, "mid", 5, rubric=Rubric(
        criteria=(
            "fidelity measures how well the surrogate mimics the teacher; accuracy against the "
            "labels measures how well it predicts rentals: a surrogate can be accurate and "
            "unfaithful (or the reverse)",
            "the surrogate is meant to explain the teacher's behaviour, including its errors",
            "high fidelity overall can hide low fidelity in a subgroup (q3), and held-out rows "
            "matter (in-sample fidelity is optimistic)"),
        strong="All three, using the notebook's numbers (fidelity vs accuracy at the chosen "
               "depth, the worst subgroup).",
        adequate="The first criterion, correctly.",
        weak="Confuses fidelity with accuracy.")),
)

EXERCISE = Exercise(
    id="distillation", title="Distil the black box", level="mid", minutes=60,
    notebook="05_distillation.ipynb",
    topics=("model distillation", "global surrogates", "explaining to non-technical people"),
    questions=QUESTIONS, build_context=build_context)
