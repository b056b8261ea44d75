"""Every check of drift, three ways: reference passes, known wrong answers fail with the right
hint, the untouched placeholder is not attempted; plus the planted stream's generator."""
import numpy as np
import pytest
import shap
from scipy.stats import ks_2samp
from sklearn.decomposition import PCA

from xaikit.answers import roundtrip
from xaikit.exercises import graded_exercise, reference_context, run_check
from xaikit.exercises.drift import grader as G

EX = graded_exercise("drift")


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
    score = sh_ks.max(1)
    thr = ctx.alert_margin * score[list(ctx.control_windows)].max()
    mae = np.array([np.mean(np.abs(ctx.window(w)[1] - ctx.model.predict(ctx.window(w)[0])))
                    for w in ctx.windows])
    pca = PCA(2).fit(s_ref)
    return {"mean_abs_shap": np.array([np.abs(v).mean(0) for v in s_win]),
            "ref_mean_abs_shap": np.abs(s_ref).mean(0), "input_ks": in_ks, "shap_ks": sh_ks,
            "shap_threshold": thr,
            "shap_alerts": [w for w in ctx.monitored_windows if score[w] > thr],
            "window_mae": mae, "covariate_window": ctx.truth["covariate"],
            "concept_window": ctx.truth["concept"],
            "pca_centroids": np.array([pca.transform(v).mean(0) for v in s_win]),
            "pca_explained": pca.explained_variance_ratio_,
            "_s_win": s_win, "_s_ref": s_ref}


def check(qid, answers, ctx):
    q = EX.question(qid)
    return run_check(q, {k: roundtrip(answers[k]) for k in q.answers}, ctx)


AUTO = [q.id for q in EX.questions if q.kind == "auto"]


@pytest.mark.parametrize("qid", AUTO)
def test_reference_answer_is_correct(qid, ref, ctx):
    r = check(qid, ref, ctx)
    assert (r.status, r.score) == ("correct", 1.0), r.feedback


@pytest.mark.parametrize("qid", AUTO)
def test_placeholder_is_not_attempted(qid, ctx):
    q = EX.question(qid)
    assert run_check(q, {n: None for n in q.answers}, ctx).status == "not_attempted"
    assert run_check(q, {}, ctx).status == "not_attempted"


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
    r = check("q3", _with(ref, shap_ks=ref["input_ks"]), ctx)
    assert r.status == "incorrect" and "SHAP values" in r.hint
    absks = np.array([[ks_2samp(np.abs(ref["_s_ref"][:, j]), np.abs(v[:, j])).statistic
                       for j in range(9)] for v in ref["_s_win"]])
    r = check("q3", _with(ref, shap_ks=absks), ctx)
    assert r.status == "incorrect" and "signed" in r.hint


def test_q4_mistakes(ref, ctx):
    score = ref["shap_ks"].max(1)
    r = check("q4", _with(ref, shap_threshold=ctx.alert_margin * score.max()), ctx)
    assert r.status == "partial" and "control" in r.hint
    r = check("q4", _with(ref, shap_threshold=score[:6].max(), shap_alerts=[6, 7, 8, 9]), ctx)
    assert r.status == "incorrect" and "margin" in r.hint
    r = check("q4", _with(ref, shap_alerts=[6, 7, 8, 9]), ctx)
    assert r.status == "partial"


def test_q5_mistakes(ref, ctx):
    rmse = np.array([np.sqrt(np.mean((ctx.window(w)[1] - ctx.model.predict(ctx.window(w)[0]))
                                     ** 2)) for w in ctx.windows])
    r = check("q5", _with(ref, window_mae=rmse), ctx)
    assert r.status == "partial" and "RMSE" in r.hint
    swapped = _with(ref, covariate_window=ref["concept_window"],
                    concept_window=ref["covariate_window"])
    r = check("q5", swapped, ctx)
    assert r.status == "partial" and r.score == pytest.approx(0.4) and "attributions" in r.hint


def test_q6_sign_free_and_mistakes(ref, ctx):
    flipped = ref["pca_centroids"] * np.array([-1.0, 1.0])
    assert check("q6", _with(ref, pca_centroids=flipped), ctx).status == "correct"
    pooled = PCA(2).fit(np.vstack(ref["_s_win"]))
    alt = np.array([pooled.transform(v).mean(0) for v in ref["_s_win"]])
    r = check("q6", _with(ref, pca_centroids=alt), ctx)
    assert r.status == "incorrect" and "reference" in r.hint


def test_generator_plants_what_the_card_says(ctx):
    """Concept window: same inputs as the unaltered deal, lower commute rentals; covariate
    window: summer hours; windows 0-5 never planted."""
    from xaikit.datasets import load_bikeshare

    ds = load_bikeshare()
    for v in (0, 1, 2):
        t = G.planted(v)
        assert t["covariate"] != t["concept"] and {t["covariate"], t["concept"]} <= {6, 7, 8, 9}
        rows = G.window_rows(v, ds.X)
        assert ds.X.loc[rows[t["covariate"]], "day"].between(182, 243).all()
        for w in range(10):
            if w != t["covariate"]:
                d = ds.X.loc[rows[w], "day"]
                assert (d <= 181).all() and (d % 2 == 0).all()
    s = G.materialise(0)["stream"]
    t = G.planted(0)
    part = s[s["window"] == t["concept"]]
    orig = ds.y.loc[G.window_rows(0, ds.X)[t["concept"]]].to_numpy()
    hit = (part["workingday"] == 1) & part["hr"].isin(G.references.COMMUTE_HOURS)
    assert np.allclose(part["bikers"][hit], np.round(orig[hit.to_numpy()] * t["factor"]))
    assert np.array_equal(part["bikers"][~hit], orig[~hit.to_numpy()])


def test_shap_cache_is_bit_identical(ctx):
    X = ctx.window(0)[0].iloc[:20]
    e = shap.TreeExplainer(ctx.model, data=ctx.X_background, feature_perturbation="interventional")
    assert np.array_equal(G.interventional_shap(ctx.model, ctx.X_background, X), e.shap_values(X))


def test_feedback_never_reveals_values(ref, ctx):
    wrong = _with(ref, shap_threshold=0.123456, window_mae=ref["window_mae"] + 1)
    for qid in ("q4", "q5"):
        r = check(qid, wrong, ctx)
        text = f"{r.feedback} {r.hint}"
        assert f"{ref['shap_threshold']:.3f}" not in text
