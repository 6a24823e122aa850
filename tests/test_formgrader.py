"""Formgrader as the README says to reach it: `jupyter server` started in a graded course folder, then
/formgrader in a headless browser, down to one student's manual-grading page with the autograder's scores on it.

nbgrader 0.9.6 has no `nbgrader formgrader` command; formgrader is a Jupyter server extension.
Needs Debian's chromium and chromium-driver (.ci/run installs them) and selenium.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

from autograder.authoring.synthetic import fill_release, solutions_of, write_submission
from autograder.course.folder import Course, generate_release

from .conftest import ROOT

pytestmark = pytest.mark.slow
STUDENT = "alice"
STARTUP = 120  # seconds for jupyter server and nbgrader's extensions to answer


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory, master):
    """A course with one student graded by the autograder (every function right, the derivations waiting for a
    person)."""
    from autograder.course.nbgrader_path import grade_through_nbgrader

    root = tmp_path_factory.mktemp("formgrader-course")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "source", root / "source")
    course = Course(root)
    release = nbformat.read(generate_release(course), as_version=4)
    write_submission(
        root / "submitted" / STUDENT / "derivatives" / "derivatives.ipynb", fill_release(release, solutions_of(master))
    )
    [result] = grade_through_nbgrader(course, [STUDENT])
    assert result.status == "graded", result
    return root


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(graded_course, tmp_path_factory):
    """`jupyter server` in the course folder, as the README says; always stopped."""
    port, token = _free_port(), secrets.token_hex(16)
    runtime = tmp_path_factory.mktemp("jupyter-runtime")
    environment = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTER_CONFIG_DIR": str(runtime / "config")}
    log = open(runtime / "server.log", "w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "server",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            "--ServerApp.port_retries=0",
            "--allow-root",
        ],
        cwd=graded_course,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"jupyter server did not answer on {base}: {(runtime / 'server.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield base, token
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_for(browser, script: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while (value := browser.execute_script(script)) in (None, "", [], False):
        assert time.monotonic() < deadline, f"the page never had: {script}\n{browser.page_source[:3000]}"
        time.sleep(0.25)
    return value


def test_formgrader_opens_the_graded_students_manual_grading_page(browser, server, graded_course):
    from nbgrader.api import Gradebook

    base, token = server
    # As a person does: the server's URL with its token first (that sets the login cookie formgrader's API needs),
    # then formgrader's list of the student's assignments, filled in by formgrader's own API.
    browser.get(f"{base}/tree?token={token}")
    browser.get(f"{base}/formgrader/manage_students/{STUDENT}")
    links = _wait_for(
        browser,
        "return Array.from(document.querySelectorAll('a')).filter(a => a.href.includes("
        "'/manage_students/alice/derivatives')).map(a => a.href)",
    )
    browser.get(links[0])
    submission = _wait_for(
        browser,
        "return Array.from(document.querySelectorAll('a')).filter(a => a.href.includes("
        "'/formgrader/submissions/')).map(a => a.href)",
    )
    with Gradebook(Course(graded_course).db_url) as gradebook:
        notebook_id = gradebook.find_submission_notebook("derivatives", "derivatives", STUDENT).id
    assert submission[0].rstrip("/").endswith(f"/formgrader/submissions/{notebook_id}")

    browser.get(submission[0])
    # Each graded cell has a score box; formgrader's JavaScript puts the autograder's score in as its placeholder.
    _wait_for(browser, "return document.querySelector('input.score#hidden_tests_sigmoid_derivative')?.placeholder")
    placeholders = browser.execute_script(
        "return Object.fromEntries(Array.from(document.querySelectorAll('input.score'))"
        ".map(b => [b.id, [b.placeholder, b.className]]))"
    )
    assert placeholders["hidden_tests_sigmoid_derivative"][0] == "3"
    assert placeholders["hidden_tests_answer_relu_prime"][0] == "1"
    # The written derivations wait for a person.
    assert "needs_manual_grade" in placeholders["derivation_sigmoid_prime"][1]
    assert "def sigmoid_derivative" in browser.find_element("id", "notebook").text
    # No script error but MathJax's: formgrader loads it from a CDN, out of reach without a network.
    assert [
        entry
        for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE" and "mathjax" not in entry["message"].lower()
    ] == []
