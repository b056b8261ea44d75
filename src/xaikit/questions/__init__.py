"""The exercise registry and the object a notebook works with.

>>> ex = open_exercise("shap_vs_lime", variant=0)     # doctest: +SKIP
>>> ctx = ex.context                                  # data, model, rows to explain
>>> ex.check("q1")                                    # self-check the answer variables
"""
from __future__ import annotations

import importlib
from functools import lru_cache

from xaikit.questions.base import (MODES, CheckDisplay, CheckResult, Exercise, Question,
                                   Rubric, run_check)

#: exercise id -> module defining ``EXERCISE``
REGISTRY = {
    "shap_vs_lime": "xaikit.questions.shap_vs_lime",
    "pdp_ice": "xaikit.questions.pdp_ice",
    "feature_importance": "xaikit.questions.feature_importance",
    "counterfactuals": "xaikit.questions.counterfactuals",
    "distillation": "xaikit.questions.distillation",
}

__all__ = ["REGISTRY", "catalog", "get_exercise", "open_exercise", "OpenExercise", "Exercise",
           "Question", "Rubric", "CheckResult", "run_check"]


def get_exercise(exercise_id: str) -> Exercise:
    """The declared :class:`Exercise` ``exercise_id``.

    Raises
    ------
    KeyError
        For an unknown id (the message lists the known ones).
    """
    if exercise_id not in REGISTRY:
        raise KeyError(f"unknown exercise {exercise_id!r}; known: {', '.join(sorted(REGISTRY))}")
    return importlib.import_module(REGISTRY[exercise_id]).EXERCISE


@lru_cache(maxsize=32)
def context_for(exercise_id: str, variant: int):
    """The exercise's context for ``variant`` (cached per process)."""
    return get_exercise(exercise_id).build_context(int(variant))


class OpenExercise:
    """An exercise opened in a notebook: its context and a self-check.

    Parameters
    ----------
    exercise : Exercise
    variant : int
        Which variant (rows, seeds) this notebook uses; recorded in the notebook metadata.
    mode : {"practice", "take-home", "interviewer"}
        practice: the check says correct / incorrect with a hint. take-home: the check only
        says whether an answer is recorded and well-formed.
    """

    def __init__(self, exercise: Exercise, variant: int = 0, mode: str = "practice"):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.exercise = exercise
        self.variant = int(variant)
        self.mode = mode

    @property
    def context(self):
        return context_for(self.exercise.id, self.variant)

    def answers_from(self, namespace: dict) -> dict:
        """The declared answer variables found in ``namespace``, as the grader would see them."""
        from xaikit.answers import roundtrip

        return {n: roundtrip(namespace[n]) for n in self.exercise.answer_names if n in namespace}

    def result(self, qid: str, namespace: dict | None = None) -> CheckResult:
        """Check question ``qid`` against the variables in ``namespace``.

        ``namespace`` defaults to the IPython user namespace (the notebook's globals).
        """
        q = self.exercise.question(qid)
        if q.kind != "auto":
            raise ValueError(f"{qid} is graded by the interviewer against a rubric; "
                             "there is nothing to check automatically.")
        if namespace is None:
            from IPython import get_ipython

            ip = get_ipython()
            if ip is None:
                raise RuntimeError("pass namespace=globals() outside IPython")
            namespace = ip.user_ns
        return run_check(q, self.answers_from(namespace), self.context)

    def check(self, qid: str, namespace: dict | None = None) -> CheckDisplay:
        """Self-check question ``qid``; returns a display (never the expected value)."""
        q = self.exercise.question(qid)
        if self.mode == "take-home" and q.kind == "auto":  # format only, as in a pack (issue 7)
            from xaikit.packs import take_home_check

            if namespace is None:
                from IPython import get_ipython

                namespace = get_ipython().user_ns
            return CheckDisplay(qid, q.title, self.mode, take_home_check(self, qid, namespace))
        return CheckDisplay(qid, q.title, self.mode, self.result(qid, namespace), q.hints)

    def __repr__(self):
        e = self.exercise
        return (f"{e.title} ({e.id}, variant {self.variant}, {self.mode} mode): "
                f"{len(e.questions)} questions, {e.auto_points:g} auto + {e.manual_points:g} "
                f"manual points, about {e.minutes} minutes")


def catalog():
    """One row per registered exercise: id, title, level, minutes, points, notebook, topics.

    Returns
    -------
    pandas.DataFrame
    """
    import pandas as pd

    rows = []
    for eid in REGISTRY:
        e = get_exercise(eid)
        rows.append({"id": e.id, "title": e.title, "level": e.level, "minutes": e.minutes,
                     "auto points": e.auto_points, "manual points": e.manual_points,
                     "notebook": f"exercises/{e.notebook}", "topics": ", ".join(e.topics)})
    return pd.DataFrame(rows).set_index("id")


def open_exercise(exercise_id: str, variant: int = 0, mode: str = "practice") -> OpenExercise:
    """Open exercise ``exercise_id`` for use in a notebook."""
    return OpenExercise(get_exercise(exercise_id), variant=variant, mode=mode)
