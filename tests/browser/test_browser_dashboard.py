"""The batch dashboard (``OUT/index.html``) in headless Chromium: the tables render, clicking a
header sorts the rows (both ways, blanks last), and every report link opens an existing
report.html. The batch is 10 hand-made reports (nothing graded: ``dashboard_cases``), opened
from disk (file://) as an interviewer would. A screenshot is saved in the test's tmp dir (set
``XAIKIT_SCREENSHOT_DIR=dir`` to keep a copy).
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from dashboard_cases import batch_of_ten

from browser_lab import VIEWPORT
from xaikit.grading.dashboard import write_dashboard

pytestmark = pytest.mark.browser


def _column(page, table, header):
    """The sort values (``data-v``, else the text) of a column, top to bottom."""
    return page.evaluate("""([sel, name]) => {
      const t = document.querySelector(sel);
      const i = Array.from(t.tHead.rows[0].cells)
        .findIndex(h => h.textContent.trim().replace(/ [▲▼]$/, '') === name);
      return Array.from(t.tBodies[0].rows).map(r => { const c = r.cells[i];
        return c.hasAttribute('data-v') ? c.getAttribute('data-v') : c.textContent.trim(); });
    }""", [table, header])


def test_dashboard_sorts_and_links(browser, tmp_path):
    out = tmp_path / "OUT"
    batch_of_ten(out)
    index = write_dashboard(out, [json.loads(p.read_text())
                                  for p in sorted(out.glob("*/report.json"))])
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(index.as_uri())
        main = "table.sortable[data-exercise='shap_vs_lime']"
        assert page.locator(f"{main} tbody tr").count() == 8
        assert page.locator("table.sortable[data-exercise='pdp_ice'] tbody tr").count() == 2
        assert page.locator("table.stats").count() == 2
        assert _column(page, main, "candidate")[0] == "cand00"

        auto = page.locator(f"{main} thead th", has_text="auto")
        auto.click()
        up = [float(v) for v in _column(page, main, "auto")]
        assert up == sorted(up) and up[0] < up[-1]
        assert auto.get_attribute("aria-sort") == "ascending"
        auto.click()
        down = [float(v) for v in _column(page, main, "auto")]
        assert down == sorted(down, reverse=True)
        assert auto.get_attribute("aria-sort") == "descending"

        spent = page.locator(f"{main} thead th", has_text="time spent")
        spent.click()
        times = _column(page, main, "time spent (min)")
        assert times[-1] == "" and [float(t) for t in times[:-1]] == sorted(
            float(t) for t in times[:-1])  # cand05 has no times: last
        page.locator(f"{main} thead th", has_text="candidate").click()
        assert _column(page, main, "candidate") == [f"cand{k:02d}" for k in range(8)]

        shot = tmp_path / "dashboard.png"
        page.screenshot(path=str(shot), full_page=True)
        if os.environ.get("XAIKIT_SCREENSHOT_DIR"):
            shutil.copy(shot, Path(os.environ["XAIKIT_SCREENSHOT_DIR"]) / "dashboard.png")
        print(f"screenshot: {shot}")

        hrefs = page.eval_on_selector_all("table.sortable a", "els => els.map(a => a.href)")
        assert len(hrefs) == 10
        files = [Path(unquote(urlparse(h).path)) for h in hrefs]
        assert all(f.is_file() and f.name == "report.html" and out in f.parents for f in files)
        page.locator(f"{main} a", has_text="cand03").click()
        page.wait_for_load_state()
        assert page.url.endswith("/cand03/report.html")
        assert "Timeline of the work" in page.content()
        assert page.locator("img[alt='work timeline']").count() == 1
        assert errors == []
    finally:
        context.close()
