"""Deterministic training and the content-keyed model cache."""
import numpy as np
from xgboost import XGBClassifier

from xaikit import models as M
from xaikit.datasets import load_german_credit


class CountingXGB(XGBClassifier):
    fits = 0

    def fit(self, *a, **k):
        CountingXGB.fits += 1
        return super().fit(*a, **k)


def test_cache_hit_means_no_retraining_and_identical_predictions(tmp_path, monkeypatch):
    monkeypatch.setenv("XAIKIT_CACHE_DIR", str(tmp_path))
    ds = load_german_credit()
    params = dict(M.CREDIT_XGB_PARAMS, n_estimators=20)
    CountingXGB.fits = 0
    first = M.train_cached("t", ds, CountingXGB, params)
    second = M.train_cached("t", ds, CountingXGB, params)
    assert CountingXGB.fits == 1
    np.testing.assert_array_equal(first.model.predict_proba(first.X_test),
                                  second.model.predict_proba(second.X_test))
    assert list((tmp_path / "models").glob("t-*.ubj"))


def test_changed_parameters_change_the_key_and_retrain(tmp_path, monkeypatch):
    monkeypatch.setenv("XAIKIT_CACHE_DIR", str(tmp_path))
    ds = load_german_credit()
    CountingXGB.fits = 0
    a = M.train_cached("t", ds, CountingXGB, dict(M.CREDIT_XGB_PARAMS, n_estimators=10))
    b = M.train_cached("t", ds, CountingXGB, dict(M.CREDIT_XGB_PARAMS, n_estimators=11))
    assert CountingXGB.fits == 2 and a.card.cache_key != b.card.cache_key


def test_training_is_deterministic(tmp_path, monkeypatch):
    monkeypatch.setenv("XAIKIT_CACHE_DIR", str(tmp_path))
    ds = load_german_credit()
    params = dict(M.CREDIT_XGB_PARAMS, n_estimators=30)
    a = M.train_cached("t", ds, XGBClassifier, params, retrain=True)
    b = M.train_cached("t", ds, XGBClassifier, params, retrain=True)
    np.testing.assert_array_equal(a.model.predict_proba(a.X_test), b.model.predict_proba(b.X_test))


def test_corrupt_cache_file_is_retrained(tmp_path, monkeypatch):
    monkeypatch.setenv("XAIKIT_CACHE_DIR", str(tmp_path))
    ds = load_german_credit()
    params = dict(M.CREDIT_XGB_PARAMS, n_estimators=5)
    t = M.train_cached("t", ds, XGBClassifier, params)
    path = next((tmp_path / "models").glob("t-*.ubj"))
    path.write_bytes(b"garbage")
    again = M.train_cached("t", ds, XGBClassifier, params)
    np.testing.assert_array_equal(t.model.predict_proba(t.X_test),
                                  again.model.predict_proba(again.X_test))


def test_credit_model_card_is_sensible():
    tm = M.credit_model()
    assert tm.X_train.shape == (700, 20) and tm.X_test.shape == (300, 20)
    assert 0.7 < tm.card.metrics["test_auc"] < 0.95
    assert tm.card.positive_class == "bad"
    assert "Model card" in tm.card._repr_html_()
