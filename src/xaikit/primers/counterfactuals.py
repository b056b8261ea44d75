"""Primer ``counterfactuals``: counterfactual explanations and recourse.

Prepares for the exercise ``counterfactuals`` (``exercises/04_counterfactuals.ipynb``) on other
data and another model: scikit-learn's bundled **diabetes** data (442 patients, Efron et al.
2004), in raw clinical units, and a **logistic regression** that flags a patient as *high
progression* when its probability that the disease-progression score one year later exceeds
140 is at least 0.5. Six baseline features: ``age`` (years), ``sex`` (coded 1 or 2), ``bmi``
(kg/m²), ``bp`` (average blood pressure, mmHg), ``hdl`` (HDL cholesterol, mg/dL) and ``ltg``
(log of serum triglycerides, log units).

Recourse rules of the primer: ``age`` and ``sex`` are immutable; ``bmi``, ``bp`` and ``ltg`` may
only decrease, ``hdl`` may only increase, all within the range observed in the data. The
distance is the L1 distance with each feature divided by its median absolute deviation (MAD)
over the training rows, a MAD of 0 counting as 1 (Wachter et al. 2017). A search moves one
feature at a time on a grid of ``STEPS`` (raw units) away from the patient's value.

The self-checks (``cf1`` ... ``cf5``) recompute their answers from this context; their
feedback never shows the expected value. An illustration of a method, not medical advice:
the model's coefficients are associations in 442 patients, not effects of treatment.

References
----------
Wachter, S., Mittelstadt, B. & Russell, C. (2017). Counterfactual explanations without opening
the black box: automated decisions and the GDPR. Harvard Journal of Law & Technology 31(2).
Ustun, B., Spangher, A. & Liu, Y. (2019). Actionable recourse in linear classification.
FAT* 2019.
Mothilal, R. K., Sharma, A. & Tan, C. (2020). Explaining machine learning classifiers through
diverse counterfactual explanations. FAT* 2020 (DiCE).
Molnar, C. (2022). Interpretable Machine Learning, 2nd ed., ch. "Counterfactual Explanations".
Efron, B., Hastie, T., Johnstone, I. & Tibshirani, R. (2004). Least angle regression. Annals
of Statistics 32(2) (the diabetes data).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from xaikit.exercises.framework import (AnswerFormatError, Question, as_float, correct,
                                        incorrect)
from xaikit.primers import Primer, choice_check

#: the model's features, in column order
FEATURES = ("age", "sex", "bmi", "bp", "hdl", "ltg")
#: unit of each feature (raw values, as in ``load_diabetes(scaled=False)``)
UNITS = {"age": "years", "sex": "code 1 or 2", "bmi": "kg/m²", "bp": "mmHg",
         "hdl": "mg/dL", "ltg": "log units"}
#: what a patient may do with each feature ("none" = immutable)
RULES = {"age": "none", "sex": "none", "bmi": "decrease", "bp": "decrease",
         "hdl": "increase", "ltg": "decrease"}
#: grid step of each feature in the search (raw units)
STEPS = {"age": 1.0, "sex": 1.0, "bmi": 0.1, "bp": 1.0, "hdl": 1.0, "ltg": 0.01}
#: flagged "high progression" when P(score > CUTOFF) >= THRESHOLD
THRESHOLD = 0.5
CUTOFF = 140
#: a valid counterfactual within this of the threshold is fragile (as in the exercise)
FRAGILE_MARGIN = 0.01
#: the worked example's patient and the self-checks' patient (row labels of load_diabetes)
PATIENT_P = 3
PATIENT_Q = 415
#: the candidate counterfactual of patient Q in cf1 and cf3: raw changes
CANDIDATE_CHANGES = {"bmi": -2.5, "hdl": 8.0, "ltg": -0.30}


def mad_scale(X) -> np.ndarray:
    """Median absolute deviation of each column of ``X`` (raw units), 0 replaced by 1.

    Parameters
    ----------
    X : array-like of shape (n_rows, n_features)

    Returns
    -------
    ndarray of shape (n_features,)
    """
    A = np.asarray(X, dtype=float)
    mad = np.median(np.abs(A - np.median(A, axis=0)), axis=0)
    return np.where(mad > 0, mad, 1.0)


@dataclass
class CounterfactualPrimerContext:
    """The primer's data, model and patients.

    Attributes
    ----------
    model : sklearn.pipeline.Pipeline
        ``StandardScaler`` + ``LogisticRegression``; class 1 = high progression.
    X_train, X_test : pandas.DataFrame
        Raw features ``FEATURES`` (309 and 133 rows), index = row of ``load_diabetes``.
    y_train, y_test : pandas.Series
        1 when the progression score one year later exceeds ``CUTOFF``.
    low, high : pandas.Series
        Range of each feature over all 442 patients (raw units).
    """

    model: object
    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series
    low: pd.Series
    high: pd.Series

    features = FEATURES
    units = UNITS
    rules = RULES
    steps = STEPS
    threshold = THRESHOLD

    @property
    def patient_p(self) -> pd.Series:
        """The worked example's patient (raw values)."""
        return self.X_test.loc[PATIENT_P]

    @property
    def patient_q(self) -> pd.Series:
        """The self-checks' patient (raw values)."""
        return self.X_test.loc[PATIENT_Q]

    @property
    def candidate(self) -> pd.Series:
        """A counterfactual of patient Q that changes three features (cf1, cf3)."""
        c = self.patient_q.copy()
        for f, d in CANDIDATE_CHANGES.items():
            c[f] = c[f] + d
        return c

    def p_high(self, X) -> np.ndarray:
        """Probability of high progression of each row of ``X`` (raw values)."""
        X = pd.DataFrame(np.atleast_2d(np.asarray(X, dtype=float)), columns=list(FEATURES))
        return self.model.predict_proba(X)[:, 1]

    # --- references of the self-checks (computed, never shown) ---------------------------

    @cached_property
    def mad(self) -> np.ndarray:
        return mad_scale(self.X_train)

    def grid(self, name, value, free=False) -> np.ndarray:
        """Values of one feature the search tries: steps of ``STEPS[name]`` away from
        ``value`` in the allowed direction (both when ``free``), plus the range's bound;
        ``sex`` only takes the other code, and only when ``free``."""
        lo, hi = float(self.low[name]), float(self.high[name])
        if name == "sex":
            return np.array([3.0 - value]) if free else np.empty(0)
        rule = RULES[name]
        ways = ("decrease", "increase") if free else ((rule,) if rule != "none" else ())
        parts = []
        for way in ways:
            room = value - lo if way == "decrease" else hi - value
            n = int(np.floor(max(room, 0) / STEPS[name] + 1e-9))
            sign = -1 if way == "decrease" else 1
            parts.append(np.append(value + sign * STEPS[name] * np.arange(1, n + 1),
                                   lo if way == "decrease" else hi))
        if not parts:
            return np.empty(0)
        vals = np.unique(np.concatenate(parts))
        return vals[np.abs(vals - value) > 1e-9]

    def single_flips(self, x, free=False) -> pd.DataFrame:
        """Cheapest valid change of each single feature (MAD distance), one row per feature
        that can flip the decision."""
        x = np.asarray(x, dtype=float)
        rows = []
        for j, f in enumerate(FEATURES):
            vals = self.grid(f, x[j], free)
            if len(vals) == 0:
                continue
            C = np.repeat(x[None], len(vals), axis=0)
            C[:, j] = vals
            p = self.p_high(C)
            ok = p < THRESHOLD
            if not ok.any():
                continue
            raw = np.abs(C[ok] - x).sum(axis=1)
            mads = (np.abs(C[ok] - x) / self.mad).sum(axis=1)
            i = int(np.argmin(mads))          # one feature moves: the same row as argmin(raw)
            rows.append({"feature": f, "value": C[ok][i, j], "p_high": p[ok][i],
                         "mads": mads[i], "raw": raw[i]})
        return pd.DataFrame(rows)


def build_context() -> CounterfactualPrimerContext:
    """Load the diabetes data, split it 70/30 (stratified, seed 0) and fit the model
    (about 0.1 s)."""
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data = load_diabetes(scaled=False, as_frame=True)
    X = data.data.rename(columns={"s3": "hdl", "s5": "ltg"})[list(FEATURES)].astype(float)
    y = (data.target > CUTOFF).astype(int).rename("high")
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0,
                                                        stratify=y)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_train, y_train)
    return CounterfactualPrimerContext(model, X_train, X_test, y_train, y_test,
                                       X.min(), X.max())


# --- checks --------------------------------------------------------------------------------

def _distance(ctx, scale) -> float:
    return float(np.sum(np.abs(ctx.candidate.to_numpy(float) - ctx.patient_q.to_numpy(float))
                        / scale))


def check_cost(a, ctx):
    """cf1: the candidate's MAD-weighted L1 distance from patient Q (MADs)."""
    v = as_float("candidate_cost", a["candidate_cost"])
    ref = _distance(ctx, ctx.mad)
    if abs(v - ref) <= 0.01:
        return correct(f"Correct: {v:.2f} MADs.")
    if abs(v - _distance(ctx, 1.0)) <= 0.01:
        return incorrect("That is the L1 distance in raw units, which adds kg/m², mg/dL and "
                         "log units.", "Divide each feature's change by its MAD before "
                         "adding: `np.sum(np.abs(cand - xq) / mad)`.")
    if abs(v - _distance(ctx, ctx.X_train.std().to_numpy())) <= 0.01:
        return incorrect("That scales by the standard deviation.",
                         "Wachter et al. scale by the median absolute deviation (MAD), the "
                         "`mad` of the worked example.")
    return incorrect(f"{v:.3g} is not the candidate's distance.",
                     "Sum over the six features of |candidate - patient| / MAD; unchanged "
                     "features add 0.")


def check_q_distance(a, ctx):
    """cf2: patient Q's cheapest valid single-feature counterfactual under the rules (MADs)."""
    v = as_float("q_distance", a["q_distance"])
    held = ctx.single_flips(ctx.patient_q)
    ref = float(held["mads"].min())
    if abs(v - ref) <= 0.01:
        return correct(f"Correct: {v:.2f} MADs.")
    free = ctx.single_flips(ctx.patient_q, free=True)
    if abs(v - float(free["mads"].min())) <= 0.01:
        return incorrect("That is the cheapest flip without the rules: it changes an "
                         "immutable feature.", "Search only the features the rules let "
                         "move, in their allowed direction (`free=False`).")
    best = held.loc[held["mads"].idxmin()]
    if abs(v - float(best["raw"])) <= 0.01 or abs(v - float(held["raw"].min())) <= 0.01:
        return incorrect("That is a distance in raw units.",
                         "Rank and report the options by their MAD-weighted distance.")
    by_raw = held.loc[held["raw"].idxmin()]
    if by_raw["feature"] != best["feature"] and abs(v - float(by_raw["mads"])) <= 0.01:
        return incorrect("That option is the cheapest in raw units, not in MADs.",
                         "Pick the feature with the smallest MAD-weighted distance.")
    one_short = ref - STEPS[best["feature"]] / ctx.mad[FEATURES.index(best["feature"])]
    if abs(v - one_short) <= 0.01:
        return incorrect("That change stops one grid step short: the decision does not flip.",
                         "Keep only grid values whose P(high) is below the threshold 0.5.")
    return incorrect(f"{v:.3g} MADs is not the cheapest valid single-feature change of Q.",
                     "Run the worked example's `single_flips` on patient Q with the rules and "
                     "take the smallest distance.")


def needless_reference(ctx) -> list:
    """Changed features of the candidate whose reset alone keeps the decision flipped."""
    x = ctx.patient_q.to_numpy(float)
    c = ctx.candidate.to_numpy(float)
    out = []
    for j in np.flatnonzero(np.abs(c - x) > 1e-9):
        back = c.copy()
        back[j] = x[j]
        if ctx.p_high(back)[0] < THRESHOLD:
            out.append(FEATURES[j])
    return out


def check_needless(a, ctx):
    """cf3: the candidate's needless changes (list of feature names, [] when all needed)."""
    v = a["needless_changes"]
    if isinstance(v, str):
        v = [v]
    if isinstance(v, np.ndarray):
        v = v.tolist()
    if not isinstance(v, (list, tuple)) or not all(isinstance(s, str) for s in v):
        raise AnswerFormatError("`needless_changes` should be a list of feature names, e.g. "
                                "['bp'], or [] when every change is needed.")
    got = {s.strip() for s in v}
    unknown = got - set(FEATURES)
    if unknown:
        raise AnswerFormatError(f"`needless_changes` names unknown features {sorted(unknown)}; "
                                f"the features are {', '.join(FEATURES)}.")
    ref = set(needless_reference(ctx))
    if got == ref:
        return correct()
    changed = set(CANDIDATE_CHANGES)
    if got - changed:
        return incorrect("A feature the candidate does not change cannot be a needless change.",
                         "Only the three changed features are candidates.")
    if got >= changed:
        return incorrect("Not every change can be needless: without all of them the patient "
                         "is still flagged.", "Reset ONE changed feature at a time.")
    return incorrect("Not that set.", "Reset one changed feature at a time to Q's value and "
                     "recompute P(high): a change is needless when the patient stays below "
                     "0.5 without it.")


QUESTIONS = (
    Question("cf1", "the cost of a counterfactual, in MADs", "auto", 1, "junior", 2,
             answers=("candidate_cost",), check=check_cost,
             hints=("Divide each change by its feature's MAD, then add the absolute values.",)),
    Question("cf2", "the cheapest valid counterfactual of patient Q", "auto", 1, "mid", 3,
             answers=("q_distance",), check=check_q_distance,
             hints=("Use `single_flips(xq)` (the rules on) and take the smallest distance.",)),
    Question("cf3", "which changes are needed", "auto", 1, "mid", 2,
             answers=("needless_changes",), check=check_needless,
             hints=("Reset one changed feature at a time and recompute the decision.",)),
    Question("cf4", "validity", "auto", 1, "junior", 1, answers=("answer_cf4",),
             check=choice_check("answer_cf4", "a", {
                 "b": "0.497 is below 0.5: the decision flips. It is fragile (within 0.01 of "
                      "the threshold), so report it with that caveat, but it is valid.",
                 "c": "Validity is about the decision only. This one flips it; being far from "
                      "real patients makes it implausible, not invalid.",
                 "d": "This one flips the decision and respects the rules; needing two "
                      "changes is fine when both are needed."}),
             hints=("A patient is flagged when P(high) >= 0.5.",)),
    Question("cf5", "a diverse set", "auto", 1, "mid", 1, answers=("answer_cf5",),
             check=choice_check("answer_cf5", "c", {
                 "a": "Three values of the same feature, 1 mg/dL apart: one option said three "
                      "times (DiCE's diversity term would be close to 0).",
                 "b": "Cheap and varied, but changing sex is not recourse: it is immutable.",
                 "d": "Diverse, but the second option's bp change is needless: resetting it "
                      "keeps the flip, so it is the first option plus an extra change."}),
             hints=("Diverse = different sets of changed features, far apart, each one a "
                    "valid, feasible, needed, plausible counterfactual.",)),
)

PRIMER = Primer(
    id="counterfactuals",
    title="Counterfactual explanations and recourse",
    exercise="counterfactuals",
    notebook="counterfactuals.ipynb",
    minutes=18,
    questions=QUESTIONS,
    build_context=build_context,
)
