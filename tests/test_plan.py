"""The composer ``xaikit plan`` (issue 7): fits level and time from the declared level and
minutes of each exercise, fills the rest with discussion items."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from xaikit.cli import main
from xaikit.plan import DISCUSSION, LEVELS, level_set, plan
from xaikit.exercises import Exercise, Question, Rubric


def _ex(eid, level, minutes, topics=("t",), qlevels=("junior", "mid")):
    qs = tuple(Question(f"q{i + 1}", "t", "manual", 1, lv, minutes // len(qlevels),
                        rubric=Rubric(("c",), "s", "a", "w")) for i, lv in enumerate(qlevels))
    return Exercise(eid, eid.title(), level, minutes, f"{eid}.ipynb", topics, qs,
                    lambda v: None)


POOL = [_ex("a", "junior-mid", 75, ("x", "y")), _ex("b", "mid", 60), _ex("c", "mid-senior", 90),
        _ex("d", "junior", 30), _ex("e", "senior", 45)]


def test_level_set_parses_ranges():
    assert level_set("junior-mid") == {"junior", "mid"}
    assert level_set("junior→mid") == {"junior", "mid"}
    assert level_set("junior-senior") == set(LEVELS)
    assert level_set("mid") == {"mid"}
    with pytest.raises(ValueError):
        level_set("expert")


@pytest.mark.parametrize("level,minutes", [(lv, m) for lv in LEVELS
                                           for m in (20, 45, 90, 120, 180, 300)])
def test_plans_fit_the_level_and_the_time(level, minutes):
    p = plan(level, minutes, exercises=POOL)
    assert p.used <= minutes
    for e in p.exercises:
        assert level in level_set(e.level)
    for d in p.discussion:
        assert level in d.levels
    assert len({d.id for d in p.discussion}) == len(p.discussion)


def test_plan_uses_the_time_and_keeps_discussion():
    p = plan("mid", 90, exercises=POOL)
    assert [e.id for e in p.exercises] == ["a"]  # 75 min: the most of 80 available
    assert p.discussion and p.used >= 85
    p = plan("mid", 160, exercises=POOL)
    assert sorted(e.id for e in p.exercises) == ["b", "c"]  # 150 min: all of 160 - 10
    p = plan("senior", 60, exercises=POOL)
    assert [e.id for e in p.exercises] == ["e"]
    assert p.discussion[0].levels == ("senior",)  # level-specific discussion first


def test_plan_falls_back_to_a_subset_of_questions():
    p = plan("junior", 40, exercises=[_ex("a", "junior-mid", 75, qlevels=("junior", "junior",
                                                                          "mid"))])
    (e,) = p.exercises
    assert e.questions == ["q1"] and e.minutes == 25  # q2 (25 min) would exceed 30


def test_plan_with_the_registered_exercises_and_the_cli():
    p = plan("mid", 90)
    assert p.used <= 90 and p.exercises
    res = CliRunner().invoke(main, ["plan", "--level", "mid", "--minutes", "90"])
    assert res.exit_code == 0, res.output
    assert "Exercises" in res.output and "Discussion" in res.output
    assert "xaikit pack --candidate ID --exercises" in res.output
    assert CliRunner().invoke(main, ["plan", "--level", "guru", "--minutes", "90"]).exit_code


def test_discussion_items_are_complete():
    ids = [d.id for d in DISCUSSION]
    assert len(ids) == len(set(ids))
    for d in DISCUSSION:
        assert d.prompts and d.follow_ups and d.criteria and d.red_flags
        assert set(d.expect) == set(LEVELS) and set(d.levels) <= set(LEVELS)
    covered = {t for d in DISCUSSION for t in d.topics}
    assert {1, 9, 30, 31, 36, 37, 38, 39, 40} <= covered  # discussion-only topics
