"""Exercise ``pdp_ice``: "Feature effects: PDP, ICE, centered ICE, ALE" (bike sharing, GBM).

The grader's references are computed here from the same data and model as the notebook:
``sklearn.inspection.partial_dependence(method="brute", kind="both")`` on the variant's grid
and rows, centered ICE at the variant's anchor hour, the ICE heterogeneity driver
(:func:`xaikit.effects.ice_heterogeneity`) and first-order ALE on quantile bins
(:func:`xaikit.effects.ale`). Tolerances are calibrated in ``tests/test_calibration_pdp_ice.py``
(20 variants). All effects are in rentals per hour.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from xaikit import effects as E
from xaikit.questions.base import (AnswerFormatError, as_array, close, correct, Exercise,
                                   incorrect, ModelContext, partial, Question, Rubric)

#: ICE / PDP / centered ICE vs the brute-force reference, rentals per hour. Both sides predict
#: the same rows with the same model; only the order of float64 sums differs (observed
#: <= 1e-12 over 20 variants).
TOL_PD = 1e-8
#: Recognising a PDP computed with ``method="recursion"`` (deterministic too; loose on purpose).
TOL_RECOGNISE = 1e-6
#: ALE edges (quantiles recomputed with numpy or pandas' default linear interpolation).
TOL_EDGES = 1e-9
#: ALE values, rentals per hour: same predictions, different summation order.
TOL_ALE = 1e-8

#: Take-home packs (see :mod:`xaikit.packs`): context members that hold a reference under an
#: innocent name must never ship.
TAKE_HOME_EXCLUDE = {"heterogeneity": "the grader's ranking of ICE drivers (the answer of q3)"}

Q1_FEATURES = ("temp", "hum", "windspeed", "day")
N_ROWS = 200


@dataclass
class PdpIceContext(ModelContext):
    """Everything the notebook and the grader share for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.models.TrainedModel
        Gradient boosting on bike sharing; predictions in rentals per hour.
    row_positions : ndarray of int, shape (200,)
        Positions in ``X_test`` of the rows whose ICE curves are drawn.
    feature : str
        The feature of q1.
    grid : ndarray of shape (n_grid,)
        Grid of q1 (values of ``feature``).
    hr_grid : ndarray of shape (24,)
        0, 1, ..., 23.
    anchor_hour : int
        Anchor of the centered ICE curves of ``hr`` (q2).
    ale_feature : str
    ale_bins : int
        Number of quantile bins asked for (duplicate edges merge).
    """

    variant: int
    trained: object
    row_positions: np.ndarray
    feature: str
    grid: np.ndarray
    hr_grid: np.ndarray
    anchor_hour: int
    ale_feature: str = "temp"
    ale_bins: int = 10

    @property
    def X_rows(self):
        """The ICE rows, shape (200, 12), a slice of ``X_test`` in position order."""
        return self.X_test.iloc[self.row_positions]

    @cached_property
    def ref_ice(self) -> E.IceResult:
        return E.ice_pdp(self.model, self.X_rows, self.feature, self.grid)

    @cached_property
    def ref_recursion(self) -> np.ndarray:
        return E.pdp_recursion(self.model, self.X_rows, self.feature, self.grid)

    @cached_property
    def ref_hr(self) -> E.IceResult:
        return E.ice_pdp(self.model, self.X_rows, "hr", self.hr_grid)

    @property
    def anchor_index(self) -> int:
        return int(np.flatnonzero(self.hr_grid == self.anchor_hour)[0])

    @cached_property
    def ref_hr_centered(self) -> np.ndarray:
        return self.ref_hr.centered(self.anchor_index)

    @cached_property
    def heterogeneity(self) -> dict:
        """Share of the centered hr-ICE spread explained by one split on each other feature."""
        return E.ice_heterogeneity(self.ref_hr_centered, self.X_rows,
                                   [f for f in self.feature_names if f != "hr"])

    @property
    def ref_driver(self) -> str:
        return next(iter(self.heterogeneity))

    @cached_property
    def ref_ale_edges(self) -> np.ndarray:
        return E.quantile_edges(self.X_train[self.ale_feature], self.ale_bins)

    @cached_property
    def ref_ale(self) -> E.AleResult:
        return E.ale(self.model, self.X_train, self.ale_feature, self.ref_ale_edges)


def build_context(variant: int = 0) -> PdpIceContext:
    """The context of ``variant``: 200 test rows, q1's feature and grid, the anchor, ALE bins."""
    from xaikit.models import bikeshare_gbr

    variant = int(variant)
    trained = bikeshare_gbr()
    rng = np.random.default_rng(30_000 + variant)
    positions = np.sort(rng.choice(len(trained.X_test), N_ROWS, replace=False))
    feature = Q1_FEATURES[variant % len(Q1_FEATURES)]
    n_grid = 12 + variant % 7
    lo, hi = (0.05, 0.95) if variant % 2 == 0 else (0.02, 0.98)
    grid = np.unique(np.round(np.quantile(trained.X_train[feature],
                                          np.linspace(lo, hi, n_grid)), 4))
    return PdpIceContext(variant=variant, trained=trained, row_positions=positions,
                         feature=feature, grid=grid, hr_grid=np.arange(24, dtype=float),
                         anchor_hour=int(variant % 6), ale_feature="temp",
                         ale_bins=8 + variant % 8)


# --- checks ----------------------------------------------------------------------------------

def _matrix(name, value, shape):
    """``value`` as an array of ``shape``; a transposed answer gets a targeted message."""
    try:
        flat = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        flat = None
    if flat is not None and flat.shape == shape[::-1] and shape[0] != shape[1]:
        raise AnswerFormatError(f"`{name}` has shape {flat.shape}: transposed. Store one row per "
                                f"row of X_ROWS and one column per grid value, shape {shape}.")
    return as_array(name, value, shape)


def check_q1(a, ctx):
    ref = ctx.ref_ice
    n, g = len(ctx.row_positions), len(ctx.grid)
    score, notes, hint = 0.0, [], None
    ice = None
    if a["ice"] is None:
        notes.append("`ice` missing")
    else:
        ice = _matrix("ice", a["ice"], (n, g))
        if close(ice, ref.ice, TOL_PD):
            score += 0.5
        elif close(ice, E.center_ice(ref.ice, 0), TOL_PD):
            notes.append("`ice` holds centered curves")
            hint = "q1 asks for the raw predictions (rentals per hour); centring comes in q2."
        else:
            notes.append("`ice` does not match the ICE curves of X_ROWS on GRID")
            hint = ("For each value v in GRID: a copy of X_ROWS with the feature set to v, all "
                    "other columns unchanged, then model.predict; column g holds grid value g.")
    if a["pdp"] is None:
        notes.append("`pdp` missing")
    else:
        pdp = as_array("pdp", a["pdp"], (g,))
        if close(pdp, ref.pdp, TOL_PD):
            if ice is None or close(pdp, ice.mean(axis=0), TOL_PD):
                score += 0.5
            else:
                score += 0.25
                notes.append("`pdp` is right but is not the mean of your `ice` curves")
        elif close(pdp, ctx.ref_recursion, TOL_RECOGNISE):
            notes.append("`pdp` is the recursion PDP, not the brute-force one")
            hint = ('method="recursion" averages over the training data stored in the trees '
                    "and leaves out the model's initial prediction; use method=\"brute\" on "
                    "X_ROWS, which is what the ICE curves average.")
        elif close(pdp, np.median(ref.ice, axis=0), TOL_PD):
            notes.append("`pdp` is the median of the ICE curves")
            hint = "The partial dependence is the mean of the ICE curves, not the median."
        elif ice is not None and not close(pdp, ice.mean(axis=0), TOL_PD):
            notes.append("`pdp` is not the mean of your `ice` curves")
            hint = hint or "pdp = ice.mean(axis=0): the average over rows at each grid value."
        else:
            notes.append("`pdp` does not match the brute-force partial dependence")
            hint = hint or ("partial_dependence(model, X_ROWS, [FEATURE], method='brute', "
                            "custom_values={FEATURE: GRID}) gives the same curve.")
    if score >= 1 - 1e-9:
        return correct("Correct: your ICE curves and PDP equal scikit-learn's brute-force "
                       "partial dependence on the same grid, and the PDP is their mean.")
    msg = "; ".join(notes) + "."
    return partial(score, msg, hint) if score else incorrect(msg, hint)


def check_q2(a, ctx):
    n = len(ctx.row_positions)
    c = _matrix("ice_hr_centered", a["ice_hr_centered"], (n, len(ctx.hr_grid)))
    ref = ctx.ref_hr
    k = ctx.anchor_index
    if close(c, ctx.ref_hr_centered, TOL_PD):
        return correct("Correct: every curve is 0 at the anchor hour and keeps its own shape.")
    if close(c, ref.ice, TOL_PD):
        return incorrect("These are the raw ICE curves, not centered.",
                         "Subtract from each curve its own value at ANCHOR_HOUR.")
    if close(c, ref.ice - ref.ice.mean(axis=1, keepdims=True), TOL_PD):
        return incorrect("Each curve is centred on its own mean, not at the anchor.",
                         "Centered ICE subtracts the curve's value at the anchor hour, so all "
                         "curves start from 0 there.")
    if close(c, ref.ice - ref.pdp, TOL_PD):
        return incorrect("You subtracted the PDP from each curve.",
                         "Subtract each curve's own value at the anchor hour instead.")
    if k != 0 and close(c, E.center_ice(ref.ice, 0), TOL_PD):
        return incorrect("The curves are anchored at the first hour of the grid, not at "
                         "ANCHOR_HOUR.", "Use the column of HR_GRID equal to ANCHOR_HOUR.")
    if np.max(np.abs(c[:, k])) <= TOL_PD:
        return incorrect("Your curves are 0 at the anchor but are not the ICE curves of `hr`.",
                         "ICE of `hr` on HR_GRID for the rows of X_ROWS, in that order.")
    return incorrect("The curves are not 0 at the anchor hour.",
                     "c-ICE = ICE minus each curve's value at ANCHOR_HOUR.")


def check_q3(a, ctx):
    v = a["ice_driver"]
    if isinstance(v, (list, tuple)) and len(v) == 1:
        v = v[0]
    if not isinstance(v, str):
        raise AnswerFormatError("`ice_driver` should be one feature name (a string).")
    name = v.strip()
    if name not in ctx.feature_names:
        raise AnswerFormatError(f"`ice_driver` = {name!r} is not a feature of the model.")
    if name == ctx.ref_driver:
        return correct("Correct: one split on this feature separates the two shapes of the "
                       "hour-of-day curves.")
    if name == "hr":
        return incorrect("`hr` is the feature on the x-axis; the spread between its curves "
                         "comes from another feature.",
                         "Colour the centered ICE curves by each of the other features.")
    if name in ("weekday", "holiday"):
        return incorrect(f"`{name}` is related, but it is not what splits the curves.",
                         "Which single 0/1 feature separates the commute-peaked curves from "
                         "the midday-peaked ones? Colour the curves by it.")
    return incorrect(f"Colouring the curves by `{name}` does not separate their shapes.",
                     "Look at the shape of the centered curves (peaks at 8 h and 17 h or a "
                     "single midday hump) and find the feature that tells them apart.")


def check_q4(a, ctx):
    ref = ctx.ref_ale
    edges_ref = ref.edges
    if a["ale_edges"] is None:
        raise AnswerFormatError("`ale_edges` is missing: store the bin edges you used.")
    edges = as_array("ale_edges", a["ale_edges"], (None,))
    if not close(edges, edges_ref, TOL_EDGES):
        x = ctx.X_train[ctx.ale_feature]
        width = np.linspace(x.min(), x.max(), ctx.ale_bins + 1)
        if close(edges, width, TOL_EDGES):
            return incorrect("These are equal-width bins.",
                             "ALE here uses quantile bins: np.quantile(X_train['temp'], "
                             "np.linspace(0, 1, ALE_BINS + 1)), duplicates removed.")
        return incorrect("`ale_edges` are not the quantile edges of temp in X_train.",
                         "np.unique(np.quantile(X_train['temp'], np.linspace(0, 1, "
                         "ALE_BINS + 1))).")
    if a["ale_temp"] is None:
        return partial(0.2, "The edges are right; `ale_temp` is missing.")
    v = as_array("ale_temp", a["ale_temp"], (len(edges_ref),))
    if close(v, ref.ale, TOL_ALE):
        return correct("Correct: your ALE equals the grader's on the same bins, centred to "
                       "mean 0.")
    if close(v, E.center_ale(ref.uncentered, ref.counts, "step"), TOL_ALE):
        return correct("Correct (centred with the step convention: mean of each row's bin "
                       "value); the grader centres with bin midpoints, both have mean 0.")
    d = v - ref.uncentered
    if np.ptp(d) <= TOL_ALE:
        if abs(v[0]) <= TOL_ALE:
            return partial(0.6, "The accumulated effects are right but not centred.",
                           "Subtract the mean effect over the data so the ALE has mean 0 "
                           "(count-weighted mean of the bin midpoints).")
        return partial(0.8, "The shape is right but the centring is not mean 0 over the data.",
                       "Weight each bin by its number of rows when you subtract the mean.")
    sums = np.concatenate([[0.0], np.cumsum(ref.local_effects * ref.counts)])
    if np.ptp(v - sums) <= TOL_ALE * max(1.0, np.abs(sums).max()):
        return incorrect("Your local effects are summed, not averaged, within each bin.",
                         "Average f(upper edge) - f(lower edge) over the rows of each bin, then "
                         "accumulate.")
    pdp = E.ice_pdp(ctx.model, ctx.X_train, ctx.ale_feature, edges_ref).pdp
    if np.ptp(v - pdp) <= 1e-6:
        return incorrect("This is the partial dependence of temp, not its ALE.",
                         "ALE moves each row only across its own bin and averages these local "
                         "differences; a PDP sets every row to every value.")
    return incorrect("The values do not match the ALE on these bins.",
                     "Row in bin k (edges[k-1] < x <= edges[k], the minimum in bin 1): "
                     "f(x := edges[k]) - f(x := edges[k-1]); mean per bin; cumulative sum "
                     "starting at 0; subtract the mean.")


# --- declaration -----------------------------------------------------------------------------

QUESTIONS = (
    Question("q1", "ICE and PDP by hand", "auto", 3, "junior", 12,
             answers=("ice", "pdp"), check=check_q1,
             hints=("Loop over GRID; set the column on a copy of X_ROWS; predict.",
                    "The PDP is ice.mean(axis=0).")),
    Question("q2", "Centered ICE of the hour", "auto", 2, "junior", 6,
             answers=("ice_hr_centered",), check=check_q2,
             hints=("Subtract each curve's value at ANCHOR_HOUR.",)),
    Question("q3", "What drives the spread of the hour curves?", "auto", 2, "mid", 8,
             answers=("ice_driver",), check=check_q3,
             hints=("Colour the centered ICE curves of q2 by a candidate feature.",)),
    Question("q4", "ALE of temperature", "auto", 3, "mid", 15,
             answers=("ale_edges", "ale_temp"), check=check_q4,
             hints=("Quantile bins on X_train['temp']; local differences within each bin.",)),
    Question("q5", "PDP or ALE for temperature?", "manual", 2, "mid", 8, rubric=Rubric(
        criteria=(
            "temp and atemp are almost the same variable (r ≈ 0.99): the PDP sets temp to "
            "every grid value while keeping each row's atemp, i.e. averages predictions over "
            "combinations that never occur (hot temp with cold atemp)",
            "the model can use either column; the PDP of temp shows only the part of the "
            "temperature effect routed through temp and extrapolates into empty regions",
            "ALE moves each row only within its own bin, so it stays on the data and "
            "isolates the local effect of temp given the other features",
            "when to prefer ALE: correlated features, or when the PDP's extrapolation "
            "matters; PDP is fine for (nearly) independent features and is easier to explain",
            "reads their own plot (e.g. where PDP and ALE differ in shape or range)"),
        strong="Names the unrealistic combinations, explains what ALE conditions on, and "
               "refers to the difference visible in their own PDP-vs-ALE plot.",
        adequate="Says correlation makes the PDP unreliable and ALE avoids it, without "
                 "explaining why.",
        weak="'ALE is more accurate' or describes the plots without the correlation.")),
    Question("q6", "Is this the effect of temperature on rentals?", "manual", 3, "mid", 8,
             rubric=Rubric(
        criteria=(
            "no: PDP/ALE describe the model's predictions, not the world; they are causal "
            "only for the model (what the model would output)",
            "the data are observational: temperature goes with season, daylight, holidays, "
            "the scheme's growth over 2011 (confounding), so the model's temperature effect "
            "mixes these",
            "extrapolation/correlation: setting temp alone to a new value is not a realistic "
            "intervention while atemp, humidity and season stay fixed",
            "what would be needed for a causal claim: a causal model / adjustment for "
            "confounders, an experiment or natural experiment, domain assumptions",
            "states what the PDP can still be used for (understanding/debugging the model)"),
        strong="A clear no, with the model-vs-world distinction, at least one concrete "
               "confounder from this data, and what a causal analysis would need.",
        adequate="Says PDP is not causal because of correlation/confounding, generically.",
        weak="Says yes, or 'correlation is not causation' with nothing tied to this data.")),
)

EXERCISE = Exercise(
    id="pdp_ice", title="Feature effects: PDP, ICE, centered ICE, ALE", level="junior-mid",
    minutes=70, notebook="02_pdp_ice.ipynb",
    topics=("visualising explanations (importance, PDP, ICE)", "counterintuitive model behaviour",
            "causal questions vs model explanations"),
    questions=QUESTIONS, build_context=build_context)
