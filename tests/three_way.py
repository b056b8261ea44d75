"""The part of every exercise's three-way check tests that is the same for all exercises.

Each check is tested three ways: the reference answer passes, a known wrong answer fails (with
its hint: exercise-specific, so it stays in ``tests/test_<id>.py``), and the placeholder is "not
attempted". This module makes the first and the last, and the ``check`` helper the answers go
through (a JSON round trip, as in the grading kernel)::

    from three_way import three_way

    check, test_reference_answer_is_correct, test_placeholder_is_not_attempted = three_way(EX)

The test module must provide the fixtures ``ctx`` (the grader's references of a variant) and
``ref`` (the reference answers: ``{answer name: value}``).
"""
from __future__ import annotations

import pytest

from xaikit.answers import roundtrip
from xaikit.exercises import run_check


def three_way(exercise):
    """``(check, test_reference_answer_is_correct, test_placeholder_is_not_attempted)`` for
    ``exercise`` (an :class:`xaikit.exercises.Exercise`)."""
    auto = [q.id for q in exercise.questions if q.kind == "auto"]

    def check(qid, answers, ctx):
        """Run question ``qid``'s check on ``answers`` after a JSON round trip (the check sees
        every answer given, as in grading: consistency checks read earlier questions')."""
        return run_check(exercise.question(qid), {k: roundtrip(v) for k, v in answers.items()},
                         ctx)

    @pytest.mark.parametrize("qid", auto)
    def test_reference_answer_is_correct(qid, ref, ctx):
        r = check(qid, ref, ctx)
        assert (r.status, r.score) == ("correct", 1.0), r.feedback

    @pytest.mark.parametrize("qid", auto)
    def test_placeholder_is_not_attempted(qid, ctx):
        q = exercise.question(qid)
        r = check(qid, {n: None for n in q.answers}, ctx)
        assert (r.status, r.score) == ("not_attempted", 0)
        assert run_check(q, {}, ctx).status == "not_attempted"

    return check, test_reference_answer_is_correct, test_placeholder_is_not_attempted
