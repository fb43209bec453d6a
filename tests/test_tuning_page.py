"""A study's HTML page, opened in a real browser (Debian's headless Chromium through selenium)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.workspace import Workspace
from tests.test_tuning import titanic_root, write_kernel, ws  # noqa: F401  (fixtures)

runner = CliRunner()


def _browser() -> object:
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not Path(driver_path).is_file():
        message = "no chromedriver to open the page with (apt-get install chromium-driver)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is needed under CI=true: {message}")
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(driver_path), options=options)


@pytest.mark.slow
def test_the_study_page_shows_its_plots_in_a_browser(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    kernel = write_kernel(tmp_path)
    assert runner.invoke(app, ["tune", str(kernel), "--trials", "4", "--pruner", "none"]).exit_code == 0
    data = json.loads(runner.invoke(app, ["study", "show", "titanic/fast", "-f", "json"]).stdout)
    browser = _browser()
    try:
        browser.get(Path(data["page"]).as_uri())  # type: ignore[attr-defined]
        assert "titanic/fast" in browser.title  # type: ignore[attr-defined]
        widths = browser.execute_script(  # type: ignore[attr-defined]
            "return Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)"
        )
        assert len(widths) == len(data["plots"]) and all(w > 0 for w in widths), widths
        text = browser.find_element("tag name", "body").text  # type: ignore[attr-defined]
        assert "Top trials" in text and "Gain over the defaults" in text
    finally:
        browser.quit()  # type: ignore[attr-defined]
