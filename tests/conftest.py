"""Shared test setup: a project-local model cache and a non-interactive matplotlib backend."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("XAIKIT_CACHE_DIR", str(ROOT / ".xaikit-cache"))
os.environ.setdefault("MPLBACKEND", "agg")

#: hand-ins used as test data (independent solutions for copy detection): never executed
collect_ignore_glob = ["data/*"]


def pytest_terminal_summary(terminalreporter):
    """At the end of the run: which optional system packages were missing and what that
    skipped (the full reasons are in the short summary above)."""
    skipped = terminalreporter.stats.get("skipped", [])
    missing = {}
    for rep in skipped:
        reason = str(rep.longrepr[-1]) if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        for package in ("bubblewrap", "chromium"):
            if package in reason:
                missing[package] = missing.get(package, 0) + 1
    if missing:
        terminalreporter.write_sep("-", "optional system packages")
        for package, n in sorted(missing.items()):
            terminalreporter.write_line(
                f"{package} is not installed: {n} test(s) skipped "
                f"(Debian/Ubuntu: apt-get install {package}); everything else ran")
