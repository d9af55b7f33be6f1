"""Chromium from the harness loads a page and runs its JavaScript."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.utils.static_http import serve_directory

pytestmark = pytest.mark.integration

PAGE = """<!doctype html>
<html>
  <head><title>Kinema harness</title></head>
  <body>
    <p id="out">not run</p>
    <script>
      const squares = [1, 2, 3, 4].map((n) => n * n);
      document.getElementById("out").textContent =
        String(squares.reduce((a, b) => a + b, 0)) + " " + navigator.userAgent;
    </script>
  </body>
</html>
"""


def test_page_load_runs_javascript(page: Page, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(PAGE)
    with serve_directory(tmp_path) as base_url:
        response = page.goto(f"{base_url}/index.html")
        assert response is not None
        assert response.status == 200
        assert page.title() == "Kinema harness"
        text = page.locator("#out").inner_text()
    total, user_agent = text.split(" ", 1)
    assert total == "30"
    assert "HeadlessChrome" in user_agent
    assert page.evaluate("() => 6 * 7") == 42
