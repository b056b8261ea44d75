"""Public part of ``distillation``: the context (teacher, rows, target, grouping) and the
questions.

The teacher is an XGBoost **regressor** of hourly rentals: a regression teacher makes
fidelity a plain R² between two real-valued outputs (rentals per hour), with no choice of
probability vs log-odds vs class to argue about.

Nothing here computes an answer: the references and checks are in ``grader.py``. A variant's
target fidelity and subgroup grouping are chosen by the grader part (so that the chosen depth
and the least faithful subgroup are clear-cut) and read here from the variant's data file
``settings`` (:func:`xaikit.exercises.variant_frame`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from xaikit.distill import DEPTHS
from xaikit.exercises.framework import Exercise, ModelContext, Question

EXERCISE_ID = "distillation"
#: rows the surrogates learn from (a sample of the teacher's training rows) and held-out rows
N_FIT, N_EVAL = 4000, 1500
#: ``random_state`` of every surrogate of the questions
SURROGATE_SEED = 0
#: depth of the surrogate whose held-out predictions q1 also asks for (and whose rules q4 uses)
PRED_DEPTH = 3
#: the fidelity targets and groupings a variant can get (the grader part picks one of each)
TARGETS = (0.70, 0.75, 0.80, 0.85)
GROUPINGS = ("hour band", "season", "weather", "day type")


def group_labels(X, grouping: str) -> np.ndarray:
    """Subgroup label of each row of the bike data ``X`` for ``grouping``.

    Parameters
    ----------
    X : pandas.DataFrame
        Rows of the bike-sharing features (``hr``, ``season``, ``weathersit``, ``workingday``).
    grouping : {"hour band", "season", "weather", "day type"}

    Returns
    -------
    ndarray of str, shape (len(X),)

    Raises
    ------
    ValueError
        For an unknown grouping.
    """
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
    """Everything the notebook needs for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.models.TrainedModel
        The teacher: XGBoost regressor of rentals per hour (bike sharing 2011).
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
    depths: tuple = DEPTHS
    seed: int = SURROGATE_SEED

    @property
    def teacher(self):
        return self.trained.model

    @property
    def X_fit(self):
        """The surrogates' training rows, shape (N_FIT, 12)."""
        return self.trained.X_train.loc[self.fit_rows]

    @property
    def X_eval(self):
        """The held-out rows fidelity is measured on, shape (N_EVAL, 12)."""
        return self.trained.X_test.loc[self.eval_rows]

    @property
    def y_eval(self) -> np.ndarray:
        """Observed rentals of the evaluation rows, shape (N_EVAL,) (labels: NOT what fidelity
        uses)."""
        return self.trained.y_test.loc[self.eval_rows].to_numpy(float)

    @cached_property
    def teacher_fit(self) -> np.ndarray:
        """``teacher.predict(X_fit)``, rentals per hour, shape (N_FIT,)."""
        return np.asarray(self.teacher.predict(self.X_fit), float)

    @cached_property
    def teacher_eval(self) -> np.ndarray:
        """``teacher.predict(X_eval)``, rentals per hour, shape (N_EVAL,)."""
        return np.asarray(self.teacher.predict(self.X_eval), float)

    @cached_property
    def subgroups(self) -> np.ndarray:
        """Subgroup label of each evaluation row, shape (N_EVAL,), in ``eval_rows`` order."""
        return group_labels(self.X_eval, self.grouping)


@lru_cache(maxsize=None)
def teacher():
    """The teacher (:func:`xaikit.models.bikeshare_teacher`), loaded once per process."""
    from xaikit.models import bikeshare_teacher

    return bikeshare_teacher()


def draw_rows(trained, variant: int) -> tuple[list, list]:
    """The variant's rows: ``numpy.random.default_rng(50_000 + variant)`` draws N_FIT index
    labels of ``trained.X_train`` and then N_EVAL of ``trained.X_test`` (each sorted)."""
    rng = np.random.default_rng(50_000 + int(variant))
    fit_rows = sorted(int(i) for i in rng.choice(trained.X_train.index, N_FIT, replace=False))
    eval_rows = sorted(int(i) for i in rng.choice(trained.X_test.index, N_EVAL, replace=False))
    return fit_rows, eval_rows


def build_context(variant: int = 0) -> DistillationContext:
    """The context of ``variant``: its rows (:func:`draw_rows`) and the target and grouping
    of its ``settings`` file (one row: ``target``, ``grouping``)."""
    from xaikit.exercises import variant_frame

    trained = teacher()
    fit_rows, eval_rows = draw_rows(trained, variant)
    settings = variant_frame(EXERCISE_ID, int(variant), "settings").iloc[0]
    return DistillationContext(int(variant), trained, fit_rows, eval_rows,
                               target=float(settings["target"]),
                               grouping=str(settings["grouping"]))


def formats(ctx) -> dict:
    """Answer formats (type, shape, range) for the take-home self-check."""
    labels = sorted(set(np.asarray(ctx.subgroups).astype(str)))
    return {
        "fidelity": {"type": "array", "shape": [len(ctx.depths)], "range": [None, 1]},
        "depth3_pred": {"type": "array", "shape": [len(ctx.eval_rows)]},
        "chosen_depth": {"type": "integer", "range": [min(ctx.depths), max(ctx.depths)]},
        "subgroup_fidelity": {"type": "dict", "keys": {k: {"type": "number",
                                                           "range": [None, 1]}
                                                       for k in labels}},
        "worst_subgroup": {"type": "str", "choices": labels},
    }


QUESTIONS = (
    Question("q1", "Surrogates of depth 1-8 and their fidelity", "auto", 3, "mid", 15,
             answers=("fidelity", "depth3_pred")),
    Question("q2", "The smallest faithful depth", "auto", 1, "mid", 3,
             answers=("chosen_depth",)),
    Question("q3", "Where is the surrogate least faithful?", "auto", 2, "mid", 10,
             answers=("subgroup_fidelity", "worst_subgroup")),
    Question("q4", "The rules, for a business audience", "manual", 3, "mid", 12),
    Question("q5", "Fidelity, not accuracy", "manual", 2, "mid", 5),
)

EXERCISE = Exercise(
    id=EXERCISE_ID, title="Distil the black box", level="mid", minutes=60,
    notebook="05_distillation.ipynb",
    topics=("model distillation", "global surrogates", "explaining to non-technical people"),
    questions=QUESTIONS, build_context=build_context, formats=formats)
