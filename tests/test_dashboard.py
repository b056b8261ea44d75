"""The batch dashboard (OUT/index.html) and its per-question statistics, from hand-made
reports (nothing is graded here; the browser test clicks the page)."""
from __future__ import annotations

import math
import re

import pytest
from dashboard_cases import batch_of_ten, discriminating_batch, report, write_json_only

from xaikit.grading.dashboard import correlation, question_stats, rebuild_dashboard, \
    render_dashboard, write_dashboard


def test_correlation_known_values():
    assert correlation([1, 1, 0, 0], [2, 1, 1, 0]) == pytest.approx(1 / math.sqrt(2))
    assert correlation([1, 0, 1, 0], [2, 2, 0, 0]) == pytest.approx(0.0)
    assert correlation([0, 1, 2], [2, 1, 0]) == pytest.approx(-1.0)
    assert correlation([1, 1, 1, 1], [0, 1, 2, 3]) is None  # a constant item
    assert correlation([0, 1], [0, 1]) is None  # too few


def test_question_stats_on_a_hand_made_batch():
    stats = question_stats(discriminating_batch())
    assert stats["q1"]["n"] == 4  # the invalid hand-in does not count
    assert stats["q1"]["discrimination"] == pytest.approx(1 / math.sqrt(2), abs=1e-4)
    assert stats["q2"]["discrimination"] == pytest.approx(1 / math.sqrt(2), abs=1e-4)
    assert stats["q3"]["discrimination"] == pytest.approx(0.0, abs=1e-9)
    assert stats["q4"]["discrimination"] is None  # everybody right
    assert stats["q1"]["mean"] == pytest.approx(0.5) and stats["q1"]["share_correct"] == 0.5
    assert stats["q4"]["mean"] == pytest.approx(2.0) and stats["q4"]["share_correct"] == 1.0
    # the written question: only the two scored hand-ins; r undefined with n < 3
    assert stats["q7"]["n"] == 2 and stats["q7"]["mean"] == pytest.approx(1.0)
    assert stats["q7"]["points"] == 2.0
    assert stats["q7"]["share_correct"] == 0.0 and stats["q7"]["discrimination"] is None


def test_dashboard_groups_by_exercise_and_links_reports(tmp_path):
    reps = batch_of_ten(tmp_path)
    html = (write_dashboard(tmp_path, reps)).read_text()
    assert html.count("<table class='sortable'") == 2
    assert "data-exercise='pdp_ice'" in html and "data-exercise='shap_vs_lime'" in html
    links = re.findall(r"href='([^']+)'", html)
    assert len(links) == 10 and all((tmp_path / l).is_file() for l in links)
    assert all(not l.startswith(("/", "http")) for l in links)  # relative
    assert "http://" not in html and "https://" not in html  # no CDN
    assert "corrected item-total correlation" in html
    assert ">10.0<" in html  # cand00's time spent: 600 s; cand05 has no times: —
    assert "stale_output" in html
    reps[0]["flags"] = [{"kind": "similar_submission", "detail": d} for d in "ab"]
    assert "similar_submission ×2" in render_dashboard(tmp_path, reps)


def test_rebuild_from_report_json_only_writes_the_missing_report_html(tmp_path):
    reps = [report("ann", "shap_vs_lime", {"q1": (1.0, 1.0)}),
            report("<bob>", "pdp_ice", {"q1": (0.0, 1.0)}, status="cell_errors")]
    reps[1]["candidate"] = "bob"
    write_json_only(tmp_path, reps)
    html = rebuild_dashboard(tmp_path).read_text()
    assert (tmp_path / "ann" / "report.html").is_file()
    assert "href='ann/report.html'" in html and "href='bob/report.html'" in html
    assert "&lt;bob&gt;.ipynb" in html  # escaped


def test_empty_and_invalid_batches_render():
    assert "0 submission(s)" in render_dashboard(".", [])
    r = report("x", None, {"q1": (0, 1.0)}, status="invalid")
    r["questions"] = []
    assert "(not gradable)" in render_dashboard(".", [r])
