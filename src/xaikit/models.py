"""Deterministic, cached training of each exercise's model, with a model card.

A model is trained once per (data SHA-256, estimator, parameters, split, library versions) and
saved under the cache folder; later calls load it. XGBoost models are saved in XGBoost's own
binary JSON (``.ubj``), never pickled.

Cache folder: ``$XAIKIT_CACHE_DIR`` if set, else ``~/.cache/xaikit``.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


def cache_dir() -> Path:
    """The model cache folder (created on demand)."""
    env = os.environ.get("XAIKIT_CACHE_DIR")
    base = Path(env) if env else Path.home() / ".cache" / "xaikit"
    return base / "models"


def library_versions() -> dict[str, str]:
    """Versions that change trained models or their outputs; part of every cache key."""
    import numpy
    import sklearn
    import xgboost

    return {"xgboost": xgboost.__version__, "scikit-learn": sklearn.__version__,
            "numpy": numpy.__version__}


@dataclass
class ModelCard:
    """What a model is and how well it does on held-out data.

    Attributes
    ----------
    name : str
    dataset : str
    estimator : str
    params : dict
    n_train, n_test : int
    metrics : dict of str to float
        For classifiers: ``test_auc``, ``test_accuracy`` (threshold 0.5), ``test_brier``
        (probability scale); for regressors ``test_r2`` and ``test_mae`` (target units).
    calibration : list of dict
        Per probability bin: ``bin``, ``n``, ``mean_predicted``, ``observed_rate``.
    cache_key : str
    versions : dict
    """

    name: str
    dataset: str
    estimator: str
    params: dict
    n_train: int
    n_test: int
    metrics: dict
    calibration: list = field(default_factory=list)
    cache_key: str = ""
    versions: dict = field(default_factory=dict)
    positive_class: str | None = None

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame({"metric": list(self.metrics),
                             "value": [round(v, 4) for v in self.metrics.values()]})

    def _repr_html_(self):
        rows = "".join(f"<tr><td>{k}</td><td>{v:.3f}</td></tr>" for k, v in self.metrics.items())
        cal = "".join(
            f"<tr><td>{c['bin']}</td><td>{c['n']}</td><td>{c['mean_predicted']:.2f}</td>"
            f"<td>{c['observed_rate']:.2f}</td></tr>" for c in self.calibration)
        pos = (f"<p>Predicted probability = P({self.positive_class}).</p>"
               if self.positive_class else "")
        cal_html = (f"<p>Calibration on the test rows:</p><table><tr><th>predicted</th><th>n</th>"
                    f"<th>mean predicted</th><th>observed rate</th></tr>{cal}</table>"
                    if cal else "")
        return (f"<h4>Model card: {self.name}</h4><p>{self.estimator} on <code>{self.dataset}"
                f"</code>, {self.n_train} training rows, {self.n_test} test rows.</p>{pos}"
                f"<table><tr><th>metric (test)</th><th>value</th></tr>{rows}</table>{cal_html}")

    def __str__(self):
        m = ", ".join(f"{k}={v:.3f}" for k, v in self.metrics.items())
        return f"{self.name}: {self.estimator} on {self.dataset} ({m})"


@dataclass
class TrainedModel:
    """A trained model with the exact data split it was trained and evaluated on.

    Attributes
    ----------
    model : estimator
        Fitted estimator with the scikit-learn API.
    X_train, X_test : pandas.DataFrame, shape (n_train, n_features), (n_test, n_features)
    y_train, y_test : pandas.Series
    card : ModelCard
    dataset : xaikit.datasets.Dataset
    """

    model: object
    X_train: object
    X_test: object
    y_train: object
    y_test: object
    card: ModelCard
    dataset: object


def _key(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:20]


def _calibration(y_true, p, n_bins=5):
    import numpy as np

    edges = np.linspace(0, 1, n_bins + 1)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        mask = (p >= lo) & ((p < hi) if hi < 1 else (p <= hi))
        if mask.sum():
            out.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": int(mask.sum()),
                        "mean_predicted": float(p[mask].mean()),
                        "observed_rate": float(np.asarray(y_true)[mask].mean())})
    return out


def _metrics(model, X_test, y_test, classifier):
    import numpy as np
    from sklearn import metrics

    if classifier:
        p = model.predict_proba(X_test)[:, 1]
        return ({"test_auc": float(metrics.roc_auc_score(y_test, p)),
                 "test_accuracy": float(metrics.accuracy_score(y_test, (p >= 0.5).astype(int))),
                 "test_brier": float(metrics.brier_score_loss(y_test, p))},
                _calibration(y_test, p))
    pred = model.predict(X_test)
    return ({"test_r2": float(metrics.r2_score(y_test, pred)),
             "test_mae": float(np.mean(np.abs(np.asarray(y_test) - pred)))}, [])


def train_cached(name, dataset, make_estimator, params, *, test_size=0.3, split_seed=0,
                 stratify=True, X=None, y=None, retrain=False):
    """Train ``make_estimator(**params)`` on a fixed split of ``dataset``, or load it from cache.

    Parameters
    ----------
    name : str
        Model name (also the cache file stem).
    dataset : xaikit.datasets.Dataset
    make_estimator : callable
        Estimator class; must accept ``**params``. XGBoost models are cached as ``.ubj``,
        scikit-learn models with joblib in the private cache folder.
    params : dict
        Estimator parameters; include ``random_state`` and a thread count for determinism.
    test_size : float, default 0.3
    split_seed : int, default 0
        ``random_state`` of :func:`sklearn.model_selection.train_test_split`.
    stratify : bool, default True
        Stratify the split on ``y`` (classification).
    X, y : optional
        Design matrix and target to use instead of ``dataset.X``/``dataset.y`` (e.g. with
        planted columns); their content is hashed into the cache key.
    retrain : bool, default False
        Ignore a cached model.

    Returns
    -------
    TrainedModel
    """
    import pandas as pd
    from sklearn.model_selection import train_test_split

    X = dataset.X if X is None else X
    y = dataset.y if y is None else y
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=split_seed, stratify=y if stratify else None)
    estimator = f"{make_estimator.__module__}.{make_estimator.__name__}"
    data_hash = dataset.sha256
    if X is not dataset.X or y is not dataset.y:
        h = hashlib.sha256(pd.util.hash_pandas_object(X, index=True).values.tobytes())
        h.update(pd.util.hash_pandas_object(y, index=True).values.tobytes())
        data_hash = h.hexdigest()
    payload = {"name": name, "data": data_hash, "estimator": estimator, "params": params,
               "test_size": test_size, "split_seed": split_seed, "stratify": stratify,
               "versions": library_versions()}
    key = _key(payload)
    is_xgb = estimator.startswith("xgboost.")
    folder = cache_dir()
    path = folder / f"{name}-{key}.{'ubj' if is_xgb else 'joblib'}"
    model = None
    if path.is_file() and not retrain:
        try:
            if is_xgb:
                model = make_estimator(**params)
                model.load_model(path)
            else:
                import joblib

                model = joblib.load(path)
        except Exception:  # a corrupt cache file: retrain below
            model = None
    if model is None:
        model = make_estimator(**params)
        model.fit(X_train, y_train)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.tmp{os.getpid()}{path.suffix}")
        if is_xgb:
            model.save_model(tmp)
        else:
            import joblib

            joblib.dump(model, tmp)
        os.replace(tmp, path)  # atomic: a concurrent reader never sees half a file
    classifier = hasattr(model, "predict_proba")
    metrics, calibration = _metrics(model, X_test, y_test, classifier)
    card = ModelCard(name=name, dataset=dataset.name, estimator=estimator.split(".")[-1],
                     params=params, n_train=len(X_train), n_test=len(X_test), metrics=metrics,
                     calibration=calibration, cache_key=key, versions=payload["versions"],
                     positive_class=(dataset.target_names[1] if classifier and
                                     dataset.target_names else None))
    return TrainedModel(model=model, X_train=X_train, X_test=X_test, y_train=y_train,
                        y_test=y_test, card=card, dataset=dataset)


CREDIT_XGB_PARAMS = {
    "n_estimators": 300, "max_depth": 3, "learning_rate": 0.05, "subsample": 0.8,
    "colsample_bytree": 0.8, "min_child_weight": 2, "reg_lambda": 1.0,
    "random_state": 0, "n_jobs": 1, "tree_method": "hist", "eval_metric": "logloss",
}


@lru_cache(maxsize=None)
def credit_model(retrain: bool = False) -> TrainedModel:
    """XGBoost classifier of credit risk on German credit (class 1 = bad risk).

    70/30 split stratified on the target with ``random_state=0``; parameters in
    ``CREDIT_XGB_PARAMS`` (one thread, fixed seed: bit-identical on every run). The margin
    (``output_margin=True``) is in log-odds of a bad risk.

    Returns
    -------
    TrainedModel
        ``X_train`` (700, 20), ``X_test`` (300, 20).
    """
    from xgboost import XGBClassifier

    from xaikit.datasets import load_german_credit

    return train_cached("credit_xgb", load_german_credit(), XGBClassifier, CREDIT_XGB_PARAMS,
                        retrain=retrain)
