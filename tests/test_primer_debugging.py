"""The ``debugging`` primer's self-checks: right answers pass, typical mistakes get their hint;
and the generated data has the planted leak and trend."""
import numpy as np
import pytest

from xaikit.exercises.framework import run_check
from xaikit.primers import _context, get_primer
from xaikit.primers.debugging import make_cafe

P = get_primer("debugging")


@pytest.fixture(scope="module")
def ctx():
    return _context("debugging")


def _run(qid, value, ctx):
    q = P.question(qid)
    return run_check(q, {q.answers[0]: value}, ctx)


def test_d2_three_ways(ctx):
    m, cols = ctx.model_trend, list(ctx.trend_columns)
    pred = m.predict(ctx.X.loc[ctx.later, cols])
    d = ctx.y[ctx.later].to_numpy() - pred
    assert _run("d2", float(np.sqrt(np.mean(d ** 2))), ctx).status == "correct"
    r = _run("d2", float(np.mean(np.abs(d))), ctx)
    assert r.status == "incorrect" and "sqrt" in r.hint
    de = ctx.y[ctx.early].to_numpy() - m.predict(ctx.X.loc[ctx.early, cols])
    r = _run("d2", float(np.sqrt(np.mean(de ** 2))), ctx)
    assert r.status == "incorrect" and "later days" in r.hint
    assert _run("d2", None, ctx).status == "not_attempted"


@pytest.mark.parametrize("qid,right", [("d1", "b"), ("d3", "c"), ("d4", "a")])
def test_choices(qid, right, ctx):
    assert _run(qid, right, ctx).status == "correct"
    for wrong in "abcd".replace(right, ""):
        r = _run(qid, wrong, ctx)
        assert r.status == "incorrect" and r.hint


def test_planted_truth():
    X, y = make_cafe()
    assert np.corrcoef(X["receipts"], y)[0, 1] > 0.95          # the leak
    assert X["day_index"].tolist() == list(range(1, 731))       # the trend column
    assert y[-90:].mean() > y[:90].mean()                       # the café grows


def test_random_split_is_optimistic(ctx):
    """The premise of d2/d3: the later-period error exceeds the random-split error."""
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.model_selection import train_test_split

    cols = list(ctx.trend_columns)
    Xa, Xb, ya, yb = train_test_split(ctx.X[cols], ctx.y, test_size=0.3, random_state=0)
    m = GradientBoostingRegressor(n_estimators=150, max_depth=3, random_state=0).fit(Xa, ya)
    random_rmse = float(np.sqrt(np.mean((m.predict(Xb) - yb) ** 2)))
    assert ctx.rmse(ctx.model_trend, ctx.later) > 1.1 * random_rmse
