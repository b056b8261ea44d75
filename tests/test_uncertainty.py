"""Every check of uncertainty, three ways (reference passes, known wrong answers fail with their
hint, the placeholder is not attempted), and the exercise's own rules (interval overlap, the
supported steps) on cases with known answers."""
import numpy as np
import pandas as pd
import pytest
import shap
from sklearn.inspection import permutation_importance

from xaikit.exercises import graded_exercise, reference_context
from xaikit.exercises.uncertainty.grader import references as R
from three_way import three_way

EX = graded_exercise("uncertainty")
check, test_reference_answer_is_correct, test_placeholder_is_not_attempted = \
    three_way(EX)


@pytest.fixture(scope="module")
def ctx():
    return reference_context("uncertainty", 0)


@pytest.fixture(scope="module")
def ref(ctx):
    """Reference answers: library calls under the notebook's protocol (the expensive bootstrap
    and KernelSHAP repeats from the grader's disk cache, recomputed in the calibration test)."""
    names, cnames = ctx.feature_names, list(ctx.X_credit.columns)
    pt = permutation_importance(ctx.model, ctx.X_eval, ctx.y_eval, n_repeats=ctx.n_repeats,
                                random_state=ctx.pi_seed, scoring="neg_mean_squared_error",
                                n_jobs=1).importances_mean
    ci = np.percentile(ctx.ref_boot, [2.5, 97.5], axis=0).T
    ranking = [names[j] for j in np.argsort(-pt, kind="stable")]
    lo, hi = dict(zip(names, ci[:, 0])), dict(zip(names, ci[:, 1]))
    supported = [bool(lo[a] > hi[b]) for a, b in zip(ranking, ranking[1:])]
    tree = shap.TreeExplainer(ctx.credit_model, data=ctx.X_background,
                              feature_perturbation="interventional").shap_values(ctx.x_kernel)[0]
    kv = ctx.ref_kernel
    cci = np.percentile(ctx.ref_credit_boot, [2.5, 97.5], axis=0).T
    cpt = permutation_importance(ctx.credit_model, ctx.X_credit, ctx.y_credit,
                                 n_repeats=ctx.credit_n_repeats, random_state=ctx.credit_pi_seed,
                                 scoring="roc_auc", n_jobs=1).importances_mean
    top = [cnames[j] for j in np.argsort(-cpt, kind="stable")[:ctx.credit_top]]
    pos = {f: j for j, f in enumerate(cnames)}
    pairs = [[a, b] for i, a in enumerate(top) for b in top[i + 1:]
             if max(cci[pos[a], 0], cci[pos[b], 0]) <= min(cci[pos[a], 1], cci[pos[b], 1])]
    return {"pi_point": pt, "boot_pi": ctx.ref_boot, "ci": ci,
            "rashomon_pi": np.array([permutation_importance(
                t.model, ctx.X_eval, ctx.y_eval, n_repeats=ctx.rashomon_repeats,
                random_state=ctx.pi_seed, scoring="neg_mean_squared_error",
                n_jobs=1).importances_mean for t in ctx.rashomon]),
            "rashomon_mse": np.array([np.mean((ctx.y_eval.to_numpy()
                                               - t.model.predict(ctx.X_eval)) ** 2)
                                      for t in ctx.rashomon]),
            "ranking": ranking, "supported": supported,
            "tie": sorted(ranking[supported.index(False):supported.index(False) + 2],
                          key=names.index),
            "kernel_values": kv, "kernel_sd": kv.std(axis=1, ddof=1), "tree_values": tree,
            "tree_sd": np.zeros(len(tree)),
            "kernel_rmse": np.sqrt(((kv - tree) ** 2).mean(axis=(1, 2))),
            "credit_ci": cci, "credit_top": top, "overlap_pairs": pairs}


def _with(ref, **changes):
    return {**ref, **changes}


def test_planted_tie_is_what_the_reference_finds(ref, ctx):
    assert set(ref["tie"]) == set(ctx.truth["tie"])
    assert ref["ranking"][0] == ctx.truth["strong"] and ref["ranking"][-1] == ctx.truth["noise"]
    assert ref["supported"] == [True, False, True, True]


# --- q1 -----------------------------------------------------------------------------------

def test_q1_interval_from_repeats_of_one_fit_is_recognised(ref, ctx):
    r = permutation_importance(ctx.model, ctx.X_eval, ctx.y_eval, n_repeats=30,
                               random_state=ctx.pi_seed, scoring="neg_mean_squared_error",
                               n_jobs=1)
    for ci in (np.percentile(r.importances, [2.5, 97.5], axis=1).T,
               np.c_[r.importances_mean - 1.96 * r.importances_std,
                     r.importances_mean + 1.96 * r.importances_std]):
        res = check("q1", _with(ref, ci=ci), ctx)
        assert res.status == "partial" and "ONE fit" in res.hint


def test_q1_resampling_the_repeats_is_recognised(ref, ctx):
    """Bootstrap of the permutation repeats of one fit (not of the rows)."""
    r = permutation_importance(ctx.model, ctx.X_eval, ctx.y_eval, n_repeats=ctx.n_repeats,
                               random_state=ctx.pi_seed, scoring="neg_mean_squared_error",
                               n_jobs=1).importances
    rng = np.random.default_rng(ctx.boot_seed)
    boot = np.array([r[:, rng.integers(0, r.shape[1], r.shape[1])].mean(1)
                     for _ in range(ctx.n_boot)])
    res = check("q1", _with(ref, boot_pi=boot, ci=np.percentile(boot, [2.5, 97.5], 0).T), ctx)
    assert res.status == "partial" and res.score <= 0.2 + 1e-9
    assert "Resample the ROWS" in res.hint or "ONE fit" in res.hint


def test_q1_other_seeds_get_partial_credit(ref, ctx):
    boot = R.bootstrap_importances(ctx.model, ctx.X_eval, ctx.y_eval, n_boot=ctx.n_boot,
                                   boot_seed=ctx.boot_seed + 77, n_repeats=ctx.n_repeats,
                                   pi_seed=ctx.pi_seed, scoring="neg_mean_squared_error")
    res = check("q1", _with(ref, boot_pi=boot, ci=np.percentile(boot, [2.5, 97.5], 0).T), ctx)
    assert res.status == "partial" and abs(res.score - 0.4) < 1e-9
    assert "your own resamples" in res.feedback


def test_q1_level_and_format(ref, ctx):
    res = check("q1", _with(ref, ci=np.percentile(ref["boot_pi"], [5, 95], 0).T), ctx)
    assert res.status == "partial" and "level" in res.feedback
    res = check("q1", _with(ref, ci=ref["ci"][:, ::-1]), ctx)
    assert res.status == "incorrect" and "low <= high" in res.feedback
    res = check("q1", _with(ref, ci=ref["ci"].T), ctx)
    assert res.status == "incorrect" and "(5, 2)" in res.feedback


def test_q1_sign(ref, ctx):
    res = check("q1", _with(ref, pi_point=-ref["pi_point"]), ctx)
    assert res.status == "partial" and "sign" in res.feedback


# --- q2, q3 ---------------------------------------------------------------------------------

def test_q2_mistakes(ref, ctx):
    same = np.tile(ref["rashomon_pi"][0], (len(ctx.rashomon), 1))
    res = check("q2", _with(ref, rashomon_pi=same), ctx)
    assert res.status == "partial" and "first model five times" in res.hint
    res = check("q2", _with(ref, rashomon_mse=np.sqrt(ref["rashomon_mse"])), ctx)
    assert res.status == "partial" and abs(res.score - 0.7) < 1e-9 and "square root" in res.hint
    train = np.array([np.mean((t.y_train.to_numpy() - t.model.predict(t.X_train)) ** 2)
                      for t in ctx.rashomon])
    res = check("q2", _with(ref, rashomon_mse=train), ctx)
    assert res.status == "partial" and "X_EVAL" in res.hint


def test_q3_point_estimate_ranking_is_recognised(ref, ctx):
    res = check("q3", _with(ref, supported=[True] * 4), ctx)
    assert res.status == "partial" and "point estimates alone" in res.hint


def test_q3_tie_mistakes(ref, ctx):
    wrong = [ctx.truth["strong"], ctx.truth["weak"]]
    res = check("q3", _with(ref, tie=sorted(wrong, key=ctx.feature_names.index)), ctx)
    assert res.status == "partial" and "indistinguishable" in res.hint
    res = check("q3", _with(ref, tie=list(ctx.truth["tie"])[::-1]), ctx)
    assert res.status == "partial" and "column order" in res.feedback


def test_q3_consistent_with_own_intervals_gets_partial(ref, ctx):
    ci = ref["ci"].copy()
    j = ctx.feature_names.index(ctx.truth["weak"])
    ci[j] = [-1.0, 100.0]  # a wrong, enormous interval for the weak feature
    answers = _with(ref, ci=ci, supported=R.supported_steps(ref["ranking"], ci,
                                                            ctx.feature_names))
    res = check("q3", answers, ctx)
    assert res.status == "partial" and "your own intervals" in res.feedback


def test_q3_format(ref, ctx):
    res = check("q3", _with(ref, ranking=["x1"] * 5), ctx)
    assert res.status == "incorrect" and "distinct" in res.feedback
    res = check("q3", _with(ref, supported=[1, 0, 1, 1]), ctx)
    assert res.status == "incorrect" and "True/False" in res.feedback


# --- q4, q5 ---------------------------------------------------------------------------------

def test_q4_one_budget_only_is_recognised(ref, ctx):
    kv = np.repeat(ref["kernel_values"][1:2], 3, axis=0)
    res = check("q4", _with(ref, kernel_values=kv, kernel_sd=kv.std(axis=1, ddof=1)), ctx)
    assert res.status == "incorrect" and "EACH nsamples" in res.hint


def test_q4_seed_set_once_gets_partial_credit(ref, ctx):
    kv = np.empty_like(ref["kernel_values"])
    e = shap.KernelExplainer(R.margin_function(ctx.credit_model, ctx.X_credit.columns),
                             ctx.X_background)
    np.random.seed(0)
    for i, n in enumerate(ctx.nsamples):
        for j in range(len(ctx.kernel_seeds)):
            kv[i, j] = e.shap_values(ctx.x_kernel, nsamples=n, l1_reg=False, silent=True)[0]
    res = check("q4", _with(ref, kernel_values=kv, kernel_sd=kv.std(axis=1, ddof=1)), ctx)
    assert res.status == "partial" and abs(res.score - 0.25) < 1e-9
    assert "np.random.seed(seed)" in res.hint


def test_q4_default_l1_reg_and_ddof(ref, ctx):
    kv = ref["kernel_values"].copy()
    kv[:, :, ::2] = 0.0
    res = check("q4", _with(ref, kernel_values=kv), ctx)
    assert res.status == "partial" and "l1_reg=False" in res.hint
    res = check("q4", _with(ref, kernel_sd=ref["kernel_values"].std(axis=1)), ctx)
    assert res.status == "partial" and "ddof=1" in res.hint
    res = check("q4", _with(ref, kernel_values=None, kernel_sd=ref["kernel_sd"][::-1]), ctx)
    assert res.status == "incorrect" and "shrink" in res.feedback and "sqrt" in res.hint


def test_q5_mistakes(ref, ctx):
    path = shap.TreeExplainer(ctx.credit_model).shap_values(ctx.x_kernel)[0]
    res = check("q5", _with(ref, tree_values=path), ctx)
    assert res.status == "partial" and "interventional" in res.hint
    res = check("q5", _with(ref, tree_sd=ref["kernel_sd"][0]), ctx)
    assert res.status == "partial" and abs(res.score - 0.8) < 1e-9
    res = check("q5", _with(ref, kernel_rmse=ref["kernel_sd"].mean(1)), ctx)
    assert res.status == "partial" and "kernel_rmse" in res.feedback


# --- q6 ---------------------------------------------------------------------------------

def test_q6_mistakes(ref, ctx):
    res = check("q6", _with(ref, overlap_pairs=[]), ctx)
    assert res.status == "partial" and "Different point estimates" in res.hint
    res = check("q6", _with(ref, credit_top=ref["credit_top"][::-1]), ctx)
    assert res.status == "partial" and "wrong order" in res.feedback
    every = [[a, b] for i, a in enumerate(ref["credit_top"]) for b in ref["credit_top"][i + 1:]]
    res = check("q6", _with(ref, overlap_pairs=every), ctx)
    assert res.status == "partial" and "max(lows)" in res.hint
    res = check("q6", _with(ref, overlap_pairs=[["checking_status", "nope"]]), ctx)
    assert res.status == "incorrect" and "unknown" in res.feedback


def test_feedback_never_reveals_the_expected_values(ref, ctx):
    for qid, ans in (("q1", _with(ref, ci=ref["ci"] * 1.1)),
                     ("q3", _with(ref, tie=[ctx.truth["strong"], ctx.truth["noise"]])),
                     ("q4", _with(ref, kernel_sd=ref["kernel_sd"] * 1.3)),
                     ("q6", _with(ref, overlap_pairs=[]))):
        r = check(qid, ans, ctx)
        text = f"{r.feedback} {r.hint}"
        for v in np.r_[ref["ci"].ravel(), ref["kernel_sd"].mean(1)]:
            assert f"{v:.3f}" not in text
        assert str(ctx.truth["tie"]) not in text and " and ".join(ctx.truth["tie"]) not in text


# --- the exercise's own rules on known cases -------------------------------------------------

def test_overlap_rule_on_known_intervals():
    assert R.overlaps((0, 1), (0.5, 2)) and R.overlaps((0, 1), (1, 2))  # touching = overlap
    assert not R.overlaps((0, 1), (1.01, 2)) and not R.overlaps((3, 4), (0, 2.9))
    ci = np.array([[5, 6], [2, 3], [2.5, 3.5], [0, 1]])
    names = ["a", "b", "c", "d"]
    assert R.supported_steps(["a", "c", "b", "d"], ci, names) == [True, False, True]
    assert R.overlapping_pairs(["a", "c", "b", "d"], ci, names) == [["c", "b"]]


def test_percentile_interval_and_ranking():
    s = np.arange(101, dtype=float)[:, None] * np.array([1.0, -1.0])
    assert np.allclose(R.percentile_interval(s, 95), [[2.5, 97.5], [-97.5, -2.5]])
    assert np.allclose(R.percentile_interval(s, 90), [[5, 95], [-95, -5]])
    assert R.ranking_of([1.0, 3.0, 3.0, 2.0], list("abcd")) == ["b", "c", "d", "a"]


def test_bootstrap_indices_resample_rows_with_replacement():
    idx = R.bootstrap_indices(300, 30, 7)
    assert idx.shape == (30, 300) and idx.min() >= 0 and idx.max() < 300
    assert np.array_equal(idx[3], np.random.default_rng(7).integers(0, 300, (30, 300))[3])
    assert np.mean([len(np.unique(r)) for r in idx]) == pytest.approx(300 * (1 - 1 / np.e),
                                                                       rel=0.05)


def test_bootstrap_of_a_linear_model_has_the_known_importance():
    """y = 2 x0 + x1 with a known linear 'model': the MSE increase of shuffling x_j is
    2 b_j² var(x_j) in expectation; the bootstrap interval covers it."""
    from sklearn.linear_model import LinearRegression

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.standard_normal((400, 3)), columns=["a", "b", "c"])
    y = pd.Series(2 * X["a"] + X["b"])
    m = LinearRegression().fit(X.to_numpy(), y)  # the grader passes NumPy arrays
    boot = R.bootstrap_importances(m, X, y, n_boot=30, boot_seed=1, n_repeats=3, pi_seed=0,
                                   scoring="neg_mean_squared_error")
    ci = R.percentile_interval(boot)
    for j, true in enumerate((8.0, 2.0, 0.0)):
        assert ci[j, 0] - 0.05 <= true <= ci[j, 1] + 0.05


def test_kernel_repeats_are_exact_for_a_linear_function():
    """KernelSHAP of a linear margin is exact at any budget (coef * (x - background mean));
    a repeat with the same seed is bit-identical."""
    from xaikit.exercises.uncertainty.grader.references import kernel_repeats

    class Linear:
        coef = np.arange(1.0, 13.0)

        def predict(self, X, output_margin=True):
            return np.asarray(X, float) @ self.coef

    rng = np.random.default_rng(0)
    bg = pd.DataFrame(rng.standard_normal((10, 12)), columns=[f"f{i}" for i in range(12)])
    x = pd.DataFrame(rng.standard_normal((1, 12)), columns=bg.columns)
    kv = kernel_repeats(Linear(), bg, x, (64, 256), (0, 1))
    exact = Linear.coef * (x.to_numpy()[0] - bg.to_numpy().mean(0))
    assert np.allclose(kv, exact[None, None, :], atol=1e-8)


def test_explorer_shows_other_data_and_the_phenomenon(tmp_path, monkeypatch):
    """The explorer runs on Friedman #1 (not the exercise's roles), and there the bootstrap
    spread of an informative feature exceeds the spread of one fit's shuffles."""
    from xaikit.uncertainty import DEMO_FEATURES, explorer_draws
    from xaikit.widgets.uncertainty import BootstrapExplorer

    monkeypatch.setenv("XAIKIT_CACHE_DIR", str(tmp_path))
    d = explorer_draws()
    assert d.feature_names == [f"z{j + 1}" for j in range(DEMO_FEATURES)]
    informative = slice(0, 5)
    assert np.all(d.bootstrap[:, informative].std(0) > d.repeats[:, informative].std(0))
    again = explorer_draws()  # from the JSON cache: the same numbers
    assert np.array_equal(again.bootstrap, d.bootstrap) and np.array_equal(again.repeats, d.repeats)
    w = BootstrapExplorer()
    w.feature.value, w.source.value, w.n.value = "z2", "repeats", 20
    assert w.last_update_ms is not None
