"""Primer ``faithfulness``: how to judge an explanation (deletion / insertion curves, stability,
the randomisation sanity checks), before the exercise ``explanation_quality``.

The primer works on its own **generated** data and a **logistic regression**, where the truth
is known in closed form: 500 rows of five independent standard normal features ``z1 ... z5`` and
a label ``y ~ Bernoulli(sigmoid(3 z1 - 2 z2 + z3))`` (``z4``, ``z5`` are noise), fitted with
``sklearn.linear_model.LogisticRegression``. For a model linear in the log-odds with independent
features the exact (interventional) SHAP value of feature j, in log-odds, is
``w_j (x_j - mean_j)`` (Lundberg & Lee 2017; ``shap.LinearExplainer`` gives the same). The model-free explainer to compare is
``|x_j - mean_j|`` (it never looks at the model). None of it is the exercise's data, model or
explainers (XGBoost classifiers, TreeSHAP, LIME).

The self-checks (practice mode, right / wrong with a hint, never the expected value):

- ``f1``: the deletion area (P(class 1)) of row 0 under the exact SHAP ranking;
- ``f2``: the model-randomisation similarity of exact SHAP (trained vs label-permuted model);
- ``f3``: what an explainer that ignores the model scores (multiple choice);
- ``f4``: why deletion with a mean baseline can mislead (multiple choice).

References
----------
Petsiuk, Das & Saenko (2018), "RISE", BMVC (deletion / insertion).
Alvarez-Melis & Jaakkola (2018), "On the Robustness of Interpretability Methods" (stability).
Adebayo et al. (2018), "Sanity Checks for Saliency Maps", NeurIPS (randomisation tests).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xaikit.exercises.framework import Question, as_float, correct, incorrect
from xaikit.primers import Primer, choice_check

#: areas and correlations recomputed from the same arrays in float64 agree to ~1e-12.
TOL_EXACT = 1e-9
N_ROWS = 500
N_EXPLAIN = 20
COEF = np.array([3.0, -2.0, 1.0, 0.0, 0.0])


@dataclass
class FaithfulnessPrimerContext:
    """``X`` (500, 5) DataFrame ``z1 ... z5``; ``y`` (500,) 0/1; ``model`` the fitted logistic
    regression; ``shuffled`` the same fitted on permuted ``y`` (``default_rng(1)``); ``rows``
    the first 20 rows of ``X`` with P(class 1) >= 0.5 (the rows explained)."""

    X: object
    y: np.ndarray
    model: object
    shuffled: object

    @property
    def rows(self):
        p = self.model.predict_proba(self.X.to_numpy())[:, 1]
        return self.X[p >= 0.5].iloc[:N_EXPLAIN]


def build_context() -> FaithfulnessPrimerContext:
    """Make the data (``default_rng(2018)``) and fit both models (deterministic least squares)."""
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(2018)
    Z = rng.standard_normal((N_ROWS, len(COEF)))
    y = (rng.random(N_ROWS) < 1 / (1 + np.exp(-(Z @ COEF)))).astype(int)
    X = pd.DataFrame(Z, columns=[f"z{j}" for j in range(1, 6)])
    A = X.to_numpy()  # fitted on arrays: the notebook predicts on arrays
    model = LogisticRegression().fit(A, y)
    shuffled = LogisticRegression().fit(A, np.random.default_rng(1).permutation(y))
    return FaithfulnessPrimerContext(X=X, y=y, model=model, shuffled=shuffled)


def exact_shap(model, X, mean) -> np.ndarray:
    """``w_j (x_j - mean_j)``: exact SHAP values (log-odds) of a logistic regression with
    independent features; shape (n, p)."""
    return (np.asarray(X, float) - np.asarray(mean, float)) * model.coef_[0]


def deletion_curve(model, x, attributions, baseline) -> np.ndarray:
    """Deletion curve (p + 1 points, P(class 1)) of one row: |attribution| descending, ties by
    index, removed features set to ``baseline``."""
    z = np.asarray(x, float).copy()
    steps = [z.copy()]
    for j in np.argsort(-np.abs(attributions), kind="stable"):
        z[j] = baseline[j]
        steps.append(z.copy())
    return model.predict_proba(np.array(steps))[:, 1]


def _f1_reference(ctx, step0=True, x="fraction"):
    mean = ctx.X.mean().to_numpy()
    row = ctx.rows.to_numpy()[0]
    c = deletion_curve(ctx.model, row, exact_shap(ctx.model, row[None], mean)[0], mean)
    c = c if step0 else c[1:]
    grid = np.linspace(0, 1, len(c)) if x == "fraction" else np.arange(len(c), dtype=float)
    return float(np.trapezoid(c, grid))


def check_f1(a, ctx):
    v = as_float("deletion_area", a["deletion_area"])
    if abs(v - _f1_reference(ctx)) <= TOL_EXACT:
        return correct("Correct: the exact SHAP ranking removes the biggest contributions first.")
    if abs(v - _f1_reference(ctx, x="steps")) <= TOL_EXACT:
        return incorrect("That is the area over the step number.",
                         "Integrate over the fraction k / p in [0, 1].")
    if abs(v - _f1_reference(ctx, step0=False)) <= TOL_EXACT:
        return incorrect("The curve misses a point.", "Include step 0: the untouched row.")
    return incorrect("Not the deletion area of row 0.",
                     "Rank by |w_j (x_j - mean_j)|, set features to the training mean one at a "
                     "time, predict_proba(...)[:, 1] after each step, np.trapezoid over k / p.")


def _f2_reference(ctx, absolute=True):
    from scipy.stats import spearmanr

    mean = ctx.X.mean().to_numpy()
    a = exact_shap(ctx.model, ctx.rows, mean)
    b = exact_shap(ctx.shuffled, ctx.rows, mean)
    if absolute:
        a, b = np.abs(a), np.abs(b)
    return float(np.mean([spearmanr(u, v).statistic for u, v in zip(a, b)]))


def check_f2(a, ctx):
    v = as_float("shap_similarity", a["shap_similarity"])
    if abs(v - _f2_reference(ctx)) <= TOL_EXACT:
        return correct("Correct: SHAP's explanation changes when the model loses what it learnt.")
    if abs(v - _f2_reference(ctx, absolute=False)) <= TOL_EXACT:
        return incorrect("That ranks the signed values.",
                         "Adebayo et al. compare the ranks of |attributions|.")
    if abs(v - 1.0) <= TOL_EXACT:
        return incorrect("1.0 would mean the explanation did not change at all.",
                         "Explain the rows with `shuffled`, the model fitted on permuted labels.")
    return incorrect("Not the mean rank correlation over the 20 rows.",
                     "Per row: spearmanr(|SHAP of model|, |SHAP of shuffled|).statistic; "
                     "then the mean.")


QUESTIONS = (
    Question(id="f1", title="deletion area of one row", kind="auto", points=1, level="mid",
             minutes=4, answers=("deletion_area",), check=check_f1,
             hints=("p + 1 points from step 0, trapezoid over k / p.",)),
    Question(id="f2", title="model randomisation of exact SHAP", kind="auto", points=1,
             level="mid", minutes=3, answers=("shap_similarity",), check=check_f2,
             hints=("Spearman of |attributions| per row, mean over the 20 rows.",)),
    Question(id="f3", title="an explainer that ignores the model", kind="auto", points=1,
             level="mid", minutes=2, answers=("answer_f3",),
             check=choice_check("answer_f3", "b", {
                 "a": "Stability only says the explanation does not move with small input "
                      "changes; a constant does not move either.",
                 "c": "It can still rank the features that vary most first, which may agree "
                      "with the model by chance.",
                 "d": "Its explanation is the same for every model: a randomisation test "
                      "gives a similarity of exactly 1."}),
             hints=("What happens to its explanation when the model is randomised?",)),
    Question(id="f4", title="deletion with a mean baseline", kind="auto", points=1,
             level="senior", minutes=2, answers=("answer_f4",),
             check=choice_check("answer_f4", "c", {
                 "a": "The area is well defined for any explainer; what it measures is the "
                      "question.",
                 "b": "Probability or log-odds, the rows built are the same ones.",
                 "d": "More rows average the noise, not the bias of the baseline."}),
             hints=("Which rows does deletion show the model?",)),
)

PRIMER = Primer(id="faithfulness", title="Is an explanation faithful? Curves, stability, "
                "sanity checks", exercise="explanation_quality", notebook="faithfulness.ipynb",
                minutes=20, questions=QUESTIONS, build_context=build_context)
