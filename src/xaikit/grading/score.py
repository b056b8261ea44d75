"""Score collected answers in the grader's own process."""
from __future__ import annotations

from xaikit.exercises import graded_exercise, reference_context, run_check


def score_answers(exercise_id: str, variant: int, answers: dict, prose: dict) -> list[dict]:
    """One result dict per question, in declaration order.

    Auto questions run their check against the grader's own context for ``variant``; manual
    questions carry the candidate's prose and the rubric, with ``score`` None until an
    interviewer scores them.

    Returns
    -------
    list of dict
        ``id, title, kind, points, level, score, status, feedback`` (+ ``answer`` and
        ``rubric`` for manual questions).
    """
    exercise = graded_exercise(exercise_id)
    ctx = None
    out = []
    for q in exercise.questions:
        row = {"id": q.id, "title": q.title, "kind": q.kind, "points": float(q.points),
               "level": q.level}
        if q.kind == "auto":
            if ctx is None:
                ctx = reference_context(exercise_id, variant)
            r = run_check(q, answers, ctx)
            row.update(score=round(r.score * q.points, 6), status=r.status, feedback=r.feedback)
        else:
            text = prose.get(q.id)
            row.update(score=None, status="not_attempted" if not text else "ungraded",
                       feedback="", answer=text,
                       rubric={"criteria": list(q.rubric.criteria), "strong": q.rubric.strong,
                               "adequate": q.rubric.adequate, "weak": q.rubric.weak})
        out.append(row)
    return out
