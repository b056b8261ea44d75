"""Primer ``fooling``: off-manifold perturbations and why perturbation explainers can be gamed,
before the exercise ``fooling_explainers``.

The primer works on a small **generated** data set whose truth is known because the primer
makes it: 600 applicants with two strongly correlated scores ``x1 ~ N(0, 1)``,
``x2 = x1 + N(0, 0.02²)`` and a protected attribute ``s ~ Bernoulli(0.5)``. The "manifold" of
real rows is the thin band ``|x2 - x1| <= 0.1``. The primer's model is a hand-written scaffold
(Slack et al. 2020): on rows in the band it returns P(decline) = 0.9 if ``s == 1`` else 0.1
(biased); off the band it returns 0.9 if ``x1 > 0`` else 0.1 (innocuous). None of it is the
exercise's data or model (German credit, a trained detector, other features).

The self-checks (practice mode, right / wrong with a hint, never the expected value):

- ``f1``: the share of LIME-style samples (each feature drawn independently from its own
  normal, the protocol of the notebook) that fall off the band;
- ``f2``: the flip rate of ``s`` on the real rows (decisions at 0.5);
- ``f3``: why LIME gives ``s`` almost no weight (multiple choice);
- ``f4``: which evidence an auditor can trust here (multiple choice).

References
----------
Slack, D., Hilgard, S., Jia, E., Singh, S. & Lakkaraju, H. (2020). Fooling LIME and SHAP:
Adversarial attacks on post hoc explanation methods. AIES.
Ribeiro, M. T., Singh, S. & Guestrin, C. (2016). "Why should I trust you?" KDD (LIME).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xaikit.exercises.framework import Question, as_float, correct, incorrect
from xaikit.primers import Primer, choice_check

#: shares of rows recomputed from the same arrays agree exactly (counts / n).
TOL_EXACT = 1e-9
#: half-width of the band of real rows
BAND = 0.1
N_ROWS = 600
N_SAMPLES = 2000


class ScaffoldedModel:
    """The primer's scaffold: biased in the band ``|x2 - x1| <= BAND``, innocuous off it.

    ``predict_proba(X)`` takes an array (n, 3) with columns ``x1, x2, s`` and returns (n, 2);
    column 1 is P(decline), a probability.
    """

    def in_band(self, X) -> np.ndarray:
        X = np.asarray(X, float)
        return np.abs(X[:, 1] - X[:, 0]) <= BAND

    def predict_proba(self, X):
        X = np.asarray(X, float)
        biased = np.where(X[:, 2] >= 0.5, 0.9, 0.1)
        innocuous = np.where(X[:, 0] > 0, 0.9, 0.1)
        p = np.where(self.in_band(X), biased, innocuous)
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


@dataclass
class FoolingPrimerContext:
    """``X`` (600, 3) real rows (columns x1, x2, s) as a DataFrame; ``model`` the scaffold;
    ``samples`` (2000, 3) LIME-style perturbations: each column drawn independently,
    ``N(mean, sd)`` of the real column for x1 and x2, Bernoulli(mean) for s
    (``default_rng(7)``)."""

    X: object
    model: ScaffoldedModel
    samples: np.ndarray


def build_context() -> FoolingPrimerContext:
    """Make the data (``default_rng(2020)``) and the perturbation samples (``default_rng(7)``)."""
    import pandas as pd

    rng = np.random.default_rng(2020)
    x1 = rng.normal(0, 1, N_ROWS)
    X = pd.DataFrame({"x1": x1, "x2": x1 + rng.normal(0, 0.02, N_ROWS),
                      "s": rng.integers(0, 2, N_ROWS).astype(float)})
    rng = np.random.default_rng(7)
    A = X.to_numpy()
    samples = np.column_stack([rng.normal(A[:, 0].mean(), A[:, 0].std(), N_SAMPLES),
                               rng.normal(A[:, 1].mean(), A[:, 1].std(), N_SAMPLES),
                               (rng.random(N_SAMPLES) < A[:, 2].mean()).astype(float)])
    return FoolingPrimerContext(X=X, model=ScaffoldedModel(), samples=samples)


def check_f1(a, ctx):
    v = as_float("off_share", a["off_share"])
    off = ~ctx.model.in_band(ctx.samples)
    if abs(v - off.mean()) <= TOL_EXACT:
        return correct("Correct: most perturbation samples are rows no applicant could have.")
    if abs(v - (1 - off.mean())) <= TOL_EXACT:
        return incorrect("That is the share IN the band.", "Off the band: |x2 - x1| > 0.1.")
    if abs(v - off.sum()) <= 0.5:
        return incorrect("That is a count.", "Divide by the number of samples.")
    return incorrect("Not the share of samples off the band.",
                     "np.mean(np.abs(samples[:, 1] - samples[:, 0]) > 0.1)")


def check_f2(a, ctx):
    v = as_float("flip_rate_s", a["flip_rate_s"])
    X = ctx.X.to_numpy()
    Z = X.copy()
    Z[:, 2] = 1 - Z[:, 2]
    rate = float(np.mean(ctx.model.predict(X) != ctx.model.predict(Z)))
    if abs(v - rate) <= TOL_EXACT:
        return correct("Correct: on real rows the decision follows s.")
    if abs(v - np.mean(ctx.model.predict(ctx.samples) != ctx.model.predict(
            np.column_stack([ctx.samples[:, :2], 1 - ctx.samples[:, 2]])))) <= TOL_EXACT:
        return incorrect("That is the flip rate on the perturbation samples.",
                         "Flip s on the REAL rows (ctx.X) only.")
    return incorrect("Not the flip rate of s on the real rows.",
                     "Set s to 1 - s in a copy of X, compare model.predict before and after, "
                     "take the mean of the changes.")


QUESTIONS = (
    Question(id="f1", title="share of perturbation samples off the band", kind="auto",
             points=1, level="junior", minutes=3, answers=("off_share",), check=check_f1,
             hints=("A sample is off the band when |x2 - x1| > 0.1.",)),
    Question(id="f2", title="flip rate of s on real rows", kind="auto", points=1, level="mid",
             minutes=3, answers=("flip_rate_s",), check=check_f2,
             hints=("Change only s, only on real rows; count changed decisions.",)),
    Question(id="f3", title="why LIME misses s", kind="auto", points=1, level="mid",
             minutes=2, answers=("answer_f3",),
             check=choice_check("answer_f3", "c", {
                 "a": "s is binary, but LIME handles binary features fine (it samples them).",
                 "b": "LIME's regression sees s vary in its samples: the problem is what the "
                      "model answers on those samples.",
                 "d": "More samples give a more precise estimate of the innocuous behaviour, "
                      "not of the biased one."}),
             hints=("Where do LIME's samples lie, and what does the model do there?",)),
    Question(id="f4", title="what evidence to trust", kind="auto", points=1, level="senior",
             minutes=2, answers=("answer_f4",),
             check=choice_check("answer_f4", "b", {
                 "a": "KernelSHAP with a mean or independent background also queries "
                      "off-manifold rows.",
                 "c": "A global surrogate trained on perturbed rows inherits the same problem.",
                 "d": "Explanations are not useless, but they need on-manifold queries or "
                      "model access."}),
             hints=("Which tests only ever show the model real (or realistic) rows?",)),
)

PRIMER = Primer(id="fooling", title="Fooling explainers: off-manifold perturbations",
                exercise="fooling_explainers", notebook="fooling.ipynb", minutes=15,
                questions=QUESTIONS, build_context=build_context)
