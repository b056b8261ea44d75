"""References of ``drift``: the planted stream (:func:`materialise`, data card below), the
per-window SHAP values, drift statistics, errors and PCA view the questions ask for, and the
grader's context (:class:`References`).

Data card of the generated stream (``variant_frame("drift", v, "stream")``)
----------------------------------------------------------------------------
Source: the real Capital Bikeshare hours of 2011 (``datasets/bikeshare_2011_hourly.csv``, CC BY
4.0, Fanaee-T & Gama 2013); the model trained on the odd dates of 1 June - 15 July 2011
(:func:`xaikit.drift.drift_model`). Ten calendar windows (half-months,
:data:`xaikit.drift.WINDOW_CALENDAR`), in time order:

- **Control windows 0-2** (1-15 June, 16-30 June, 1-15 July): the hours of their **even**
  dates only (7-8 days, 168-192 hours each), never trained on; audited: no drift. Real inputs,
  real rentals.
- **Monitored windows 3-9** (16 July - 31 October): every hour (357-384 hours each), real
  inputs and real rentals. The covariate shift is **real**: a heat wave in 16-31 July (window 3:
  ``temp``/``atemp`` above the training range; the model is nearly flat there, so the input KS
  of ``temp`` moves far more than its SHAP KS) and the autumn (windows 6-9: humid early
  September, then cooler and windier weeks). With the stated rule (``ALERT_MARGIN`` x the
  largest control score, reference = the 441 training hours) windows 3 and 6-9 raise input
  and attribution alerts, 4 and 5 (August) neither (``tests/test_calibration_drift.py``).
- **Concept-drift window** (4 or 5, the quiet August windows, drawn by
  ``default_rng(32_000 + v)``): inputs untouched; on working days at 7-9 h and 16-19 h the
  rentals become ``round(bikers * f)`` with ``f`` drawn uniformly in [0.2, 0.35] (same
  generator), as if a rival scheme took the commuters. Its inputs (hence the fixed model's
  predictions and SHAP values) are the real ones.

Columns: ``window`` (int), ``date`` (ISO date of the hour; not a model input), the model's nine
features, ``bikers`` (rentals in the hour); index ``hour_id`` 0 ... n-1 in time order. Known
issues: the variants differ only in the concept window and its factor (the other windows are
the real calendar); the monitored windows' error also rises where the inputs moved (the model
extrapolates), which is why concept drift is told by an error alert *without* an input alert.
"""
from __future__ import annotations

from functools import cached_property

import numpy as np

from xaikit.drift import FEATURES, TRAINING_WINDOWS, calendar_window, hour_dates
from xaikit.exercises.drift.public import N_WINDOWS
from xaikit.exercises.framework import ReferenceContext

COMMUTE_HOURS = (7, 8, 9, 16, 17, 18, 19)
#: the monitored windows that may carry the planted concept drift (quiet: no input alert)
CONCEPT_CANDIDATES = (4, 5)


def planted(variant: int) -> dict:
    """The variant's planted truth: ``{"concept": window, "factor": f}``
    (``default_rng(32_000 + variant)``)."""
    rng = np.random.default_rng(32_000 + int(variant))
    con = int(rng.choice(CONCEPT_CANDIDATES))
    factor = float(np.round(rng.uniform(0.2, 0.35), 2))
    return {"concept": con, "factor": factor}


def window_rows(variant: int, X) -> dict:
    """``{window: index labels of X}``: the stream's rows of each calendar window, in time
    order; windows 0-2 keep their even dates only. The same for every variant (``variant``
    is accepted for symmetry with :func:`materialise`).

    Parameters
    ----------
    variant : int
    X : pandas.DataFrame
        ``load_bikeshare().X`` (its ``day`` column is the day of year).
    """
    win = calendar_window(X)
    even = np.asarray(hour_dates(X).day % 2 == 0)
    out = {}
    for w in range(N_WINDOWS):
        keep = (win == w) & (even if w in TRAINING_WINDOWS else True)
        out[w] = np.asarray(X.index[keep])
    return out


def materialise(variant: int) -> dict:
    """The variant's stream: ``{"stream": DataFrame}`` (see the module's data card)."""
    import pandas as pd

    from xaikit.datasets import load_bikeshare

    ds = load_bikeshare()
    truth = planted(variant)
    dates = pd.Series(hour_dates(ds.X).strftime("%Y-%m-%d"), index=ds.X.index)
    parts = []
    for w, rows in window_rows(variant, ds.X).items():
        X = ds.X.loc[rows]
        part = X[list(FEATURES)].astype("float64").copy()
        y = ds.y.loc[rows].to_numpy(dtype="float64").copy()
        if w == truth["concept"]:
            hit = (X["workingday"].to_numpy() == 1) & np.isin(X["hr"], COMMUTE_HOURS)
            y[hit] = np.round(y[hit] * truth["factor"])
        part.insert(0, "date", dates.loc[rows].to_numpy())
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
    def ref_error_threshold(self) -> float:
        """``ERROR_MARGIN`` x the largest MAE of the control windows, rentals per hour."""
        return score_threshold(self.ref_mae[list(self.control_windows)], self.error_margin)

    @cached_property
    def ref_covariate(self) -> list:
        """The monitored windows whose inputs moved: the input alerts."""
        return self.alerts(self.ref_input_ks)

    @cached_property
    def ref_concept(self) -> int:
        """The monitored window with neither an input nor an attribution alert whose MAE
        exceeds the error threshold (the largest such MAE; -1 if none)."""
        m = self.ref_mae
        alerted = set(self.alerts(self.ref_input_ks)) | set(self.alerts(self.ref_shap_ks))
        cands = [w for w in self.monitored_windows
                 if w not in alerted and m[w] > self.ref_error_threshold]
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
