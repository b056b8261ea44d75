"""Tolerances and answer helpers shared by the checks of ``uncertainty`` (grader side)."""
from __future__ import annotations

import numpy as np

from xaikit.exercises.framework import AnswerFormatError, correct, incorrect, partial

#: permutation importances (increase of MSE, units of y²; decrease of ROC AUC): the protocol
#: fixes every seed, so a recomputation is bit-identical; this absorbs float noise only
#: (NumPy instead of DataFrame inputs, another summation order). Calibrated over 20 variants:
#: the NumPy route differs by 0.0; the mistakes (other seeds, repeat intervals) by >= 0.2
#: interval widths.
TOL_PI = 1e-7
#: MSE of the retrained models on the evaluation rows, units of y² (float summation only)
TOL_MSE = 1e-7
#: a bootstrap interval computed with another seed convention (e.g. one generator per
#: resample): how far its end points may sit from the reference, as a fraction of the
#: reference interval's width, for partial credit when it is the percentile interval of the
#: candidate's own resamples. Calibrated over 20 variants: other seeds move the ends by
#: <= 0.50 width. (Intervals from the repeats of one fit are recognised by recomputing them,
#: ``_repeat_intervals``: their width is comparable, so no band can tell them apart.)
TOL_CI_OTHER_SEEDS = 0.75
#: KernelSHAP values and their standard deviations, log-odds: same seeds -> bit-identical
#: (float noise of the weighted least squares only). Calibrated over 20 variants: a fresh
#: explainer on NumPy arrays differs by 0.0; ddof=0 instead of 1 moves the sd by >= 5e-4.
TOL_KERNEL = 1e-8
#: interventional TreeSHAP, log-odds (shap's C++ walk in float64 over float32 thresholds).
#: Calibrated: NumPy route 0.0; path-dependent TreeSHAP instead is >= 0.099 away.
TOL_TREE = 1e-6
#: "no Monte-Carlo error": the standard deviation of repeated TreeSHAP calls
TOL_TREE_SD = 1e-10
#: KernelSHAP sd measured with another seeding (np.random.seed once before the loops): the
#: ratio to the reference sd, per budget (feature means), within this factor for partial
#: credit. Calibrated (20 variants, budget 64): seeding once gives 0.59-1.18 x the reference
#: sd (an sd from 10 repeats is itself noisy: ~24 % per feature), so the band 1/2.5 .. 2.5
#: keeps a factor 1.2 of margin; one budget only, zeros from l1_reg and identical repeats
#: are recognised separately.
TOL_SD_RATIO = 2.5


# --- helpers --------------------------------------------------------------------------------

def _names(name, value, n, choices, *, distinct=True):
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or len(value) != n:
        raise AnswerFormatError(f"`{name}` should be a list of {n} column names.")
    value = [str(v) for v in value]
    unknown = sorted(set(value) - set(choices))
    if unknown:
        raise AnswerFormatError(f"`{name}` names unknown columns: {unknown[:3]}.")
    if distinct and len(set(value)) != n:
        raise AnswerFormatError(f"`{name}` should name {n} distinct columns.")
    return value


def _bools(name, value, n):
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or len(value) != n or \
            not all(isinstance(v, (bool, np.bool_)) for v in value):
        raise AnswerFormatError(f"`{name}` should be a list of {n} True/False values.")
    return [bool(v) for v in value]


def _score(parts, notes, hint, ok_text="Correct."):
    total = float(sum(parts))
    if total >= 1 - 1e-9:
        return correct(ok_text)
    text = "; ".join(notes) + "."
    return partial(total, text, hint) if total > 0 else incorrect(text, hint)
