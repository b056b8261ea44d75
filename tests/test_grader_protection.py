"""What the grader promises where bubblewrap is missing, and the disk quota.

- Without bubblewrap and without a user id of the kernel's own, grading is refused by default
  (the message names the three ways out); ``trust=True`` grades and the report records it.
- The total a submission writes is capped (``Limits.disk_mb``), also in files each under the
  per-file cap: flag ``disk_limit``, answers given before still graded, nothing left behind.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from grader_cases import MARKER_SCORE, light, write
from xaikit.grading import sandbox as S
from xaikit.grading.batch import grade_many
from xaikit.grading.pipeline import grade_submission


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def unprotected(monkeypatch):
    """A machine where the kernel could only run with the grader's own user id."""
    monkeypatch.setattr(S, "_sandbox_uid", lambda isolation: None)
    return "rlimits"


def test_grading_unprotected_is_refused_with_the_ways_out(tmp_path, unprotected):
    nb = write(tmp_path, "own", light("x = 1\n"))
    with pytest.raises(S.UnprotectedGrading) as e:
        grade_many([nb], tmp_path / "out", isolation=unprotected, progress=False)
    msg = str(e.value)
    assert "bubblewrap" in msg and "container" in msg and "--trust-submissions" in msg
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    with pytest.raises(S.UnprotectedGrading):
        grade_submission(nb, tmp_path / "out1", isolation=unprotected)


@pytest.mark.slow
def test_trusted_grading_runs_and_is_recorded(tmp_path, unprotected):
    nb = write(tmp_path, "own", light("x = 1\n"))
    before = _sha(nb)
    (rep,) = grade_many([nb], tmp_path / "out", isolation=unprotected, progress=False,
                        trust=True)
    assert rep["trusted"] is True and "--trust-submissions" in rep["isolation_reason"]
    assert rep["status"] == "ok" and rep["flags"] == []
    assert _sha(nb) == before


@pytest.mark.slow
def test_disk_quota_holds_in_files_under_the_per_file_cap(tmp_path):
    """40 files of 8 MB (each under the 16 MB per-file cap) against a 100 MB quota."""
    nb = write(tmp_path, "disk", light(
        "for i in range(40):\n"
        "    open(f'blob{i}.bin', 'wb').write(b'0' * 8_000_000)\n"
        "import time; time.sleep(3)\n"))
    limits = S.Limits(memory_mb=4096, fsize_mb=16, disk_mb=100, cpu_s=300)
    (rep,) = grade_many([nb], tmp_path / "out", progress=False, limits=limits,
                        cell_timeout=30, total_timeout=60, trust=True)
    kinds = [f["kind"] for f in rep["flags"]]
    assert "disk_limit" in kinds and "file_size_limit" not in kinds, rep["flags"]
    assert rep["status"] == "incomplete"
    assert rep["limits"]["disk_mb"] == 100
    q6 = next(q for q in rep["questions"] if q["id"] == "q6")
    assert q6["score"] == pytest.approx(MARKER_SCORE)  # the answer given before still counts
