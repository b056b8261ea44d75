"""Checks q4-q6 of ``uncertainty``: KernelSHAP against its budget, exact TreeSHAP, and the
German-credit intervals (grader side)."""
from __future__ import annotations

import numpy as np

from xaikit.exercises.framework import AnswerFormatError, as_array, close

from .common import TOL_KERNEL, TOL_PI, TOL_SD_RATIO, TOL_TREE, TOL_TREE_SD, _names, _score
from .references import overlapping_pairs

# --- q4, q5: KernelSHAP against its budget, TreeSHAP -----------------------------------------

def check_q4(a, ref):
    n_ns, n_s, pc = len(ref.nsamples), len(ref.kernel_seeds), ref.X_credit.shape[1]
    parts, notes, hint = [], [], None
    values = None
    if a["kernel_values"] is None:
        notes.append("`kernel_values` missing")
    else:
        values = as_array("kernel_values", a["kernel_values"], (n_ns, n_s, pc))
        if close(values, ref.ref_kernel, TOL_KERNEL):
            parts.append(0.5)
        elif all(np.allclose(values[0], values[i]) for i in range(1, n_ns)):
            notes.append("`kernel_values` is the same at every budget")
            hint = ("Measure the variance at EACH nsamples in NSAMPLES: one budget says "
                    "nothing about how the error shrinks.")
        elif np.mean(values == 0) > 0.3:
            notes.append("many KernelSHAP values are exactly 0")
            hint = ("shap 0.51 keeps only 10 features by default (l1_reg='num_features(10)'): "
                    "pass l1_reg=False.")
        elif np.allclose(values, values[:, :1], atol=1e-12):
            notes.append("the repeats of `kernel_values` are identical")
            hint = ("Call np.random.seed(seed) before EACH explainer.shap_values call, with "
                    "seed = 0, 1, ..., 9 (KernelExplainer draws from NumPy's global generator).")
        else:
            notes.append("`kernel_values` does not reproduce the stated repeats")
            hint = ("For each n in NSAMPLES, for each seed in KERNEL_SEEDS: np.random.seed(seed); "
                    "explainer.shap_values(X_KERNEL, nsamples=n, l1_reg=False)[0], with "
                    "explainer = shap.KernelExplainer(f_margin, X_BACKGROUND).")
    if a["kernel_sd"] is None:
        notes.append("`kernel_sd` missing")
        return _score(parts, notes, hint)
    sd = as_array("kernel_sd", a["kernel_sd"], (n_ns, pc))
    ref_sd = ref.ref_kernel_sd
    decreasing = bool(np.all(np.diff(sd.mean(axis=1)) < 0))
    if close(sd, ref_sd, TOL_KERNEL):
        parts.append(0.5)
    elif close(sd, ref.ref_kernel.std(axis=1, ddof=0), TOL_KERNEL):
        parts.append(0.35)
        notes.append("`kernel_sd` uses ddof=0")
        hint = hint or "The sample standard deviation over the 10 repeats: ddof=1."
    elif values is not None and close(sd, values.std(axis=1, ddof=1), TOL_KERNEL) and \
            decreasing and np.all(np.abs(np.log(np.maximum(sd.mean(1), 1e-300)
                                                / ref_sd.mean(1))) <= np.log(TOL_SD_RATIO)):
        parts.append(0.25)
        notes.append("`kernel_sd` matches your own repeats and shrinks with the budget as "
                     "it should, but those repeats are not the stated ones")
    elif not decreasing:
        notes.append("`kernel_sd` does not shrink with the sample budget")
        hint = hint or ("Standard deviation over the repeats (axis 1 of kernel_values), one "
                        "row per budget: it should fall roughly like 1 / sqrt(nsamples).")
    else:
        notes.append("`kernel_sd` is not the standard deviation of the repeats")
        hint = hint or "kernel_sd = kernel_values.std(axis=1, ddof=1)."
    return _score(parts, notes, hint)


def check_q5(a, ref):
    pc = ref.X_credit.shape[1]
    parts, notes, hint = [], [], None
    tree = None
    if a["tree_values"] is None:
        notes.append("`tree_values` missing")
    else:
        tree = as_array("tree_values", a["tree_values"], (pc,))
        if close(tree, ref.ref_tree, TOL_TREE):
            parts.append(0.4)
        else:
            notes.append("`tree_values` are not the interventional TreeSHAP values of the row")
            hint = ("shap.TreeExplainer(credit_model, data=X_BACKGROUND, feature_perturbation="
                    "'interventional').shap_values(X_KERNEL)[0]: the same background as "
                    "KernelSHAP, so both estimate the same quantity.")
    if a["tree_sd"] is None:
        notes.append("`tree_sd` missing")
    else:
        tsd = as_array("tree_sd", a["tree_sd"], (pc,))
        if np.all(np.abs(tsd) <= TOL_TREE_SD):
            parts.append(0.2)
        else:
            notes.append("`tree_sd` is not what repeated TreeSHAP calls give")
            hint = hint or "Call the TreeExplainer 10 times and take the sd over the calls."
    if a["kernel_rmse"] is None:
        notes.append("`kernel_rmse` missing")
        return _score(parts, notes, hint)
    rmse = as_array("kernel_rmse", a["kernel_rmse"], (len(ref.nsamples),))
    if close(rmse, ref.ref_kernel_rmse, TOL_KERNEL * 10):
        parts.append(0.4)
    else:
        own = _own_rmse(a, ref, tree)
        if own is not None and close(rmse, own, TOL_KERNEL * 10) and np.all(np.diff(rmse) < 0):
            parts.append(0.2)
            notes.append("`kernel_rmse` is right for your own values, which are not right")
        else:
            notes.append("`kernel_rmse` does not match")
            hint = hint or ("kernel_rmse[i] = sqrt(mean over the 10 repeats and 20 features of "
                            "(kernel_values[i] - tree_values) ** 2).")
    return _score(parts, notes, hint)


def _own_rmse(a, ref, tree):
    try:
        kv = as_array("kernel_values", a.get("kernel_values"),
                      (len(ref.nsamples), len(ref.kernel_seeds), ref.X_credit.shape[1]))
    except (AnswerFormatError, TypeError):
        return None
    return ref.kernel_rmse(kv, ref.ref_tree if tree is None else tree)


# --- q6: German credit ----------------------------------------------------------------------

def check_q6(a, ref):
    names = ref.credit_names
    pc = len(names)
    parts, notes, hint = [], [], None
    ci = top = None
    if a["credit_ci"] is None:
        notes.append("`credit_ci` missing")
    else:
        ci = as_array("credit_ci", a["credit_ci"], (pc, 2))
        if close(ci, ref.ref_credit_ci, TOL_PI):
            parts.append(0.4)
        else:
            notes.append("`credit_ci` does not reproduce the stated bootstrap")
            hint = ("As in q1 with the credit settings: rows of X_CREDIT resampled with "
                    "default_rng(CREDIT_BOOT_SEED).integers(0, 300, size=(CREDIT_N_BOOT, 300)), "
                    "n_repeats=CREDIT_N_REPEATS, random_state=CREDIT_PI_SEED, "
                    "scoring='roc_auc'; 95 % percentile interval.")
    if a["credit_top"] is None:
        notes.append("`credit_top` missing")
    else:
        top = _names("credit_top", a["credit_top"], ref.credit_top, names)
        if top == ref.ref_credit_top:
            parts.append(0.3)
        elif set(top) == set(ref.ref_credit_top):
            parts.append(0.15)
            notes.append("`credit_top` names the right features in the wrong order")
            hint = hint or "Largest point estimate first."
        else:
            notes.append("`credit_top` is not the top of the point estimates")
            hint = hint or ("Point estimate: permutation_importance on all of X_CREDIT with "
                            "n_repeats=CREDIT_N_REPEATS, random_state=CREDIT_PI_SEED, "
                            "scoring='roc_auc'.")
    if a["overlap_pairs"] is None:
        notes.append("`overlap_pairs` missing")
        return _score(parts, notes, hint)
    pairs = a["overlap_pairs"]
    if isinstance(pairs, np.ndarray):
        pairs = pairs.tolist()
    if not isinstance(pairs, (list, tuple)):
        raise AnswerFormatError("`overlap_pairs` should be a list of [name, name] pairs.")
    got = {frozenset(_names("overlap_pairs[i]", q, 2, names)) for q in pairs}
    want = {frozenset(q) for q in ref.ref_overlap_pairs}
    if got == want:
        parts.append(0.3)
    else:
        own = None
        if ci is not None and top is not None:
            own = {frozenset(q) for q in overlapping_pairs(top, ci, names)}
        if own is not None and got == own:
            parts.append(0.15)
            notes.append("`overlap_pairs` follows your own intervals / top five, which are "
                         "not right")
        elif not got:
            notes.append("no pair declared overlapping")
            hint = hint or ("Different point estimates do not make a ranking: compare the "
                            "intervals of every pair of the top five.")
        elif any(not set(q) <= set(ref.ref_credit_top) for q in got):
            notes.append("`overlap_pairs` has pairs outside the top five")
            hint = hint or "Only pairs of the five features of credit_top."
        else:
            notes.append("`overlap_pairs` is not the set of pairs whose intervals overlap")
            hint = hint or ("Two intervals overlap when max(lows) <= min(highs); check all 10 "
                            "pairs of the top five.")
    return _score(parts, notes, hint)
