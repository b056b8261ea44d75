"""Public part of ``glassbox_vs_posthoc``: the context (German credit with its XGBoost model, the
variant's generated data with two XGBoost models, the EBM settings, the grid) and the questions.

The candidate fits the Explainable Boosting Machines themselves (``interpret.glassbox``); the
boosted models are given (cached, XGBoost's own ``.ubj`` format). Nothing here fits an EBM or
computes an answer: the planted truth, the references and the checks are in ``grader/``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from xaikit.exercises.framework import Exercise, ModelContext, Question

EXERCISE_ID = "glassbox_vs_posthoc"
#: the generated features (uniform on [-1, 1]) and targets
SYN_FEATURES = ("x1", "x2", "x3", "x4", "x5", "x6")
SYN_TARGETS = ("y_additive", "y_interaction")
#: the numeric credit features of q2
NUMERIC = ("duration_months", "credit_amount_dm", "age_years")
#: the grid of q3: 41 points from -1 to 1
GRID = np.linspace(-1.0, 1.0, 41)
#: pairwise terms of the pairs EBM (q4, q5)
N_PAIRS = 3
#: the boosted model of the generated data (same settings as the credit model)
SYN_XGB_PARAMS = {
    "n_estimators": 300, "max_depth": 3, "learning_rate": 0.05, "subsample": 0.8,
    "colsample_bytree": 0.8, "min_child_weight": 2, "reg_lambda": 1.0,
    "random_state": 0, "n_jobs": 1, "tree_method": "hist", "eval_metric": "logloss",
}


def ebm_params(variant: int) -> dict:
    """The EBM settings of every question (``interactions`` is set per question).

    Two outer bags and at most 1000 boosting rounds keep a fit under half a second on these
    data; ``n_jobs=1`` and ``random_state`` make it bit-identical run to run.
    """
    return {"outer_bags": 2, "max_rounds": 1000, "n_jobs": 1, "random_state": 100 + int(variant)}


@dataclass
class GlassboxContext(ModelContext):
    """Everything the notebook needs for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.models.TrainedModel
        XGBoost on German credit (class 1 = bad risk), ``X_train`` (700, 20), ``X_test``
        (300, 20); its margin is in log-odds.
    additive, interaction : xaikit.models.TrainedModel
        XGBoost on the generated data, target ``y_additive`` / ``y_interaction``; the same
        70/30 split of the 2000 rows (``X_train`` (1400, 6), ``X_test`` (600, 6)).
    ebm_params : dict
        Keyword arguments of every ``ExplainableBoostingClassifier`` of the questions (add
        ``interactions=0`` or ``interactions=N_PAIRS``).
    """

    variant: int
    trained: object
    additive: object
    interaction: object
    ebm_params: dict = field(default_factory=dict)
    grid: np.ndarray = field(default_factory=lambda: GRID.copy())
    numeric: tuple = NUMERIC
    n_pairs: int = N_PAIRS

    @property
    def xgb_credit(self):
        """The credit XGBoost classifier (``self.trained.model``)."""
        return self.trained.model


def synthetic_frame(variant: int):
    """The variant's generated data, ``DataFrame (2000, 8)``: ``x1``..``x6`` then the two
    targets (read with :func:`xaikit.exercises.variant_frame`)."""
    from xaikit.exercises import variant_frame

    frame = variant_frame(EXERCISE_ID, int(variant), "synthetic")
    missing = set(SYN_FEATURES + SYN_TARGETS) - set(frame.columns)
    if missing or len(frame) != 2000:
        raise ValueError(f"{EXERCISE_ID} variant {variant}: a stale or foreign data file")
    return frame


def _synthetic_dataset(variant: int, target: str):
    import hashlib
    from pathlib import Path

    import pandas as pd

    from xaikit.datasets.core import Dataset, FeatureInfo

    frame = synthetic_frame(variant)
    X = frame[list(SYN_FEATURES)].astype("float64")
    y = frame[target].astype("int64")
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).values.tobytes())
    feats = {f: FeatureInfo(f, "numeric", "generated score, uniform on [-1, 1]", "",
                            range=(-1.0, 1.0)) for f in SYN_FEATURES}
    return Dataset(name=f"glassbox_synthetic_v{int(variant)}_{target}", frame=frame, X=X, y=y,
                   target_name=target, target_names=("no event", "event"), features=feats,
                   path=Path(f"variants/{EXERCISE_ID}/v{int(variant)}/synthetic.csv"),
                   sha256=digest.hexdigest(), card=Path("."))


@lru_cache(maxsize=32)
def synthetic_model(variant: int, target: str):
    """XGBoost (``SYN_XGB_PARAMS``) on the generated data of ``variant`` for ``target``: a
    70/30 random split (``random_state=0``, not stratified: both targets share it), cached."""
    from xgboost import XGBClassifier

    from xaikit.models import train_cached

    ds = _synthetic_dataset(variant, target)
    return train_cached(f"glassbox_xgb_{target}", ds, XGBClassifier, SYN_XGB_PARAMS,
                        stratify=False, split_seed=0, X=ds.X, y=ds.y)


def build_context(variant: int = 0) -> GlassboxContext:
    """The context of ``variant``: the credit model, the variant's generated data and models."""
    from xaikit.models import credit_model

    variant = int(variant)
    return GlassboxContext(variant=variant, trained=credit_model(),
                           additive=synthetic_model(variant, "y_additive"),
                           interaction=synthetic_model(variant, "y_interaction"),
                           ebm_params=ebm_params(variant))


def formats(ctx) -> dict:
    """Answer formats (type, shape, range) for the take-home self-check."""
    n_test = len(ctx.X_test)
    syn = list(SYN_FEATURES)
    return {
        "ebm_credit_proba": {"type": "array", "shape": [n_test], "range": [0, 1]},
        "credit_auc": {"type": "dict", "keys": {k: {"type": "number", "range": [0, 1]}
                                                for k in ("ebm", "xgb")}},
        "shape_shap_corr": {"type": "dict", "keys": {f: {"type": "number", "range": [-1, 1]}
                                                     for f in ctx.numeric}},
        "ebm_shapes": {"type": "array", "shape": [len(syn), len(ctx.grid)]},
        "interaction_auc": {"type": "dict", "keys": {k: {"type": "number", "range": [0, 1]}
                                                     for k in ("ebm_main", "ebm_pairs", "xgb")}},
        "failing_pair": {"type": "list", "length": 2, "items": {"type": "str", "choices": syn}},
        "pair_share": {"type": "number", "range": [0, 1]},
    }


QUESTIONS = (
    Question("q1", "EBM vs XGBoost on German credit: held-out AUC", "auto", 2, "junior", 10,
             answers=("ebm_credit_proba", "credit_auc")),
    Question("q2", "EBM shape functions vs SHAP dependence", "auto", 2, "mid", 10,
             answers=("shape_shap_corr",)),
    Question("q3", "Does the EBM recover the true shapes?", "auto", 2, "mid", 10,
             answers=("ebm_shapes",)),
    Question("q4", "Where the additive glass box fails", "auto", 3, "mid", 10,
             answers=("interaction_auc", "failing_pair")),
    Question("q5", "What the pairwise terms carry", "auto", 1, "mid", 5,
             answers=("pair_share",)),
    Question("q6", "Why the additive model misses it, and what pairs cost", "manual", 2, "mid", 7),
    Question("q7", "Recommendation for a regulated credit decision", "manual", 3, "senior", 8),
)

EXERCISE = Exercise(
    id=EXERCISE_ID, title="Interpretable by design vs post hoc", level="mid", minutes=60,
    notebook="09_glassbox_vs_posthoc.ipynb",
    topics=("interpretable-by-design models (GAMs, EBMs)", "post-hoc explanation (TreeSHAP)",
            "the accuracy-interpretability trade-off", "interactions an additive model misses",
            "model choice in regulated settings"),
    questions=QUESTIONS, build_context=build_context, formats=formats)
