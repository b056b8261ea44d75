"""The grader's ``tree_shap`` (shap_vs_lime): the scale is the model's own output, and local accuracy holds
on it for XGBoost classifiers (log-odds), scikit-learn classifiers (probability) and
regressors (the target's unit)."""
import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier

from xaikit.exercises.shap_vs_lime.grader import tree_shap
from xaikit.explain import SCALES
from xaikit.models import credit_model


@pytest.fixture(scope="module")
def credit():
    return credit_model()


def test_xgboost_classifier_is_explained_in_log_odds(credit):
    r = tree_shap(credit.model, credit.X_test.iloc[:20])
    assert r.scale == "log-odds"
    assert np.allclose(r.output, credit.model.predict(credit.X_test.iloc[:20], output_margin=True))
    assert r.local_accuracy_error < 1e-4


def test_sklearn_classifier_is_explained_in_probability(credit):
    """Before the scale was recorded, the output was taken as logit(p) here: local accuracy
    was off by up to 5 on a random forest."""
    rf = RandomForestClassifier(n_estimators=30, max_depth=4, random_state=0, n_jobs=1)
    rf.fit(credit.X_train, credit.y_train)
    r = tree_shap(rf, credit.X_test.iloc[:20])
    assert r.scale == "probability" and r.scale in SCALES
    assert np.allclose(r.output, rf.predict_proba(credit.X_test.iloc[:20])[:, 1])
    assert r.local_accuracy_error < 1e-6


def test_regressor_is_explained_in_its_own_unit(credit):
    y = credit.X_train.iloc[:, 0].astype(float)
    X = credit.X_train.iloc[:, 1:]
    gbr = GradientBoostingRegressor(n_estimators=20, max_depth=2, random_state=0).fit(X, y)
    r = tree_shap(gbr, X.iloc[:15])
    assert r.scale == "raw"
    assert np.allclose(r.output, gbr.predict(X.iloc[:15]))
    assert r.local_accuracy_error < 1e-6
