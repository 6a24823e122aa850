"""Fixtures shared by the test files: the repository's master and release, the PostgreSQL and browser services."""

from __future__ import annotations

# isort: off
import autograder  # noqa: F401  (first: it keeps jsonschema from building rfc3987_syntax's parsers, about 2 s a process)

# isort: on
import fcntl
import functools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
MASTER = ROOT / "source" / "derivatives" / "derivatives.ipynb"
RELEASE = ROOT / "release" / "derivatives" / "derivatives.ipynb"


@functools.cache
def namespaces_available() -> bool:
    """Whether this machine lets a process unshare the namespaces the sandbox uses (probed in a child process)."""
    probe = (
        "import os\nfrom autograder.sandbox.isolation import LIBC, namespace_flags\n"
        "os._exit(0 if LIBC.unshare(namespace_flags(os.geteuid())) == 0 else 1)"
    )
    return subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=False).returncode == 0


def expect_namespaces(isolation: str) -> None:
    """The sandbox's level must be "namespaces" wherever the machine allows them; elsewhere the test is skipped."""
    if not namespaces_available():
        pytest.skip(
            "this machine refuses the namespaces the sandbox uses (a container's seccomp profile, say), so the sandbox "
            "runs at its basic level, which tests/test_isolation_basic.py covers"
        )
    assert isolation == "namespaces"


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


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With `-m "not slow"`, a file that is slow as a whole (`pytestmark = pytest.mark.slow`) is not even imported:
    importing it (nbgrader's apps, Dask, a browser driver) would cost the fast tier more than its tests."""
    if config.getoption("markexpr") != "not slow" or collection_path.suffix != ".py":
        return None
    try:
        return "\npytestmark = pytest.mark.slow\n" in collection_path.read_text(encoding="utf-8") or None
    except OSError:
        return None
