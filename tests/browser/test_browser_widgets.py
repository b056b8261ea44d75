"""Every widget works in JupyterLab in a real (headless) browser.

For each notebook copy listed by ``widget_specs`` that exists: open it in JupyterLab, wait for
the kernel, Run All from the Run menu, check that every widget and display renders, drive each
control like a user and check that the displays it drives visibly change (new ``img src``, new
text). A screenshot of the notebook after interaction (1400×1000 window) is saved in the test's
tmp dir; on failure the path of a screenshot is in the error.

Run alone: ``.venv/bin/python -m pytest tests/browser -m browser -v`` (add ``-s`` to print each
notebook's screenshot path and timings; set ``XAIKIT_SCREENSHOT_DIR=dir`` to keep a copy of the
screenshots there, since pytest keeps only its last three tmp dirs).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from browser_lab import (REPO, display_state, drive, load_lab, notebook_errors, open_notebook,
                         run_all, wait_kernel_idle)
from widget_specs import BY_STEM, FOLDERS, SPECS

CHANGE_TIMEOUT_S = 30
WIDGET_ERROR = re.compile(r"Error displaying widget|Error creating widget|Loading widget\.\.\.")


def _notebook_copies():
    """(spec, relpath) of every copy to drive: see widget_specs' docstring."""
    every = os.environ.get("XAIKIT_BROWSER_ALL_COPIES", "") not in ("", "0")
    params = []
    for spec in SPECS:
        existing = [f for f in FOLDERS if (REPO / f / f"{spec.stem}.ipynb").is_file()]
        chosen = [f for f in existing if every or f in spec.copies]
        for folder in chosen or existing:
            params.append(pytest.param(spec, f"{folder}/{spec.stem}.ipynb",
                                       id=f"{folder}/{spec.stem}"))
    return params


def _changed(before, after, kind) -> bool:
    if kind == "image":
        return bool(after) and after != before
    return bool(after.strip()) and after != before


def _wait_changed(page, spec, control, before):
    deadline = time.monotonic() + CHANGE_TIMEOUT_S
    pending = list(control.changes)
    while pending and time.monotonic() < deadline:
        pending = [css for css in pending
                   if not _changed(before[css], display_state(page, css, spec.displays[css]),
                                   spec.displays[css])]
        if pending:
            page.wait_for_timeout(100)
    return pending


def _check_notebook(page, lab_server, spec, relpath, timings):
    t = time.monotonic()
    open_notebook(page, lab_server, relpath)
    timings["open_s"] = time.monotonic() - t
    t = time.monotonic()
    run_all(page)
    timings["run_all_s"] = time.monotonic() - t

    t = time.monotonic()
    for css in spec.widgets:
        page.locator(f".{css}").first.wait_for(state="visible")
    for css, kind in spec.displays.items():
        loc = page.locator(f".{css}").first
        loc.wait_for(state="visible")
        if kind == "image":
            loc.locator("img").first.wait_for(state="visible")
            box = loc.locator("img").first.bounding_box()
            assert box and box["width"] > 100 and box["height"] > 100, \
                f"{css}: image too small or not laid out: {box}"
        else:
            assert loc.inner_text().strip(), f"{css}: no text"
    for control in spec.controls:
        page.locator(f".{control.css}").first.wait_for(state="visible")
    text = page.locator(".jp-Notebook").inner_text()
    assert not WIDGET_ERROR.search(text), f"a widget failed to render: {WIDGET_ERROR.search(text)}"
    timings["render_s"] = time.monotonic() - t

    for control in spec.controls:
        t = time.monotonic()
        before = {css: display_state(page, css, spec.displays[css]) for css in control.changes}
        action = drive(page, control.css, control.kind)
        pending = _wait_changed(page, spec, control, before)
        assert not pending, (f"{control.kind} .{control.css} ({action}): no visible change in "
                             f"{', '.join('.' + p for p in pending)} within {CHANGE_TIMEOUT_S} s")
        wait_kernel_idle(page)
        timings[f"{control.css}_s"] = time.monotonic() - t
    errors = notebook_errors(page)
    assert not errors, f"errors after interaction: {errors}"


@pytest.mark.browser
@pytest.mark.parametrize("spec,relpath", _notebook_copies())
def test_widgets_render_and_respond(page, lab_server, spec, relpath, tmp_path, record_property):
    timings = {}
    shot = tmp_path / (relpath.replace("/", "__").removesuffix(".ipynb") + ".png")
    try:
        _check_notebook(page, lab_server, spec, relpath, timings)
    except Exception as e:
        failure = tmp_path / "failure.png"
        try:
            page.screenshot(path=str(failure), full_page=False)
        except Exception as shot_error:  # noqa: BLE001
            failure = f"(no screenshot: {shot_error})"
        try:  # leave a clean JupyterLab for the next test
            load_lab(page, lab_server)
        except Exception:  # noqa: BLE001
            pass
        raise AssertionError(f"{relpath}: {e}\n  screenshot: {failure}\n"
                             f"  JupyterLab log: {lab_server.log_path}") from e
    widget = page.locator(f".{spec.widgets[0]}").first
    widget.scroll_into_view_if_needed()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.screenshot(path=str(shot))
    widget.screenshot(path=str(shot.with_name(shot.stem + "_widget.png")))
    keep = os.environ.get("XAIKIT_SCREENSHOT_DIR")  # pytest keeps only its last 3 tmp dirs
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for p in (shot, shot.with_name(shot.stem + "_widget.png")):
            shutil.copy(p, Path(keep) / p.name)
    record_property("screenshot", str(shot))
    record_property("timings", json.dumps({k: round(v, 1) for k, v in timings.items()}))
    print(f"{relpath}: screenshot {shot}; timings {timings}")


def _uses_widgets(path) -> bool:
    nb = json.loads(path.read_text())
    src = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    return bool(re.search(r"\bxaikit\.widgets\b|\bipywidgets\b|\binteract(ive)?\(", src))


def test_every_widget_notebook_has_a_spec():
    """A notebook that shows widgets must be listed in widget_specs.py (so the browser test
    drives it)."""
    missing = [f"{folder}/{p.name}" for folder in FOLDERS for p in
               sorted((REPO / folder).glob("*.ipynb")) if _uses_widgets(p)
               and p.stem not in BY_STEM]
    assert not missing, ("notebooks with widgets but no entry in tests/browser/widget_specs.py: "
                         + ", ".join(missing))


def test_specs_are_consistent():
    for spec in SPECS:
        for control in spec.controls:
            assert control.kind in {"dropdown", "toggle", "slider", "checkbox", "button"}, \
                control
            assert control.changes, f"{control.css} drives no display"
            for css in control.changes:
                assert css in spec.displays, f"{spec.stem}: {css} not in displays"
        assert set(spec.displays.values()) <= {"image", "text"}, spec.stem


PRIMERS = sorted(p.name for p in (REPO / "notebooks" / "primers").glob("*.ipynb"))


@pytest.mark.browser
@pytest.mark.parametrize("name", PRIMERS)
def test_primers_render_in_jupyterlab(page, lab_server, name, tmp_path):
    """Each primer opens in JupyterLab, runs all cells without an error output, and its figures
    render (at least one image); a screenshot is kept like the widget notebooks'."""
    relpath = f"notebooks/primers/{name}"
    open_notebook(page, lab_server, relpath)
    run_all(page)
    errors = notebook_errors(page)
    assert not errors, f"{relpath}: {errors}"
    images = page.locator(".jp-OutputArea-output img")
    assert images.count() >= 1, f"{relpath}: no figure rendered"
    images.first.scroll_into_view_if_needed()
    shot = tmp_path / f"primers__{name.removesuffix('.ipynb')}.png"
    page.screenshot(path=str(shot))
    keep = os.environ.get("XAIKIT_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)
