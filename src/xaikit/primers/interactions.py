"""Primer ``interactions``: SHAP interaction values and Friedman and Popescu's H-statistic,
before the exercise ``interactions``.

The primer works on Friedman's benchmark function #1 (``sklearn.datasets.make_friedman1``:
``y = 10 sin(pi x1 x2) + 20 (x3 - 0.5)^2 + 10 x4 + 5 x5 + noise``, inputs uniform on [0, 1],
so the only interaction is ``x1`` x ``x2``) with a scikit-learn gradient-boosting model, and on
tiny functions whose H is known in closed form. None of it is the exercise's data or model, and
nothing here computes an H-statistic for a model: the self-checks use closed forms or the shap
library on the primer's own model.

The self-checks (practice mode, right / wrong with a hint, never the expected value):

- ``i1``: the SHAP interaction matrix of the primer's first sample row (recognises a doubled
  off-diagonal and a dropped diagonal);
- ``i2``: H^2 of a two-feature function on a +-1 design, with a closed form (recognises H
  instead of H^2, and the share of the main effects);
- ``i3``: correlation vs interaction (multiple choice);
- ``i4``: reading an H^2 of 0.15 (multiple choice).

References
----------
Friedman, J. H. & Popescu, B. E. (2008). Predictive learning via rule ensembles. Annals of
Applied Statistics 2(3), 916-954 (section 8.1, eq. 44: the pairwise H-statistic).
Friedman, J. H. (1991). Multivariate adaptive regression splines. Annals of Statistics 19(1),
1-67 (benchmark function #1).
Lundberg, S. M. et al. (2020). From local explanations to global understanding with
explainable AI for trees. Nature Machine Intelligence 2, 56-67 (SHAP interaction values).
Molnar, C. (2022). Interpretable Machine Learning, 2nd ed., chapter "Feature Interaction".
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xaikit.exercises.framework import Question, as_array, as_float, close, correct, incorrect
from xaikit.primers import Primer, choice_check

#: SHAP interaction values recomputed with the same library and model (float64 trees).
TOL = 1e-8


@dataclass
class InteractionsPrimerContext:
    """The primer's data and model.

    Attributes
    ----------
    X : pandas.DataFrame, shape (600, 5)
        ``make_friedman1(n_samples=600, n_features=5, noise=0.5, random_state=0)``, columns
        ``x1`` ... ``x5`` (uniform on [0, 1], unitless).
    y : pandas.Series, shape (600,)
    model : sklearn.ensemble.GradientBoostingRegressor
        ``n_estimators=150, max_depth=3, learning_rate=0.1, random_state=0`` on all 600 rows.
    X_s : pandas.DataFrame, shape (100, 5)
        The sample of every H and SHAP computation: the first 100 rows.
    """

    X: object
    y: object
    model: object

    @property
    def X_s(self):
        return self.X.iloc[:100]


def build_context() -> InteractionsPrimerContext:
    """Friedman #1 and its gradient-boosting model (~0.3 s)."""
    import pandas as pd
    from sklearn.datasets import make_friedman1
    from sklearn.ensemble import GradientBoostingRegressor

    X, y = make_friedman1(n_samples=600, n_features=5, noise=0.5, random_state=0)
    X = pd.DataFrame(X, columns=[f"x{i}" for i in range(1, 6)])
    model = GradientBoostingRegressor(n_estimators=150, max_depth=3, learning_rate=0.1,
                                      random_state=0).fit(X, y)
    return InteractionsPrimerContext(X=X, y=pd.Series(y, name="y"), model=model)


def check_i1(a, ctx):
    import shap

    m = as_array("phi_row0", a["phi_row0"], (5, 5))
    ref = np.asarray(shap.TreeExplainer(ctx.model).shap_interaction_values(ctx.X_s.iloc[:1]))[0]
    if close(m, ref, TOL):
        return correct("Correct: symmetric, main effects on the diagonal, each pair's "
                       "interaction split in two halves.")
    off = ~np.eye(5, dtype=bool)
    if close(m, np.where(off, 2 * ref, ref), TOL):
        return incorrect("The off-diagonal entries are doubled.",
                         "Keep the matrix as shap returns it: Phi_jk and Phi_kj each hold half.")
    if close(np.where(off, m, 0), np.where(off, ref, 0), TOL):
        return incorrect("The diagonal is wrong.", "The diagonal holds the main effects: keep "
                                                    "it.")
    return incorrect("Not the SHAP interaction matrix of the first sample row.",
                     "TreeExplainer(model).shap_interaction_values(X_s.iloc[:1])[0].")


#: i2's function on the +-1 design: f(a, b) = A a + B b + C a b
I2_COEF = (1.0, 2.0, 2.0)


def check_i2(a, ctx):
    v = as_float("h2_toy", a["h2_toy"])
    A, B, C = I2_COEF
    want = C ** 2 / (A ** 2 + B ** 2 + C ** 2)  # Var(Cab) / Var(f) with a, b = +-1 independent
    if abs(v - want) <= 1e-9:
        return correct()
    if abs(v - np.sqrt(want)) <= 1e-9:
        return incorrect("That is H, not H².", "Eq. 44 gives H² (a share of variance).")
    if abs(v - (1 - want)) <= 1e-9:
        return incorrect("That is the share of the main effects.",
                         "H² = the interaction's share: sum of (F_ab - F_a - F_b)² over "
                         "sum of F_ab².")
    return incorrect("Not H² of this function on this design.",
                     "F_a(a) = A a, F_b(b) = B b, F_ab = f (all centred already).")


QUESTIONS = (
    Question(id="i1", title="one row's SHAP interaction matrix", kind="auto", points=1,
             level="mid", minutes=3, answers=("phi_row0",), check=check_i1,
             hints=("shap_interaction_values returns (rows, features, features).",)),
    Question(id="i2", title="H² with a closed form", kind="auto", points=1, level="mid",
             minutes=4, answers=("h2_toy",), check=check_i2,
             hints=("On the 4 rows (+-1, +-1) every PD is exact; or use the formula with the "
                    "variances.",)),
    Question(id="i3", title="correlation is not interaction", kind="auto", points=1,
             level="mid", minutes=1, answers=("answer_i3",),
             check=choice_check("answer_i3", "c", {
                 "a": "Correlation is about the inputs; an interaction is a property of the "
                      "function. y = x1 + x2 is additive whatever corr(x1, x2).",
                 "b": "Independent features can interact (y = x1 x2 with independent inputs: "
                      "H² = 1).",
                 "d": "Correlation does not cancel H; it can make H (and SHAP interaction "
                      "values) show small spurious values, through extrapolation.",
             }),
             hints=("Write y = x1 + x2 with corr(x1, x2) = 0.9: is there an interaction?",)),
    Question(id="i4", title="reading an H² value", kind="auto", points=1, level="mid",
             minutes=1, answers=("answer_i4",),
             check=choice_check("answer_i4", "b", {
                 "a": "H² is a share of the pair's joint effect, not of the prediction's or "
                      "the target's variance.",
                 "c": "H² is a descriptive statistic of the model on a sample; without a null "
                      "distribution it has no p-value.",
                 "d": "H says how much, not where: look at a 2-D PD or ICE slices for the "
                      "shape.",
             }),
             hints=("Eq. 44: what is in the numerator, what in the denominator?",)),
)

PRIMER = Primer(
    id="interactions",
    title="Interactions: SHAP interaction values and the H-statistic",
    exercise="interactions",
    notebook="interactions.ipynb",
    minutes=20,
    questions=QUESTIONS,
    build_context=build_context,
)
