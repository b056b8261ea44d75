"""Primer ``glassbox``: generalised additive models and Explainable Boosting Machines, and the
accuracy-interpretability trade-off.

Prepares for the exercise ``glassbox_vs_posthoc`` (``exercises/09_glassbox_vs_posthoc.ipynb``)
on other data: scikit-learn's bundled **breast cancer** data (569 tumours, Wisconsin Diagnostic
Breast Cancer; Street, Wolberg & Mangasarian 1993), class 1 = **malignant** (recoded from
scikit-learn's 0 so that the log-odds rise with risk), six of its 30 features
(:data:`FEATURES`, raw units). The rows are split 60/40, stratified, ``random_state=0``: 341
training rows and 228 held-out rows. Models of the worked example:

- ``ebm``: ``ExplainableBoostingClassifier(outer_bags=2, max_rounds=1000, n_jobs=1,
  random_state=0, interactions=0)``, a GAM: log-odds = intercept + one shape per feature;
- ``ebm_pairs``: the same with ``interactions=3`` (three pairwise terms chosen by FAST);
- ``gbm``: ``HistGradientBoostingClassifier(max_iter=200, random_state=0)``, the black box.

The self-checks (``s1`` ... ``s4``) recompute their answers from this context; their feedback
never shows the expected value.

References
----------
Hastie, T. & Tibshirani, R. (1986). Generalized additive models. Statistical Science 1(3).
Lou, Y., Caruana, R., Gehrke, J. & Hooker, G. (2013). Accurate intelligible models with
pairwise interactions. KDD.
Nori, H., Jenkins, S., Koch, P. & Caruana, R. (2019). InterpretML: a unified framework for
machine learning interpretability. arXiv:1909.09223.
Street, W. N., Wolberg, W. H. & Mangasarian, O. L. (1993). Nuclear feature extraction for breast
tumor diagnosis. SPIE 1905 (the data).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from xaikit.exercises.framework import Question, as_float, correct, incorrect
from xaikit.primers import Primer, choice_check

FEATURES = ("mean radius", "mean texture", "mean smoothness", "mean concavity",
            "mean symmetry", "worst area")
EBM_PARAMS = {"outer_bags": 2, "max_rounds": 1000, "n_jobs": 1, "random_state": 0}
N_PAIRS = 3
#: the held-out tumour of self-check s2 (position in ``X_test``)
ROW = 0
#: AUC and contributions: the same EBM refit with these settings is bit-identical
TOL = 1e-9


@dataclass
class GlassboxPrimerContext:
    """The primer's rows and models.

    Attributes
    ----------
    X_train, X_test : pandas.DataFrame, (341, 6) and (228, 6), raw units
    y_train, y_test : pandas.Series, 1 = malignant
    """

    X_train: object
    X_test: object
    y_train: object
    y_test: object

    @cached_property
    def ebm(self):
        from interpret.glassbox import ExplainableBoostingClassifier

        return ExplainableBoostingClassifier(**EBM_PARAMS, interactions=0).fit(
            self.X_train, self.y_train)

    @cached_property
    def ebm_pairs(self):
        from interpret.glassbox import ExplainableBoostingClassifier

        return ExplainableBoostingClassifier(**EBM_PARAMS, interactions=N_PAIRS).fit(
            self.X_train, self.y_train)

    @cached_property
    def gbm(self):
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(max_iter=200, random_state=0).fit(
            self.X_train, self.y_train)

    def auc(self, model) -> float:
        """Held-out ROC AUC of ``model``'s probability of malignancy."""
        from sklearn.metrics import roc_auc_score

        return float(roc_auc_score(self.y_test, model.predict_proba(self.X_test)[:, 1]))


def build_context() -> GlassboxPrimerContext:
    """The breast-cancer rows of the primer (see the module docstring)."""
    import pandas as pd
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    data = load_breast_cancer(as_frame=True)
    X = data.data[list(FEATURES)].astype("float64")
    y = pd.Series(1 - data.target.to_numpy(), index=X.index, name="malignant")
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4, random_state=0,
                                                        stratify=y)
    return GlassboxPrimerContext(X_train, X_test, y_train, y_test)


def check_auc(a, ctx):
    v = as_float("ebm_auc", a["ebm_auc"])
    want = ctx.auc(ctx.ebm)
    if abs(v - want) <= TOL:
        return correct()
    from sklearn.metrics import roc_auc_score

    if abs(v - roc_auc_score(ctx.y_test, ctx.ebm.predict(ctx.X_test))) <= TOL:
        return incorrect("That is the AUC of hard labels.",
                         "AUC ranks scores: use predict_proba(X_test)[:, 1].")
    if abs(v - (1 - want)) <= TOL:
        return incorrect("That ranks the tumours backwards.",
                         "Column 1 of predict_proba is P(malignant).")
    return incorrect("Not the EBM's held-out AUC.",
                     "ExplainableBoostingClassifier(**EBM_PARAMS, interactions=0) on X_train, "
                     "y_train; roc_auc_score(y_test, predict_proba(X_test)[:, 1]).")


def check_contribution(a, ctx):
    v = as_float("area_contribution", a["area_contribution"])
    row = ctx.X_test.iloc[[ROW]]
    terms = ctx.ebm.eval_terms(row)[0]
    want = float(terms[list(ctx.ebm.term_names_).index("worst area")])
    if abs(v - want) <= TOL:
        return correct()
    p = float(ctx.ebm.predict_proba(row)[0, 1])
    if abs(v - (want + float(ctx.ebm.intercept_[0]))) <= TOL:
        return incorrect("You added the intercept.", "The term alone: its column of "
                         "eval_terms; the intercept is shared by every row.")
    if 0 <= v <= 1 and abs(v - p) <= 1e-6:
        return incorrect("That is the predicted probability.",
                         "Read the term's column of ebm.eval_terms(row), in log-odds.")
    return incorrect("Not the term's contribution.",
                     "ebm.eval_terms(X_test.iloc[[ROW]]), column of 'worst area' "
                     "(ebm.term_names_ gives the order), log-odds.")


QUESTIONS = (
    Question("s1", "an EBM's held-out AUC", "auto", 1, "junior", 3, answers=("ebm_auc",),
             check=check_auc, hints=("roc_auc_score on probabilities of class 1.",)),
    Question("s2", "one term's contribution", "auto", 1, "junior", 3,
             answers=("area_contribution",), check=check_contribution,
             hints=("eval_terms gives one column per term, in log-odds.",)),
    Question("s3", "what an additive model cannot fit", "auto", 1, "mid", 2,
             answers=("answer_s3",),
             check=choice_check("answer_s3", "c", {
                 "a": "More rounds refine each curve; a sum of curves still cannot make "
                      "a product.",
                 "b": "A GAM handles any non-linear one-feature shape; the problem is not "
                      "the shape.",
                 "d": "The product averages to 0 along each feature: there is no main "
                      "effect to show."}),
             hints=("Average x1·x2 over x2 for a fixed x1 (x's independent, centred).",)),
    Question("s4", "what pairwise terms cost", "auto", 1, "mid", 2, answers=("answer_s4",),
             check=choice_check("answer_s4", "b", {
                 "a": "Pairs usually raise the AUC a little: the cost is elsewhere.",
                 "c": "Each pair is still exact and global; but it is a 2-D surface.",
                 "d": "The model stays a glass box: every term can still be plotted."}),
             hints=("Think of what a reviewer has to read per feature.",)),
)

PRIMER = Primer(id="glassbox", title="Glass boxes: GAMs and Explainable Boosting Machines",
                exercise="glassbox_vs_posthoc", notebook="glassbox.ipynb", minutes=20,
                questions=QUESTIONS, build_context=build_context)
