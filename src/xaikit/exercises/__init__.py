"""The exercises: one folder each, a public part and a grader part separated by files.

``xaikit/exercises/<id>/public.py``
    the context builder (data, model, the variant's rows, grids and seeds), the questions'
    declarations (ids, points, levels, answer names) and the answer formats; whatever the
    widgets need. It never imports the grader part.
``xaikit/exercises/<id>/grader.py``
    the references, checks, hints, rubrics and planted truth.

The grading kernel and take-home packs get the public files only (see
:mod:`xaikit.boundary`); there, :meth:`OpenExercise.check` can only say that an answer is
recorded and well-formed. On a user's own machine (practice mode) it imports the grader part
and says correct / incorrect with a hint.

>>> ex = open_exercise("shap_vs_lime", variant=0)     # doctest: +SKIP
>>> ctx = ex.context                                  # data, model, rows to explain
>>> ex.check("q1")                                    # self-check the answer variables
"""
from __future__ import annotations

import importlib
from functools import lru_cache
from pathlib import Path

from xaikit.exercises.framework import (MODES, CheckDisplay, CheckResult, Exercise, Question,
                                        Rubric, run_check, with_grader)

#: every exercise id, in catalogue order; each is the package ``xaikit.exercises.<id>``
#: (whose ``public`` module defines ``EXERCISE``)
_CATALOGUE = ("shap_vs_lime", "pdp_ice", "feature_importance", "counterfactuals", "distillation",
              "fairness", "debugging", "interactions", "glassbox_vs_posthoc", "reason_codes",
              "drift", "neural_attribution", "fooling_explainers", "explanation_quality",
              "uncertainty")
#: the exercises present in this copy of the package (a take-home pack ships only some)
REGISTRY = {eid: f"{__name__}.{eid}" for eid in _CATALOGUE
            if (Path(__file__).parent / eid / "public.py").is_file()}

__all__ = ["REGISTRY", "catalog", "get_exercise", "grader_part", "graded_exercise",
           "open_exercise", "variant_frame",
           "OpenExercise", "Exercise", "Question", "Rubric", "CheckResult", "run_check"]


def get_exercise(exercise_id: str) -> Exercise:
    """The public declaration of exercise ``exercise_id`` (no checks, hints or rubrics).

    Raises
    ------
    KeyError
        For an unknown id (the message lists the known ones).
    """
    if exercise_id not in REGISTRY:
        raise KeyError(f"unknown exercise {exercise_id!r}; known: {', '.join(sorted(REGISTRY))}")
    return importlib.import_module(REGISTRY[exercise_id] + ".public").EXERCISE


def grader_part(exercise_id: str):
    """The exercise's grader module, or None where it is not installed (a take-home pack, the
    grading kernel)."""
    name = REGISTRY[exercise_id] + ".grader"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name and (name == e.name or name.startswith(e.name + ".")):
            return None
        raise


@lru_cache(maxsize=32)
def context_for(exercise_id: str, variant: int):
    """The exercise's public context for ``variant`` (cached per process)."""
    return get_exercise(exercise_id).build_context(int(variant))


class OpenExercise:
    """An exercise opened in a notebook: its context and a self-check.

    Parameters
    ----------
    exercise : Exercise
        The public declaration.
    variant : int
        Which variant (rows, seeds) this notebook uses; recorded in the notebook metadata.
    mode : {"practice", "take-home", "interviewer"}
        practice: the check says correct / incorrect with a hint, where the grader part is
        installed. take-home (and anywhere without the grader part): the check only says
        whether an answer is recorded and well-formed.
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

    @staticmethod
    def _namespace(namespace):
        if namespace is not None:
            return namespace
        from IPython import get_ipython

        ip = get_ipython()
        if ip is None:
            raise RuntimeError("pass namespace=globals() outside IPython")
        return ip.user_ns

    def _auto(self, qid: str) -> Question:
        q = self.exercise.question(qid)
        if q.kind != "auto":
            raise ValueError(f"{qid} is graded by the interviewer against a rubric; "
                             "there is nothing to check automatically.")
        return q

    def recorded(self, qid: str, namespace: dict | None = None) -> CheckResult:
        """The format-only check of ``qid``: ``correct`` means *recorded and well-formed*."""
        from xaikit.exercises.formats import format_check

        q = self._auto(qid)
        answers = self.answers_from(self._namespace(namespace))
        return format_check(q, answers, self.exercise.answer_formats(self.context))

    def result(self, qid: str, namespace: dict | None = None) -> CheckResult:
        """Check question ``qid`` for real (practice mode, grader part installed).

        Raises
        ------
        RuntimeError
            Where the grader part is not installed (take-home packs, the grading kernel).
        """
        self._auto(qid)
        grader = grader_part(self.exercise.id)
        if grader is None:
            raise RuntimeError("the checks are not installed here (a take-home pack or the "
                               "grading kernel): use ex.check, which says whether the answer "
                               "is recorded")
        q = with_grader(self.exercise, grader).question(qid)
        return run_check(q, self.answers_from(self._namespace(namespace)),
                         reference_context(self.exercise.id, self.variant))

    def check(self, qid: str, namespace: dict | None = None) -> CheckDisplay:
        """Self-check question ``qid``; returns a display (never the expected value)."""
        q = self._auto(qid)
        if self.mode == "practice" and grader_part(self.exercise.id) is not None:
            full = with_grader(self.exercise, grader_part(self.exercise.id)).question(qid)
            return CheckDisplay(qid, q.title, "practice", self.result(qid, namespace),
                                full.hints)
        if self.mode == "practice":  # a live interview's check service, if there is one
            from xaikit.exercises.remote import remote_check

            ns = self._namespace(namespace)
            remote = remote_check(self.exercise.id, qid, {n: ns[n] for n in q.answers if n in ns})
            if remote is not None:
                return CheckDisplay(qid, q.title, "practice", *remote)
        return CheckDisplay(qid, q.title, "take-home", self.recorded(qid, namespace))

    def __repr__(self):
        e = self.exercise
        return (f"{e.title} ({e.id}, variant {self.variant}, {self.mode} mode): "
                f"{len(e.questions)} questions, {e.auto_points:g} auto + {e.manual_points:g} "
                f"manual points, about {e.minutes} minutes")


@lru_cache(maxsize=32)
def reference_context(exercise_id: str, variant: int):
    """The grader's context for ``variant``: the public one with the references (needs the
    grader part; cached per process)."""
    grader = grader_part(exercise_id)
    if grader is None:
        raise RuntimeError(f"the grader part of {exercise_id} is not installed here")
    ctx = context_for(exercise_id, variant)
    make = getattr(grader, "reference_context", None)
    return make(ctx) if make is not None else ctx


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


def graded_exercise(exercise_id: str) -> Exercise:
    """The exercise with its checks, hints and rubrics (needs the grader part).

    Raises
    ------
    RuntimeError
        Where the grader part is not installed.
    """
    grader = grader_part(exercise_id)
    if grader is None:
        raise RuntimeError(f"the grader part of {exercise_id} is not installed here")
    return with_grader(get_exercise(exercise_id), grader)


# --- variant data: planted columns made by the grader part, read by the public part ----------

def variant_dirs() -> list:
    """Where variant data files are looked up, in order: ``$XAIKIT_VARIANT_DIR``, the data
    folder's ``variants/`` (take-home packs ship them there), the model cache's ``variants/``
    (written on the grader's or the practising user's machine)."""
    import os
    from pathlib import Path

    from xaikit.datasets import DatasetError, data_dir
    from xaikit.models import cache_dir

    dirs = []
    if os.environ.get("XAIKIT_VARIANT_DIR"):
        dirs.append(Path(os.environ["XAIKIT_VARIANT_DIR"]))
    try:
        dirs.append(data_dir() / "variants")
    except DatasetError:
        pass
    dirs.append(cache_dir().parent / "variants")
    return dirs


def variant_file_name(exercise_id: str, variant: int, name: str) -> str:
    """The path of a variant data file relative to a variant folder."""
    return f"{exercise_id}/v{int(variant)}/{name}.csv"


def materialise_variant(exercise_id: str, variant: int, folder=None) -> list:
    """Write the variant's data files (``grader.materialise(variant)``: ``{name: DataFrame}``)
    as CSV into ``folder`` (default: the model cache's ``variants/``); returns their paths.

    Raises
    ------
    RuntimeError
        Where the grader part is not installed (the files must come with the pack).
    """
    import os
    from pathlib import Path

    grader = grader_part(exercise_id)
    if grader is None or not hasattr(grader, "materialise"):
        raise RuntimeError(
            f"the data of {exercise_id} variant {variant} is missing and cannot be made here "
            "(it comes with the take-home pack in datasets/variants/; re-extract the pack)")
    folder = Path(folder) if folder is not None else variant_dirs()[-1]
    paths = []
    for name, frame in grader.materialise(int(variant)).items():
        path = folder / variant_file_name(exercise_id, variant, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        frame.to_csv(tmp, index=True)
        os.replace(tmp, path)  # atomic: a concurrent reader never sees half a file
        paths.append(path)
    stamp = _stamp(folder, exercise_id, variant)
    stamp.write_text(_definition_key(exercise_id) + "\n")
    return paths


def _stamp(folder, exercise_id: str, variant: int):
    """Written beside a variant's files: the SHA-256 of the exercise definition they were made
    from (grader-side bookkeeping; packs do not ship it)."""
    return folder / exercise_id / f"v{int(variant)}" / "MADE_FROM.txt"


def _definition_key(exercise_id: str) -> str:
    import hashlib
    import json

    from xaikit.boundary import exercise_definition

    return hashlib.sha256(json.dumps(exercise_definition(exercise_id),
                                     sort_keys=True).encode()).hexdigest()


def _fresh(exercise_id: str, variant: int, folder) -> bool:
    """Whether the variant files made in ``folder`` come from the installed definition (always
    true where the grader part is not installed: a pack's files are what they are)."""
    if grader_part(exercise_id) is None:
        return True
    stamp = _stamp(folder, exercise_id, variant)
    return stamp.is_file() and stamp.read_text().strip() == _definition_key(exercise_id)


def variant_frame(exercise_id: str, variant: int, name: str):
    """A variant data file as a DataFrame (index in the first column).

    Looks in :func:`variant_dirs`; where the file is missing, or was made from another version
    of the exercise, and the grader part is installed (the repository), it is made first.

    Returns
    -------
    pandas.DataFrame
    """
    import pandas as pd

    rel = variant_file_name(exercise_id, variant, name)
    dirs = variant_dirs()
    for d in dirs:
        # the grader's own cache is remade when the exercise changed (stale selections)
        if (d / rel).is_file() and (d != dirs[-1] or _fresh(exercise_id, variant, d)):
            return pd.read_csv(d / rel, index_col=0, engine="python")
    for path in materialise_variant(exercise_id, variant):
        if path.name == f"{name}.csv":
            return pd.read_csv(path, index_col=0, engine="python")
    raise RuntimeError(f"{exercise_id}: the grader part made no variant file {name!r}")
