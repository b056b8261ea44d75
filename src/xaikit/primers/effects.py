"""Primer ``effects``: feature effects (PDP, ICE, centred ICE, ALE), before the exercise ``pdp_ice``.

The primer works on scikit-learn's bundled **diabetes** data in its original units
(``load_diabetes(scaled=False)``: 442 patients, ten baseline measurements, the target a score of
disease progression one year later, 25 to 346) with a small gradient-boosting model, and on two
synthetic problems whose answer is known by construction (built in the notebook itself). None of
it is the exercise's data or model.

The self-checks (practice mode, right / wrong with a hint, never the expected value):

- ``e1``: the brute-force PDP of ``s6`` over ``X_rows`` (recognises ``method="recursion"`` and
  the wrong rows);
- ``e2``: centred ICE of ``age`` at the anchor ``AGE_ANCHOR`` (recognises raw curves, the wrong
  anchor, centring on each curve's mean, subtracting the PDP);
- ``e3``: why the PDP fails over correlated features and ALE does not (multiple choice);
- ``e4``: ALE of ``bp`` over ``X_train`` on quantile bins (recognises equal-width bins, a
  missing centring, and local effects averaged over ``X_rows``);
- ``e5``: is a PDP a causal effect? (multiple choice).

References
----------
Friedman, J. H. (2001). Greedy function approximation: a gradient boosting machine. Annals of
Statistics 29(5), 1189-1232 (partial dependence).
Goldstein, A., Kapelner, A., Bleich, J. & Pitkin, E. (2015). Peeking inside the black box:
visualizing statistical learning with plots of individual conditional expectation. Journal of
Computational and Graphical Statistics 24(1), 44-65 (ICE, centred ICE).
Apley, D. W. & Zhu, J. (2020). Visualizing the effects of predictor variables in black box
supervised learning models. Journal of the Royal Statistical Society B 82(4), 1059-1086 (ALE).
Molnar, C. (2022). Interpretable Machine Learning, 2nd ed., chapters "Partial Dependence Plot
(PDP)", "Individual Conditional Expectation (ICE)" and "Accumulated Local Effects (ALE) Plot".
Zhao, Q. & Hastie, T. (2021). Causal interpretations of black-box models. Journal of Business &
Economic Statistics 39(1), 272-281 (when a PDP can be read causally).
Efron, B., Hastie, T., Johnstone, I. & Tibshirani, R. (2004). Least angle regression. Annals of
Statistics 32(2), 407-499 (the diabetes data).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xaikit.exercises.framework import (AnswerFormatError, Question, as_array, close, correct,
                                        incorrect)
from xaikit.primers import Primer, choice_check

#: Tolerance for curves recomputed from the same model and rows (progression points): only the
#: order of float64 sums can differ.
TOL = 1e-6
#: Bin edges recomputed with numpy or pandas (same linear interpolation).
TOL_EDGES = 1e-9

#: What the model predicts, for axis labels and messages.
TARGET = "predicted progression score (points)"

#: Units of the diabetes features in their original scale (scikit-learn's description and
#: Efron et al. 2004; ``sex`` is coded 1 / 2 without a stated meaning).
UNITS = {
    "age": "age (years)",
    "sex": "sex (coded 1 / 2)",
    "bmi": "bmi: body mass index (kg/m²)",
    "bp": "bp: average blood pressure (mm Hg)",
    "s1": "s1: total serum cholesterol (mg/dL)",
    "s2": "s2: LDL cholesterol (mg/dL)",
    "s3": "s3: HDL cholesterol (mg/dL)",
    "s4": "s4: total cholesterol / HDL (ratio)",
    "s5": "s5: log of serum triglycerides",
    "s6": "s6: blood sugar (mg/dL)",
}


@dataclass
class EffectsContext:
    """The primer's data and model (diabetes, original units), and the self-checks' settings.

    Attributes
    ----------
    X_train, X_test : pandas.DataFrame
        331 and 111 patients, the ten baseline columns (``train_test_split(test_size=0.25,
        random_state=0)``).
    y_train, y_test : pandas.Series
        Disease progression one year after baseline (a score, 25 to 346; no unit).
    model : sklearn.ensemble.GradientBoostingRegressor
        ``n_estimators=100, max_depth=2, learning_rate=0.05, random_state=0``, fitted on the
        training rows; predicts the progression score.
    X_rows : pandas.DataFrame
        The rows of every ICE curve: the 111 held-out patients (``X_test``).
    s6_grid : ndarray of shape (6,)
        e1's grid of blood sugar values, mg/dL.
    age_grid : ndarray of shape (7,)
        e2's grid of ages, 20 to 80 years.
    age_anchor : float
        e2's anchor, 50 years (a value of ``age_grid``, not its first).
    ale_feature : str
        e4's feature, ``"bp"`` (mm Hg).
    ale_bins : int
        e4's number of quantile bins (duplicates merge).
    """

    X_train: object
    X_test: object
    y_train: object
    y_test: object
    model: object
    s6_grid: np.ndarray
    age_grid: np.ndarray
    age_anchor: float
    ale_feature: str
    ale_bins: int

    @property
    def X_rows(self):
        return self.X_test

    @property
    def feature_names(self):
        return list(self.X_train.columns)


def build_context() -> EffectsContext:
    """Load the diabetes data (original units), split it and fit the primer's model (~0.2 s)."""
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.model_selection import train_test_split

    d = load_diabetes(as_frame=True, scaled=False)
    X_train, X_test, y_train, y_test = train_test_split(d.data, d.target, test_size=0.25,
                                                        random_state=0)
    model = GradientBoostingRegressor(n_estimators=100, max_depth=2, learning_rate=0.05,
                                      random_state=0).fit(X_train, y_train)
    return EffectsContext(X_train=X_train, X_test=X_test, y_train=y_train, y_test=y_test,
                          model=model, s6_grid=np.array([70.0, 80, 90, 100, 110, 120]),
                          age_grid=np.arange(20.0, 81.0, 10.0), age_anchor=50.0,
                          ale_feature="bp", ale_bins=6)


# --- computations the checks recompute --------------------------------------------------------

def ice(model, X, feature: str, grid) -> np.ndarray:
    """ICE curves by brute force, shape (n_rows, n_grid): ``[i, g]`` predicts row ``i`` of ``X``
    with ``feature`` set to ``grid[g]``, the other columns as observed."""
    from sklearn.inspection import partial_dependence

    res = partial_dependence(model, X, [feature], method="brute", kind="individual",
                             custom_values={feature: np.asarray(grid, dtype=float)})
    return np.asarray(res["individual"][0], dtype=float)


def pdp_recursion(model, X, feature: str, grid) -> np.ndarray:
    """The PDP scikit-learn returns by default for gradient boosting (``method="recursion"``):
    averaged over the training data held in the trees, without the initial prediction."""
    from sklearn.inspection import partial_dependence

    res = partial_dependence(model, X, [feature], method="recursion", kind="average",
                             custom_values={feature: np.asarray(grid, dtype=float)})
    return np.asarray(res["average"][0], dtype=float)


def quantile_edges(x, n_bins: int) -> np.ndarray:
    """ALE edges on quantile bins, ``np.unique(np.quantile(x, np.linspace(0, 1, n_bins + 1)))``."""
    return np.unique(np.quantile(np.asarray(x, dtype=float), np.linspace(0, 1, n_bins + 1)))


def ale(model, X, feature: str, edges, centre: bool = True):
    """First-order ALE of ``feature`` at ``edges`` over the rows of ``X`` (Apley & Zhu 2020).

    A row in bin k (``edges[k-1] < x <= edges[k]``, the minimum in bin 1) contributes
    ``f(edges[k], rest) - f(edges[k-1], rest)``; these are averaged per bin, accumulated from 0
    at the first edge and (``centre``) shifted to mean 0 over the rows (the count-weighted mean
    of the bin midpoints).

    Returns
    -------
    ale : ndarray of shape (K + 1,)
        In the model's output unit (progression points).
    counts : ndarray of int, shape (K,)
        Rows per bin.
    """
    edges = np.asarray(edges, dtype=float)
    x = X[feature].to_numpy(dtype=float)
    K = len(edges) - 1
    k = np.clip(np.searchsorted(edges, x, side="left"), 1, K)
    lo, hi = X.copy(), X.copy()
    lo[feature], hi[feature] = edges[k - 1], edges[k]
    local = np.asarray(model.predict(hi), float) - np.asarray(model.predict(lo), float)
    counts = np.bincount(k - 1, minlength=K)
    mean_local = np.bincount(k - 1, weights=local, minlength=K) / np.maximum(counts, 1)
    acc = np.concatenate([[0.0], np.cumsum(mean_local)])
    if centre:
        acc = acc - np.sum((acc[:-1] + acc[1:]) / 2 * counts) / counts.sum()
    return acc, counts


# --- checks --------------------------------------------------------------------------------------

def check_e1(a, ctx):
    """``pd_s6``: brute-force PDP of ``s6`` on ``S6_GRID`` over ``X_rows``."""
    grid = ctx.s6_grid
    v = as_array("pd_s6", a["pd_s6"], (len(grid),))
    m, X = ctx.model, ctx.X_rows
    curves = ice(m, X, "s6", grid)
    if close(v, curves.mean(axis=0), TOL):
        return correct("Correct: the average of the ICE curves of the same rows, by brute force.")
    rec = pdp_recursion(m, X, "s6", grid)
    if close(v, rec, TOL) or close(v, rec + float(np.ravel(m.init_.constant_)[0]), 1e-3):
        return incorrect("This is scikit-learn's default `method=\"recursion\"` curve, not the "
                         "average of the ICE curves.",
                         "For gradient boosting, partial_dependence(...) uses recursion unless "
                         "told otherwise: it averages over the training data stored in the trees "
                         "and leaves out the model's initial prediction. Pass method=\"brute\" "
                         "(or kind=\"both\") with X_rows.")
    if close(v, ice(m, ctx.X_train, "s6", grid).mean(axis=0), TOL):
        return incorrect("This PDP averages over X_train, not over X_rows.",
                         "Compare like with like: average over the same rows as the ICE curves, "
                         "X_rows.")
    if close(v, np.median(curves, axis=0), TOL):
        return incorrect("This is the median of the ICE curves.",
                         "The partial dependence is their mean.")
    return incorrect("`pd_s6` is not the partial dependence of s6 on S6_GRID over X_rows.",
                     "partial_dependence(model, X_rows, [\"s6\"], method=\"brute\", "
                     "custom_values={\"s6\": S6_GRID})[\"average\"][0].")


def check_e2(a, ctx):
    """``cice_age``: centred ICE of ``age`` on ``AGE_GRID`` anchored at ``AGE_ANCHOR``."""
    grid, anchor = ctx.age_grid, ctx.age_anchor
    n = len(ctx.X_rows)
    try:
        flat = np.asarray(a["cice_age"], dtype=float)
    except (TypeError, ValueError):
        flat = None
    if flat is not None and flat.shape == (len(grid), n):
        raise AnswerFormatError(f"`cice_age` has shape {flat.shape}: transposed. One row per "
                                f"row of X_rows, one column per value of AGE_GRID: ({n}, "
                                f"{len(grid)}).")
    v = as_array("cice_age", a["cice_age"], (n, len(grid)))
    raw = ice(ctx.model, ctx.X_rows, "age", grid)
    j = int(np.flatnonzero(grid == anchor)[0])
    if close(v, raw - raw[:, [j]], TOL):
        return correct("Correct: every curve is 0 at the anchor and keeps its own shape.")
    if close(v, raw, TOL):
        return incorrect("These are the raw ICE curves, not centred.",
                         "Subtract from each curve its own value at AGE_ANCHOR.")
    if close(v, raw - raw[:, [0]], TOL):
        return incorrect("The curves are anchored at the first grid value (20 years), not at "
                         "AGE_ANCHOR.",
                         "The anchor is a choice, and the question's is AGE_ANCHOR: use the "
                         "column of AGE_GRID equal to it.")
    if close(v, raw - raw.mean(axis=1, keepdims=True), TOL):
        return incorrect("Each curve is centred on its own mean, not at the anchor.",
                         "Centred ICE subtracts each curve's value at the anchor, so that every "
                         "curve passes through 0 there.")
    if close(v, raw - raw.mean(axis=0), TOL):
        return incorrect("You subtracted the PDP from each curve.",
                         "Subtract each curve's own value at AGE_ANCHOR instead.")
    return incorrect("`cice_age` is not the centred ICE of age on AGE_GRID.",
                     "ICE of age on AGE_GRID for X_rows (method=\"brute\", kind=\"individual\"), "
                     "then minus each curve's column at AGE_ANCHOR.")


def check_e4(a, ctx):
    """``ale_bp``: centred ALE of ``bp`` over ``X_train`` on ``ALE_BINS`` quantile bins."""
    f, X = ctx.ale_feature, ctx.X_train
    edges = quantile_edges(X[f], ctx.ale_bins)
    v = as_array("ale_bp", a["ale_bp"], (None,))
    ref, _ = ale(ctx.model, X, f, edges)
    if close(v, ref, TOL):
        return correct("Correct: the ALE of bp on quantile bins, centred to mean 0 over the "
                       "training rows.")
    width = np.linspace(X[f].min(), X[f].max(), ctx.ale_bins + 1)
    if len(v) == len(width) and close(v, ale(ctx.model, X, f, width)[0], TOL):
        return incorrect("This ALE uses equal-width bins.",
                         "Use quantile bins, np.unique(np.quantile(X_train['bp'], "
                         "np.linspace(0, 1, ALE_BINS + 1))): every bin then holds about the same "
                         "number of rows.")
    if len(v) == len(ref) and close(v, ale(ctx.model, X, f, edges, centre=False)[0], TOL):
        return incorrect("The ALE is not centred: it starts at 0 at the first edge.",
                         "Subtract the count-weighted mean of the bin midpoints, "
                         "sum(counts * (ale[:-1] + ale[1:]) / 2) / sum(counts).")
    if len(v) != len(ref):
        return incorrect(f"`ale_bp` has {len(v)} values; the ALE on these quantile edges has "
                         "one value per edge.",
                         "One value per bin edge: K bins have K + 1 edges (duplicate quantiles "
                         "merge).")
    rows = ctx.X_rows
    held_out = quantile_edges(rows[f], ctx.ale_bins)
    for e_rows, what in ((held_out, "bins and local effects"), (edges, "local effects")):
        if len(v) == len(e_rows) and close(v, ale(ctx.model, rows, f, e_rows)[0], TOL):
            return incorrect(f"The {what} of this ALE come from X_rows, the held-out patients.",
                             "e4 asks for the ALE over the training rows: check which rows the "
                             "quantile edges and the averaged local effects come from.")
    return incorrect("`ale_bp` is not the ALE of bp on the quantile bins of X_train.",
                     "Check the rows first: e4's bins and local effects both come from the "
                     "training patients, not from X_rows. Then check the bins (quantile, "
                     "ALE_BINS of them) and the centring against the worked examples above.")


QUESTIONS = (
    Question(
        id="e1", title="PDP by brute force, like with like", kind="auto", points=1,
        level="junior", minutes=2, answers=("pd_s6",), check=check_e1,
        hints=("The PDP is the mean of the ICE curves of the same rows: method=\"brute\" on "
               "X_rows.",)),
    Question(
        id="e2", title="centred ICE at a given anchor", kind="auto", points=1, level="junior",
        minutes=3, answers=("cice_age",), check=check_e2,
        hints=("ICE of age on AGE_GRID over X_rows, minus each curve's value at AGE_ANCHOR.",)),
    Question(
        id="e3", title="why the PDP fails over correlated features", kind="auto", points=1,
        level="mid", minutes=1, answers=("answer_e3",),
        check=choice_check("answer_e3", "b", {
            "a": "More grid points would trace the same wrong curve more finely: the problem is "
                 "where the model is evaluated, not how often.",
            "c": "ALE does not change the model: it evaluates the same model, only at inputs "
                 "close to real rows.",
            "d": "The model fits the data well; the trouble is what the PDP asks it about.",
        }),
        hints=("Look at the left panel: where are the points the PDP feeds to the model?",)),
    Question(
        id="e4", title="ALE on quantile bins", kind="auto", points=1, level="mid", minutes=3,
        answers=("ale_bp",), check=check_e4,
        hints=("Quantile edges of bp in X_train with ALE_BINS bins, then the notebook's ale().",)),
    Question(
        id="e5", title="is a PDP a causal effect?", kind="auto", points=1, level="mid",
        minutes=1, answers=("answer_e5",),
        check=choice_check("answer_e5", "c", {
            "a": "Holding the model's other inputs fixed is not holding the world fixed: causes "
                 "that are not in the data still travel with bmi.",
            "b": "A model that predicts well has learned associations well; that does not make "
                 "them causes (the synthetic example predicts well too).",
            "d": "ALE fixes extrapolation, not confounding: it describes the same model.",
        }),
        hints=("What would happen to y in the last synthetic example if you set x yourself?",)),
)

PRIMER = Primer(
    id="effects",
    title="Feature effects: PDP, ICE, centred ICE, ALE",
    exercise="pdp_ice",
    notebook="effects.ipynb",
    minutes=25,
    questions=QUESTIONS,
    build_context=build_context,
)
