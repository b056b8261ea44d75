"""Every check of drift, three ways: reference passes, known wrong answers fail with the right
hint, the untouched placeholder is not attempted; plus the planted stream's generator."""
import numpy as np
import pytest
import shap
from scipy.stats import ks_2samp
from sklearn.decomposition import PCA

from xaikit.exercises import graded_exercise, reference_context
from xaikit.exercises.drift import grader as G
from three_way import three_way

EX = graded_exercise("drift")
check, test_reference_answer_is_correct, test_placeholder_is_not_attempted = \
    three_way(EX)


@pytest.fixture(scope="module")
def ctx():
    return reference_context("drift", 0)


@pytest.fixture(scope="module")
def ref(ctx):
    """Reference answers computed the way the solution notebook does (with the libraries)."""
    e = shap.TreeExplainer(ctx.model, data=ctx.X_background, feature_perturbation="interventional")
    s_ref = e.shap_values(ctx.X_reference)
    s_win = [e.shap_values(ctx.window(w)[0]) for w in ctx.windows]
    feats = ctx.feature_names
    in_ks = np.array([[ks_2samp(ctx.X_reference[f], ctx.window(w)[0][f]).statistic
                       for f in feats] for w in ctx.windows])
    sh_ks = np.array([[ks_2samp(s_ref[:, j], v[:, j]).statistic for j in range(len(feats))]
                      for v in s_win])
    score, in_score = sh_ks.max(1), in_ks.max(1)
    thr = ctx.alert_margin * score[list(ctx.control_windows)].max()
    in_thr = ctx.alert_margin * in_score[list(ctx.control_windows)].max()
    in_alerts = [w for w in ctx.monitored_windows if in_score[w] > in_thr]
    shap_alerts = [w for w in ctx.monitored_windows if score[w] > thr]
    mae = np.array([np.mean(np.abs(ctx.window(w)[1] - ctx.model.predict(ctx.window(w)[0])))
                    for w in ctx.windows])
    err_thr = ctx.error_margin * mae[list(ctx.control_windows)].max()
    concept = [w for w in ctx.monitored_windows
               if mae[w] > err_thr and w not in in_alerts and w not in shap_alerts]
    pca = PCA(2).fit(s_ref)
    return {"mean_abs_shap": np.array([np.abs(v).mean(0) for v in s_win]),
            "ref_mean_abs_shap": np.abs(s_ref).mean(0), "input_ks": in_ks, "shap_ks": sh_ks,
            "shap_threshold": thr, "input_threshold": in_thr,
            "shap_alerts": shap_alerts, "input_alerts": in_alerts,
            "window_mae": mae, "covariate_windows": in_alerts,
            "concept_window": concept[0],
            "pca_centroids": np.array([pca.transform(v).mean(0) for v in s_win]),
            "pca_explained": pca.explained_variance_ratio_,
            "_s_win": s_win, "_s_ref": s_ref}


def _with(ref, **changes):
    return {**ref, **changes}


def test_q1_mistakes(ref, ctx):
    r = check("q1", _with(ref, mean_abs_shap=np.array([v.mean(0) for v in ref["_s_win"]])), ctx)
    assert r.status == "incorrect" and "absolute" in r.hint
    e = shap.TreeExplainer(ctx.model)
    pd_ = np.array([np.abs(e.shap_values(ctx.window(w)[0])).mean(0) for w in ctx.windows])
    r = check("q1", _with(ref, mean_abs_shap=pd_), ctx)
    assert r.status == "incorrect" and "background" in r.hint
    r = check("q1", _with(ref, ref_mean_abs_shap=ref["ref_mean_abs_shap"] * 1.1), ctx)
    assert r.status == "partial"


def test_q2_q3_mistakes(ref, ctx):
    pv = np.array([[ks_2samp(ctx.X_reference[f], ctx.window(w)[0][f]).pvalue
                    for f in ctx.feature_names] for w in ctx.windows])
    r = check("q2", _with(ref, input_ks=pv), ctx)
    assert r.status == "incorrect" and "statistic" in r.hint
    bg = np.array([[ks_2samp(ctx.X_background[f], ctx.window(w)[0][f]).statistic
                    for f in ctx.feature_names] for w in ctx.windows])
    r = check("q2", _with(ref, input_ks=bg), ctx)
    assert r.status == "incorrect" and "X_REFERENCE" in r.hint
    r = check("q3", _with(ref, shap_ks=ref["input_ks"]), ctx)
    assert r.status == "incorrect" and "SHAP values" in r.hint
    absks = np.array([[ks_2samp(np.abs(ref["_s_ref"][:, j]), np.abs(v[:, j])).statistic
                       for j in range(9)] for v in ref["_s_win"]])
    r = check("q3", _with(ref, shap_ks=absks), ctx)
    assert r.status == "incorrect" and "signed" in r.hint


def test_q4_mistakes(ref, ctx):
    score = ref["shap_ks"].max(1)
    r = check("q4", _with(ref, shap_threshold=ctx.alert_margin * score.max()), ctx)
    assert r.status == "partial" and r.score == pytest.approx(0.75) and "control" in r.hint
    r = check("q4", _with(ref, shap_threshold=score[:3].max(), input_threshold=None), ctx)
    assert r.status == "partial" and r.score == pytest.approx(0.5) and "margin" in r.hint
    mean_thr = ctx.alert_margin * ref["input_ks"][:3].mean(1).max()
    r = check("q4", _with(ref, input_threshold=mean_thr), ctx)
    assert r.status == "partial" and "not the mean" in r.hint
    r = check("q4", _with(ref, shap_alerts=list(ctx.monitored_windows)), ctx)
    assert r.status == "partial" and r.score == pytest.approx(0.75) and "monitored" in r.hint
    # the heat wave (3) left out of the attribution alerts: a real decision, graded
    r = check("q4", _with(ref, shap_alerts=[w for w in ref["shap_alerts"] if w != 3]), ctx)
    assert r.status == "partial"


def test_q5_mistakes(ref, ctx):
    rmse = np.array([np.sqrt(np.mean((ctx.window(w)[1] - ctx.model.predict(ctx.window(w)[0]))
                                     ** 2)) for w in ctx.windows])
    r = check("q5", _with(ref, window_mae=rmse), ctx)
    assert r.status == "partial" and "RMSE" in r.hint
    # the largest error among all monitored windows is not the concept window in general;
    # here: a window with an input alert taken as the concept window
    r = check("q5", _with(ref, concept_window=ref["input_alerts"][-1]), ctx)
    assert r.status == "partial" and r.score == pytest.approx(0.7) and "input alert" in r.hint
    r = check("q5", _with(ref, covariate_windows=[ref["concept_window"]]), ctx)
    assert r.status == "partial" and r.score == pytest.approx(0.7) and "moves the inputs" in r.hint


def test_q6_sign_free_and_mistakes(ref, ctx):
    flipped = ref["pca_centroids"] * np.array([-1.0, 1.0])
    assert check("q6", _with(ref, pca_centroids=flipped), ctx).status == "correct"
    pooled = PCA(2).fit(np.vstack(ref["_s_win"]))
    alt = np.array([pooled.transform(v).mean(0) for v in ref["_s_win"]])
    r = check("q6", _with(ref, pca_centroids=alt), ctx)
    assert r.status == "incorrect" and "reference" in r.hint


def test_generator_plants_what_the_card_says(ctx):
    """Calendar windows in time order (0-2: even dates of 1 Jun - 15 Jul, the model's
    training rows are the odd dates); concept window 4 or 5: same inputs, lower commute rentals."""
    import pandas as pd

    from xaikit.datasets import load_bikeshare
    from xaikit.drift import WINDOW_CALENDAR, hour_dates, training_rows

    ds = load_bikeshare()
    s = G.materialise(0)["stream"]
    assert s["window"].is_monotonic_increasing and pd.Index(s["date"]).is_monotonic_increasing
    for w, (_, first, last) in enumerate(WINDOW_CALENDAR):
        d = pd.to_datetime(s.loc[s["window"] == w, "date"])
        assert d.min() >= pd.Timestamp(first) and d.max() <= pd.Timestamp(last)
        assert (d.dt.day % 2 == 0).all() if w <= 2 else d.dt.day.nunique() >= 15
    train_dates = set(hour_dates(ds.X[training_rows(ds)]).strftime("%Y-%m-%d"))
    assert train_dates.isdisjoint(set(s["date"]))
    assert all(pd.Timestamp(d).day % 2 == 1 for d in train_dates)
    for v in range(6):
        t = G.planted(v)
        assert t["concept"] in (4, 5) and 0.2 <= t["factor"] <= 0.35
    t = G.planted(0)
    part = s[s["window"] == t["concept"]]
    orig = ds.y.loc[G.window_rows(0, ds.X)[t["concept"]]].to_numpy()
    hit = (part["workingday"] == 1) & part["hr"].isin(G.references.COMMUTE_HOURS)
    assert np.allclose(part["bikers"][hit], np.round(orig[hit.to_numpy()] * t["factor"]))
    assert np.array_equal(part["bikers"][~hit], orig[~hit.to_numpy()])
    assert np.array_equal(part[list(ctx.feature_names)].to_numpy(),
                          ds.X.loc[G.window_rows(0, ds.X)[t["concept"]],
                                   list(ctx.feature_names)].to_numpy())


def test_shap_cache_is_bit_identical(ctx):
    X = ctx.window(0)[0].iloc[:20]
    e = shap.TreeExplainer(ctx.model, data=ctx.X_background, feature_perturbation="interventional")
    assert np.array_equal(G.interventional_shap(ctx.model, ctx.X_background, X), e.shap_values(X))


def test_feedback_never_reveals_values(ref, ctx):
    wrong = _with(ref, shap_threshold=0.123456, input_threshold=0.5,
                  window_mae=ref["window_mae"] + 1, concept_window=3)
    for qid in ("q4", "q5"):
        r = check(qid, wrong, ctx)
        text = f"{r.feedback} {r.hint}"
        assert f"{ref['shap_threshold']:.3f}" not in text
        assert f"{ref['input_threshold']:.3f}" not in text
        assert str(ref["input_alerts"]) not in text
        assert f"window {ref['concept_window']}" not in text
