"""Primer ``shap_lime``: SHAP and LIME, additive attributions and local surrogates.

Prepares for the exercise ``shap_vs_lime`` on **other** data and models: scikit-learn's bundled
Breast Cancer Wisconsin (Diagnostic) data (569 tumours, 30 measurements of cell nuclei), recoded
so that class 1 = *malignant*, with a small gradient-boosting classifier (TreeSHAP explains its
log-odds) and a small random forest (TreeSHAP explains its probability, one slice per class).

The self-checks recompute their answers from this context; their feedback never shows the
expected value.

References
----------
Lundberg & Lee (2017), "A unified approach to interpreting model predictions", NeurIPS.
Lundberg et al. (2020), "From local explanations to global understanding with explainable AI
for trees", Nature Machine Intelligence 2, 56-67.
Ribeiro, Singh & Guestrin (2016), "'Why should I trust you?': Explaining the predictions of any
classifier", KDD.
Molnar, *Interpretable Machine Learning*, chapters "LIME" and "SHAP"
(https://christophm.github.io/interpretable-ml-book/).
Street, Wolberg & Mangasarian (1993), "Nuclear feature extraction for breast tumor diagnosis",
IS&T/SPIE Biomedical Image Processing (the data set).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xaikit.exercises.framework import (AnswerFormatError, Question, as_array, as_float,
                                        correct, incorrect)
from xaikit.primers import Primer, choice_check

__all__ = ["PRIMER", "ShapLimeContext", "build_context"]

#: Index labels (in ``X_test``) of the tumour of the worked example and of self-check s1.
#: Both labels are smaller than the test set's length, so ``X_test.iloc[label]`` silently
#: returns another tumour instead of failing: the ``.iloc`` / ``.loc`` trap.
PATIENT, CHECK_PATIENT = 89, 13
#: A tumour the model calls clearly benign, for the "continuous LIME ignores the tumour" demo.
BENIGN_PATIENT = 93
LIME_SEED, LIME_SAMPLES = 7, 1000
#: Kernel widths (LIME's standardised units) of the kernel-width demo.
KERNEL_WIDTHS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)

#: |answer - reference| for SHAP values (probability units) and probabilities.
TOL = 1e-6
#: tolerance used only to *recognise* a typical wrong answer.
TOL_WRONG = 1e-3


@dataclass
class ShapLimeContext:
    """The primer's data, models and precomputed references.

    Attributes
    ----------
    X_train, X_test : pandas.DataFrame of shape (426, 30) and (143, 30)
        Stratified 75/25 split (``random_state=0``); ``X_test`` keeps the original index
        labels (0-568) in shuffled order.
    y_train, y_test : pandas.Series
        1 = malignant, 0 = benign (scikit-learn's coding flipped).
    feature_names : list of str
    class_names : list of str
        ``["benign", "malignant"]``.
    gbm : sklearn.ensemble.GradientBoostingClassifier
        100 trees of depth 2; TreeSHAP explains its margin (log-odds of malignant).
    rf : sklearn.ensemble.RandomForestClassifier
        50 trees of depth <= 5; TreeSHAP explains ``predict_proba`` (one slice per class).
    patient, check_patient, benign_patient : int
        Index labels in ``X_test``.
    lime_seed, lime_samples : int
    kernel_widths : tuple of float
    rf_shap_test : ndarray of shape (143, 30, 2)
        ``shap.TreeExplainer(rf).shap_values(X_test)`` (probability units).
    rf_base : ndarray of shape (2,)
    gbm_shap_test : ndarray of shape (143, 30)
        ``shap.TreeExplainer(gbm).shap_values(X_test)`` (log-odds).
    gbm_base : float
        The GBM explainer's base value, log-odds of malignant.
    """

    X_train: object
    X_test: object
    y_train: object
    y_test: object
    feature_names: list
    class_names: list
    gbm: object
    rf: object
    patient: int
    check_patient: int
    benign_patient: int
    lime_seed: int
    lime_samples: int
    kernel_widths: tuple
    rf_shap_test: np.ndarray
    rf_base: np.ndarray
    gbm_shap_test: np.ndarray
    gbm_base: float


def build_context() -> ShapLimeContext:
    """Load the breast-cancer data, fit the two small models, precompute the references.

    Deterministic (fixed seeds, one thread); about half a second.

    Returns
    -------
    ShapLimeContext
    """
    import shap
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
    from sklearn.model_selection import train_test_split

    data = load_breast_cancer(as_frame=True)
    X = data.data
    y = (1 - data.target).rename("malignant")  # sklearn codes 0 = malignant; flip it
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0,
                                                        stratify=y)
    gbm = GradientBoostingClassifier(n_estimators=100, max_depth=2, random_state=0)
    gbm.fit(X_train, y_train)
    rf = RandomForestClassifier(n_estimators=50, max_depth=5, random_state=0, n_jobs=1)
    rf.fit(X_train, y_train)
    rf_explainer = shap.TreeExplainer(rf)
    gbm_explainer = shap.TreeExplainer(gbm)
    return ShapLimeContext(
        X_train=X_train, X_test=X_test, y_train=y_train, y_test=y_test,
        feature_names=list(X.columns), class_names=["benign", "malignant"], gbm=gbm, rf=rf,
        patient=PATIENT, check_patient=CHECK_PATIENT, benign_patient=BENIGN_PATIENT,
        lime_seed=LIME_SEED, lime_samples=LIME_SAMPLES, kernel_widths=KERNEL_WIDTHS,
        rf_shap_test=np.asarray(rf_explainer.shap_values(X_test), dtype=float),
        rf_base=np.ravel(rf_explainer.expected_value).astype(float),
        gbm_shap_test=np.asarray(gbm_explainer.shap_values(X_test), dtype=float),
        gbm_base=float(np.ravel(gbm_explainer.expected_value)[0]))


# --- checks -------------------------------------------------------------------------------

def _check_s1(a, ctx: ShapLimeContext):
    """``phi_rf``: the random forest's SHAP values of tumour ``check_patient`` for class 1
    (malignant), shape (30,), probability units."""
    p = len(ctx.feature_names)
    v = as_array("phi_rf", a["phi_rf"])
    if v.shape == (p, 2):
        return incorrect("`phi_rf` has shape (30, 2): a column per class, so that is one row "
                         "with both classes.",
                         "With shap >= 0.45 `shap_values` of a scikit-learn classifier has shape "
                         "(rows, features, classes): `sv[i]` is ROW i, both classes. Keep the "
                         "malignant slice `sv[:, :, 1]`, then the tumour's row.")
    if v.ndim == 2 and v.shape[1] == p and v.shape[0] > 1:
        return incorrect(f"`phi_rf` has {v.shape[0]} rows; store the one tumour's 30 values.",
                         "Select the tumour by its index label: `X_test.loc[[CHECK_PATIENT]]`.")
    if v.shape == (1, p):
        v = v.ravel()
    if v.shape != (p,):
        raise AnswerFormatError(f"`phi_rf` should have shape ({p},), got {v.shape}.")
    pos = ctx.X_test.index.get_loc(ctx.check_patient)
    ref = ctx.rf_shap_test[pos, :, 1]
    if np.all(np.abs(v - ref) <= TOL):
        return correct()
    if np.all(np.abs(v - ctx.rf_shap_test[pos, :, 0]) <= TOL_WRONG):
        return incorrect("These are the values for class 0 (benign): the same numbers with the "
                         "opposite sign.",
                         "Class 1 is malignant in this primer; take `sv[:, :, 1]`.")
    if np.all(np.abs(v - ctx.gbm_shap_test[pos]) <= TOL_WRONG):
        return incorrect("These are the gradient-boosting model's values (log-odds), not the "
                         "random forest's.", "Use `shap.TreeExplainer(rf)`.")
    for cls in (1, 0):
        hit = np.all(np.abs(ctx.rf_shap_test[:, :, cls] - v) <= TOL_WRONG, axis=1)
        if hit.any():
            k = int(np.flatnonzero(hit)[0])
            if k == ctx.check_patient:
                return incorrect("These are the SHAP values of another tumour: the one at "
                                 "POSITION CHECK_PATIENT in X_test, not the one with that index "
                                 "label.",
                                 "`X_test.iloc[label]` counts positions; `X_test.loc[label]` "
                                 "looks up the label. Use `.loc` (or "
                                 "`X_test.index.get_loc(label)` for a row of an array).")
            return incorrect("These are the SHAP values of another tumour in X_test.",
                             "Select the row by its index label CHECK_PATIENT with `.loc`.")
    return incorrect("These are not the random forest's TreeSHAP values of this tumour for "
                     "class 1.",
                     "Use `shap.TreeExplainer(rf)` with its default settings (no background "
                     "data) on `X_test.loc[[CHECK_PATIENT]]`, then the class-1 slice.")


def _check_s2(a, ctx: ShapLimeContext):
    """``base_prob``: the GBM explainer's base value expressed as a probability of malignant."""
    v = as_float("base_prob", a["base_prob"])
    ref = 1.0 / (1.0 + np.exp(-ctx.gbm_base))
    if abs(v - ref) <= TOL:
        return correct()
    if abs(v - ctx.gbm_base) <= TOL_WRONG:
        return incorrect("That is the base value itself, in log-odds (it is not even in [0, 1]).",
                         "Turn log-odds m into a probability with the logistic function "
                         "1 / (1 + exp(-m)).")
    mean_prob = float(ctx.gbm.predict_proba(ctx.X_train)[:, 1].mean())
    if abs(v - mean_prob) <= TOL_WRONG or abs(v - float(ctx.y_train.mean())) <= TOL_WRONG:
        return incorrect("That is the average predicted probability (or the share of malignant "
                         "tumours), not the base value.",
                         "The base value is the average MARGIN (log-odds) over the training "
                         "data; the logistic of an average is not the average of the logistics. "
                         "Convert the base value itself.")
    if abs(v - (1.0 - ref)) <= TOL_WRONG:
        return incorrect("That is the probability of benign.",
                         "The GBM's margin is the log-odds of class 1, malignant.")
    if not 0.0 <= v <= 1.0:
        return incorrect("A probability lies in [0, 1].",
                         "Read `explainer.expected_value` (log-odds) and apply the logistic.")
    return incorrect("Not the base value as a probability.",
                     "Read `shap.TreeExplainer(gbm).expected_value` (log-odds of malignant) and "
                     "apply 1 / (1 + exp(-m)).")


_check_s3 = choice_check("answer_s3", "b", {
    "a": "The seed is used once, when the explainer is built; every call then continues the "
         "same random stream.",
    "c": "With `random_state` given, LIME draws from its own RandomState: `np.random.seed` "
         "does not touch it (the notebook showed this).",
    "d": "A fitted gradient-boosting model is deterministic: `predict_proba` twice gives the "
         "same numbers.",
})

_check_s4 = choice_check("answer_s4", "b", {
    "a": "`exp.score` says nothing about the share of the prediction 'explained' by features; "
         "it is a goodness of fit of the surrogate on LIME's own samples.",
    "c": "`exp.score` is not a probability of being right, and the smallest width is not "
         "better: with (almost) every sample weighted near zero the fit is degenerate.",
    "d": "It is not about the model's accuracy: LIME never looks at the true labels.",
})

_check_s5 = choice_check("answer_s5", "b", {
    "a": "Zeros from KernelExplainer's default are a feature-selection step, not a finding "
         "about the model; local accuracy holds on the kept features by construction.",
    "c": "The number of non-zero values is set by `l1_reg`, not by the background size.",
    "d": "KernelExplainer explains whatever function you pass (here the margin), and nothing "
         "is rounded: the zeros come from the l1 feature selection.",
})


PRIMER = Primer(
    id="shap_lime",
    title="SHAP and LIME: additive attributions and local surrogates",
    exercise="shap_vs_lime",
    notebook="shap_lime.ipynb",
    minutes=20,
    build_context=build_context,
    questions=(
        Question(
            id="s1", title="Class index and index labels (random forest)", kind="auto",
            points=1, level="junior", minutes=3, answers=("phi_rf",), check=_check_s1,
            hints=("shap >= 0.45: `sv = shap.TreeExplainer(rf).shap_values(X)` has shape "
                   "(rows, features, classes); select the class with `sv[:, :, 1]` and the "
                   "tumour by its label with `.loc`.",)),
        Question(
            id="s2", title="The base value on the probability scale", kind="auto", points=1,
            level="junior", minutes=2, answers=("base_prob",), check=_check_s2,
            hints=("`explainer.expected_value` of the GBM is in log-odds; a probability is "
                   "1 / (1 + exp(-m)).",)),
        Question(
            id="s3", title="LIME's seed", kind="auto", points=1, level="junior", minutes=2,
            answers=("answer_s3",), check=_check_s3,
            hints=("Where does `random_state` go, and when is it used?",)),
        Question(
            id="s4", title="exp.score and the kernel width", kind="auto", points=1, level="mid",
            minutes=2, answers=("answer_s4",), check=_check_s4,
            hints=("`exp.score` is the R² of LIME's weighted linear fit on its own samples.",)),
        Question(
            id="s5", title="KernelExplainer's default l1_reg", kind="auto", points=1,
            level="mid", minutes=2, answers=("answer_s5",), check=_check_s5,
            hints=("Look at the default of `l1_reg` in `KernelExplainer.shap_values`.",)),
    ),
)
