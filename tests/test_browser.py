"""The feedback page and the class report in a real headless browser: every plot is a visible image.

Needs Debian's chromium and chromium-driver (.ci/run installs them) and selenium.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1200,2000")
IMAGES = "return Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth, i.naturalHeight, i.getBoundingClientRect().width])"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (CHROMIUM and DRIVER):
        pytest.skip("chromium and chromedriver are not installed (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + (f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    from autograder.demo import run_demo

    workdir = tmp_path_factory.mktemp("browser-course")
    run_demo(workdir, say=lambda line: None)
    return {"feedback": workdir / "feedback" / "ben_partly_wrong" / "derivatives" / "derivatives-autograder.html",
            "class report": workdir / "reports" / "derivatives" / "class-report.html"}


@pytest.mark.parametrize("page, images", [("feedback", 9), ("class report", 1)])
def test_every_plot_is_a_visible_image_and_nothing_is_broken(browser, pages, tmp_path, page, images):
    browser.get(Path(pages[page]).as_uri())
    shown = browser.execute_script(IMAGES)
    assert len(shown) == images
    assert [alt for alt, complete, width, height, box in shown if not (complete and width > 100 and height > 100 and box > 100)] == []
    assert [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"] == []
    assert browser.find_element("tag name", "h1").text.endswith(("ben_partly_wrong", "class report"))
    screenshot = tmp_path / f"{page.replace(' ', '-')}.png"
    browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 10_000
