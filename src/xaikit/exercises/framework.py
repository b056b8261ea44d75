"""Question and exercise declarations, check results, and the in-notebook self-check display.

This module is on the **public** side of every exercise (it ships in take-home packs and is
what the grading kernel imports): it declares what a question asks and how its answer is
stored, never what the answer is.

A question names the variables that hold its answer (never a cell position). Its check, hints
and rubric live in the exercise's grader part (``xaikit/exercises/<id>/grader.py``); a check is
a function ``check(answers, ref) -> CheckResult`` where ``answers`` maps each declared name to
the value after a round trip through :mod:`xaikit.answers` (exactly what the grader sees) and
``ref`` is the grader's reference context for the same variant (the public context plus the
references). A check never puts the expected value in its feedback.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from xaikit.answers import Unsupported

STATUSES = ("correct", "partial", "incorrect", "not_attempted", "error")
LEVELS = ("junior", "mid", "senior")
MODES = ("practice", "take-home", "interviewer")


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check.

    Attributes
    ----------
    status : {"correct", "partial", "incorrect", "not_attempted", "error"}
    score : float
        Fraction of the question's points, in [0, 1].
    feedback : str
        What was found, without the expected value.
    hint : str or None
        A targeted hint for practice mode (the mistake the check recognised).
    """

    status: str
    score: float
    feedback: str = ""
    hint: str | None = None

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError("score must be in [0, 1]")


def correct(feedback="Correct.") -> CheckResult:
    return CheckResult("correct", 1.0, feedback)


def incorrect(feedback, hint=None) -> CheckResult:
    return CheckResult("incorrect", 0.0, feedback, hint)


def partial(score, feedback, hint=None) -> CheckResult:
    return CheckResult("partial", float(score), feedback, hint)


NOT_ATTEMPTED = CheckResult("not_attempted", 0.0, "No answer recorded yet.")


class AnswerFormatError(ValueError):
    """An answer has the wrong type or shape; the message says what was expected."""


@dataclass(frozen=True)
class Rubric:
    """How to score a prose answer.

    Attributes
    ----------
    criteria : tuple of str
        What the grader looks for, one point each unless said otherwise.
    strong, adequate, weak : str
        What an answer at that level says.
    """

    criteria: tuple[str, ...]
    strong: str
    adequate: str
    weak: str


@dataclass(frozen=True)
class Question:
    """One question of an exercise.

    Attributes
    ----------
    id : str
        ``q1``, ``q2``...
    title : str
    kind : {"auto", "manual"}
    points : float
    level : {"junior", "mid", "senior"}
    minutes : int
        Time estimate for a candidate at the question's level.
    answers : tuple of str
        Names of the notebook variables that hold the answer (auto questions).
    check : callable or None
        ``check(answers, ref) -> CheckResult``. None in the public declaration; the grader
        part supplies it (:func:`with_grader`).
    hints : tuple of str
        General hints, shown in practice mode after a wrong answer (grader part).
    rubric : Rubric or None
        For manual questions (grader part).
    """

    id: str
    title: str
    kind: str
    points: float
    level: str
    minutes: int
    answers: tuple[str, ...] = ()
    check: Callable[[dict, Any], CheckResult] | None = None
    hints: tuple[str, ...] = ()
    rubric: Rubric | None = None

    def __post_init__(self):
        if self.kind not in ("auto", "manual"):
            raise ValueError(f"{self.id}: kind must be auto or manual")
        if self.level not in LEVELS:
            raise ValueError(f"{self.id}: level must be one of {LEVELS}")
        if self.kind == "auto" and not self.answers:
            raise ValueError(f"{self.id}: an auto question needs answer names")


class ModelContext:
    """Mixin of exercise contexts that hold ``trained`` (a :class:`xaikit.models.TrainedModel`):
    the model, its dataset and the exact train/test split, under their usual names."""

    @property
    def model(self):
        return self.trained.model

    @property
    def dataset(self):
        return self.trained.dataset

    @property
    def X_train(self):
        """Training rows, shape (n_train, n_features), as the model saw them."""
        return self.trained.X_train

    @property
    def X_test(self):
        """Held-out rows, shape (n_test, n_features)."""
        return self.trained.X_test

    @property
    def feature_names(self):
        return list(self.trained.X_train.columns)


class ReferenceContext:
    """Base of each grader part's ``References``: the public context ``ctx`` with the grader's
    references added as members; every other attribute is the context's."""

    def __init__(self, ctx):
        self.ctx = ctx

    def __getattr__(self, name):
        if name == "ctx":  # not set yet (a copy being made): no endless recursion
            raise AttributeError(name)
        return getattr(self.ctx, name)


@dataclass(frozen=True)
class Exercise:
    """An exercise: its questions and how to build its context.

    Attributes
    ----------
    id : str
    title : str
    level : str
        e.g. "junior-mid".
    minutes : int
        Total time budget.
    notebook : str
        File name in ``solutions/`` and ``exercises/``.
    topics : tuple of str
        Interview topics covered.
    questions : tuple of Question
    build_context : callable
        ``build_context(variant: int) -> context`` (data, model, the rows the questions use).
    formats : dict or callable
        The answer formats the take-home self-check validates (type, shape, range; see
        :mod:`xaikit.exercises.formats`): ``{answer name: spec}``, or a callable of the
        context returning that dict (shapes that depend on the variant's rows).
    """

    id: str
    title: str
    level: str
    minutes: int
    notebook: str
    topics: tuple[str, ...]
    questions: tuple[Question, ...]
    build_context: Callable[[int], Any]
    formats: Any = None

    def answer_formats(self, ctx) -> dict:
        """``{answer name: format spec}`` for this exercise's context ``ctx``."""
        f = self.formats
        return dict((f(ctx) if callable(f) else f) or {})

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(f"{self.id} has no question {qid!r}; it has "
                       f"{', '.join(q.id for q in self.questions)}")

    @property
    def auto_points(self) -> float:
        return float(sum(q.points for q in self.questions if q.kind == "auto"))

    @property
    def manual_points(self) -> float:
        return float(sum(q.points for q in self.questions if q.kind == "manual"))

    @property
    def answer_names(self) -> list[str]:
        return [n for q in self.questions for n in q.answers]


def with_grader(exercise: Exercise, grader) -> Exercise:
    """The exercise with its grader part merged in: each question's check, hints and rubric.

    Parameters
    ----------
    exercise : Exercise
        The public declaration.
    grader : module
        ``xaikit.exercises.<id>.grader``, defining ``CHECKS`` (``{qid: check}`` for every auto
        question), ``HINTS`` (``{qid: tuple of str}``) and ``RUBRICS`` (``{qid: Rubric}`` for
        every manual question).

    Raises
    ------
    ValueError
        When an auto question has no check or a manual question no rubric.
    """
    from dataclasses import replace

    checks = getattr(grader, "CHECKS", {})
    hints = getattr(grader, "HINTS", {})
    rubrics = getattr(grader, "RUBRICS", {})
    merged = []
    for q in exercise.questions:
        q = replace(q, check=checks.get(q.id), hints=tuple(hints.get(q.id, ())),
                    rubric=rubrics.get(q.id))
        if q.kind == "auto" and q.check is None:
            raise ValueError(f"{exercise.id}.{q.id}: the grader part has no check")
        if q.kind == "manual" and q.rubric is None:
            raise ValueError(f"{exercise.id}.{q.id}: the grader part has no rubric")
        merged.append(q)
    return replace(exercise, questions=tuple(merged))


def is_blank(value) -> bool:
    """True for the untouched placeholder (``None``) or a missing answer."""
    return value is None


def run_check(question: Question, answers: dict, ctx) -> CheckResult:
    """Run one question's check; blank answers give ``not_attempted``, a crash gives ``error``.

    ``question`` must carry its check (:func:`with_grader`); ``ctx`` is the grader's reference
    context.

    Format problems raised as :class:`AnswerFormatError` become ``incorrect`` with the message.
    """
    own = {n: answers.get(n) for n in question.answers}
    if all(is_blank(v) for v in own.values()):
        return NOT_ATTEMPTED
    for name, v in own.items():
        if isinstance(v, Unsupported):
            return incorrect(f"`{name}` holds a {v.type_name}, which cannot be graded: store "
                             "plain numbers, strings, lists, dicts or numpy/pandas objects.")
    # the check sees every collected answer (for consistency with earlier questions), with
    # its own declared names always present
    values = {**answers, **own}
    try:
        return question.check(values, ctx)
    except AnswerFormatError as e:
        return incorrect(str(e))
    except Exception as e:  # a check must never take the grader down
        return CheckResult("error", 0.0, f"the check could not run on this answer "
                                          f"({type(e).__name__}: {e})")


# --- helpers for checks -------------------------------------------------------------------

def as_array(name, value, shape=None, *, dtype=float) -> np.ndarray:
    """Convert an answer to an array of the given shape, or raise AnswerFormatError.

    ``shape`` entries may be None for "any length".
    """
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        raise AnswerFormatError(f"`{name}` should be numeric (an array or list of numbers), "
                                f"got {type(value).__name__}.") from None
    if shape is not None:
        ok = arr.ndim == len(shape) and all(s is None or s == a for s, a in zip(shape, arr.shape))
        if not ok:
            want = "(" + ", ".join("n" if s is None else str(s) for s in shape) + ")"
            raise AnswerFormatError(f"`{name}` should have shape {want}, got {arr.shape}.")
    if dtype is float and not np.all(np.isfinite(arr)):
        raise AnswerFormatError(f"`{name}` contains NaN or infinite values.")
    return arr


def as_float(name, value) -> float:
    arr = as_array(name, value)
    if arr.size != 1:
        raise AnswerFormatError(f"`{name}` should be a single number, got shape {arr.shape}.")
    return float(arr.ravel()[0])


def field_of(name, value, key):
    """``value[key]`` for a dict answer, or raise AnswerFormatError."""
    if not isinstance(value, dict):
        raise AnswerFormatError(f"`{name}` should be a dict with key {key!r}, got "
                                f"{type(value).__name__}.")
    if key not in value:
        raise AnswerFormatError(f"`{name}` has no key {key!r} (it has {sorted(value)}).")
    return value[key]


def close(a, b, atol) -> bool:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= atol))


# --- in-notebook self-check -----------------------------------------------------------------

_ICONS = {"correct": "✅", "partial": "🟡", "incorrect": "❌", "not_attempted": "⬜",
          "error": "⚠️"}


@dataclass
class CheckDisplay:
    """What ``OpenExercise.check`` shows under a cell (HTML in Jupyter, text elsewhere)."""

    qid: str
    title: str
    mode: str
    result: CheckResult
    hints: tuple[str, ...] = field(default=())

    def _lines(self):
        r = self.result
        if self.mode == "take-home":
            if r.status == "not_attempted":
                return "⬜", "not attempted yet", []
            if r.status == "incorrect" and r.feedback.startswith("`"):
                return "⚠️", "recorded, but " + r.feedback, []
            return "📝", "answer recorded (graded after hand-in)", []
        label = r.status.replace("_", " ")
        extra = []
        if r.status in ("incorrect", "partial", "error"):
            if r.hint:
                extra.append("Hint: " + r.hint)
            elif self.hints:
                extra.append("Hint: " + self.hints[0])
        return _ICONS[r.status], label + (f" — {r.feedback}" if r.feedback else ""), extra

    def __repr__(self):
        icon, text, extra = self._lines()
        return "\n".join([f"{icon} {self.qid} ({self.title}): {text}", *extra])

    def _repr_html_(self):
        icon, text, extra = self._lines()
        body = "".join(f"<div style='margin-left:1.6em'>{html.escape(e)}</div>" for e in extra)
        shown = ("recorded" if self.mode == "take-home" and self.result.status == "correct"
                 else self.result.status)  # a take-home check never says "correct"
        return (f"<div class='xaikit-check xaikit-{shown}'>{icon} "
                f"<b>{html.escape(self.qid)}</b> ({html.escape(self.title)}): "
                f"{html.escape(text)}{body}</div>")
