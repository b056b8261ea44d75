"""The fooling primer's self-checks: the right answers pass, the typical wrong ones fail with
their hint; the scaffold does what the primer says on known cases."""
import numpy as np

from xaikit.exercises.framework import run_check
from xaikit.primers import _context, get_primer
from xaikit.primers.fooling import BAND, ScaffoldedModel

P = get_primer("fooling")


def run(qid, value):
    q = P.question(qid)
    return run_check(q, {q.answers[0]: value}, _context("fooling"))


def test_scaffold_on_known_rows():
    m = ScaffoldedModel()
    X = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [1.0, 1.0 + 2 * BAND, 0.0],
                  [-1.0, 0.0, 1.0]])
    assert m.predict(X).tolist() == [0, 1, 1, 0]


def test_f1_f2():
    ctx = _context("fooling")
    off = float(np.mean(np.abs(ctx.samples[:, 1] - ctx.samples[:, 0]) > BAND))
    assert run("f1", off).status == "correct"
    assert "IN the band" in run("f1", 1 - off).feedback
    X = ctx.X.to_numpy()
    Z = X.copy()
    Z[:, 2] = 1 - Z[:, 2]
    rate = float(np.mean(ctx.model.predict(X) != ctx.model.predict(Z)))
    assert run("f2", rate).status == "correct"
    assert rate > 0.9 and off > 0.7  # the premise: real rows follow s, samples are off-band
    S = ctx.samples.copy()
    S2 = S.copy()
    S2[:, 2] = 1 - S2[:, 2]
    r = run("f2", float(np.mean(ctx.model.predict(S) != ctx.model.predict(S2))))
    assert r.status == "incorrect" and "REAL" in r.hint


def test_choices():
    assert run("f3", "c").status == "correct" and run("f3", "b").status == "incorrect"
    assert run("f4", "b").status == "correct" and run("f4", "a").status == "incorrect"
