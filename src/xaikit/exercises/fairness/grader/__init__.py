"""Grader part of ``fairness``: checks, hints and rubrics (references in :mod:`.references`).

Never shipped to candidates. Every check recomputes from the same variant's data, model and
audit rows; where the candidate's own predictions feed a metric, the metric is recomputed from
those predictions. Tolerances are calibrated in ``tests/test_calibration_fairness.py``.
"""
from __future__ import annotations

import numpy as np

from xaikit.exercises.framework import (AnswerFormatError, Rubric, as_array, as_float, close,
                                        correct, field_of, incorrect, partial)

from .references import (GROUPS, References, bootstrap_dp, gap_decomposition, group_metrics,
                         proxy_aucs, reference_context)
from .rubrics import RUBRICS

__all__ = ["GROUPS", "References", "bootstrap_dp", "gap_decomposition", "group_metrics",
           "proxy_aucs", "reference_context", "CHECKS", "HINTS", "RUBRICS"]

#: rates, differences, ratios and AUCs recomputed from the same 0/1 predictions: only the
#: order of float64 summation differs between fairlearn, pandas and numpy (~1e-16).
TOL_EXACT = 1e-12
#: bootstrap bounds under the stated protocol: exact up to summation order (fractions).
TOL_BOOT = 1e-9
#: a bootstrap by another legitimate route (other resampling stream, a normal approximation):
#: within this of the protocol's bounds earns partial credit (calibrated: other seeds differ by
#: up to ~0.012, a wrong statistic by > 0.05).
TOL_BOOT_ROUTE = 0.025
#: SHAP values and margins: XGBoost computes them in float32; group means of 1000-2000 rows
#: in float32 vs float64 differ by < 1e-6 log-odds.
TOL_SHAP = 1e-5
#: q7: mitigated accuracy may fall short of the reference ThresholdOptimizer's by this much
#: (other legitimate randomisation seeds / fit rows: < 0.01); trivial constant predictions
#: that meet the bound cost > 0.08.
TOL_MITIGATION_ACC = 0.02


def _binary(name, value, n):
    arr = as_array(name, value, (n,))
    if not np.all((arr == 0) | (arr == 1)):
        raise AnswerFormatError(f"`{name}` should hold 0/1 predictions, one per audit row.")
    return arr.astype(int)


def _rates(name, value, groups):
    return np.array([as_float(f"{name}['{g}']", field_of(name, value, g)) for g in groups])


def check_q1(a, ref: References):
    n = len(ref.audit_rows)
    yp = _binary("y_pred", a["y_pred"], n)
    if not np.array_equal(yp, ref.ref_y_pred):
        if np.array_equal(yp, ref.y_true):
            return incorrect("`y_pred` holds the true labels, not the model's decisions.",
                             "y_pred = (model.predict_proba(X_audit)[:, 1] >= THRESHOLD).")
        if np.array_equal(yp, 1 - ref.ref_y_pred):
            return incorrect("`y_pred` is the other class.", "Class 1 = income > 50K.")
        return incorrect("`y_pred` is not the model's decision on the audit rows.",
                         "X_test.loc[AUDIT_ROWS] (labels, in that order), then "
                         "predict_proba(...)[:, 1] >= THRESHOLD.")
    m = ref.metrics("sex")
    sr = _rates("selection_rates", a["selection_rates"], GROUPS["sex"])
    want = np.array([m["selection_rates"][g] for g in GROUPS["sex"]])
    notes, hint, score = [], None, 0.25
    if close(sr, want, TOL_EXACT):
        score += 0.25
    else:
        truth = ref.metrics("sex", ref.y_true)["selection_rates"]
        notes.append("`selection_rates` are not the groups' rates of positive decisions")
        hint = ("These are the groups' base rates: a selection rate is the share of "
                "PREDICTED positives." if close(sr, [truth[g] for g in GROUPS["sex"]],
                                                TOL_EXACT) else
                "selection rate of a group = mean of y_pred over its rows.")
    if a["dp_difference"] is not None:
        d = as_float("dp_difference", a["dp_difference"])
        if abs(d - m["dp_difference"]) <= TOL_EXACT:
            score += 0.25
        else:
            notes.append("`dp_difference` is off")
            hint = hint or ("Demographic-parity difference = max - min selection rate (>= 0)."
                            if abs(d + m["dp_difference"]) <= TOL_EXACT else
                            "fairlearn.metrics.demographic_parity_difference(y_true, y_pred, "
                            "sensitive_features=...).")
    else:
        notes.append("`dp_difference` missing")
    if a["dp_ratio"] is not None:
        r = as_float("dp_ratio", a["dp_ratio"])
        if abs(r - m["dp_ratio"]) <= TOL_EXACT:
            score += 0.25
        else:
            notes.append("`dp_ratio` is off")
            hint = hint or ("The disparate-impact ratio is min / max (<= 1), not max / min."
                            if m["dp_ratio"] > 0 and abs(r - 1 / m["dp_ratio"]) <= 1e-9 else
                            "fairlearn.metrics.demographic_parity_ratio(...).")
    else:
        notes.append("`dp_ratio` missing")
    if score >= 1 - 1e-9:
        return correct()
    return partial(score, "; ".join(notes) + ".", hint)


def check_q2(a, ref: References):
    yp = _own_pred(a, ref)
    m = ref.metrics("sex", yp)
    score, notes, hint = 0.0, [], None
    for name in ("tpr", "fpr"):
        if a[name] is None:
            notes.append(f"`{name}` missing")
            continue
        got = _rates(name, a[name], GROUPS["sex"])
        if close(got, [m[name][g] for g in GROUPS["sex"]], TOL_EXACT):
            score += 0.35
        else:
            notes.append(f"`{name}` is off")
            other = "fpr" if name == "tpr" else "tpr"
            prec = _precision(ref, yp)
            if close(got, [m[other][g] for g in GROUPS["sex"]], TOL_EXACT):
                hint = "TPR and FPR are swapped."
            elif name == "tpr" and close(got, prec, TOL_EXACT):
                hint = ("That is precision: TPR = recall = P(y_pred=1 | y=1); check the "
                        "argument order y_true, y_pred.")
            else:
                hint = hint or ("TPR = P(y_pred=1 | y=1), FPR = P(y_pred=1 | y=0), per group "
                                "(fairlearn.metrics.true_positive_rate / false_positive_rate).")
    if a["eo_difference"] is None:
        notes.append("`eo_difference` missing")
    else:
        e = as_float("eo_difference", a["eo_difference"])
        gaps = [abs(m[k]["Male"] - m[k]["Female"]) for k in ("tpr", "fpr")]
        if abs(e - m["eo_difference"]) <= TOL_EXACT:
            score += 0.3
        else:
            notes.append("`eo_difference` is off")
            hint = hint or ("Equalised-odds difference is the LARGER of the TPR gap and the "
                            "FPR gap (fairlearn's default), not their mean or the smaller."
                            if any(abs(e - g) <= TOL_EXACT for g in gaps + [np.mean(gaps)])
                            else "fairlearn.metrics.equalized_odds_difference(...).")
    if score >= 1 - 1e-9:
        return correct()
    return (partial(score, "; ".join(notes) + ".", hint) if score
            else incorrect("; ".join(notes) + ".", hint))


def _own_pred(a, ref):
    """The candidate's predictions when given and well-formed, else the reference's."""
    try:
        return _binary("y_pred", a.get("y_pred"), len(ref.audit_rows))
    except (AnswerFormatError, TypeError, ValueError):
        return ref.ref_y_pred


def _precision(ref, yp):
    s = ref.groups["sex"].to_numpy()
    return [float(ref.y_true[(s == g) & (yp == 1)].mean()) for g in GROUPS["sex"]]


def check_q3(a, ref: References):
    yp = _own_pred(a, ref)
    val = a["second_metrics"]
    keys = ("dp_difference", "dp_ratio", "eo_difference")
    got = np.array([as_float(f"second_metrics['{k}']", field_of("second_metrics", val, k))
                    for k in keys])
    attr = ref.second_attribute
    m = ref.metrics(attr, yp)
    ok = [abs(g - m[k]) <= TOL_EXACT for g, k in zip(got, keys)]
    if all(ok):
        return correct()
    others = [a2 for a2 in GROUPS if a2 != attr]
    for other in others:
        mo = ref.metrics(other, yp)
        if close(got, [mo[k] for k in keys], TOL_EXACT):
            return incorrect(f"These are the metrics of `{other}`, not of this variant's "
                             "second attribute.", "Use groups[SECOND_ATTRIBUTE].")
    if attr == "race":
        mr = ref.metrics("race_codes", yp)
        if close(got, [mr[k] for k in keys], TOL_EXACT):
            return incorrect("These compare all five race codes, not White vs non-White.",
                             "Use the binary column groups['race'].")
    hint = "fairlearn's three metrics with sensitive_features=groups[SECOND_ATTRIBUTE]."
    if any(ok):
        return partial(sum(ok) / 3, f"{sum(ok)} of 3 metrics right.", hint)
    return incorrect("None of the three metrics matches.", hint)


def check_q4(a, ref: References):
    ci = as_array("dp_ci", a["dp_ci"], (2, 2))
    yp = _own_pred(a, ref)
    want = ref.ref_dp_ci(yp)
    if close(ci, want, TOL_BOOT):
        return correct()
    if close(ci[::-1], want, TOL_BOOT):
        return incorrect("The rows are swapped.", "Row 0 = sex, row 1 = SECOND_ATTRIBUTE.")
    if np.any(ci[:, 0] > ci[:, 1]):
        return incorrect("A lower bound exceeds its upper bound.", "Columns: [2.5 %, 97.5 %].")
    point = np.array([ref.metrics(x, yp)["dp_difference"] for x in ("sex", ref.second_attribute)])
    if close(ci, want, TOL_BOOT_ROUTE):
        return partial(0.5, "Plausible intervals, but not the stated bootstrap protocol.",
                       "One generator np.random.default_rng(BOOT_SEED), idx = rng.integers(0, "
                       "n, size=(N_BOOT, n)), the same resamples for both attributes, "
                       "np.percentile(stats, [2.5, 97.5]).")
    if np.all((ci[:, 0] <= point) & (point <= ci[:, 1])):
        return incorrect("The intervals contain the estimates but are not the bootstrap "
                         "percentile intervals of the DP difference.",
                         "Resample whole rows (y_pred and groups together), recompute max - "
                         "min selection rate per resample.")
    return incorrect("The intervals do not match.",
                     "Bootstrap the demographic-parity difference (not a selection rate).")


def check_q5(a, ref: References):
    auc_all, per = ref.ref_proxy
    names = ref.feature_names
    score, notes, hint = 0.0, [], None
    if a["proxy_auc"] is None:
        notes.append("`proxy_auc` missing")
    else:
        v = as_float("proxy_auc", a["proxy_auc"])
        if abs(v - auc_all) <= TOL_EXACT:
            score += 0.4
        else:
            notes.append("`proxy_auc` is off")
            hint = ("That is 1 - AUC: score the probability of Female (class 1 = Female)."
                    if abs(v - (1 - auc_all)) <= TOL_EXACT else
                    "DecisionTreeClassifier(max_depth=PROXY_DEPTH, random_state=PROXY_SEED) "
                    "fitted on X_train with target (sex == 'Female'), AUC on the audit rows.")
    if a["proxy_feature_auc"] is None:
        notes.append("`proxy_feature_auc` missing")
    else:
        v = as_array("proxy_feature_auc", a["proxy_feature_auc"], (len(names),))
        if close(v, per, TOL_EXACT):
            score += 0.4
        else:
            notes.append("`proxy_feature_auc` is off")
            hint = hint or ("Some entries are 1 - AUC: always score P(Female)."
                            if close(np.maximum(v, 1 - v), np.maximum(per, 1 - per), TOL_EXACT)
                            else "The same tree, fitted on one column at a time, in X's "
                                 "column order.")
    if a["top_proxy"] is None:
        notes.append("`top_proxy` missing")
    else:
        t = a["top_proxy"]
        if not isinstance(t, str) or t not in names:
            raise AnswerFormatError(f"`top_proxy` should be one of {names}.")
        if t == names[int(np.argmax(per))]:
            score += 0.2
        else:
            notes.append("`top_proxy` is not the feature with the highest AUC alone")
            hint = hint or "The feature whose tree alone reaches the highest AUC."
    if score >= 1 - 1e-9:
        return correct()
    return (partial(score, "; ".join(notes) + ".", hint) if score
            else incorrect("; ".join(notes) + ".", hint))


def check_q6(a, ref: References):
    p = len(ref.feature_names)
    gap, contrib = ref.ref_gap
    g = None if a["margin_gap"] is None else as_float("margin_gap", a["margin_gap"])
    c = None if a["shap_gap"] is None else as_array("shap_gap", a["shap_gap"], (p,))
    if g is not None and c is not None and abs(g - gap) <= TOL_SHAP and close(c, contrib,
                                                                                TOL_SHAP):
        return correct("Correct: the contributions sum to the gap (local accuracy).")
    notes, hint, score = [], None, 0.0
    if g is None:
        notes.append("`margin_gap` missing")
    elif abs(g - gap) <= TOL_SHAP:
        score += 0.3
    else:
        notes.append("`margin_gap` is off")
        prob = ref.proba
        s = ref.groups["sex"].to_numpy()
        pgap = prob[s == "Male"].mean() - prob[s == "Female"].mean()
        hint = ("That gap is in probability; the question asks for log-odds (the margin)."
                if abs(g - pgap) <= 1e-6 else
                "Male minus Female, not the reverse." if abs(g + gap) <= TOL_SHAP else
                "mean of model.predict(X_audit, output_margin=True) over Male rows minus the "
                "mean over Female rows.")
    if c is None:
        notes.append("`shap_gap` missing")
    elif close(c, contrib, TOL_SHAP):
        score += 0.7
    else:
        notes.append("`shap_gap` is off")
        if close(c, -contrib, TOL_SHAP):
            hint = hint or "Male minus Female, not the reverse."
        elif g is not None and abs(c.sum() - g) > TOL_SHAP:
            hint = hint or ("Your contributions do not sum to your gap: by local accuracy they "
                            "must (same base value for every row, log-odds scale).")
        else:
            hint = hint or ("Per feature: mean SHAP value over Male rows minus over Female "
                            "rows, with shap.TreeExplainer(model) on the audit rows.")
    if score == 0:
        return incorrect("; ".join(notes) + ".", hint)
    return partial(score, "; ".join(notes) + ".", hint)


def check_q7(a, ref: References):
    n = len(ref.audit_rows)
    mp = _binary("mitigated_pred", a["mitigated_pred"], n)
    s = ref.groups["sex"].to_numpy()
    own = ref.metrics("sex", mp)
    yp = _own_pred(a, ref)
    cost = ref.accuracy(yp) - ref.accuracy(mp)
    notes, hint, score = [], None, 0.0
    if own["dp_difference"] > ref.dp_bound:
        eo = ref.mitigation("equalized_odds")
        hint = ("These look like an equalised-odds post-processing: the bound is on "
                "demographic parity." if np.array_equal(mp, eo) else
                "ThresholdOptimizer(constraints='demographic_parity', ...) with the stated "
                "protocol.")
        return incorrect("Your mitigated predictions do not meet the demographic-parity bound "
                         "on the audit rows.", hint)
    if ref.accuracy(mp) < ref.accuracy(ref.ref_mitigated) - TOL_MITIGATION_ACC:
        return incorrect("The bound is met, but at a much larger accuracy cost than the stated "
                         "ThresholdOptimizer's.",
                         "Fit ThresholdOptimizer (prefit=True, objective='accuracy_score') on "
                         "the MITIGATION_ROWS; constant predictions meet any bound.")
    score += 0.5
    if a["mitigated_dp"] is None:
        notes.append("`mitigated_dp` missing")
    elif abs(as_float("mitigated_dp", a["mitigated_dp"]) - own["dp_difference"]) <= TOL_EXACT:
        score += 0.25
    else:
        notes.append("`mitigated_dp` is not the DP difference of `mitigated_pred`")
        hint = "demographic_parity_difference of your mitigated predictions on the audit rows."
    if a["accuracy_cost"] is None:
        notes.append("`accuracy_cost` missing")
    else:
        v = as_float("accuracy_cost", a["accuracy_cost"])
        if abs(v - cost) <= TOL_EXACT:
            score += 0.25
        else:
            notes.append("`accuracy_cost` is not accuracy(y_pred) - accuracy(mitigated_pred)")
            hint = hint or ("Sign: the cost is accuracy before minus after (positive when "
                            "mitigation loses accuracy)." if abs(v + cost) <= TOL_EXACT else
                            "Accuracy against y_audit, in fractions, before minus after.")
    if score >= 1 - 1e-9:
        return correct()
    return partial(score, "; ".join(notes) + ".", hint)


CHECKS = {"q1": check_q1, "q2": check_q2, "q3": check_q3, "q4": check_q4, "q5": check_q5,
          "q6": check_q6, "q7": check_q7}

HINTS = {
    "q1": ("fairlearn.metrics.MetricFrame with selection_rate, sensitive_features=groups['sex'].",),
    "q2": ("true_positive_rate / false_positive_rate per group; equalized_odds_difference.",),
    "q3": ("The same metrics with sensitive_features=groups[SECOND_ATTRIBUTE].",),
    "q4": ("Resample rows with the stated generator; percentile interval of max - min.",),
    "q5": ("A decision tree predicting sex == 'Female' from the model's features.",),
    "q6": ("Group means of the SHAP values: Male minus Female, log-odds.",),
    "q7": ("fairlearn.postprocessing.ThresholdOptimizer, prefit, demographic parity.",),
}
