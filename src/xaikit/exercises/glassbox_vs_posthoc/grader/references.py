"""References of ``glassbox_vs_posthoc``: the EBMs the questions ask for (fitted as stated,
cached), their term contributions and shape functions, TreeSHAP of the boosted models, and the
grader's context (:class:`References`).
"""
from __future__ import annotations

import hashlib
import json
import os
from functools import cached_property

import numpy as np

from xaikit.exercises.framework import ReferenceContext
from xaikit.exercises.glassbox_vs_posthoc.public import SYN_FEATURES

from .truth import planted, true_shape


# --- the methods (reference implementations) -------------------------------------------------

def fit_ebm(X, y, params: dict, interactions, cache: bool = True):
    """``interpret.glassbox.ExplainableBoostingClassifier(**params, interactions=...)`` fitted
    on ``(X, y)``; cached with joblib in the private model cache (grader side: never packed).

    The key hashes the data (values, index and column names), the settings and interpret's
    version. With ``n_jobs=1`` and a fixed ``random_state`` the fit is bit-identical run to
    run (tests/test_glassbox_vs_posthoc.py), so the cache changes nothing but the time.

    References
    ----------
    Lou, Caruana, Gehrke & Hooker (2013), "Accurate intelligible models with pairwise
    interactions", KDD; Nori, Jenkins, Koch & Caruana (2019), "InterpretML: a unified framework
    for machine learning interpretability", arXiv:1909.09223.
    """
    import interpret
    import joblib
    import pandas as pd
    from interpret.glassbox import ExplainableBoostingClassifier

    from xaikit.models import cache_dir

    h = hashlib.sha256(pd.util.hash_pandas_object(X, index=True).values.tobytes())
    h.update(pd.util.hash_pandas_object(pd.Series(np.asarray(y)), index=False).values.tobytes())
    h.update(json.dumps({"cols": list(map(str, X.columns)), "params": params,
                         "interactions": interactions, "interpret": interpret.__version__},
                        sort_keys=True).encode())
    path = cache_dir() / f"glassbox-ebm-{h.hexdigest()[:20]}.joblib"
    if cache and path.is_file():
        try:
            return joblib.load(path)
        except Exception:  # a corrupt cache file: refit
            pass
    ebm = ExplainableBoostingClassifier(**params, interactions=interactions).fit(X, y)
    if cache:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            joblib.dump(ebm, tmp)
            os.replace(tmp, path)
        except OSError:
            pass
    return ebm


def term_contributions(ebm, X):
    """Each term's contribution to the EBM's log-odds for each row: ``ebm.eval_terms(X)``.

    Returns
    -------
    pandas.DataFrame of shape (n_rows, n_terms)
        Columns ``ebm.term_names_`` (``"x1"``, ..., ``"x2 & x5"``), log-odds; each row plus
        ``ebm.intercept_`` sums to the logit of ``predict_proba``.
    """
    import pandas as pd

    return pd.DataFrame(ebm.eval_terms(X), columns=list(ebm.term_names_), index=X.index)


def shape_on_grid(ebm, feature: str, grid, columns) -> np.ndarray:
    """The EBM's shape function of ``feature`` at the values ``grid`` (log-odds).

    Evaluates the main-effect term of ``feature`` on rows where ``feature`` takes each grid
    value (the other columns, which do not enter that term, are 0).
    """
    import pandas as pd

    grid = np.asarray(grid, float)
    rows = pd.DataFrame(np.zeros((len(grid), len(columns))), columns=list(columns))
    rows[feature] = grid
    return term_contributions(ebm, rows)[feature].to_numpy()


def tree_shap_values(model, X) -> np.ndarray:
    """Path-dependent TreeSHAP values of an XGBoost classifier, log-odds, shape (n, p).

    ``shap.TreeExplainer(model).shap_values(X)``. Lundberg et al. (2020), Nature Machine
    Intelligence 2, 56-67.
    """
    import shap

    return np.asarray(shap.TreeExplainer(model).shap_values(X), float)


def auc(y, p) -> float:
    """``sklearn.metrics.roc_auc_score``."""
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(np.asarray(y), np.asarray(p, float)))


def pearson(a, b) -> float:
    """Pearson correlation (``numpy.corrcoef``); NaN for a constant input."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def pair_terms(ebm) -> list:
    """The EBM's pairwise terms ``[(importance, (a, b)), ...]``, most important first
    (``ebm.term_importances()``: mean |contribution| over the training rows, log-odds)."""
    imp = ebm.term_importances()
    out = [(float(imp[i]), tuple(ebm.term_names_[i].split(" & ")))
           for i, f in enumerate(ebm.term_features_) if len(f) == 2]
    return sorted(out, key=lambda t: -t[0])


def pair_share_of(ebm, X) -> float:
    """Var(sum of the pair terms' contributions) / Var(sum of all terms' contributions) over
    the rows of ``X`` (log-odds, ``numpy.var`` with ddof=0)."""
    T = term_contributions(ebm, X)
    pairs = [c for c in T.columns if " & " in c]
    return float(np.var(T[pairs].sum(axis=1)) / np.var(T.sum(axis=1)))


# --- the grader's context ---------------------------------------------------------------------

class References(ReferenceContext):
    """The public context plus the grader's truth and references (attributes are delegated)."""

    def _ebm(self, which: str, interactions):
        t = {"credit": self.trained, "additive": self.additive,
             "interaction": self.interaction}[which]
        return fit_ebm(t.X_train, t.y_train, self.ebm_params, interactions)

    @cached_property
    def ebm_credit(self):
        return self._ebm("credit", 0)

    @cached_property
    def ebm_additive(self):
        return self._ebm("additive", 0)

    @cached_property
    def ebm_int_main(self):
        return self._ebm("interaction", 0)

    @cached_property
    def ebm_int_pairs(self):
        return self._ebm("interaction", self.n_pairs)

    # q1
    @cached_property
    def ref_credit_proba(self) -> np.ndarray:
        return self.ebm_credit.predict_proba(self.X_test)[:, 1]

    @cached_property
    def ref_credit_auc(self) -> dict:
        return {"ebm": auc(self.trained.y_test, self.ref_credit_proba),
                "xgb": auc(self.trained.y_test, self.model.predict_proba(self.X_test)[:, 1])}

    # q2
    @cached_property
    def ref_credit_shap(self) -> np.ndarray:
        return tree_shap_values(self.model, self.X_test)

    @cached_property
    def ref_credit_terms(self):
        return term_contributions(self.ebm_credit, self.X_test)

    def ref_shape_shap_corr(self, method: str = "pearson", versus: str = "ebm") -> dict:
        """q2's correlations; ``versus="value"`` correlates SHAP with the raw feature value,
        ``method="spearman"`` uses ranks (two typical mistakes)."""
        from scipy.stats import spearmanr

        out = {}
        for f in self.numeric:
            s = self.ref_credit_shap[:, self.feature_names.index(f)]
            e = (self.ref_credit_terms[f] if versus == "ebm" else self.X_test[f]).to_numpy()
            out[f] = (pearson(e, s) if method == "pearson"
                      else float(spearmanr(e, s).statistic))
        return out

    # q3
    def shapes_of(self, ebm) -> np.ndarray:
        return np.array([shape_on_grid(ebm, f, self.grid, SYN_FEATURES) for f in SYN_FEATURES])

    @cached_property
    def ref_shapes(self) -> np.ndarray:
        return self.shapes_of(self.ebm_additive)

    @cached_property
    def true_shapes(self) -> np.ndarray:
        return np.array([true_shape(self.variant, f, self.grid) for f in SYN_FEATURES])

    @cached_property
    def informative(self) -> list:
        """Indices of the features with a non-zero true shape."""
        return [j for j, f in enumerate(SYN_FEATURES)
                if planted(self.variant)["shapes"][f] is not None]

    # q4
    @cached_property
    def planted_pair(self) -> tuple:
        return planted(self.variant)["pair"]

    @cached_property
    def ref_interaction_auc(self) -> dict:
        t = self.interaction
        return {"ebm_main": auc(t.y_test, self.ebm_int_main.predict_proba(t.X_test)[:, 1]),
                "ebm_pairs": auc(t.y_test, self.ebm_int_pairs.predict_proba(t.X_test)[:, 1]),
                "xgb": auc(t.y_test, t.model.predict_proba(t.X_test)[:, 1])}

    # q5
    @cached_property
    def ref_pair_share(self) -> float:
        return pair_share_of(self.ebm_int_pairs, self.interaction.X_test)


def reference_context(ctx) -> References:
    """The grader's context for the public context ``ctx``."""
    return References(ctx)
