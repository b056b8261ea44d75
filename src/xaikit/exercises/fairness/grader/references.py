"""References of ``fairness``: group metrics (fairlearn), the bootstrap of q4, the proxy
classifier, the SHAP decomposition of the gap and the ThresholdOptimizer of q7, gathered in the
grader's context (:class:`References`).
"""
from __future__ import annotations

from functools import cached_property

import numpy as np

from xaikit.exercises.framework import ReferenceContext

#: The two groups of each binary attribute, in the order used for "privileged - other":
#: gaps are (second label) - (first label), e.g. Male - Female.
GROUPS = {"sex": ("Female", "Male"), "race": ("non-White", "White"),
          "age_group": ("under 40", "40 and over")}


def group_metrics(y_true, y_pred, sensitive) -> dict:
    """Selection rate, TPR and FPR per group and the fairlearn summaries of a binary rule.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,), 0/1
    sensitive : array-like of shape (n,)
        Group labels (strings).

    Returns
    -------
    dict
        ``selection_rates``, ``tpr``, ``fpr`` (``{group: rate}``, fractions in [0, 1]),
        ``dp_difference`` (max - min selection rate), ``dp_ratio`` (min / max, the
        disparate-impact ratio), ``eo_difference`` (the larger of the TPR and FPR gaps): the
        summaries by fairlearn 0.15's own functions.

    References
    ----------
    fairlearn.metrics (Weerts et al. 2023, JMLR 24(257)); Hardt, Price & Srebro (2016),
    "Equality of opportunity in supervised learning" (equalised odds).
    """
    from fairlearn.metrics import (demographic_parity_difference, demographic_parity_ratio,
                                   equalized_odds_difference)

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    sensitive = np.asarray(sensitive)
    # per-group rates with numpy: the same numbers as fairlearn's selection_rate /
    # true_positive_rate / false_positive_rate in a MetricFrame (tests/test_calibration_fairness
    # compares them), at a fraction of MetricFrame's cost under pandas 3
    labels = [str(g) for g in np.unique(sensitive)]
    sr, tpr, fpr = {}, {}, {}
    for g in labels:
        m = sensitive == g
        sr[g] = float(y_pred[m].mean())
        tpr[g] = float(y_pred[m & (y_true == 1)].mean())
        fpr[g] = float(y_pred[m & (y_true == 0)].mean())
    kw = {"sensitive_features": sensitive}
    return {"selection_rates": sr, "tpr": tpr, "fpr": fpr,
            "dp_difference": float(demographic_parity_difference(y_true, y_pred, **kw)),
            "dp_ratio": float(demographic_parity_ratio(y_true, y_pred, **kw)),
            "eo_difference": float(equalized_odds_difference(y_true, y_pred, **kw))}


def bootstrap_dp(y_pred, attributes, *, n_boot: int, seed: int, level: float = 0.95):
    """Percentile bootstrap interval of the demographic-parity difference, per attribute.

    Protocol (the notebook's): ``idx = np.random.default_rng(seed).integers(0, n,
    size=(n_boot, n))``; resample ``b`` is the rows ``idx[b]`` (the same resamples for every
    attribute); the statistic is max - min selection rate over the two groups; the interval is
    ``np.percentile(stats, [2.5, 97.5])`` (linear interpolation).

    Parameters
    ----------
    y_pred : array-like of shape (n,), 0/1
    attributes : list of array-like of shape (n,)
        Group labels, two groups each.
    n_boot, seed : int
    level : float, default 0.95

    Returns
    -------
    ndarray of shape (len(attributes), 2)
        Lower and upper bounds (fractions).

    References
    ----------
    Efron & Tibshirani (1993), An Introduction to the Bootstrap, ch. 13 (percentile interval).
    """
    y_pred = np.asarray(y_pred, float)
    n = len(y_pred)
    idx = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))
    yb = y_pred[idx]
    alpha = 100 * (1 - level) / 2
    out = []
    for a in attributes:
        a = np.asarray(a)
        labels = np.unique(a)
        rates = []
        for g in labels:
            m = (a == g)[idx]
            rates.append((yb * m).sum(1) / m.sum(1))
        rates = np.array(rates)
        stats = rates.max(0) - rates.min(0)
        out.append(np.percentile(stats, [alpha, 100 - alpha]))
    return np.array(out)


def proxy_aucs(X_fit, s_fit, X_eval, s_eval, *, depth: int, seed: int, positive="Female"):
    """How well the features predict a protected attribute: ROC AUC of a decision tree.

    ``DecisionTreeClassifier(max_depth=depth, random_state=seed)`` fitted on ``X_fit`` to
    predict ``s_fit == positive``; AUC of its ``predict_proba[:, 1]`` against
    ``s_eval == positive`` on ``X_eval``. Once with every feature, once per single feature.

    Returns
    -------
    (float, ndarray of shape (n_features,))
        The AUC with all features, and each feature's AUC alone (column order of ``X_fit``).
    """
    from sklearn.metrics import roc_auc_score
    from sklearn.tree import DecisionTreeClassifier

    yf, ye = np.asarray(s_fit) == positive, np.asarray(s_eval) == positive

    def auc(cols):
        tree = DecisionTreeClassifier(max_depth=depth, random_state=seed)
        tree.fit(X_fit[cols], yf)
        return float(roc_auc_score(ye, tree.predict_proba(X_eval[cols])[:, 1]))

    cols = list(X_fit.columns)
    return auc(cols), np.array([auc([c]) for c in cols])


def gap_decomposition(shap_values, margin, sensitive, groups):
    """Gap in mean log-odds between two groups, and its split over features by SHAP.

    gap = mean(margin | groups[1]) - mean(margin | groups[0]); contribution of feature j =
    mean(phi_j | groups[1]) - mean(phi_j | groups[0]). By local accuracy (margin = base +
    sum_j phi_j, the base value the same for every row) the contributions sum to the gap.

    Parameters
    ----------
    shap_values : ndarray of shape (n, p), log-odds
    margin : ndarray of shape (n,), log-odds
    sensitive : array-like of shape (n,)
    groups : (str, str)

    Returns
    -------
    (float, ndarray of shape (p,))

    References
    ----------
    Lundberg et al. (2020), Nature Machine Intelligence 2, 56-67 (local accuracy); the
    group-mean form of Lundberg (2020), "Explaining quantitative measures of fairness"
    (shap documentation).
    """
    sv = np.asarray(shap_values, dtype=np.float64)
    m = np.asarray(margin, dtype=np.float64)
    s = np.asarray(sensitive)
    a, b = (s == groups[0]), (s == groups[1])
    return float(m[b].mean() - m[a].mean()), sv[b].mean(0) - sv[a].mean(0)


class References(ReferenceContext):
    """The public context plus the grader's references (attributes are delegated)."""

    @cached_property
    def proba(self) -> np.ndarray:
        return np.asarray(self.model.predict_proba(self.X_audit)[:, 1], dtype=np.float64)

    @cached_property
    def ref_y_pred(self) -> np.ndarray:
        return (self.proba >= self.threshold).astype(int)

    @cached_property
    def y_true(self) -> np.ndarray:
        return np.asarray(self.y_audit).astype(int)

    def metrics(self, attribute: str, y_pred=None) -> dict:
        """:func:`group_metrics` of ``y_pred`` (default: the reference) for ``attribute``
        (a column of ``groups``, or ``"race_codes"``: the five raw race codes); memoised."""
        y_pred = self.ref_y_pred if y_pred is None else np.asarray(y_pred).astype(int)
        key = (attribute, y_pred.tobytes())
        memo = self.__dict__.setdefault("_metrics_memo", {})
        if key not in memo:
            s = (self.dataset.frame.loc[self.audit_rows, "race"].to_numpy()
                 if attribute == "race_codes" else self.groups[attribute].to_numpy())
            memo[key] = group_metrics(self.y_true, y_pred, s)
        return memo[key]

    def ref_dp_ci(self, y_pred=None, seed=None) -> np.ndarray:
        y_pred = self.ref_y_pred if y_pred is None else y_pred
        attrs = [self.groups[a].to_numpy() for a in ("sex", self.second_attribute)]
        return bootstrap_dp(y_pred, attrs, n_boot=self.n_boot,
                            seed=self.boot_seed if seed is None else seed)

    @cached_property
    def train_sex(self) -> np.ndarray:
        from xaikit.fairness import protected_attributes

        return protected_attributes(self.dataset, self.X_train.index)["sex"].to_numpy()

    @cached_property
    def ref_proxy(self):
        """(AUC with all features, per-feature AUCs) of the stated tree, Female = 1."""
        return proxy_aucs(self.X_train, self.train_sex, self.X_audit,
                          self.groups["sex"].to_numpy(), depth=self.proxy_depth,
                          seed=self.proxy_seed)

    @cached_property
    def ref_shap(self) -> np.ndarray:
        """Path-dependent TreeSHAP values of the audit rows, (N_AUDIT, 10), log-odds.

        XGBoost's own ``pred_contribs`` (the exact TreeSHAP algorithm, which
        ``shap.TreeExplainer`` delegates to for XGBoost models) without the bias column; it
        skips shap's conversion of the trees. The calibration test compares both routes."""
        import xgboost

        contribs = self.model.get_booster().predict(xgboost.DMatrix(self.X_audit),
                                                    pred_contribs=True)
        return np.asarray(contribs[:, :-1], float)

    @cached_property
    def margin(self) -> np.ndarray:
        return np.asarray(self.model.predict(self.X_audit, output_margin=True), float)

    @cached_property
    def ref_gap(self):
        return gap_decomposition(self.ref_shap, self.margin, self.groups["sex"].to_numpy(),
                                 GROUPS["sex"])

    def mitigation(self, constraints: str = "demographic_parity") -> np.ndarray:
        """ThresholdOptimizer predictions on the audit rows under the notebook's protocol."""
        from fairlearn.postprocessing import ThresholdOptimizer

        from xaikit.fairness import Float64Proba, protected_attributes

        rows = self.mitigation_rows
        opt = ThresholdOptimizer(estimator=Float64Proba(self.model), constraints=constraints,
                                 objective="accuracy_score", prefit=True,
                                 predict_method="predict_proba")
        opt.fit(self.X_train.loc[rows], self.trained.y_train.loc[rows],
                sensitive_features=protected_attributes(self.dataset, rows)["sex"])
        return np.asarray(opt.predict(self.X_audit, sensitive_features=self.groups["sex"],
                                      random_state=self.mitigation_seed)).astype(int)

    @cached_property
    def ref_mitigated(self) -> np.ndarray:
        return self.mitigation("demographic_parity")

    def accuracy(self, y_pred) -> float:
        return float(np.mean(np.asarray(y_pred) == self.y_true))


def reference_context(ctx) -> References:
    """The grader's context for the public context ``ctx``."""
    return References(ctx)
