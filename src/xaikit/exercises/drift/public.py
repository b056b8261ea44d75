"""Public part of ``drift``: the context (model, stream, reference, background, protocol) and
the questions.

Nothing here computes an answer: the references and checks are in the grader part.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xaikit.exercises.framework import Exercise, ModelContext, Question

N_WINDOWS = 10
#: windows 0-2 (the even dates of 1 June - 15 July, never trained on) were audited after the
#: fact: no drift (the control windows)
CONTROL_WINDOWS = (0, 1, 2)
#: windows 3-9 (every hour of 16 July - 31 October) are the ones to monitor
MONITORED_WINDOWS = (3, 4, 5, 6, 7, 8, 9)
N_BACKGROUND = 20
#: input and attribution alert threshold = ALERT_MARGIN x the largest drift score of the
#: control windows (the same rule for both)
ALERT_MARGIN = 1.1
#: error alert threshold = ERROR_MARGIN x the largest MAE of the control windows
ERROR_MARGIN = 1.25


@dataclass
class DriftContext(ModelContext):
    """Everything the notebook needs for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.models.TrainedModel
        :func:`xaikit.drift.drift_model`: XGBoost regressor, rentals per hour, trained on the
        odd dates of 1 June - 15 July 2011; ``X_train`` (441 hours) is also the reference
        sample of every drift statistic; ``X_test`` (111 hours) are held-out hours of the same
        dates (used by the explorer only).
    stream : pandas.DataFrame
        The monitored hours (:func:`xaikit.drift.load_stream`): ``window`` (0-9), ``date``,
        the model's nine features and ``bikers`` (observed rentals in the hour).
    background : list of int
        Index labels (``X_train.loc``) of the 20 training rows that are the SHAP background
        (interventional TreeSHAP).
    """

    variant: int
    trained: object
    stream: object
    background: list
    control_windows: tuple = CONTROL_WINDOWS
    monitored_windows: tuple = MONITORED_WINDOWS
    alert_margin: float = ALERT_MARGIN
    error_margin: float = ERROR_MARGIN

    @property
    def X_background(self):
        """The SHAP background, shape (20, 9)."""
        return self.X_train.loc[self.background]

    @property
    def X_reference(self):
        """The reference sample of the drift statistics: the 441 training hours, (441, 9)."""
        return self.X_train

    def window(self, w: int):
        """``(X, y)`` of window ``w``: the features (n_w, 9) and observed rentals (n_w,)."""
        rows = self.stream[self.stream["window"] == int(w)]
        return rows[self.feature_names], rows["bikers"]

    @property
    def windows(self) -> tuple:
        return tuple(range(N_WINDOWS))

    @property
    def window_labels(self) -> tuple:
        """Calendar label of each window ("1-15 Jun", ...)."""
        from xaikit.drift import WINDOW_CALENDAR

        return tuple(label for label, _, _ in WINDOW_CALENDAR)


def build_context(variant: int = 0) -> DriftContext:
    """The context of ``variant``: its stream and the fixed background (20 training rows drawn
    with ``default_rng(0)``). Only the stream (its planted window) depends on the variant."""
    from xaikit.drift import drift_model, load_stream

    trained = drift_model()
    rng = np.random.default_rng(0)
    background = sorted(int(i) for i in rng.choice(np.asarray(trained.X_train.index),
                                                   N_BACKGROUND, replace=False))
    return DriftContext(variant=int(variant), trained=trained, stream=load_stream(variant),
                        background=background)


def formats(ctx) -> dict:
    """Answer formats (type, shape, range) for the take-home self-check."""
    p = len(ctx.feature_names)
    win = {"type": "integer", "range": [0, N_WINDOWS - 1]}
    return {
        "mean_abs_shap": {"type": "array", "shape": [N_WINDOWS, p], "range": [0, None]},
        "ref_mean_abs_shap": {"type": "array", "shape": [p], "range": [0, None]},
        "input_ks": {"type": "array", "shape": [N_WINDOWS, p], "range": [0, 1]},
        "shap_ks": {"type": "array", "shape": [N_WINDOWS, p], "range": [0, 1]},
        "input_threshold": {"type": "number", "range": [0, None]},
        "shap_threshold": {"type": "number", "range": [0, None]},
        "input_alerts": {"type": "list", "items": win},
        "shap_alerts": {"type": "list", "items": win},
        "window_mae": {"type": "array", "shape": [N_WINDOWS], "range": [0, None]},
        "concept_window": win,
        "covariate_windows": {"type": "list", "items": win},
        "pca_centroids": {"type": "array", "shape": [N_WINDOWS, 2]},
        "pca_explained": {"type": "array", "shape": [2], "range": [0, 1]},
    }


QUESTIONS = (
    Question("q1", "Mean |SHAP| per window, fixed background", "auto", 3, "mid", 10,
             answers=("mean_abs_shap", "ref_mean_abs_shap")),
    Question("q2", "Input drift: KS per feature and window", "auto", 1, "mid", 5,
             answers=("input_ks",)),
    Question("q3", "Attribution drift: KS on SHAP values", "auto", 2, "mid", 6,
             answers=("shap_ks",)),
    Question("q4", "Calibrated alerts on inputs and on attributions", "auto", 2, "senior", 8,
             answers=("input_threshold", "shap_threshold", "input_alerts", "shap_alerts")),
    Question("q5", "Error per window: covariate shift or concept drift?", "auto", 2, "senior",
             7, answers=("window_mae", "covariate_windows", "concept_window")),
    Question("q6", "A 2-D view of the attributions (PCA)", "auto", 2, "mid", 7,
             answers=("pca_centroids", "pca_explained")),
    Question("q7", "What attributions can and cannot show", "manual", 3, "senior", 12),
    Question("q8", "Monitoring in production; a time-series model", "manual", 3, "senior", 15),
)

EXERCISE = Exercise(
    id="drift", title="Explanation drift", level="senior", minutes=70,
    notebook="11_drift.ipynb",
    topics=("monitoring models in production", "covariate shift vs concept drift",
            "drift statistics (KS, PSI) on inputs and attributions",
            "visualising high-dimensional data (PCA)", "time series"),
    questions=QUESTIONS, build_context=build_context, formats=formats)
