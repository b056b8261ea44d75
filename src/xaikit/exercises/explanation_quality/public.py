"""Public part of ``explanation_quality``: the contexts (a generated data set with a known sparse
support and its XGBoost classifier; the German-credit XGBoost model), the three explainers
A, B, C, the randomised models of the sanity checks (both data sets), the rows, seeds and the
questions.

The generated data are made by the grader part (``materialise``) and read here with
:func:`xaikit.exercises.variant_frame`; which features are in the true support is not said
here. Which explainer is which is drawn per variant (:func:`explainer_letters`): the code
necessarily holds it (each explainer wraps its method), but the context carries no
letter -> method map: the candidate is asked to decide from measurements. Nothing here
computes a deletion / insertion curve, a stability or a sanity-check correlation: the
references and checks are in the grader part.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from xaikit.exercises.framework import Exercise, ModelContext, Question

EXERCISE_ID = "explanation_quality"
LETTERS = ("A", "B", "C")
VERDICTS = ("faithful", "unfaithful")
#: question rows per data set (predicted class 1 rows of X_test) and explorer rows
N_ROWS = 10
N_EXPLORE = 12
#: LIME: ``random_state`` and ``num_samples`` inside explainer "lime"
LIME_SEED = 0
LIME_SAMPLES = 500
#: stability: noise N(0, (SIGMA * std_j)^2), std_j = X_train[col].std() (pandas, ddof=1)
SIGMA = 0.1
#: XGBoost parameters of the generated data's classifier (one thread, fixed seed)
#: German credit's sanity checks: seed of the leaf randomisation and of the label permutation
#: (fixed: the same two destroyed credit models in every variant)
CREDIT_RANDOMISE_SEED = 1
CREDIT_LABEL_SEED = 1
SYNTH_XGB_PARAMS = {
    "n_estimators": 150, "max_depth": 3, "learning_rate": 0.1, "subsample": 1.0,
    "random_state": 0, "n_jobs": 1, "tree_method": "hist", "eval_metric": "logloss",
}


@dataclass
class ExplanationQualityContext(ModelContext):
    """Everything the notebook needs for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.models.TrainedModel
        XGBoost classifier on the variant's generated data (``x1`` ... ``x8``, class 1 =
        ``y == 1``), 70/30 random split with ``random_state=0`` (not stratified).
    credit : xaikit.models.TrainedModel
        XGBoost classifier of German credit (:func:`xaikit.models.credit_model`; class 1 =
        bad risk).
    rows, credit_rows : list of int
        Index labels (``X_test.loc``) of the question rows, sorted: 10 rows each whose
        P(class 1) >= 0.5.
    explore_rows, credit_explore_rows : list of int
        Index labels of the explorer's rows, none of them a question row.
    explainers, credit_explainers : dict of str to Explainer
        ``{"A": explain, "B": explain, "C": explain}`` bound to the generated data's and to
        German credit's training data; the same letter is the same method in both.
    random_model : xgboost.XGBClassifier
        The generated data's model with randomised leaf values
        (:func:`xaikit.faithfulness.randomise_leaves`, seed ``randomise_seed``).
    label_random_model : xgboost.XGBClassifier
        The same XGBoost settings retrained on the same training rows with the labels
        permuted (``default_rng(label_seed).permutation`` of the whole label column).
    credit_random_model : xgboost.XGBClassifier
        The credit model with randomised leaf values (seed ``credit_randomise_seed``).
    credit_label_random_model : xgboost.XGBClassifier
        The credit model's settings (:data:`xaikit.models.CREDIT_XGB_PARAMS`) retrained on the
        same 700 training rows with their labels randomly permuted among them
        (:func:`credit_label_random`, seed ``credit_label_seed``).
    noise_seed : int
        Seed of the stability question's noise.
    sigma : float
        Noise scale of the stability question, in standard deviations of each feature.
    """

    variant: int
    trained: object
    credit: object
    rows: list
    credit_rows: list
    explore_rows: list
    credit_explore_rows: list
    explainers: dict = field(repr=False)
    credit_explainers: dict = field(repr=False)
    random_model: object = field(repr=False)
    label_random_model: object = field(repr=False)
    credit_random_model: object = field(repr=False)
    credit_label_random_model: object = field(repr=False)
    randomise_seed: int = 0
    label_seed: int = 0
    credit_randomise_seed: int = CREDIT_RANDOMISE_SEED
    credit_label_seed: int = CREDIT_LABEL_SEED
    noise_seed: int = 0
    sigma: float = SIGMA
    lime_seed: int = LIME_SEED
    lime_samples: int = LIME_SAMPLES

    @property
    def X_rows(self):
        """The generated data's question rows, shape (10, 8), in the order of ``rows``."""
        return self.X_test.loc[self.rows]

    @property
    def X_credit_rows(self):
        """German credit's question rows, shape (10, 20), in the order of ``credit_rows``."""
        return self.credit.X_test.loc[self.credit_rows]


def explainer_letters(variant: int) -> dict:
    """``{"A": method, "B": method, "C": method}`` with methods ``"treeshap"``, ``"lime"``,
    ``"correlation"`` in the order of ``default_rng(60_000 + variant).permutation(3)``."""
    methods = ("treeshap", "lime", "correlation")
    perm = np.random.default_rng(60_000 + int(variant)).permutation(3)
    return {L: methods[int(k)] for L, k in zip(LETTERS, perm)}


def make_explainers(letters: dict, X_train, y_train) -> dict:
    """The three :class:`~xaikit.faithfulness.Explainer` objects bound to one training set."""
    from xaikit.faithfulness import (CorrelationAttribution, Explainer, LimeAttribution,
                                     TreeShapAttribution)

    make = {"treeshap": lambda: TreeShapAttribution(),
            "lime": lambda: LimeAttribution(X_train, seed=LIME_SEED, num_samples=LIME_SAMPLES),
            "correlation": lambda: CorrelationAttribution(X_train, y_train)}
    return {L: Explainer(L, make[m]()) for L, m in letters.items()}


def synthetic_dataset(variant: int):
    """The variant's generated data as a :class:`xaikit.datasets.Dataset` (``X``: ``x1`` ...
    ``x8``, ``y``: 0/1), read with :func:`xaikit.exercises.variant_frame`."""
    import hashlib
    from pathlib import Path

    import pandas as pd

    from xaikit.datasets.core import Dataset, FeatureInfo
    from xaikit.exercises import variant_file_name, variant_frame

    frame = variant_frame(EXERCISE_ID, int(variant), "synthetic")
    X = frame.drop(columns="y").astype("float64")
    y = frame["y"].astype("int64").rename("y")
    features = {c: FeatureInfo(name=c, kind="numeric", description="generated feature "
                               "(standard normal)", unit="") for c in X.columns}
    h = hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).values.tobytes())
    h.update("\x00".join(map(str, frame.columns)).encode())
    return Dataset(name=f"explanation_quality_v{int(variant)}", frame=frame, X=X, y=y,
                   target_name="y", target_names=("0", "1"), features=features,
                   path=Path(variant_file_name(EXERCISE_ID, variant, "synthetic")),
                   sha256=h.hexdigest(), card=None)


@lru_cache(maxsize=64)
def synthetic_models(variant: int) -> tuple:
    """``(trained, label_random)``: XGBoost (``SYNTH_XGB_PARAMS``) on the generated data and on
    the same data with permuted labels (``default_rng(0)``), both cached by content hash
    (:func:`xaikit.models.train_cached`; 70/30 split, ``random_state=0``, not stratified, so
    both are trained on the same rows)."""
    from xgboost import XGBClassifier

    from xaikit.models import train_cached

    ds = synthetic_dataset(variant)
    trained = train_cached("explanation_quality_xgb", ds, XGBClassifier, SYNTH_XGB_PARAMS,
                           stratify=False, X=ds.X, y=ds.y)
    y_perm = ds.y.copy()
    y_perm[:] = np.random.default_rng(0).permutation(ds.y.to_numpy())
    shuffled = train_cached("explanation_quality_xgb_labels", ds, XGBClassifier,
                            SYNTH_XGB_PARAMS, stratify=False, X=ds.X, y=y_perm)
    return trained, shuffled


@lru_cache(maxsize=1)
def credit_label_random():
    """German credit's label-randomised model (a :class:`xaikit.models.TrainedModel`).

    The credit model's settings (``CREDIT_XGB_PARAMS``), trained through
    :func:`xaikit.models.train_cached` (cached by content hash; on first use it trains in about
    a second, one thread, fixed seed: the same model on every machine) on the credit model's
    own 700 training rows, with the labels permuted among those rows by
    ``default_rng(CREDIT_LABEL_SEED)``. So that ``train_cached``'s split (stratified on the
    label, ``random_state=0``) keeps exactly the same training and test rows, the permutation
    is applied to the training rows' *features* with the labels left in place: the pairs
    (features, label) are the same as with permuted labels. The test rows are untouched.
    """
    from xgboost import XGBClassifier

    from xaikit.models import CREDIT_XGB_PARAMS, credit_model, train_cached

    credit = credit_model()
    ds = credit.dataset
    X = ds.X.copy()
    perm = np.random.default_rng(CREDIT_LABEL_SEED).permutation(len(credit.X_train))
    X.loc[credit.X_train.index] = credit.X_train.iloc[perm].set_axis(credit.X_train.index)
    return train_cached("explanation_quality_credit_labels", ds, XGBClassifier,
                        CREDIT_XGB_PARAMS, X=X, y=ds.y)


@lru_cache(maxsize=1)
def credit_random_model():
    """The credit model with randomised leaf values
    (:func:`xaikit.faithfulness.randomise_leaves`, seed ``CREDIT_RANDOMISE_SEED``)."""
    from xaikit.faithfulness import randomise_leaves
    from xaikit.models import credit_model

    return randomise_leaves(credit_model().model, seed=CREDIT_RANDOMISE_SEED)


def _positive_rows(model, X_test, seed: int) -> tuple:
    """(question rows, explorer rows): sorted index labels of X_test, drawn with
    ``default_rng(seed)`` among the rows with P(class 1) >= 0.5 (questions) and among the
    other rows of either class (explorer)."""
    p = model.predict_proba(X_test)[:, 1]
    rng = np.random.default_rng(int(seed))
    pos = np.asarray(X_test.index[p >= 0.5])
    rows = sorted(int(r) for r in rng.choice(pos, N_ROWS, replace=False))
    rest = np.setdiff1d(np.asarray(X_test.index), rows)
    explore = sorted(int(r) for r in rng.choice(rest, N_EXPLORE, replace=False))
    return rows, explore


def build_context(variant: int = 0) -> ExplanationQualityContext:
    """The context of ``variant``: generated rows drawn with ``default_rng(40_000 + variant)``,
    credit rows with ``default_rng(45_000 + variant)``."""
    from xaikit.faithfulness import randomise_leaves
    from xaikit.models import credit_model

    variant = int(variant)
    trained, shuffled = synthetic_models(variant)
    credit = credit_model()
    rows, explore = _positive_rows(trained.model, trained.X_test, 40_000 + variant)
    c_rows, c_explore = _positive_rows(credit.model, credit.X_test, 45_000 + variant)
    letters = explainer_letters(variant)
    return ExplanationQualityContext(
        variant=variant, trained=trained, credit=credit, rows=rows, credit_rows=c_rows,
        explore_rows=explore, credit_explore_rows=c_explore,
        explainers=make_explainers(letters, trained.X_train, trained.y_train),
        credit_explainers=make_explainers(letters, credit.X_train, credit.y_train),
        random_model=randomise_leaves(trained.model, seed=0), label_random_model=shuffled.model,
        credit_random_model=credit_random_model(),
        credit_label_random_model=credit_label_random().model)


def formats(ctx) -> dict:
    """Answer formats (type, shape, range, choices) for the take-home self-check."""
    def per_letter(lo=None, hi=None):
        return {"type": "dict", "keys": {L: {"type": "number", "range": [lo, hi]}
                                         for L in LETTERS}}

    p = len(ctx.feature_names)
    return {
        "deletion_curve_A": {"type": "array", "shape": [p + 1], "range": [0, 1]},
        "deletion_auc": per_letter(0, 1), "insertion_auc": per_letter(0, 1),
        "credit_deletion_auc": per_letter(0, 1), "credit_insertion_auc": per_letter(0, 1),
        "stability": per_letter(-1, 1), "credit_stability": per_letter(-1, 1),
        "model_randomisation": per_letter(-1, 1), "label_randomisation": per_letter(-1, 1),
        "credit_model_randomisation": per_letter(-1, 1),
        "credit_label_randomisation": per_letter(-1, 1),
        "verdicts": {"type": "dict", "keys": {L: {"type": "str", "choices": list(VERDICTS)}
                                              for L in LETTERS}},
    }


QUESTIONS = (
    Question("q1", "Deletion and insertion curves (generated data)", "auto", 3, "senior", 20,
             answers=("deletion_curve_A", "deletion_auc", "insertion_auc")),
    Question("q2", "Deletion and insertion curves (German credit)", "auto", 2, "mid", 6,
             answers=("credit_deletion_auc", "credit_insertion_auc")),
    Question("q3", "Stability under small input noise (both data sets)", "auto", 3, "senior", 12,
             answers=("stability", "credit_stability")),
    Question("q4", "Sanity checks: model and label randomisation (both data sets)", "auto", 4,
             "senior", 16, answers=("model_randomisation", "label_randomisation",
                                    "credit_model_randomisation", "credit_label_randomisation")),
    Question("q5", "Verdicts that hold on both data sets", "auto", 2, "senior", 5,
             answers=("verdicts",)),
    Question("q6", "Justify the verdicts: what each measurement can and cannot show", "manual",
             3, "senior", 15),
    Question("q7", "Conflicting explanations in production", "manual", 2, "senior", 9),
)

EXERCISE = Exercise(
    id=EXERCISE_ID, title="Is this explanation faithful?", level="senior", minutes=83,
    notebook="14_explanation_quality.ipynb",
    topics=("how to ensure interpretations are accurate and reliable",
            "evaluating the quality of an explanation (deletion / insertion, stability)",
            "sanity checks (model and data randomisation)", "conflicting explanations"),
    questions=QUESTIONS, build_context=build_context, formats=formats)
