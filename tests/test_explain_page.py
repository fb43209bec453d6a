"""The page of `compete explain`, opened in a real browser (headless Chromium): every plot loads."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from harness.analysis.explain import explain
from harness.workspace import Workspace

KERNEL = (
    'KERNEL = {"competition": "titanic", "title": "Women first", "techniques": ["baseline"]}\n'
    "PARAMS = {}\n"
    "def fit(train, params):\n"
    "    return train.groupby('Sex')['Survived'].mean().round().astype(int).to_dict()\n"
    "def predict(model, test):\n"
    "    return test['Sex'].map(model).fillna(0).astype(int)\n"
)


def _browser():  # type: ignore[no-untyped-def]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (chromium and driver):
        if os.environ.get("CI") == "true":
            pytest.fail(
                "Chromium and chromedriver are needed to check the report page; .ci/run installs them."
            )
        pytest.skip("Chromium or chromedriver is not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(driver), options=options)


def test_the_explain_page_shows_every_plot_in_a_browser(
    prepared_workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "women-first.py"
    path.write_text(KERNEL, encoding="utf-8")
    result = explain(prepared_workspace, path, folds=2, drop=["Age"], learning_curve=True, worst=3)
    assert result.report is not None
    browser = _browser()
    try:
        browser.get(result.report.as_uri())
        assert "titanic/women-first" in browser.title
        images = browser.find_elements("tag name", "img")
        assert len(images) == 4  # importance, ablation, learning curve, worst rows
        for image in images:
            assert browser.execute_script("return arguments[0].naturalWidth", image) > 100
        sections = [e.get_attribute("id") for e in browser.find_elements("tag name", "section")]
        assert sections == ["importance", "ablation", "learning-curve", "worst-rows"]
    finally:
        browser.quit()
    assert sorted(p.name for p in result.report.parent.glob("*.png")) == [
        "ablation.png",
        "importance.png",
        "learning_curve.png",
        "worst_rows.png",
    ]


def test_the_page_escapes_what_it_shows(prepared_workspace: Workspace, tmp_path: Path) -> None:
    from harness.analysis.report import write_report
    from harness.kernels import load_kernel

    path = tmp_path / "women-first.py"
    path.write_text(KERNEL, encoding="utf-8")
    result = explain(prepared_workspace, path, folds=2, worst=1, report=False)
    row = {**result.worst_rows[0], "Name": "<script>alert(1)</script>"}
    page = write_report(
        prepared_workspace, load_kernel(prepared_workspace, path).info, replace(result, worst_rows=(row,))
    ).read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
