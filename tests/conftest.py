from __future__ import annotations

import fcntl
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
MASTER = ROOT / "source" / "derivatives" / "derivatives.ipynb"
RELEASE = ROOT / "release" / "derivatives" / "derivatives.ipynb"


def autograded_total() -> float:
    """Every autograded point: the functions' and the final formulas'."""
    from autograder.authoring.exercises import EXERCISES
    from autograder.formulas.answers import FORMULAS

    return sum(e.points for e in EXERCISES) + sum(a.points for a in FORMULAS)


@pytest.fixture(scope="session")
def master() -> nbformat.NotebookNode:
    return nbformat.read(MASTER, as_version=4)


@pytest.fixture(scope="session")
def release() -> nbformat.NotebookNode:
    return nbformat.read(RELEASE, as_version=4)


@pytest.fixture(scope="session")
def seed_namespace(master) -> dict:
    """The master's solution code, run in one namespace as a student's kernel would."""
    from autograder.authoring.synthetic import solutions_of

    namespace: dict = {}
    exec("import torch", namespace)
    for grade_id, source in solutions_of(master).items():
        if grade_id.startswith("impl_"):
            exec(source, namespace)
    return namespace


@pytest.fixture
def postgresql_to_this_test():
    """The test PostgreSQL database is one for the machine, and its tests drop its schema: with test files run in
    parallel (scripts/test), one such test at a time."""
    with open(Path(tempfile.gettempdir()) / "autograder-tests-postgresql.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,2000",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium with its console log kept; skips without Debian's chromium and chromium-driver (.ci/run
    installs them)."""
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver_path):
        pytest.skip("chromium and chromedriver are not installed (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS + (f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()
