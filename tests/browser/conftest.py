"""Fixtures of the browser tests: one JupyterLab server and one headless Chromium per pytest
process (under ``pytest -n 2 --dist loadfile`` each worker that gets a browser test starts its own).

Chromium is Debian's ``/usr/bin/chromium`` (``apt-get install chromium``), driven by the python
``playwright`` package; ``playwright install`` is never needed. Without chromium the tests are
skipped, except when ``CI`` is set: there they fail.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from browser_lab import (CHROMIUM, CHROMIUM_FLAGS, VIEWPORT, LabServer, close_notebooks,
                         load_lab)

INSTALL_HINT = ("Debian/Ubuntu: `sudo apt-get install chromium` (the tests drive "
                f"{CHROMIUM} through the python playwright package; `playwright install` is "
                "not needed; set XAIKIT_CHROMIUM to use another chromium binary)")


def _unavailable(reason: str):
    msg = f"browser tests need Chromium: {reason}. Install it: {INSTALL_HINT}"
    if os.environ.get("CI"):
        pytest.fail(msg + " [CI is set: not skipping]", pytrace=False)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def chromium_path():
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"{CHROMIUM} is missing")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as e:
        _unavailable(f"the python package playwright is missing ({e}); "
                     "`pip install -e '.[test]'`")
    return CHROMIUM


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory, chromium_path):
    server = LabServer(tmp_path_factory.mktemp("jupyterlab")).start()
    yield server
    server.shutdown_kernels()
    server.stop()


@pytest.fixture(scope="session")
def browser(tmp_path_factory, chromium_path):
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("chromium-home")
    env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local/share"),
               XDG_RUNTIME_DIR=str(home / "run"))
    (home / "run").mkdir(mode=0o700)
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=chromium_path, headless=True,
                                     args=CHROMIUM_FLAGS, env=env)
    except Exception as e:  # a chromium that cannot start is a broken install, not a skip
        pw.stop()
        raise RuntimeError(f"{chromium_path} did not start: {e}") from e
    yield browser
    browser.close()
    pw.stop()


@pytest.fixture(scope="session")
def lab_page(browser, lab_server):
    """One JupyterLab page (1400×1000) for the session; tests open their notebook in it."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    load_lab(page, lab_server)
    yield page
    context.close()


@pytest.fixture
def page(lab_page, lab_server):
    yield lab_page
    try:
        close_notebooks(lab_page)
    except Exception:  # noqa: BLE001 - a broken page is reloaded by the next test
        load_lab(lab_page, lab_server)
    lab_server.shutdown_kernels()
