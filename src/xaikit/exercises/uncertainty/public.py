"""Public part of ``uncertainty``: the contexts (a generated data set with five XGBoost models
that differ only in their seed, the German-credit model), the rows, seeds and settings of the
questions, and the questions' declarations.

The generated data are made by the grader part (``materialise``) and read here with
:func:`xaikit.exercises.variant_frame`; which column plays which role (the strong one, the
planted tie, the weak one, the noise column) is the candidate's question: nothing here says.
Nothing here computes an answer either (no bootstrap interval, no KernelSHAP repeat): the
references and checks are in the package ``grader``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from xaikit.exercises.framework import Exercise, ModelContext, Question

#: generated columns (their roles are drawn per variant by the grader part)
NAMES = ("x1", "x2", "x3", "x4", "x5")
#: held-out rows of the questions' permutation importances (generated data)
N_EVAL = 300
#: bootstrap resamples, permutation repeats per resample, interval level (percent)
N_BOOT = 30
N_REPEATS = 3
CI_LEVEL = 95
#: seeds of the retrained models (the Rashomon question) and their permutation repeats
MODEL_SEEDS = (0, 1, 2, 3, 4)
RASHOMON_REPEATS = 5
#: German credit: bootstrap resamples and permutation repeats of q6
CREDIT_N_BOOT = 20
CREDIT_N_REPEATS = 1
CREDIT_TOP = 5
#: KernelSHAP: background rows, sample budgets, repeat seeds
N_BACKGROUND = 20
NSAMPLES = (64, 256, 1024)
KERNEL_SEEDS = tuple(range(10))
#: XGBoost parameters of the generated data's models; only ``random_state`` changes between
#: them (row and column subsampling make the seed matter)
GEN_XGB_PARAMS = {
    "n_estimators": 150, "max_depth": 3, "learning_rate": 0.1, "subsample": 0.7,
    "colsample_bytree": 0.6, "min_child_weight": 3, "reg_lambda": 1.0,
    "random_state": 0, "n_jobs": 1, "tree_method": "hist", "objective": "reg:squarederror",
}


@dataclass
class UncertaintyContext(ModelContext):
    """Everything the notebook needs for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.models.TrainedModel
        XGBoost regressor (seed 0) on the variant's generated data: five standard-normal
        columns ``x1`` ... ``x5``, target ``y`` (unitless); 70/30 split, ``random_state=0``.
    rashomon : tuple of xaikit.models.TrainedModel
        The same model retrained with ``random_state`` = each of ``MODEL_SEEDS`` (same data,
        same split, same parameters); ``rashomon[0]`` is ``trained``.
    credit : xaikit.models.TrainedModel
        :func:`xaikit.models.credit_model`: XGBoost on German credit, class 1 = bad risk.
    eval_positions : ndarray of int, shape (300,)
        Positions in ``X_test`` of the questions' evaluation rows (half of the 600 held-out
        rows).
    boot_seed, pi_seed : int
        Seed of the bootstrap generator (``np.random.default_rng(boot_seed)``) and
        ``random_state`` of every ``permutation_importance`` on the generated data.
    credit_boot_seed, credit_pi_seed : int
        The same for German credit (q6).
    kernel_row : int
        Index label (``credit.X_test.loc``) of the applicant whose KernelSHAP values q4-q5
        repeat.
    background_positions : ndarray of int, shape (20,)
        Positions in ``credit.X_train`` of the KernelSHAP / interventional TreeSHAP background.
    """

    variant: int
    trained: object
    rashomon: tuple
    credit: object
    eval_positions: np.ndarray
    boot_seed: int
    pi_seed: int
    credit_boot_seed: int
    credit_pi_seed: int
    kernel_row: int
    background_positions: np.ndarray
    n_boot: int = N_BOOT
    n_repeats: int = N_REPEATS
    ci_level: int = CI_LEVEL
    model_seeds: tuple = MODEL_SEEDS
    rashomon_repeats: int = RASHOMON_REPEATS
    credit_n_boot: int = CREDIT_N_BOOT
    credit_n_repeats: int = CREDIT_N_REPEATS
    credit_top: int = CREDIT_TOP
    nsamples: tuple = NSAMPLES
    kernel_seeds: tuple = KERNEL_SEEDS

    @property
    def X_eval(self):
        """The questions' evaluation rows of the generated data, shape (300, 5)."""
        return self.X_test.iloc[self.eval_positions]

    @property
    def y_eval(self):
        return self.trained.y_test.iloc[self.eval_positions]

    @property
    def credit_model(self):
        return self.credit.model

    @property
    def X_credit(self):
        """German credit's 300 held-out applicants, shape (300, 20): q6's evaluation rows."""
        return self.credit.X_test

    @property
    def y_credit(self):
        return self.credit.y_test

    @property
    def x_kernel(self):
        """The applicant of q4-q5 as a one-row DataFrame, shape (1, 20)."""
        return self.credit.X_test.loc[[self.kernel_row]]

    @property
    def X_background(self):
        """The 20 background applicants of q4-q5 (training rows), shape (20, 20)."""
        return self.credit.X_train.iloc[self.background_positions]


def generated_dataset(variant: int):
    """The variant's generated data as a :class:`xaikit.datasets.Dataset` (``X``: ``x1`` ...
    ``x5``, ``y``: the target), read with :func:`xaikit.exercises.variant_frame`."""
    import hashlib
    from pathlib import Path

    import pandas as pd

    from xaikit.datasets.core import Dataset, FeatureInfo
    from xaikit.exercises import variant_file_name, variant_frame

    frame = variant_frame("uncertainty", int(variant), "generated").astype("float64")
    X, y = frame.drop(columns="y"), frame["y"].rename("y")
    features = {c: FeatureInfo(name=c, kind="numeric", description="generated feature "
                               "(standard normal)", unit="") for c in X.columns}
    h = hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).values.tobytes())
    h.update("\x00".join(map(str, frame.columns)).encode())
    return Dataset(name=f"uncertainty_generated_v{int(variant)}", frame=frame, X=X, y=y,
                   target_name="y", target_names=None, features=features,
                   path=Path(variant_file_name("uncertainty", variant, "generated")),
                   sha256=h.hexdigest(), card=None)


@lru_cache(maxsize=128)
def generated_model(variant: int, seed: int = 0):
    """XGBoost regressor (``GEN_XGB_PARAMS`` with ``random_state=seed``) on the variant's
    generated data, cached by content hash (:func:`xaikit.models.train_cached`); 70/30 split,
    ``random_state=0`` (the same split for every seed)."""
    from xgboost import XGBRegressor

    from xaikit.models import train_cached

    ds = generated_dataset(variant)
    return train_cached("uncertainty_generated_xgb", ds, XGBRegressor,
                        {**GEN_XGB_PARAMS, "random_state": int(seed)}, stratify=False,
                        X=ds.X, y=ds.y)


def build_context(variant: int = 0) -> UncertaintyContext:
    """The context of ``variant``: rows drawn with ``default_rng(150_000 + variant)`` (the
    generated evaluation rows, the KernelSHAP applicant and background), seeds
    ``boot_seed = 1_000 + variant``, ``pi_seed = 2_000 + variant``, ``credit_boot_seed =
    3_000 + variant``, ``credit_pi_seed = 4_000 + variant``."""
    from xaikit.models import credit_model

    variant = int(variant)
    models = tuple(generated_model(variant, s) for s in MODEL_SEEDS)
    credit = credit_model()
    rng = np.random.default_rng(150_000 + variant)
    order = rng.permutation(len(models[0].X_test))
    ev = np.sort(order[:N_EVAL])
    kernel_row = int(rng.choice(np.asarray(credit.X_test.index)))
    bg = np.sort(rng.choice(len(credit.X_train), N_BACKGROUND, replace=False))
    return UncertaintyContext(
        variant=variant, trained=models[0], rashomon=models, credit=credit,
        eval_positions=ev, boot_seed=1_000 + variant,
        pi_seed=2_000 + variant, credit_boot_seed=3_000 + variant,
        credit_pi_seed=4_000 + variant, kernel_row=kernel_row, background_positions=bg)


def formats(ctx) -> dict:
    """Answer formats (type, shape, range) for the take-home self-check."""
    p, names = len(ctx.feature_names), list(ctx.feature_names)
    pc, credit_names = ctx.X_credit.shape[1], list(ctx.X_credit.columns)
    k, n_ns, n_seeds = len(ctx.model_seeds), len(ctx.nsamples), len(ctx.kernel_seeds)
    name = {"type": "str", "choices": names}
    cname = {"type": "str", "choices": credit_names}
    return {
        "pi_point": {"type": "array", "shape": [p]},
        "boot_pi": {"type": "array", "shape": [ctx.n_boot, p]},
        "ci": {"type": "array", "shape": [p, 2]},
        "rashomon_pi": {"type": "array", "shape": [k, p]},
        "rashomon_mse": {"type": "array", "shape": [k], "range": [0, None]},
        "ranking": {"type": "list", "length": p, "items": name},
        "supported": {"type": "list", "length": p - 1, "items": {"type": "bool"}},
        "tie": {"type": "list", "length": 2, "items": name},
        "kernel_values": {"type": "array", "shape": [n_ns, n_seeds, pc]},
        "kernel_sd": {"type": "array", "shape": [n_ns, pc], "range": [0, None]},
        "tree_values": {"type": "array", "shape": [pc]},
        "tree_sd": {"type": "array", "shape": [pc], "range": [0, None]},
        "kernel_rmse": {"type": "array", "shape": [n_ns], "range": [0, None]},
        "credit_ci": {"type": "array", "shape": [pc, 2]},
        "credit_top": {"type": "list", "length": ctx.credit_top, "items": cname},
        "overlap_pairs": {"type": "list", "items": {"type": "list", "length": 2,
                                                    "items": cname}},
    }


QUESTIONS = (
    Question("q1", "Bootstrap intervals of permutation importance", "auto", 3, "mid", 12,
             answers=("pi_point", "boot_pi", "ci")),
    Question("q2", "Five equally good models", "auto", 2, "mid", 6,
             answers=("rashomon_pi", "rashomon_mse")),
    Question("q3", "Which rankings does the evidence support?", "auto", 2, "senior", 6,
             answers=("ranking", "supported", "tie")),
    Question("q4", "KernelSHAP against its sample budget", "auto", 2, "senior", 10,
             answers=("kernel_values", "kernel_sd")),
    Question("q5", "TreeSHAP has no Monte-Carlo error", "auto", 1, "senior", 5,
             answers=("tree_values", "tree_sd", "kernel_rmse")),
    Question("q6", "German credit: which top features can be told apart?", "auto", 2,
             "senior", 8, answers=("credit_ci", "credit_top", "overlap_pairs")),
    Question("q7", "Three kinds of uncertainty", "manual", 3, "senior", 8),
    Question("q8", "What to tell the risk committee", "manual", 2, "senior", 5),
)

EXERCISE = Exercise(
    id="uncertainty", title="How sure is that importance?", level="senior", minutes=60,
    notebook="15_uncertainty.ipynb",
    topics=("uncertainty of explanations (bootstrap)",
            "accurate and reliable interpretations", "conflicting explanations (Rashomon set)",
            "Monte-Carlo error of KernelSHAP"),
    questions=QUESTIONS, build_context=build_context, formats=formats)
