"""Nothing a student writes runs script in the HTML nbgrader makes from a submission: the feedback page
(`nbgrader generate_feedback`) and formgrader's view of it for the instructor.

Both render through nbconvert's HTMLExporter, configured in nbgrader_config.py (see autograder/feedback/sanitize.py).
The fast tests build each exporter the way nbgrader does and read the HTML; the slow ones grade a hostile
submission with nbgrader and opens both pages in a real headless browser.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from bs4 import BeautifulSoup

from autograder.course.folder import Course
from autograder.nbgrader_cells import grade_id_of

from .conftest import ROOT

JS = "document.title='PWNED';document.body.appendChild(document.createElement('pwned-marker'))"
MATH = r"$\sigma'(x) = \sigma(x)\,(1 - \sigma(x))$"
HOSTILE_MARKDOWN = f"""By the **chain rule**, {MATH}, and it holds for $x < 0$ too.

<script>{JS}</script>

A figure: <img src=x onerror="{JS}"> and <svg onload="{JS}"></svg>.

See [a link](javascript:{JS}), <a href="  JaVaScRiPt:{JS}">another</a>
and <a href="data:text/html,PWNED">a data link</a>.

<iframe src="javascript:{JS}"></iframe>

<form action="https://example.com/PWNED"><input name="PWNED"></form>

<style>/* PWNED */ body {{ display: none }}</style>

<span class="comment PWNED" id="PWNED">a decoy for formgrader's comment box, found by class</span>
"""
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
STUDENT = "mallory"


def hostile_notebook() -> nbformat.NotebookNode:
    """A graded written answer and a plot cell, both carrying script, and an image pasted into markdown."""
    answer = nbformat.v4.new_markdown_cell(
        HOSTILE_MARKDOWN,
        metadata={
            "nbgrader": {
                "grade": True,
                "solution": True,
                "locked": False,
                "points": 1,
                "score": 0,
                "grade_id": "derivation_x",
                "schema_version": 3,
            }
        },
    )
    plot = nbformat.v4.new_code_cell(
        "plot()",
        outputs=[
            nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
            nbformat.v4.new_output(
                "display_data", data={"text/html": f'<b onmouseover="{JS}">hi</b><script>{JS}</script>'}
            ),
            nbformat.v4.new_output("display_data", data={"application/javascript": JS}),
        ],
    )
    pasted = nbformat.v4.new_markdown_cell("![handwritten work](attachment:work.png)")  # shown as a data: URL
    pasted.attachments = {"work.png": {"image/png": PNG}}
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A derivation"), answer, plot, pasted])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def course_with_config(root: Path) -> Course:
    """An empty course whose nbgrader_config.py is the repository's (the tree under test)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    return Course(root.resolve())


def feedback_exporter(course: Course):
    """The exporter `nbgrader generate_feedback` converts with (BaseConverter.start builds it so)."""
    from nbgrader.converters import GenerateFeedback

    converter = GenerateFeedback(coursedir=course.coursedir, config=course.config)
    return converter.exporter_class(parent=converter, config=converter.config)


def formgrader_exporter(course: Course):
    """The exporter formgrader's SubmissionHandler renders with: FormgradeExtension as the server
    extension loads it (its config from the course folder, the server's root), then its tornado settings."""
    from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension

    path, here = list(sys.path), Path.cwd()
    os.chdir(course.root)  # formgrader reads nbgrader_config.py from the server's working directory
    try:
        formgrader = FormgradeExtension()
        formgrader.root_dir = str(course.root)
        formgrader.initialize([])
        webapp = SimpleNamespace(settings={})
        formgrader.init_tornado_settings(webapp)
        return webapp.settings["nbgrader_exporter"]
    finally:
        os.chdir(here)
        sys.path[:] = path  # initialize() puts the working directory on sys.path


def formgrader_resources(submission_id: str = "abc", index: int = 0, total: int = 1) -> dict:
    """What SubmissionHandler passes the formgrade template."""
    return {
        "assignment_id": "derivatives",
        "notebook_id": "derivatives",
        "submission_id": submission_id,
        "index": index,
        "total": total,
        "base_url": "",
        "student": STUDENT,
        "last_name": None,
        "first_name": None,
        "notebook_path": f"autograded/{STUDENT}/derivatives/derivatives.ipynb",
    }


def script_left_in(html: str) -> list[str]:
    """Every way the hostile markup could still run (or post a form), as found by an HTML parser."""
    soup = BeautifulSoup(html, "html.parser")
    found = [
        f"<{tag.name}>"
        for tag in soup.find_all(["script", "style"])
        if "PWNED" in (tag.string or "") + tag.get("src", "")
    ]
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else value
            if "PWNED" in value or "javascript:" in value.lower().replace(" ", ""):  # on* handlers all carry PWNED
                found.append(f"<{tag.name} {name}={value[:40]!r}>")
    return found


def render_feedback(tmp_path: Path) -> str:
    return feedback_exporter(course_with_config(tmp_path / "course")).from_notebook_node(
        hostile_notebook(),
        resources={"nbgrader": {"notebook": "derivatives", "score": 0, "max_score": 1, "late_penalty": 0}},
    )[0]


def render_formgrader(tmp_path: Path) -> str:
    return formgrader_exporter(course_with_config(tmp_path / "course")).from_notebook_node(
        hostile_notebook(), resources=formgrader_resources()
    )[0]


@pytest.mark.slow
@pytest.mark.parametrize("render", [render_feedback, render_formgrader], ids=["feedback", "formgrader"])
def test_student_markup_is_inert_while_math_markdown_and_plots_still_show(tmp_path, render):
    html = render(tmp_path)
    assert script_left_in(html) == []
    text = BeautifulSoup(html, "html.parser").get_text()
    assert MATH in text and "$x < 0$" in text  # left for MathJax, escaped once
    assert f"<script>{JS}</script>" in text  # the grader sees what was written, as text
    assert "<strong>chain rule</strong>" in html and "&lt;p&gt;" not in html  # markdown still renders
    assert html.count(f'src="data:image/png;base64,{PNG}"') == 2  # the plot, and the image pasted into markdown


@pytest.fixture(scope="module")
def hostile_pages(tmp_path_factory):
    return graded_hostile_submission(tmp_path_factory.mktemp("hostile") / "course")


@pytest.mark.slow
@pytest.mark.parametrize("page", ["feedback", "formgrader"])
def test_a_hostile_derivation_never_runs_in_a_browser(browser, hostile_pages, page):
    pages, plots = hostile_pages
    assert plots > 0
    browser.get(pages[page].as_uri())
    browser.execute_async_script(  # every image has loaded or failed: an onerror would have run by now
        "const done = arguments[0]; const check = () => Array.from(document.images).every(i => i.complete) ? "
        "setTimeout(done, 500) : setTimeout(check, 50); check();"
    )
    assert browser.title != "PWNED"
    assert browser.find_elements("tag name", "pwned-marker") == []
    assert "chain rule" in browser.find_element("tag name", "body").text
    shown = browser.execute_script("return Array.from(document.images).filter(i => i.naturalWidth > 100).length")
    assert shown == plots  # the student's own plots (image/png outputs) still show


def graded_hostile_submission(root: Path) -> tuple[dict[str, Path], int]:
    """A course from the master, one submission (a correct sample, its σ′ derivation made hostile), through
    `nbgrader autograde` and `generate_feedback`: the feedback page and formgrader's page for it, and how
    many plots (image/png outputs) the autograded notebook holds."""
    from nbgrader.api import Gradebook

    from autograder.course.folder import generate_release

    course = course_with_config(root)
    shutil.copytree(ROOT / "source", root / "source")
    generate_release(course)
    notebook = nbformat.read(
        ROOT / "samples" / "submitted" / "ada_correct" / "derivatives" / "derivatives.ipynb", as_version=4
    )
    derivation = next(c for c in notebook.cells if grade_id_of(c) == "derivation_sigmoid_prime")
    derivation.source += f"\n\n{HOSTILE_MARKDOWN}"
    submitted = course.folder("submitted", STUDENT)
    submitted.mkdir(parents=True)
    nbformat.write(notebook, submitted / "derivatives.ipynb")
    api = course.api()
    assert api.autograde("derivatives", STUDENT, force=True, create=True)["success"]
    assert api.generate_feedback("derivatives", STUDENT)["success"]
    feedback = course.folder("feedback", STUDENT) / "derivatives.html"
    assert "BEGIN HIDDEN TESTS" not in feedback.read_text()  # the existing setting still holds

    with Gradebook(course.db_url, course.coursedir.course_id) as gb:
        submission_id = gb.find_submission_notebook("derivatives", "derivatives", STUDENT).id
    indices = api.get_notebook_submission_indices("derivatives", "derivatives")
    autograded = course.folder("autograded", STUDENT) / "derivatives.ipynb"
    html, _ = formgrader_exporter(course).from_filename(
        str(autograded), resources=formgrader_resources(submission_id, indices.get(submission_id, -2), len(indices))
    )
    formgrader = root / "formgrader.html"
    formgrader.write_text(html)
    plots = sum(
        "image/png" in output.get("data", {})
        for cell in nbformat.read(autograded, as_version=4).cells
        for output in cell.get("outputs", [])
    )
    return {"feedback": feedback, "formgrader": formgrader}, plots
