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


#: A take-home pack's own cache folder, beside its ``xaikit/`` package (the models it ships).
PACK_CACHE = ".xaikit-cache"


def cache_dir() -> Path:
    """The model cache folder (created on demand): ``$XAIKIT_CACHE_DIR/models``, else a
    take-home pack's ``.xaikit-cache/models`` beside the package, else
    ``~/.cache/xaikit/models``."""
    env = os.environ.get("XAIKIT_CACHE_DIR")
    pack = Path(__file__).resolve().parent.parent / PACK_CACHE
    if env:
        base = Path(env)
    elif pack.is_dir():
        base = pack
    else:
        base = Path.home() / ".cache" / "xaikit"
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
        planted columns); their content and column names are hashed into the cache key.
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
        # the values' hash ignores column names, which a fitted model keeps (and checks)
        h.update("\x00".join(map(str, X.columns)).encode())
        data_hash = h.hexdigest()
    payload = {"name": name, "data": data_hash, "estimator": estimator, "params": params,
               "test_size": test_size, "split_seed": split_seed, "stratify": stratify,
               "versions": library_versions()}
    key = _key(payload)
    is_xgb = hasattr(make_estimator, "save_model")  # XGBoost's own format, not pickle
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


#: The credit model's settings (same values, so existing cache keys are unchanged).
HMDA_XGB_PARAMS = dict(CREDIT_XGB_PARAMS)


@lru_cache(maxsize=None)
def hmda_model(retrain: bool = False) -> TrainedModel:
    """XGBoost classifier of mortgage denial on Boston HMDA (class 1 = denied).

    70/30 split stratified on ``deny`` with ``random_state=0``; parameters in
    ``HMDA_XGB_PARAMS`` (one thread, fixed seed). ``predict_proba(X)[:, 1]`` is the probability
    of denial; ``predict(X, output_margin=True)`` its log-odds. The features include the
    protected attribute ``black`` on purpose: the counterfactuals exercise shows what a model
    that uses it does.

    Returns
    -------
    TrainedModel
        ``X_train`` (1666, 12), ``X_test`` (714, 12).
    """
    from xgboost import XGBClassifier

    from xaikit.datasets import load_boston_hmda

    return train_cached("hmda_xgb", load_boston_hmda(), XGBClassifier, HMDA_XGB_PARAMS,
                        retrain=retrain)


BIKESHARE_TEACHER_PARAMS = {
    "n_estimators": 400, "max_depth": 6, "learning_rate": 0.05, "subsample": 0.8,
    "colsample_bytree": 0.8, "min_child_weight": 3, "reg_lambda": 1.0,
    "random_state": 0, "n_jobs": 1, "tree_method": "hist", "objective": "reg:squarederror",
}


@lru_cache(maxsize=None)
def bikeshare_teacher(retrain: bool = False) -> TrainedModel:
    """XGBoost regressor of hourly rentals on bike sharing 2011: the distillation teacher.

    70/30 random split (not stratified) with ``random_state=0``; parameters in
    ``BIKESHARE_TEACHER_PARAMS`` (one thread, fixed seed). ``predict(X)`` is in rentals per
    hour. A regression teacher makes fidelity an R² between two real-valued outputs.

    Returns
    -------
    TrainedModel
        ``X_train`` (6051, 12), ``X_test`` (2594, 12).
    """
    from xgboost import XGBRegressor

    from xaikit.datasets import load_bikeshare

    return train_cached("bikeshare_teacher_xgb", load_bikeshare(), XGBRegressor,
                        BIKESHARE_TEACHER_PARAMS, stratify=False, retrain=retrain)


# --- bike sharing: pdp_ice (gradient boosting) and feature_importance (random forest) --------

BIKESHARE_GBR_PARAMS = {
    "n_estimators": 300, "max_depth": 4, "learning_rate": 0.1, "subsample": 1.0,
    "random_state": 0,
}


@lru_cache(maxsize=None)
def bikeshare_gbr(retrain: bool = False) -> TrainedModel:
    """Gradient-boosting regressor of rentals per hour on bike sharing (exercise ``pdp_ice``).

    ``sklearn.ensemble.GradientBoostingRegressor`` (squared error, parameters in
    ``BIKESHARE_GBR_PARAMS``, single-threaded, fixed seed) on a 70/30 random split with
    ``random_state=0``. Predictions are in **rentals per hour**.

    Returns
    -------
    TrainedModel
        ``X_train`` (6051, 12), ``X_test`` (2594, 12).
    """
    from sklearn.ensemble import GradientBoostingRegressor

    from xaikit.datasets import load_bikeshare

    return train_cached("bikeshare_gbr", load_bikeshare(), GradientBoostingRegressor,
                        BIKESHARE_GBR_PARAMS, stratify=False, split_seed=0, retrain=retrain)


BIKESHARE_RF_PARAMS = {
    "n_estimators": 40, "max_depth": 14, "min_samples_leaf": 2, "max_features": 0.5,
    "random_state": 0, "n_jobs": 1,
}


def bikeshare_joined(variant: int = 0):
    """The three columns the operator's data team joined to bike sharing (``feature_importance``).

    Read with :func:`xaikit.exercises.variant_frame` (``feature_importance``, ``variant``,
    ``"joined"``): a CSV that comes with a take-home pack, or is made on first use where the
    exercise's grader part is installed. Names, values and column order depend on the variant;
    what each column is, is the exercise's question.

    Returns
    -------
    pandas.DataFrame, shape (8645, 3)
        Float columns, one row per hour of the bike-sharing data (same index).

    Raises
    ------
    ValueError
        When the file's rows are not those of the bike-sharing data.
    """
    from xaikit.datasets import load_bikeshare
    from xaikit.exercises import variant_frame

    joined = variant_frame("feature_importance", int(variant), "joined")
    index = load_bikeshare().X.index
    if len(joined) != len(index) or not (joined.index.to_numpy() == index.to_numpy()).all():
        raise ValueError(f"feature_importance variant {variant}: the joined columns' rows do "
                         "not match the bike-sharing data (a stale or foreign variant file)")
    return joined.astype("float64")


@lru_cache(maxsize=64)
def bikeshare_rf_planted(variant: int = 0, retrain: bool = False) -> TrainedModel:
    """Random forest of rentals per hour on bike sharing + the joined columns (``feature_importance``).

    ``sklearn.ensemble.RandomForestRegressor`` with ``BIKESHARE_RF_PARAMS`` (single-threaded:
    bit-identical predictions run to run) on the 12 bike-sharing columns followed by the
    variant's three joined columns, with the same 70/30 split (``random_state=0``) as
    :func:`bikeshare_gbr`; one cached model per variant.

    Returns
    -------
    TrainedModel
        ``X_train`` (6051, 15), ``X_test`` (2594, 15); predictions in rentals per hour.
    """
    from sklearn.ensemble import RandomForestRegressor

    from xaikit.datasets import load_bikeshare

    ds = load_bikeshare()
    joined = bikeshare_joined(variant)
    X = ds.X.copy()
    for c in joined.columns:
        X[c] = joined[c].to_numpy()
    return train_cached("bikeshare_rf_planted", ds, RandomForestRegressor, BIKESHARE_RF_PARAMS,
                        stratify=False, split_seed=0, X=X, y=ds.y, retrain=retrain)
