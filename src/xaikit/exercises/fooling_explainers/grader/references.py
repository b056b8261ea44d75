"""References of ``fooling_explainers``: LIME and KernelSHAP under the notebook's protocol,
the flip tests, the domain-classifier shares, and the grader's context (:class:`References`).
"""
from __future__ import annotations

from functools import cached_property

import numpy as np

from xaikit.exercises.fooling_explainers.public import (CONTROLS, FEMALE_CODE, MALE_FLIP_CODE,
                                                       SENSITIVE, VERDICTS)
from xaikit.exercises.framework import ReferenceContext
from xaikit.fooling import record_calls

from .scaffold import innocuous_feature, materialise  # noqa: F401  (materialise: the framework)


def lime_explainer(ctx, seed: int):
    """A fresh ``LimeTabularExplainer`` as the notebook states: ``X_train`` as floats, the
    dataset's categorical columns and names, class names, quartile discretiser
    (``discretize_continuous=True``), default kernel width, ``random_state=seed``.
    Ribeiro, Singh & Guestrin (2016), "Why should I trust you?", KDD."""
    from lime.lime_tabular import LimeTabularExplainer

    d = ctx.dataset
    return LimeTabularExplainer(
        ctx.X_train.to_numpy(float), mode="classification", feature_names=ctx.feature_names,
        categorical_features=d.categorical_indices, categorical_names=d.categorical_names,
        class_names=list(d.target_names), discretize_continuous=True, random_state=seed)


def lime_run(ctx, row, *, seed=None, num_samples=None):
    """LIME for one row (a fresh explainer): ``(weights (20,) in feature order, samples)``,
    ``samples`` = the rows LIME passed to the model, shape (num_samples, 20) (row 0 is the
    explained row itself)."""
    seed = ctx.lime_seed if seed is None else seed
    num_samples = ctx.lime_samples if num_samples is None else num_samples
    rec = record_calls(ctx.model.predict_proba)
    exp = lime_explainer(ctx, seed).explain_instance(
        np.asarray(row, float), rec, num_features=len(ctx.feature_names),
        num_samples=num_samples, labels=(1,))
    w = np.zeros(len(ctx.feature_names))
    for j, v in exp.as_map()[1]:
        w[j] = v
    return w, rec.rows


def kernel_shap(ctx, row, *, seed=None, nsamples=None, background=None) -> np.ndarray:
    """KernelSHAP values of P(bad) for one row, shape (20,), probability scale:
    ``shap.KernelExplainer(lambda X: model.predict_proba(X)[:, 1], background)`` (default:
    the one-row training mean), ``np.random.seed(seed)`` then
    ``shap_values(row (1, 20), nsamples=..., l1_reg=False, silent=True)``.
    Lundberg & Lee (2017), "A unified approach to interpreting model predictions", NeurIPS."""
    import shap

    seed = ctx.shap_seed if seed is None else seed
    nsamples = ctx.shap_samples if nsamples is None else nsamples
    bg = ctx.background.to_numpy(float) if background is None else np.asarray(background, float)
    model = ctx.model
    e = shap.KernelExplainer(lambda X: model.predict_proba(X)[:, 1], bg)
    np.random.seed(seed)
    sv = e.shap_values(np.asarray(row, float)[None, :], nsamples=nsamples, l1_reg=False,
                       silent=True)
    return np.asarray(sv, float).reshape(-1)


def share_of(values, j) -> float:
    """|attribution of feature j| / sum of |attributions| (0 when all are 0)."""
    a = np.abs(np.asarray(values, float))
    return float(a[j] / a.sum()) if a.sum() > 0 else 0.0


def flip(X, feature):
    """``X`` with only ``feature`` flipped: the sensitive one women (code 1) -> male single
    (code 2) and every other code -> 1; a binary control 0 <-> 1."""
    Z = X.copy()
    x = Z[feature].to_numpy(float)
    if feature == SENSITIVE:
        Z[feature] = np.where(x == FEMALE_CODE, MALE_FLIP_CODE, FEMALE_CODE)
    else:
        Z[feature] = 1.0 - x
    return Z


def flip_rate(model, X, feature) -> float:
    """Share of the rows of ``X`` whose decision (P(bad) >= 0.5) changes under :func:`flip`."""
    return float(np.mean(model.predict(X) != model.predict(flip(X, feature))))


def domain_classifier(real, samples, seed: int, n: int = 300) -> tuple:
    """Real-vs-perturbed classifier (a classifier two-sample test), the notebook's recipe:
    ``n`` rows drawn from ``samples`` with ``default_rng(seed).choice(len, n, replace=False)``
    (label 1) against the rows ``real`` (label 0);
    ``cross_val_predict(RandomForestClassifier(n_estimators=50, random_state=seed, n_jobs=1),
    cv=StratifiedKFold(5, shuffle=True, random_state=seed))``. Returns the out-of-fold share
    of the drawn samples and of the real rows predicted as perturbed.
    Lopez-Paz & Oquab (2017), "Revisiting classifier two-sample tests", ICLR; the detector of
    Slack et al. (2020)."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    real = np.asarray(real, float)
    samples = np.asarray(samples, float)
    fake = samples[np.random.default_rng(seed).choice(len(samples), n, replace=False)]
    A = np.vstack([real, fake])
    y = np.r_[np.zeros(len(real)), np.ones(n)]
    pred = cross_val_predict(RandomForestClassifier(n_estimators=50, random_state=seed,
                                                    n_jobs=1), A, y,
                             cv=StratifiedKFold(5, shuffle=True, random_state=seed))
    return float(pred[len(real):].mean()), float(pred[:len(real)].mean())


class References(ReferenceContext):
    """The public context plus the references of the questions (computed once, cached)."""

    @cached_property
    def ref_lime(self) -> list:
        """``[(weights, samples)]`` per audit row."""
        return [lime_run(self, self.X_audit.loc[r]) for r in self.audit_rows]

    @cached_property
    def ref_shap(self) -> np.ndarray:
        """KernelSHAP values, shape (5, 20), probability scale."""
        return np.array([kernel_shap(self, self.X_audit.loc[r]) for r in self.audit_rows])

    @cached_property
    def ref_q1(self) -> dict:
        names = self.feature_names
        j = names.index(SENSITIVE)
        lime = np.array([w for w, _ in self.ref_lime])
        return {"lime_weights": lime, "shap_values": self.ref_shap,
                "lime_top": [names[int(np.argmax(np.abs(w)))] for w in lime],
                "shap_top": [names[int(np.argmax(np.abs(s)))] for s in self.ref_shap],
                "sensitive_share": np.array([[share_of(w, j) for w in lime],
                                             [share_of(s, j) for s in self.ref_shap]])}

    @cached_property
    def ref_flip_rates(self) -> dict:
        return {f: flip_rate(self.model, self.X_test, f) for f in (SENSITIVE,) + CONTROLS}

    @cached_property
    def lime_samples_all(self) -> np.ndarray:
        """The 5 x lime_samples rows LIME passed to the model for the audit rows."""
        return np.vstack([s for _, s in self.ref_lime])

    @cached_property
    def ref_ood(self) -> dict:
        lime, real = domain_classifier(self.X_test, self.lime_samples_all, self.ood_seed)
        return {"ood_share_lime": lime, "ood_share_real": real}

    @property
    def ref_verdict(self) -> str:
        return VERDICTS[1]

    @property
    def innocuous(self) -> str:
        """The planted innocuous feature (the truth; never shown in feedback)."""
        return innocuous_feature(self.variant)


def reference_context(ctx) -> References:
    return References(ctx)
