"""The feedback page and the class report in a real headless browser: every plot is a visible image.

Needs Debian's chromium and chromium-driver (.ci/run installs them) and selenium.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
IMAGES = (
    "return Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth, i.naturalHeight, "
    "i.getBoundingClientRect().width])"
)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    from autograder.demo import run_demo

    workdir = tmp_path_factory.mktemp("browser-course")
    run_demo(workdir, say=lambda line: None)
    return {
        "feedback": workdir
        / "autograder-feedback"
        / "ben_partly_wrong"
        / "derivatives"
        / "derivatives-autograder.html",
        "class report": workdir / "reports" / "derivatives" / "class-report.html",
    }


@pytest.mark.parametrize("page, images", [("feedback", 9), ("class report", 1)])
def test_every_plot_is_a_visible_image_and_nothing_is_broken(browser, pages, tmp_path, page, images):
    browser.get(Path(pages[page]).as_uri())
    shown = browser.execute_script(IMAGES)
    assert len(shown) == images
    assert [
        alt
        for alt, complete, width, height, box in shown
        if not (complete and width > 100 and height > 100 and box > 100)
    ] == []
    assert [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"] == []
    assert browser.find_element("tag name", "h1").text.endswith(("ben_partly_wrong", "class report"))
    screenshot = tmp_path / f"{page.replace(' ', '-')}.png"
    browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 10_000
