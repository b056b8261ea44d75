"""References of ``uncertainty``: the planted data (``materialise``), the bootstrap of
permutation importance, the retrained models' importances, KernelSHAP repeats against the
exact interventional TreeSHAP values, the interval-overlap rule, and :class:`References`.

Expensive references (bootstrap x permutation importance, KernelSHAP repeats) are kept on disk
in the model cache as ``.npy`` (no pickle), keyed by the model's content-hash cache key and the
protocol, like ``drift``'s interventional SHAP values.
"""
from __future__ import annotations

import hashlib
import json
import os
from functools import cached_property
from itertools import combinations

import numpy as np

from xaikit.exercises.framework import ReferenceContext
from xaikit.exercises.uncertainty.public import NAMES

#: rows of the generated data
N_ROWS = 2000
#: standard deviation of the generated target's Gaussian noise
NOISE_SD = 1.0
#: correlation of the two tie features (a shared standard-normal factor): exchangeable, so
#: still of equal true importance, but models may lean on either (the Rashomon effect)
TIE_RHO = 0.5
#: scoring of the generated data's permutation importances (increase of MSE, units of y²)
SCORING = "neg_mean_squared_error"
#: scoring of German credit's permutation importances (decrease of ROC AUC)
CREDIT_SCORING = "roc_auc"


# --- the planted data ---------------------------------------------------------------------

def roles(variant: int) -> dict:
    """Which column plays which role in ``variant`` (``default_rng(140_000 + variant)``):
    ``{"strong": name, "tie": (a, b) in column order, "weak": name, "noise": name,
    "coef": {...}}``."""
    rng = np.random.default_rng(140_000 + int(variant))
    s, a, b, w, z = (str(n) for n in rng.permutation(NAMES))
    coef = {"strong": float(rng.uniform(1.8, 2.2)), "tie": float(rng.uniform(1.0, 1.2)),
            "weak": float(rng.uniform(0.5, 0.6))}
    tie = tuple(sorted((a, b), key=NAMES.index))
    return {"strong": s, "tie": tie, "weak": w, "noise": z, "coef": coef, "_rng": rng}


def materialise(variant: int) -> dict:
    """The variant's generated data: ``{"generated": DataFrame (2000, 6)}`` (``x1`` ... ``x5``,
    ``y``).

    Data card
    ---------
    - **Rows**: 2000 independent draws; index 0 ... 1999.
    - **Features** ``x1`` ... ``x5``: standard normal, unitless; independent, except the two
      tie features, correlated ``TIE_RHO`` = 0.5 through a shared factor
      (``x = sqrt(0.5) f + sqrt(0.5) e``), which keeps them exchangeable.
    - **Target** ``y`` (unitless): ``c_s x_s`` (one *strong* feature, ``c_s`` uniform in
      [1.8, 2.2]) ``+ c_t g(x_a) + c_t g(x_b)`` (the planted **tie**: two features entering
      through the *same* function ``g(x) = x + 0.25 (x^2 - 1)`` with the *same* coefficient
      ``c_t`` uniform in [1.0, 1.2], so they are exchangeable and of exactly equal true
      importance) ``+ c_w x_w`` (one *weak* feature, ``c_w`` uniform in [0.5, 0.6]) ``+
      N(0, 1)`` noise; the fifth column does not enter ``y`` (*noise column*).
    - **Which** column plays which role is drawn per variant (:func:`roles`); the names say
      nothing.
    - **Known issue** (on purpose): a finite sample and a fitted model never give the tie
      exactly equal importances: one of the pair always comes out ahead.
    """
    import pandas as pd

    r = roles(variant)
    rng = r["_rng"]
    Z = rng.standard_normal((N_ROWS, len(NAMES)))
    a, b = r["tie"]
    common = rng.standard_normal(N_ROWS)  # the tie's shared factor: correlation TIE_RHO
    for n in (a, b):
        i = NAMES.index(n)
        Z[:, i] = np.sqrt(TIE_RHO) * common + np.sqrt(1 - TIE_RHO) * Z[:, i]
    x = {n: Z[:, i] for i, n in enumerate(NAMES)}
    c = r["coef"]
    g = lambda v: v + 0.25 * (v ** 2 - 1)  # noqa: E731
    y = (c["strong"] * x[r["strong"]] + c["tie"] * (g(x[a]) + g(x[b]))
         + c["weak"] * x[r["weak"]] + rng.normal(0.0, NOISE_SD, N_ROWS))
    frame = pd.DataFrame(Z, columns=list(NAMES))
    frame["y"] = y
    return {"generated": frame.round(6)}


# --- the methods (library calls) and the decision rule (ours) -------------------------------

def permutation_means(model, X, y, *, n_repeats: int, seed: int, scoring: str) -> np.ndarray:
    """``sklearn.inspection.permutation_importance(model, X, y, n_repeats=n_repeats,
    random_state=seed, scoring=scoring, n_jobs=1).importances_mean``, shape (n_features,):
    the drop of the score when a column is shuffled (units of the score). ``X`` and ``y`` are
    passed as NumPy arrays (the same numbers for the exercise's XGBoost models, about twice as
    fast), so ``model`` must accept arrays.

    References
    ----------
    Breiman (2001), "Random forests", Machine Learning 45; Fisher, Rudin & Dominici (2019),
    "All models are wrong, but many are useful", JMLR 20 (model reliance).
    """
    from sklearn.inspection import permutation_importance

    # NumPy arrays: the same numbers as DataFrames (calibration test), about twice as fast
    return np.asarray(permutation_importance(model, np.asarray(X), np.asarray(y),
                                             n_repeats=n_repeats, random_state=seed,
                                             scoring=scoring, n_jobs=1).importances_mean, float)


def bootstrap_indices(n_rows: int, n_boot: int, seed: int) -> np.ndarray:
    """Bootstrap resamples of the rows: ``np.random.default_rng(seed).integers(0, n_rows,
    size=(n_boot, n_rows))``; row ``b`` holds the positions of resample ``b``."""
    return np.random.default_rng(int(seed)).integers(0, int(n_rows), size=(int(n_boot),
                                                                           int(n_rows)))


def bootstrap_importances(model, X, y, *, n_boot: int, boot_seed: int, n_repeats: int,
                          pi_seed: int, scoring: str) -> np.ndarray:
    """Permutation importance on each bootstrap resample of the rows, shape (n_boot, p).

    Resample ``b`` = ``X.iloc[idx[b]], y.iloc[idx[b]]`` with ``idx = bootstrap_indices(len(X),
    n_boot, boot_seed)``; on it :func:`permutation_means` with ``n_repeats`` and
    ``random_state=pi_seed`` (the same seed on every resample).

    References
    ----------
    Efron & Tibshirani (1993), *An Introduction to the Bootstrap*, ch. 6 and 13 (percentile
    intervals).
    """
    idx = bootstrap_indices(len(X), n_boot, boot_seed)
    return np.array([permutation_means(model, X.iloc[i], y.iloc[i], n_repeats=n_repeats,
                                       seed=pi_seed, scoring=scoring) for i in idx])


def percentile_interval(samples, level: float = 95) -> np.ndarray:
    """Percentile bootstrap interval per column: ``np.percentile(samples, [(100 - level) / 2,
    100 - (100 - level) / 2], axis=0).T`` (linear interpolation), shape (p, 2)."""
    lo = (100 - float(level)) / 2
    return np.percentile(np.asarray(samples, float), [lo, 100 - lo], axis=0).T


def overlaps(ci_a, ci_b) -> bool:
    """Whether two intervals ``(low, high)`` share a point: ``max(lows) <= min(highs)``.

    The exercise's decision rule (ours): the order of two importances is *supported by the
    data* when their intervals do not overlap; overlapping intervals = indistinguishable at
    this level. A conservative rule (two non-overlapping 95 % intervals imply a difference at
    a stricter level than 5 %), stated as such in the notebook.
    """
    return bool(max(ci_a[0], ci_b[0]) <= min(ci_a[1], ci_b[1]))


def ranking_of(values, names) -> list:
    """Names sorted by ``values``, largest first (ties: earlier column first)."""
    values = np.asarray(values, float)
    return [names[j] for j in sorted(range(len(values)), key=lambda j: (-values[j], j))]


def supported_steps(ranking, ci, names) -> list:
    """For each adjacent pair of ``ranking``: True when the upper one's interval lies wholly
    above the lower one's (``low_upper > high_lower``), i.e. the intervals do not overlap."""
    ci = np.asarray(ci, float)
    pos = {n: i for i, n in enumerate(names)}
    return [bool(ci[pos[a], 0] > ci[pos[b], 1]) for a, b in zip(ranking, ranking[1:])]


def overlapping_pairs(top, ci, names) -> list:
    """Pairs ``[a, b]`` of ``top`` (``a`` ranked above ``b``) whose intervals overlap."""
    ci = np.asarray(ci, float)
    pos = {n: i for i, n in enumerate(names)}
    return [[a, b] for a, b in combinations(top, 2) if overlaps(ci[pos[a]], ci[pos[b]])]


def margin_function(model, columns):
    """``A -> model.predict(DataFrame(A, columns), output_margin=True)``: log-odds of class 1
    for an array of rows (what KernelSHAP calls)."""
    import pandas as pd

    cols = list(columns)
    return lambda A: model.predict(pd.DataFrame(np.asarray(A, float), columns=cols),
                                   output_margin=True)


def kernel_repeats(model, background, x, nsamples, seeds) -> np.ndarray:
    """KernelSHAP values of one row, repeated: shape (len(nsamples), len(seeds), p), log-odds.

    ``explainer = shap.KernelExplainer(margin_function(model, cols), background)``; for each
    budget ``n`` and seed ``s``: ``np.random.seed(s)`` then ``explainer.shap_values(x,
    nsamples=n, l1_reg=False, silent=True)[0]``. shap 0.51's KernelExplainer has no seed
    argument: it draws its coalitions from NumPy's global generator (``np.random.choice``,
    ``np.random.permutation``); ``l1_reg=False`` keeps every feature (the default
    ``"num_features(10)"`` would set 10 of the 20 to zero).

    References
    ----------
    Lundberg & Lee (2017), "A unified approach to interpreting model predictions", NeurIPS.
    """
    import shap

    explainer = shap.KernelExplainer(margin_function(model, background.columns), background)
    out = np.empty((len(nsamples), len(seeds), background.shape[1]))
    for i, n in enumerate(nsamples):
        for j, s in enumerate(seeds):
            np.random.seed(int(s))
            out[i, j] = np.asarray(explainer.shap_values(x, nsamples=int(n), l1_reg=False,
                                                         silent=True), float).reshape(-1)
    return out


def interventional_tree_shap(model, background, x) -> np.ndarray:
    """Exact interventional TreeSHAP values of the rows ``x`` against ``background``
    (``shap.TreeExplainer(model, data=background, feature_perturbation="interventional")``,
    raw output = log-odds for XGBoost), shape (n, p): the quantity KernelSHAP estimates.

    References
    ----------
    Lundberg et al. (2020), Nature Machine Intelligence 2, 56-67.
    """
    import shap

    e = shap.TreeExplainer(model, data=background, feature_perturbation="interventional")
    return np.asarray(e.shap_values(x), float)


def cached_array(tag: str, key: dict, compute) -> np.ndarray:
    """``compute()`` kept in the model cache as ``uncertainty/<tag>-<hash>.npy`` (no pickle),
    keyed by ``key`` (JSON: the model's cache key and the protocol); an unwritable cache is
    ignored."""
    from xaikit.models import cache_dir

    h = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:24]
    path = cache_dir() / "uncertainty" / f"{tag}-{h}.npy"
    if path.is_file():
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            pass
    out = np.asarray(compute(), float)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npy")
        np.save(tmp, out, allow_pickle=False)
        os.replace(tmp, path)
    except OSError:
        pass
    return out


class References(ReferenceContext):
    """The public context plus the grader's references (attributes are delegated)."""

    @cached_property
    def truth(self) -> dict:
        r = roles(self.variant)
        return {k: v for k, v in r.items() if not k.startswith("_")}

    def _key(self, trained, **protocol) -> dict:
        return {"model": trained.card.cache_key, "version": 1, **protocol}

    # generated data ------------------------------------------------------------------------
    @cached_property
    def ref_pi_point(self) -> np.ndarray:
        return permutation_means(self.model, self.X_eval, self.y_eval, n_repeats=self.n_repeats,
                                 seed=self.pi_seed, scoring=SCORING)

    @cached_property
    def ref_boot(self) -> np.ndarray:
        key = self._key(self.trained, rows=self.eval_positions.tolist(), b=self.n_boot,
                        boot=self.boot_seed, r=self.n_repeats, pi=self.pi_seed, s=SCORING)
        return cached_array("boot", key, lambda: bootstrap_importances(
            self.model, self.X_eval, self.y_eval, n_boot=self.n_boot, boot_seed=self.boot_seed,
            n_repeats=self.n_repeats, pi_seed=self.pi_seed, scoring=SCORING))

    @cached_property
    def ref_ci(self) -> np.ndarray:
        return percentile_interval(self.ref_boot, self.ci_level)

    @cached_property
    def ref_rashomon_pi(self) -> np.ndarray:
        return np.array([permutation_means(t.model, self.X_eval, self.y_eval,
                                           n_repeats=self.rashomon_repeats, seed=self.pi_seed,
                                           scoring=SCORING) for t in self.rashomon])

    @cached_property
    def ref_rashomon_mse(self) -> np.ndarray:
        y = np.asarray(self.y_eval, float)
        return np.array([np.mean((y - t.model.predict(self.X_eval)) ** 2)
                         for t in self.rashomon])

    @cached_property
    def ref_ranking(self) -> list:
        return ranking_of(self.ref_pi_point, self.feature_names)

    @cached_property
    def ref_supported(self) -> list:
        return supported_steps(self.ref_ranking, self.ref_ci, self.feature_names)

    # German credit ---------------------------------------------------------------------------
    @cached_property
    def ref_kernel(self) -> np.ndarray:
        key = self._key(self.credit, row=self.kernel_row, bg=self.background_positions.tolist(),
                        n=list(self.nsamples), seeds=list(self.kernel_seeds), l1=False)
        return cached_array("kernel", key, lambda: kernel_repeats(
            self.credit_model, self.X_background, self.x_kernel, self.nsamples,
            self.kernel_seeds))

    @cached_property
    def ref_kernel_sd(self) -> np.ndarray:
        return self.ref_kernel.std(axis=1, ddof=1)

    @cached_property
    def ref_tree(self) -> np.ndarray:
        return interventional_tree_shap(self.credit_model, self.X_background, self.x_kernel)[0]

    def kernel_rmse(self, kernel, tree) -> np.ndarray:
        """RMS over repeats and features of ``kernel - tree``, one value per budget."""
        d = np.asarray(kernel, float) - np.asarray(tree, float)[None, None, :]
        return np.sqrt((d ** 2).mean(axis=(1, 2)))

    @cached_property
    def ref_kernel_rmse(self) -> np.ndarray:
        return self.kernel_rmse(self.ref_kernel, self.ref_tree)

    @cached_property
    def ref_credit_point(self) -> np.ndarray:
        return permutation_means(self.credit_model, self.X_credit, self.y_credit,
                                 n_repeats=self.credit_n_repeats, seed=self.credit_pi_seed,
                                 scoring=CREDIT_SCORING)

    @cached_property
    def ref_credit_boot(self) -> np.ndarray:
        key = self._key(self.credit, b=self.credit_n_boot, boot=self.credit_boot_seed,
                        r=self.credit_n_repeats, pi=self.credit_pi_seed, s=CREDIT_SCORING)
        return cached_array("credit-boot", key, lambda: bootstrap_importances(
            self.credit_model, self.X_credit, self.y_credit, n_boot=self.credit_n_boot,
            boot_seed=self.credit_boot_seed, n_repeats=self.credit_n_repeats,
            pi_seed=self.credit_pi_seed, scoring=CREDIT_SCORING))

    @cached_property
    def ref_credit_ci(self) -> np.ndarray:
        return percentile_interval(self.ref_credit_boot, self.ci_level)

    @property
    def credit_names(self) -> list:
        return list(self.X_credit.columns)

    @cached_property
    def ref_credit_top(self) -> list:
        return ranking_of(self.ref_credit_point, self.credit_names)[:self.credit_top]

    @cached_property
    def ref_overlap_pairs(self) -> list:
        return overlapping_pairs(self.ref_credit_top, self.ref_credit_ci, self.credit_names)


def reference_context(ctx) -> References:
    """The grader's context for the public context ``ctx``."""
    return References(ctx)
