"""A throw-away JupyterLab server and the page actions the browser tests use.

Recipe measured on these machines: Debian's
``/usr/bin/chromium`` driven by the python ``playwright`` package through ``executable_path``
(never ``playwright install``); JupyterLab on 127.0.0.1 with a token and a free port, its own
config/data/runtime dirs, news and autosave off; kernel idleness read from the status bar; Run All
from the Run menu.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("XAIKIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}
NOTEBOOK_FOLDERS = ("solutions", "exercises", "notebooks")

USER_SETTINGS = {
    # no "Would you like to receive official Jupyter news?" toast, no update check
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    # the test never writes the (temporary) notebooks back
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    # every cell stays in the DOM, so prompts and outputs below the fold can be read
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """``jupyter lab`` on a temporary copy of the notebook folders; ``stop()`` ends it."""

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.root = self.workdir / "root"
        self.token = secrets.token_hex(16)
        self.port = None
        self.proc = None
        self.log_path = self.workdir / "jupyterlab.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _prepare(self) -> dict:
        self.root.mkdir(parents=True, exist_ok=True)
        for folder in NOTEBOOK_FOLDERS:
            src = REPO / folder
            if src.is_dir():
                shutil.copytree(src, self.root / folder, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        env = dict(os.environ)
        for name in ("config", "data", "runtime"):
            d = self.workdir / f"jupyter-{name}"
            d.mkdir(exist_ok=True)
            env[f"JUPYTER_{name.upper()}_DIR"] = str(d)
        settings = self.workdir / "jupyter-config" / "lab" / "user-settings"
        for rel, value in USER_SETTINGS.items():
            p = settings / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(json.dumps(value))
        env.setdefault("XAIKIT_CACHE_DIR", str(REPO / ".xaikit-cache"))
        if (REPO / "datasets" / "MANIFEST.sha256").is_file():
            env.setdefault("XAIKIT_DATA_DIR", str(REPO / "datasets"))
        # The kernel picks its matplotlib backend as in a user's JupyterLab, not the test run's
        # MPLBACKEND=agg (exported by the Makefile and tests/conftest.py).
        env.pop("MPLBACKEND", None)
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        return env

    def start(self, timeout: float = 60.0) -> "LabServer":
        env = self._prepare()
        for _attempt in range(3):
            self.port = free_port()
            cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser",
                   "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
                   "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                   f"--ServerApp.root_dir={self.root}", "--LabApp.expose_app_in_browser=True",
                   "--ServerApp.open_browser=False",
                   # jupyter-collaboration is installed for `xaikit live`; off here as in make lab
                   "--YDocExtension.disable_rtc=True"]
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                cmd.append("--allow-root")
            log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(cmd, env=env, cwd=self.root, stdout=log,
                                         stderr=subprocess.STDOUT)
            log.close()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    self.api("GET", "/api/status")
                    return self
                except OSError:
                    time.sleep(0.25)
            self.stop()
        raise RuntimeError(f"JupyterLab did not start; see {self.log_path}:\n"
                           + self.log_path.read_text(errors="replace")[-3000:])

    def api(self, method: str, path: str):
        req = urllib.request.Request(self.url + path, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """End every kernel (each test opens its notebook in a fresh one)."""
        try:
            for k in self.api("GET", "/api/kernels"):
                self.api("DELETE", f"/api/kernels/{k['id']}")
        except OSError:
            pass

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None


# ---------------------------------------------------------------------------------------------
# page actions

IDLE = re.compile(r"\|\s*Idle\s*$")


def load_lab(page, server: LabServer, timeout_ms: int = 90_000) -> None:
    """Load JupyterLab (fresh workspace) in ``page``; notebooks are then opened inside it."""
    page.goto(f"{server.url}/lab?reset&token={server.token}", timeout=timeout_ms)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell"
                           " && document.querySelector('#jp-main-statusbar')",
                           timeout=timeout_ms)


def open_notebook(page, server: LabServer, relpath: str, timeout_ms: int = 90_000) -> None:
    """Open ``relpath`` (File ▸ Open, as a command) and wait until its kernel reports Idle.

    Loads JupyterLab first if ``page`` does not show it yet; one JupyterLab page serves every
    notebook of the session (loading the app costs ~3 s), one notebook open at a time.
    """
    if not page.evaluate("() => !!(window.jupyterapp && window.jupyterapp.shell)"):
        load_lab(page, server, timeout_ms)
    close_notebooks(page)
    page.evaluate("p => window.jupyterapp.commands.execute('docmanager:open', "
                  "{path: p, factory: 'Notebook'}).then(() => null)", relpath)
    page.wait_for_function(
        """p => { const w = window.jupyterapp.shell.currentWidget;
                  return w && w.context && w.context.path === p && w.content
                         && w.content.widgets && w.content.widgets.length > 0; }""",
        arg=relpath, timeout=timeout_ms)
    wait_kernel_idle(page, timeout_ms)


def close_notebooks(page) -> None:
    """Shut down the kernels of the open notebooks and close them without saving."""
    page.evaluate("""async () => {
      const app = window.jupyterapp;
      for (const w of Array.from(app.shell.widgets('main'))) {
        if (!w.context) continue;
        w.context.model.dirty = false;
        try { await w.sessionContext.shutdown(); } catch (e) {}
        w.dispose();
      }
      for (const d of document.querySelectorAll('.jp-Dialog')) d.remove();
    }""")


def kernel_status(page) -> str:
    items = page.locator("#jp-main-statusbar .jp-StatusBar-TextItem").all_inner_texts()
    return next((t for t in items if "|" in t), "")


_KERNEL_READY = """() => { const w = window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session
            && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle'; }"""


def wait_kernel_idle(page, timeout_ms: int = 90_000) -> None:
    """Status bar ends in "| Idle" (and the current notebook has a live kernel)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        if IDLE.search(kernel_status(page)) and page.evaluate(_KERNEL_READY):
            return
        page.wait_for_timeout(200)
    raise TimeoutError(f"kernel not idle after {timeout_ms / 1000:.0f} s; status bar says "
                       f"{kernel_status(page)!r}")


_NOTEBOOK_STATE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.model.cells;
  const out = {code: 0, executed: 0, errors: []};
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type !== 'code') continue;
    out.code += 1;
    if (c.executionCount !== null) out.executed += 1;
    for (let j = 0; j < c.outputs.length; j++) {
      const o = c.outputs.get(j).toJSON();
      if (o.output_type === 'error') out.errors.push(
        `cell ${i}: ${o.ename}: ${o.evalue}`);
    }
  }
  out.busy = Array.from(panel.node.querySelectorAll('.jp-InputPrompt'))
    .some(p => p.textContent.includes('*'));
  return out;
}"""


def run_all(page, timeout_ms: int = 240_000) -> dict:
    """Clear outputs, then Run ▸ Run All Cells from the menu bar; wait until every code cell ran.

    Raises AssertionError with the cell's error when a cell fails (Run All stops there).
    """
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    deadline = time.monotonic() + timeout_ms / 1000
    state = {}
    while time.monotonic() < deadline:
        state = page.evaluate(_NOTEBOOK_STATE)
        if state["errors"]:
            raise AssertionError("a cell raised during Run All: " + "; ".join(state["errors"]))
        if not state["busy"] and state["executed"] == state["code"] \
                and IDLE.search(kernel_status(page)):
            return state
        page.wait_for_timeout(250)
    raise TimeoutError(f"Run All did not finish in {timeout_ms / 1000:.0f} s: {state}")


def notebook_errors(page) -> list[str]:
    return page.evaluate(_NOTEBOOK_STATE)["errors"]


def display_state(page, css: str, kind: str):
    """What a display shows: the ``src`` of its images, or its visible text."""
    loc = page.locator(f".{css}").first
    if kind == "image":  # an Output holding images, or an ipywidgets Image itself
        return tuple(loc.evaluate("el => (el.tagName === 'IMG' ? [el] : "
                                  "Array.from(el.querySelectorAll('img'))).map(e => e.src)"))
    return loc.inner_text()


def drive(page, css: str, kind: str) -> str:
    """Operate one control the way a user would; returns a description of what was done."""
    root = page.locator(f".{css}").first
    root.scroll_into_view_if_needed()
    if kind == "dropdown":
        select = root.locator("select")
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("s => s.selectedIndex")
        target = (current + 1) % len(options)
        select.select_option(index=target)
        return f"selected {options[target]!r}"
    if kind == "toggle":
        button = root.locator("button:not(.mod-active)").first
        label = button.inner_text()
        button.click()
        return f"clicked {label!r}"
    if kind == "slider":
        handle = root.locator('[role="slider"]').first
        before = handle.get_attribute("aria-valuenow")
        handle.focus()
        handle.press("End")
        if handle.get_attribute("aria-valuenow") == before:
            handle.press("Home")
        return f"moved slider {before} -> {handle.get_attribute('aria-valuenow')}"
    if kind == "checkbox":
        box = root.locator('input[type="checkbox"]').first
        box.click()
        return f"checkbox -> {box.is_checked()}"
    if kind == "button":
        button = root if root.evaluate("e => e.tagName") == "BUTTON" else root.locator("button")
        button.first.click()
        return "clicked"
    raise ValueError(f"unknown control kind {kind!r}")
