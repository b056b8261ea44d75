"""Primers: short guided notebooks, one per method family, with quick self-checks.

A primer teaches a method on **other** data or another model than its exercise, so it never
hands out an exercise answer. Its self-check questions use the exercises' question framework
(:class:`~xaikit.exercises.framework.Question`, :class:`~xaikit.exercises.framework.CheckResult`,
the same display), always in practice mode: right / wrong at once, with a hint.

A primer module ``xaikit/primers/<id>.py`` defines ``PRIMER = Primer(...)``: its title, the
exercise it prepares for, minutes, and its questions, each with a ``check(answers, ctx)``
(``ctx`` is whatever ``build_context()`` returns, e.g. the primer's own small model).

>>> p = open_primer("shap_lime")      # doctest: +SKIP
>>> p.check("s1")                     # checks the variables named by question s1

Primers are for self-study on the user's machine: they are not graded and not packed.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from xaikit.exercises.framework import CheckDisplay, Question, run_check

#: every primer id, in study order; each is the module ``xaikit.primers.<id>``
_PRIMERS = ("shap_lime", "effects", "importance", "counterfactuals", "surrogates", "fairness",
            "debugging", "interactions", "glassbox", "reason_codes", "drift",
            "neural", "fooling", "faithfulness", "uncertainty")
#: primer id -> module, for the primers present
PRIMERS = {pid: f"{__name__}.{pid}" for pid in _PRIMERS
           if (Path(__file__).parent / f"{pid}.py").is_file()}

__all__ = ["PRIMERS", "Primer", "OpenPrimer", "open_primer", "get_primer", "choice_check"]


@dataclass(frozen=True)
class Primer:
    """A primer's declaration.

    Attributes
    ----------
    id : str
    title : str
    exercise : str
        The exercise id it prepares for (``xaikit.exercises.REGISTRY``).
    notebook : str
        File name in ``notebooks/primers/``.
    minutes : int
    questions : tuple of Question
        Self-checks (kind ``auto``, with their check).
    build_context : callable, optional
        ``build_context() -> ctx`` passed to the checks (the primer's own data or model).
    """

    id: str
    title: str
    exercise: str
    notebook: str
    minutes: int
    questions: tuple
    build_context: Callable[[], Any] | None = None

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(f"{self.id} has no question {qid!r}; it has "
                       f"{', '.join(q.id for q in self.questions)}")


def get_primer(primer_id: str) -> Primer:
    """The primer ``primer_id``.

    Raises
    ------
    KeyError
        For an unknown id (the message lists the known ones).
    """
    if primer_id not in PRIMERS:
        raise KeyError(f"unknown primer {primer_id!r}; known: {', '.join(sorted(PRIMERS))}")
    return importlib.import_module(PRIMERS[primer_id]).PRIMER


@lru_cache(maxsize=8)
def _context(primer_id: str):
    p = get_primer(primer_id)
    return p.build_context() if p.build_context else None


class OpenPrimer:
    """A primer opened in a notebook: its context and its self-checks (practice mode)."""

    def __init__(self, primer: Primer):
        self.primer = primer

    @property
    def context(self):
        return _context(self.primer.id)

    def check(self, qid: str, namespace: dict | None = None) -> CheckDisplay:
        """Check self-check ``qid`` against the notebook's variables: right or wrong, with a
        hint; never the expected value."""
        from xaikit.answers import roundtrip

        q = self.primer.question(qid)
        if namespace is None:
            from IPython import get_ipython

            namespace = get_ipython().user_ns
        answers = {n: roundtrip(namespace[n]) for n in q.answers if n in namespace}
        return CheckDisplay(qid, q.title, "practice", run_check(q, answers, self.context),
                            q.hints)

    def __repr__(self):
        p = self.primer
        return (f"Primer: {p.title} ({p.id}), about {p.minutes} minutes, "
                f"{len(p.questions)} self-checks; next: the exercise {p.exercise}")


def open_primer(primer_id: str) -> OpenPrimer:
    """Open primer ``primer_id`` in a notebook."""
    return OpenPrimer(get_primer(primer_id))


def choice_check(name: str, right: str, why: dict[str, str], options: str = "abcd"):
    """A check for a multiple-choice answer stored as one letter in variable ``name``.

    Parameters
    ----------
    name : str
        The variable holding the letter.
    right : str
        The right letter.
    why : dict
        ``{wrong letter: the targeted hint for it}``.
    options : str
        The letters offered.
    """
    from xaikit.exercises.framework import AnswerFormatError, correct, incorrect

    def check(a, ctx):
        v = a[name]
        if not isinstance(v, str) or v.strip().lower() not in options:
            raise AnswerFormatError(f"`{name}` should be one letter of {', '.join(options)}.")
        v = v.strip().lower()
        if v == right:
            return correct()
        return incorrect(f"Not {v}.", why.get(v))

    return check
