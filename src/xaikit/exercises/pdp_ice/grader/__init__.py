"""Grader part of ``pdp_ice``: references, checks, hints and rubrics.

Never shipped to candidates, never importable in the grading kernel. The references are computed
from the same data and model as the notebook: ``sklearn.inspection.partial_dependence(
method="brute", kind="both")`` on the variant's grid and rows, centered ICE at the variant's
anchor hour, the shape-heterogeneity ranking of the centered hour curves
(:func:`ice_heterogeneity`) and first-order ALE on quantile bins (:func:`ale`). Tolerances are
calibrated in ``tests/test_calibration_pdp_ice.py`` (20 variants). All effects are in rentals
per hour.

References
----------
Friedman (2001), Annals of Statistics 29(5) (partial dependence); Goldstein, Kapelner, Bleich &
Pitkin (2015), JCGS 24(1) (ICE, centered ICE); Apley & Zhu (2020), JRSS B 82(4) (ALE).
"""
from __future__ import annotations

import numpy as np

from xaikit.exercises.framework import (AnswerFormatError, Rubric, as_array, close, correct,
                                        incorrect, partial)

from .references import (ALE_CENTERINGS, AleResult, IceResult, References, ale,
                         ale_bin_index, center_ale, center_ice, ice_heterogeneity, ice_pdp,
                         pdp_recursion, quantile_edges, reference_context)

#: The references are computed in :mod:`.references`; re-exported here for the callers.
__all__ = ["ALE_CENTERINGS", "AleResult", "IceResult", "References", "ale", "ale_bin_index",
           "center_ale", "center_ice", "ice_heterogeneity", "ice_pdp", "pdp_recursion",
           "quantile_edges", "reference_context", "CHECKS", "HINTS", "RUBRICS"]

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
        elif close(ice, center_ice(ref.ice, 0), TOL_PD):
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
    if k != 0 and close(c, center_ice(ref.ice, 0), TOL_PD):
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
        return correct("Correct: one split on this feature explains the largest share of the "
                       "range-scaled curves' spread: it separates the two shapes of the "
                       "hour-of-day curves.")
    if name == "hr":
        return incorrect("`hr` is the feature on the x-axis; the spread between its curves "
                         "comes from another feature.",
                         "Score every feature except hr: one split on it, fitted to the "
                         "range-scaled centered curves.")
    raw = ctx.heterogeneity(shape_only=False)
    if raw[name] >= max(raw.values()) - 1e-9:
        return incorrect(f"One split on `{name}` explains most of the spread of the raw "
                         "centered curves: it tells curves of different size apart (an "
                         "interaction too), not curves of different shape.",
                         "Divide each centered curve by its own range (max - min) before the "
                         "one-split R², as the question says: only the shape should count.")
    if name == "weekday":
        return incorrect("`weekday` is related, but it is not the feature whose single split "
                         "explains most of the shape spread.",
                         "weekday runs from 0 = Sunday to 6 = Saturday: a single threshold on it "
                         "cannot set Saturday and Sunday apart from Monday to Friday together "
                         "(one of them always lands with the weekdays). Which feature can, in "
                         "one split?")
    if name == "holiday":
        n_hol = int((ctx.X_rows["holiday"] == 1).sum())
        return incorrect("`holiday` is not the feature whose single split explains most of the "
                         "shape spread.",
                         f"holiday is 1 only on public holidays, {n_hol} of the "
                         f"{len(ctx.X_rows)} rows of X_ROWS (Saturdays and Sundays have holiday "
                         "= 0), so one split on it sets only those few curves apart. Which "
                         "feature marks all the days whose daily pattern differs?")
    n = len(ctx.X_rows)
    return incorrect(f"One split on `{name}` does not explain the most of the range-scaled "
                     "curves' spread.",
                     "Score every feature but hr: DecisionTreeRegressor(max_depth=1, "
                     "random_state=0) fitted from that feature alone to the range-scaled "
                     "curves (all 24 columns at once), then r2_score(Y, stump.predict(...), "
                     "multioutput=\"variance_weighted\"): the share of the total sum of squares "
                     f"over all {n} x 24 values. The tree's own .score is not this measure: it "
                     "averages the 24 hours' R² with equal weights.")


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
    if close(v, center_ale(ref.uncentered, ref.counts, "step"), TOL_ALE):
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
    pdp = ice_pdp(ctx.model, ctx.X_train, ctx.ale_feature, edges_ref).pdp
    if np.ptp(v - pdp) <= 1e-6:
        return incorrect("This is the partial dependence of temp, not its ALE.",
                         "ALE moves each row only across its own bin and averages these local "
                         "differences; a PDP sets every row to every value.")
    return incorrect("The values do not match the ALE on these bins.",
                     "Row in bin k (edges[k-1] < x <= edges[k], the minimum in bin 1): "
                     "f(x := edges[k]) - f(x := edges[k-1]); mean per bin; cumulative sum "
                     "starting at 0; subtract the mean.")


# --- declaration: checks, hints and rubrics of the public questions ----------------------

CHECKS = {"q1": check_q1, "q2": check_q2, "q3": check_q3, "q4": check_q4}

HINTS = {
    "q1": ("Loop over GRID; set the column on a copy of X_ROWS; predict.",
           "The PDP is ice.mean(axis=0)."),
    "q2": ("Subtract each curve's value at ANCHOR_HOUR.",),
    "q3": ("Scale each centered curve by its own range, then score one split per feature.",),
    "q4": ("Quantile bins on X_train['temp']; local differences within each bin.",),
}

RUBRICS = {
    "q5": Rubric(
        criteria=(
            "temp and atemp are almost the same variable (r ≈ 0.99): the PDP sets temp to "
            "every grid value while keeping each row's atemp, i.e. averages predictions over "
            "combinations that never occur (hot temp with cold atemp)",
            "there the PDP extrapolates: the model has no data in those regions, so the "
            "curve's shape (especially at the hot and cold ends) reflects arbitrary tree "
            "splits, not the data",
            "ALE moves each row only within its own bin, so it stays on the data and "
            "isolates the local effect of temp given the other features (a limit common to "
            "both, not a PDP flaw: the model can use either column, so the PDP and the ALE "
            "of temp alike show only the part of the temperature effect routed through temp)",
            "when to prefer ALE: correlated features, or when the PDP's extrapolation "
            "matters; PDP is fine for (nearly) independent features and is easier to explain",
            "reads their own plot (e.g. where PDP and ALE differ in shape or range)"),
        strong="Names the unrealistic combinations, explains what ALE conditions on, and "
               "refers to the difference visible in their own PDP-vs-ALE plot.",
        adequate="Says correlation makes the PDP unreliable and ALE avoids it, without "
                 "explaining why.",
        weak="'ALE is more accurate' or describes the plots without the correlation."),
    "q6": Rubric(
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
        weak="Says yes, or 'correlation is not causation' with nothing tied to this data."),
}
