"""Primer ``drift``: covariate shift vs concept drift, PSI and KS, attribution drift, before the
exercise ``drift``.

The primer works on a small **generated stream** whose truth is known because the primer makes
it: two independent inputs ``x1, x2 ~ N(0, 1)``, a target ``y = 2 x1 + x2 + e`` (``e ~ N(0,
0.5²)``), a linear regression fitted on a reference window of 1000 rows, and three later
windows of 500 rows: ``stable`` (same distributions), ``covariate`` (``x1 ~ N(1, 1)``, same
relation) and ``concept`` (same inputs, ``y = 0.5 x1 + x2 + e``). For a linear model with
independent inputs the interventional SHAP value of feature j is exactly
``coef_j * (x_j - mean of x_j over the background)`` (Lundberg & Lee 2017), so attributions can be
computed in closed form. None of it is the exercise's data or model.

The self-checks (practice mode, right / wrong with a hint, never the expected value):

- ``d1``: the PSI of ``x1`` in the covariate window, 10 bins at the reference deciles
  (recognises bins from the window, the missing floor, the swapped order of the terms);
- ``d2``: which window moves the attributions of a fixed model (multiple choice);
- ``d3``: the KS statistic of the SHAP values of ``x1`` (reference vs covariate window): the
  same as the input's, a positive rescaling leaves KS unchanged (recognises the p-value);
- ``d4``: why per-feature p < 0.05 makes a poor alert rule (multiple choice).

References
----------
Siddiqi, N. (2006). Credit Risk Scorecards. Wiley (population stability index).
Gama, J. et al. (2014). A survey on concept drift adaptation. ACM Computing Surveys 46(4), 44.
Rabanser, S., Günnemann, S. & Lipton, Z. (2019). Failing loudly: an empirical study of methods
for detecting dataset shift. NeurIPS.
Lundberg, S. M. & Lee, S.-I. (2017). A unified approach to interpreting model predictions. NIPS
(SHAP values of a linear model with independent features).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xaikit.exercises.framework import Question, as_float, correct, incorrect
from xaikit.primers import Primer, choice_check

#: PSI and KS recomputed from the same rows agree to float64 rounding.
TOL_EXACT = 1e-9
#: PSI: proportions below this are floored (empty bins would give log(0)).
PSI_FLOOR = 1e-4
N_BINS = 10


def psi(reference, sample, n_bins: int = N_BINS, floor: float = PSI_FLOOR) -> float:
    """Population stability index of ``sample`` against ``reference``.

    Bins: the ``n_bins`` - 1 interior quantiles of ``reference`` (``np.quantile``, linear) as
    edges, open-ended outer bins; proportions floored at ``floor``;
    ``PSI = sum((p_sample - p_ref) * ln(p_sample / p_ref))``.

    Parameters
    ----------
    reference, sample : array-like of shape (n_ref,), (n,)

    Returns
    -------
    float >= 0 (rule of thumb: < 0.1 stable, 0.1-0.25 moderate, > 0.25 a large shift)

    References
    ----------
    Siddiqi (2006), Credit Risk Scorecards, chapter on population stability.
    """
    ref, s = np.asarray(reference, float), np.asarray(sample, float)
    edges = np.quantile(ref, np.linspace(0, 1, n_bins + 1)[1:-1])
    p = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=n_bins) / len(ref)
    q = np.bincount(np.searchsorted(edges, s, side="right"), minlength=n_bins) / len(s)
    p, q = np.maximum(p, floor), np.maximum(q, floor)
    return float(np.sum((q - p) * np.log(q / p)))


@dataclass
class DriftPrimerContext:
    """The generated stream: ``reference`` (1000 rows) and ``windows`` (``stable``,
    ``covariate``, ``concept``; 500 rows each), DataFrames with ``x1``, ``x2``, ``y``; ``model``
    a ``LinearRegression`` fitted on the reference."""

    reference: object
    windows: dict
    model: object


def build_context() -> DriftPrimerContext:
    """Make the stream (``default_rng(2024)``) and fit the model on the reference."""
    import pandas as pd
    from sklearn.linear_model import LinearRegression

    rng = np.random.default_rng(2024)

    def frame(n, mean1, a):
        x1, x2 = rng.normal(mean1, 1, n), rng.normal(0, 1, n)
        return pd.DataFrame({"x1": x1, "x2": x2, "y": a * x1 + x2 + rng.normal(0, 0.5, n)})

    reference = frame(1000, 0.0, 2.0)
    windows = {"stable": frame(500, 0.0, 2.0), "covariate": frame(500, 1.0, 2.0),
               "concept": frame(500, 0.0, 0.5)}
    model = LinearRegression().fit(reference[["x1", "x2"]], reference["y"])
    return DriftPrimerContext(reference=reference, windows=windows, model=model)


def check_d1(a, ctx):
    v = as_float("psi_x1", a["psi_x1"])
    ref, win = ctx.reference["x1"], ctx.windows["covariate"]["x1"]
    if abs(v - psi(ref, win)) <= TOL_EXACT:
        return correct()
    edges_w = np.quantile(win, np.linspace(0, 1, N_BINS + 1)[1:-1])
    p = np.bincount(np.searchsorted(edges_w, ref, side="right"), minlength=N_BINS) / len(ref)
    q = np.bincount(np.searchsorted(edges_w, win, side="right"), minlength=N_BINS) / len(win)
    p, q = np.maximum(p, PSI_FLOOR), np.maximum(q, PSI_FLOOR)
    if abs(v - float(np.sum((q - p) * np.log(q / p)))) <= TOL_EXACT:
        return incorrect("The bins come from the window.",
                         "Bin edges are the reference's deciles: the reference defines 'normal'.")
    return incorrect("Not the PSI of the protocol.",
                     "Edges = np.quantile(reference x1, [0.1, ..., 0.9]); proportions of both "
                     "samples per bin (np.searchsorted(edges, x, side='right')), floored at "
                     "1e-4; sum((q - p) * ln(q / p)).")


def check_d3(a, ctx):
    from scipy.stats import ks_2samp

    v = as_float("ks_shap_x1", a["ks_shap_x1"])
    coef, mu = ctx.model.coef_[0], ctx.reference["x1"].mean()
    s_ref = coef * (ctx.reference["x1"] - mu)
    s_win = coef * (ctx.windows["covariate"]["x1"] - mu)
    r = ks_2samp(s_ref, s_win)
    if abs(v - r.statistic) <= TOL_EXACT:
        return correct("Correct: the same as the KS of x1 itself (a positive rescaling and a "
                       "shift of both samples leave KS unchanged).")
    if abs(v - r.pvalue) <= TOL_EXACT:
        return incorrect("That is the p-value.", "Use ks_2samp(...).statistic.")
    return incorrect("Not the KS statistic of the SHAP values of x1.",
                     "SHAP of x1 = coef_x1 * (x1 - mean of x1 over the reference), for both "
                     "samples; then ks_2samp(reference values, window values).statistic.")


QUESTIONS = (
    Question(id="d1", title="PSI of x1 in the covariate window", kind="auto", points=1,
             level="junior", minutes=3, answers=("psi_x1",), check=check_d1,
             hints=("Ten bins at the reference's deciles; floor 1e-4.",)),
    Question(id="d2", title="which window moves the attributions", kind="auto", points=1,
             level="mid", minutes=2, answers=("answer_d2",),
             check=choice_check("answer_d2", "b", {
                 "a": "The stable window has the reference's inputs: nothing moves.",
                 "c": "In the concept window the inputs are unchanged, so the SHAP values of a "
                      "fixed model are too: only the error shows it.",
                 "d": "SHAP values of a fixed model are a function of the inputs only."}),
             hints=("SHAP values of a fixed model depend on the inputs (and the background) "
                    "only.",)),
    Question(id="d3", title="KS of the SHAP values of x1", kind="auto", points=1,
             level="mid", minutes=3, answers=("ks_shap_x1",), check=check_d3,
             hints=("For a linear model: SHAP of x1 = coef * (x1 - mean over the "
                    "background).",)),
    Question(id="d4", title="why not p < 0.05 per feature", kind="auto", points=1,
             level="senior", minutes=2, answers=("answer_d4",),
             check=choice_check("answer_d4", "c", {
                 "a": "Large samples make tiny, harmless shifts significant, but that is not "
                      "the only problem.",
                 "b": "Autocorrelated rows make p-values too small, but that is not the only "
                      "problem.",
                 "d": "KS is valid for continuous data; the issue is how the alert rule uses "
                      "the p-values."}),
             hints=("Think of many features, many windows, rows that are not independent and "
                    "large samples.",)),
)

PRIMER = Primer(id="drift", title="Drift: covariate shift, concept drift, attributions",
                exercise="drift", notebook="drift.ipynb", minutes=15, questions=QUESTIONS,
                build_context=build_context)
