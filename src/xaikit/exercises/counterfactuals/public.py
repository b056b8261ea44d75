"""Public part of ``counterfactuals``: the context (model, constraints, applicants) and the
questions.

Nothing here computes an answer: the distance scale, the plausibility bound, the search and
the checks are in ``grader.py``. Which applicants a variant uses depends on the grader's search
(each must have a recourse worth asking for), so the grader part writes them as a variant data
file (``applicants.csv``) that :func:`build_context` reads with
:func:`xaikit.exercises.variant_frame`.
"""
from __future__ import annotations

from dataclasses import dataclass

from xaikit import counterfactuals as CF
from xaikit.exercises.framework import Exercise, ModelContext, Question

EXERCISE_ID = "counterfactuals"
N_APPLICANTS = 3
#: at most this many features changed per counterfactual
K_MAX = 2
#: members of a diverse set must be at least this far apart pairwise (MADs)
DIVERSITY_MIN_PAIRWISE = 0.5


@dataclass
class CounterfactualsContext(ModelContext):
    """Everything the notebook needs for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.models.TrainedModel
        XGBoost on Boston HMDA; class 1 = denied.
    applicants : list of int
        Index labels (``X_all.loc``, the source's row numbers) of the denied applicants of q2,
        in order; the first is also the applicant of the diverse set (q3).
    trap_applicant : int
        Another denied applicant, for the demo (the cheapest flip when every feature may move
        either way).
    constraints : xaikit.counterfactuals.Constraints
        Immutable features, allowed directions and ranges (the question's rules).
    threshold : float
        Probability of denial at or above which the model denies (0.5).
    k : int
        Maximum number of features a counterfactual may change.
    ratio_step : float
        Grid step of the ratios ``dir``, ``hir``, ``lvr`` in the search (raw ratio units).
    """

    variant: int
    trained: object
    applicants: list
    trap_applicant: int
    constraints: object
    threshold: float = CF.THRESHOLD
    k: int = K_MAX
    ratio_step: float = CF.RATIO_STEP

    @property
    def X_all(self):
        """Every applicant, shape (2380, 12): ``dataset.X`` (train and test rows), raw values,
        yes/no coded 0/1."""
        return self.trained.dataset.X

    @property
    def X_applicants(self):
        """The applicants' rows, shape (3, 12), in the order of ``applicants``."""
        return self.X_all.loc[self.applicants]

    @property
    def diverse_applicant(self) -> int:
        """The applicant of q3 (``applicants[0]``)."""
        return self.applicants[0]


def build_context(variant: int = 0) -> CounterfactualsContext:
    """The context of ``variant``.

    The applicants come from the variant data file ``applicants.csv`` (column ``role``:
    ``question`` or ``trap``, in order), made by the grader part from the applicants the model
    denies (all rows of ``dataset.X``) whose constrained minimal counterfactual exists, costs
    at least 0.5 MADs and is plausible: the first has a diverse set of three and changes from
    one variant to the next; the other two are the first such applicants in the order of
    ``numpy.random.default_rng(40_000 + variant).permutation``; the trap is the first other
    applicant of that order whose cheapest flip changes an immutable feature when every
    feature may move.

    Raises
    ------
    RuntimeError
        Where the variant file is missing and cannot be made (a take-home pack without its
        ``datasets/variants/``).
    """
    from xaikit.exercises import variant_frame
    from xaikit.models import hmda_model

    trained = hmda_model()
    table = variant_frame(EXERCISE_ID, int(variant), "applicants")
    applicants = [int(a) for a in table.index[table["role"] == "question"]]
    trap = int(table.index[table["role"] == "trap"][0])
    return CounterfactualsContext(variant=int(variant), trained=trained, applicants=applicants,
                                  trap_applicant=trap,
                                  constraints=CF.Constraints.from_dataset(trained.dataset))


def formats(ctx) -> dict:
    """Answer formats (type, shape, range) for the take-home self-check."""
    p = len(ctx.feature_names)
    return {
        "mad": {"type": "array", "shape": [p], "range": [0, None]},
        "plausibility_threshold": {"type": "number", "range": [0, None]},
        "counterfactuals": {"type": "array", "shape": [len(ctx.applicants), p]},
        "diverse_set": {"type": "array", "shape": [3, p]},
    }


QUESTIONS = (
    Question("q1", "The distance scale and the plausibility bound", "auto", 2, "junior", 10,
             answers=("mad", "plausibility_threshold")),
    Question("q2", "A minimal counterfactual per applicant", "auto", 4, "mid", 25,
             answers=("counterfactuals",)),
    Question("q3", "A diverse set of three", "auto", 3, "senior", 15,
             answers=("diverse_set",)),
    Question("q4", "What to tell the applicant", "manual", 3, "senior", 10),
    Question("q5", "The cheapest flip changes an immutable feature", "manual", 2, "senior", 8),
)

EXERCISE = Exercise(
    id=EXERCISE_ID, title="Minimal recourse under constraints", level="mid-senior",
    minutes=90, notebook="04_counterfactuals.ipynb",
    topics=("counterfactual explanations", "actionable explanations",
            "fair, unbiased interpretations", "causal questions vs model explanations"),
    questions=QUESTIONS, build_context=build_context, formats=formats)
