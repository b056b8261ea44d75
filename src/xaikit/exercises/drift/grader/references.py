"""References of ``drift``: the planted stream (:func:`materialise`, data card below), the
per-window SHAP values, drift statistics, errors and PCA view the questions ask for, and the
grader's context (:class:`References`).

Data card of the generated stream (``variant_frame("drift", v, "stream")``)
----------------------------------------------------------------------------
Source: the real Capital Bikeshare hours of 2011 (``datasets/bikeshare_2011_hourly.csv``, CC BY
4.0, Fanaee-T & Gama 2013); the model trained on odd days of January-June
(:func:`xaikit.drift.drift_model`). Ten windows:

- **Unaltered windows**: the hours of the even days of January-June (90 days, 2150 hours,
  never trained on) dealt at random into ten windows of 215 hours
  (``default_rng(31_000 + v)``): each window has the season mix of the training data. Real
  inputs, real rentals.
- **Covariate-shift window** (one of 6-9, drawn by ``default_rng(32_000 + v)``): its hours are
  replaced by 215 hours drawn without replacement from 1 July - 31 August (days 182-243),
  real inputs and real rentals of those hours: hotter, more humid hours; the relation is the
  real one (the scheme's growth over the summer aside).
- **Concept-drift window** (another of 6-9, same generator): inputs untouched; on working days
  at 7-9 h and 16-19 h the rentals become ``round(bikers * f)`` with ``f`` drawn uniformly in
  [0.2, 0.35] (same generator), as if a rival scheme took the commuters. The inputs (hence the
  fixed model's predictions and SHAP values) are those of an unaltered window.
- Windows 0-5 are never planted (the audited control windows); two of 6-9 are unaltered.

Columns: ``window`` (int), the model's nine features, ``bikers`` (rentals in the hour); index
``hour_id`` 0 ... n-1 in window order, then time order. Known issues: the covariate window
also changes the relation a little (summer demand grew), so its error rises as well; that is
why covariate shift is told by the inputs and attributions, concept drift by the error alone.
"""
from __future__ import annotations

from functools import cached_property

import numpy as np

from xaikit.drift import FEATURES, TRAIN_LAST_DAY
from xaikit.exercises.drift.public import N_WINDOWS, MONITORED_WINDOWS
from xaikit.exercises.framework import ReferenceContext

COMMUTE_HOURS = (7, 8, 9, 16, 17, 18, 19)
SUMMER_DAYS = (182, 243)


def planted(variant: int) -> dict:
    """The variant's planted truth: ``{"covariate": window, "concept": window, "factor": f}``
    (``default_rng(32_000 + variant)``)."""
    rng = np.random.default_rng(32_000 + int(variant))
    cov, con = (int(w) for w in rng.choice(MONITORED_WINDOWS, 2, replace=False))
    factor = float(np.round(rng.uniform(0.2, 0.35), 2))
    return {"covariate": cov, "concept": con, "factor": factor}


def window_rows(variant: int, X) -> dict:
    """``{window: index labels of X}``: the stream's rows of each window, before planting.

    The pool (even days of January-June, day of year 2-180) is dealt at random into
    :data:`N_WINDOWS` windows of (almost) equal size, ``default_rng(31_000 + variant)``; the
    covariate window takes as many hours drawn without replacement from 1 July - 31 August
    (days 182-243) by the same generator.
    """
    day = X["day"].to_numpy()
    pool = np.asarray(X.index[(day <= TRAIN_LAST_DAY) & (day % 2 == 0)])
    summer = np.asarray(X.index[(day >= SUMMER_DAYS[0]) & (day <= SUMMER_DAYS[1])])
    rng = np.random.default_rng(31_000 + int(variant))
    parts = np.array_split(rng.permutation(pool), N_WINDOWS)
    out = {w: np.sort(p) for w, p in enumerate(parts)}
    cov = planted(variant)["covariate"]
    out[cov] = np.sort(rng.choice(summer, len(out[cov]), replace=False))
    return out


def materialise(variant: int) -> dict:
    """The variant's stream: ``{"stream": DataFrame}`` (see the module's data card)."""
    import pandas as pd

    from xaikit.datasets import load_bikeshare

    ds = load_bikeshare()
    truth = planted(variant)
    parts = []
    for w, rows in window_rows(variant, ds.X).items():
        X = ds.X.loc[rows]
        part = X[list(FEATURES)].astype("float64").copy()
        y = ds.y.loc[rows].to_numpy(dtype="float64").copy()
        if w == truth["concept"]:
            hit = (X["workingday"].to_numpy() == 1) & np.isin(X["hr"], COMMUTE_HOURS)
            y[hit] = np.round(y[hit] * truth["factor"])
        part.insert(0, "window", w)
        part["bikers"] = y
        parts.append(part)
    stream = pd.concat(parts, ignore_index=True)
    stream.index.name = "hour_id"
    return {"stream": stream}


# --- SHAP with the fixed background, cached per row ---------------------------------------

_SHAP_CACHE: dict = {}


def interventional_shap(model, background, X, cache_key: str | None = None) -> np.ndarray:
    """Interventional TreeSHAP values of ``X`` against ``background``, rentals per hour.

    ``shap.TreeExplainer(model, data=background, feature_perturbation="interventional")``;
    each row's values depend on that row and the background only, so rows already explained
    with the same model and background are taken from a per-process cache (bit-identical).
    With ``cache_key`` (the model's content-hash cache key) the result is also kept on disk
    in the model cache (``.npy``, no pickle), keyed by the key, background and rows.

    Parameters
    ----------
    model : fitted XGBoost regressor
    background : pandas.DataFrame of shape (n_bg, p)
    X : pandas.DataFrame of shape (n, p)
    cache_key : str, optional

    Returns
    -------
    ndarray of shape (n, p)
        Sum of a row + the mean prediction over the background = the prediction.

    References
    ----------
    Lundberg et al. (2020), Nature Machine Intelligence 2, 56-67 (interventional TreeSHAP).
    """
    import hashlib
    import os

    import shap

    arr = np.ascontiguousarray(np.asarray(X, float))
    bg = np.ascontiguousarray(np.asarray(background, float))
    path = None
    if cache_key is not None:
        from xaikit.models import cache_dir

        h = hashlib.sha256(cache_key.encode() + bg.tobytes() + arr.tobytes()).hexdigest()[:24]
        path = cache_dir() / "drift_shap" / f"{h}.npy"
        if path.is_file():
            try:
                out = np.load(path, allow_pickle=False)
                if out.shape == arr.shape:
                    return out
            except (OSError, ValueError):
                pass
    entry = _SHAP_CACHE.setdefault((id(model), bg.tobytes()), {})
    keys = [r.tobytes() for r in arr]
    todo = [i for i, k in enumerate(keys) if k not in entry]
    if todo:
        explainer = shap.TreeExplainer(model, data=background,
                                       feature_perturbation="interventional")
        vals = np.asarray(explainer.shap_values(X.iloc[todo]), float)
        for i, v in zip(todo, vals):
            entry[keys[i]] = v
    out = np.array([entry[k] for k in keys]).reshape(arr.shape)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npy")
        np.save(tmp, out, allow_pickle=False)
        os.replace(tmp, path)  # atomic
    return out


def score_threshold(control_scores, margin: float) -> float:
    """``margin`` x the largest drift score of the control windows."""
    return float(margin * np.max(np.asarray(control_scores, float)))


class References(ReferenceContext):
    """The public context plus the grader's references (attributes are delegated)."""

    @cached_property
    def truth(self) -> dict:
        return planted(self.variant)

    @cached_property
    def ref_shap_reference(self) -> np.ndarray:
        return interventional_shap(self.model, self.X_background, self.X_reference,
                                   self.trained.card.cache_key)

    @cached_property
    def ref_shap_windows(self) -> list:
        return [interventional_shap(self.model, self.X_background, self.window(w)[0],
                                    self.trained.card.cache_key) for w in self.windows]

    @cached_property
    def ref_mean_abs_shap(self) -> np.ndarray:
        return np.array([np.abs(v).mean(0) for v in self.ref_shap_windows])

    @cached_property
    def ref_input_ks(self) -> np.ndarray:
        return np.array([ks_statistics(self.X_reference, self.window(w)[0])
                         for w in self.windows])

    @cached_property
    def ref_shap_ks(self) -> np.ndarray:
        return np.array([ks_statistics(self.ref_shap_reference, v)
                         for v in self.ref_shap_windows])

    def threshold(self, ks) -> float:
        scores = np.asarray(ks).max(1)
        return score_threshold(scores[list(self.control_windows)], self.alert_margin)

    def alerts(self, ks) -> list:
        t, scores = self.threshold(ks), np.asarray(ks).max(1)
        return [w for w in self.monitored_windows if scores[w] > t]

    @cached_property
    def ref_mae(self) -> np.ndarray:
        return np.array([np.mean(np.abs(self.window(w)[1].to_numpy()
                                        - self.model.predict(self.window(w)[0])))
                         for w in self.windows])

    @cached_property
    def ref_concept(self) -> int:
        """The monitored window without an attribution alert whose MAE exceeds the error
        threshold (the largest such MAE; -1 if none)."""
        m = self.ref_mae
        t = self.error_margin * m[list(self.control_windows)].max()
        alerted = set(self.alerts(self.ref_shap_ks))
        cands = [w for w in self.monitored_windows if w not in alerted and m[w] > t]
        return int(max(cands, key=lambda w: m[w])) if cands else -1

    @cached_property
    def ref_pca(self):
        """(PCA fitted on the reference SHAP values, centroids (10, 2))."""
        from sklearn.decomposition import PCA

        pca = PCA(n_components=2).fit(self.ref_shap_reference)
        cents = np.array([pca.transform(v).mean(0) for v in self.ref_shap_windows])
        return pca, cents


def reference_context(ctx) -> References:
    """The grader's context for the public context ``ctx``."""
    return References(ctx)


def ks_statistics(reference, sample) -> np.ndarray:
    """Two-sample Kolmogorov-Smirnov statistic per column (``scipy.stats.ks_2samp``).

    Parameters
    ----------
    reference, sample : array-like of shape (n_ref, p), (n, p)

    Returns
    -------
    ndarray of shape (p,)
        sup |F_ref - F_sample| per column, in [0, 1].

    References
    ----------
    Hodges, J. L. (1958). The significance probability of the Smirnov two-sample test. Arkiv
    för Matematik 3, 469-486; ``scipy.stats.ks_2samp``.
    """
    from scipy.stats import ks_2samp

    a, b = np.asarray(reference, float), np.asarray(sample, float)
    # method='asymp': the statistic is the same, only the (unused) p-value is approximated
    return np.array([ks_2samp(a[:, j], b[:, j], method="asymp").statistic
                     for j in range(a.shape[1])])
