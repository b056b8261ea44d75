"""Public part of ``pdp_ice``: the context (model, the variant's rows, grids, anchor, bins, an
explore sample) and the questions' declarations.

Nothing here computes an answer: the references and checks are in the package ``grader``. All
effects are in rentals per hour.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xaikit.exercises.framework import Exercise, ModelContext, Question

#: q1's feature cycles through these with the variant.
Q1_FEATURES = ("temp", "hum", "windspeed", "day")
#: Rows of every ICE curve of the questions (``X_rows``).
N_ROWS = 200
#: Rows of the explorer widget (``X_explore``), disjoint from ``X_rows``.
N_EXPLORE = 300


@dataclass
class PdpIceContext(ModelContext):
    """Everything the notebook needs for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.models.TrainedModel
        Gradient boosting (squared error) on bike sharing; predictions in rentals per hour.
        Nothing keeps them at or above 0: the model predicts negative rentals for some rows.
    row_positions : ndarray of int, shape (200,)
        Positions in ``X_test`` of the rows of every ICE curve of the questions.
    explore_positions : ndarray of int, shape (300,)
        Positions in ``X_test`` of the explorer's rows, none of them in ``row_positions``.
    feature : str
        The feature of q1.
    grid : ndarray of shape (n_grid,)
        Grid of q1 (values of ``feature``, its own unit).
    hr_grid : ndarray of shape (24,)
        0, 1, ..., 23 (hours).
    anchor_hour : int
        Anchor of the centered ICE curves of ``hr`` (q2), in 0..5.
    ale_feature : str
        The feature of q4 (``temp``).
    ale_bins : int
        Number of quantile bins asked for in q4 (duplicate edges merge).
    """

    variant: int
    trained: object
    row_positions: np.ndarray
    explore_positions: np.ndarray
    feature: str
    grid: np.ndarray
    hr_grid: np.ndarray
    anchor_hour: int
    ale_feature: str = "temp"
    ale_bins: int = 10

    @property
    def X_rows(self):
        """The ICE rows of the questions, shape (200, 12), a slice of ``X_test`` in position
        order."""
        return self.X_test.iloc[self.row_positions]

    @property
    def X_explore(self):
        """The explorer's rows, shape (300, 12), test rows disjoint from ``X_rows``."""
        return self.X_test.iloc[self.explore_positions]


def sample_positions(variant: int, n_test: int) -> tuple:
    """Positions in ``X_test`` (``n_test`` rows) of the questions' rows and of the explorer's
    rows of ``variant``: ``(rows, explore)``, shapes (200,) and (300,), sorted, disjoint.

    The questions' rows are drawn with ``default_rng(30_000 + variant)``, the explorer's from
    the other test rows with ``default_rng(31_000 + variant)``.
    """
    variant = int(variant)
    rng = np.random.default_rng(30_000 + variant)
    rows = np.sort(rng.choice(int(n_test), N_ROWS, replace=False))
    rest = np.setdiff1d(np.arange(int(n_test)), rows)
    explore = np.sort(np.random.default_rng(31_000 + variant).choice(rest, N_EXPLORE,
                                                                     replace=False))
    return rows, explore


def build_context(variant: int = 0) -> PdpIceContext:
    """The context of ``variant``: 200 test rows drawn with seed ``30_000 + variant``, q1's
    feature and grid, the anchor hour, the ALE bins, and 300 other test rows to explore
    (:func:`sample_positions`)."""
    from xaikit.models import bikeshare_gbr

    variant = int(variant)
    trained = bikeshare_gbr()
    positions, explore = sample_positions(variant, len(trained.X_test))
    feature = Q1_FEATURES[variant % len(Q1_FEATURES)]
    n_grid = 12 + variant % 7
    lo, hi = (0.05, 0.95) if variant % 2 == 0 else (0.02, 0.98)
    grid = np.unique(np.round(np.quantile(trained.X_train[feature],
                                          np.linspace(lo, hi, n_grid)), 4))
    return PdpIceContext(variant=variant, trained=trained, row_positions=positions,
                         explore_positions=explore, feature=feature, grid=grid,
                         hr_grid=np.arange(24, dtype=float), anchor_hour=int(variant % 6),
                         ale_feature="temp", ale_bins=8 + variant % 8)


def formats(ctx) -> dict:
    """Answer formats (type, shape, range) for the take-home self-check."""
    n, g = len(ctx.row_positions), len(ctx.grid)
    return {
        "ice": {"type": "array", "shape": [n, g]},
        "pdp": {"type": "array", "shape": [g]},
        "ice_hr_centered": {"type": "array", "shape": [n, len(ctx.hr_grid)]},
        "ice_driver": {"type": "str", "choices": list(ctx.feature_names)},
        "ale_edges": {"type": "array", "shape": [None]},
        "ale_temp": {"type": "array", "shape": [None]},
    }


QUESTIONS = (
    Question("q1", "ICE and PDP by hand", "auto", 3, "junior", 14, answers=("ice", "pdp")),
    Question("q2", "Centered ICE of the hour", "auto", 2, "junior", 7,
             answers=("ice_hr_centered",)),
    Question("q3", "Which feature changes the shape of the hour curves?", "auto", 2, "mid", 10,
             answers=("ice_driver",)),
    Question("q4", "ALE of temperature", "auto", 3, "mid", 18,
             answers=("ale_edges", "ale_temp")),
    Question("q5", "PDP or ALE for temperature?", "manual", 2, "mid", 9),
    Question("q6", "Is this the effect of temperature on rentals?", "manual", 3, "mid", 9),
)

EXERCISE = Exercise(
    id="pdp_ice", title="Feature effects: PDP, ICE, centered ICE, ALE", level="junior-mid",
    minutes=80, notebook="02_pdp_ice.ipynb",
    topics=("visualising explanations (importance, PDP, ICE)", "counterintuitive model behaviour",
            "causal questions vs model explanations"),
    questions=QUESTIONS, build_context=build_context, formats=formats)
