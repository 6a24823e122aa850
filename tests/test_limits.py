"""One source of limits: `c.TrustedExecute.*` in the course's nbgrader_config.py, read by every grading path
(`autograder grade` here or on Dask, `nbgrader autograde` and the demo through it)."""

from __future__ import annotations

import dataclasses
import shutil

import nbformat
import pytest
from traitlets.config import Config

from autograder.course.batch import grade_assignment
from autograder.course.folder import Course, generate_release
from autograder.course.nbgrader_path import grade_through_nbgrader
from autograder.nbgrader_plugin import TrustedExecute, course_limits
from autograder.sandbox import Limits

from .conftest import ROOT


def test_every_limit_is_a_course_setting_and_the_course_setting_is_what_grading_uses():
    assert {name for name in TrustedExecute.class_trait_names(config=True)} >= set(Limits.__dataclass_fields__)
    assert course_limits(Config()) == Limits()
    config = Config()
    changed = {
        "call_seconds": 0.5,
        "cell_seconds": 3.0,
        "images": 0,
        "output_bytes": 1000,
        "formula_seconds": 2.0,
        "tmp_mb": 8,
    }
    for name, value in changed.items():
        setattr(config.TrustedExecute, name, value)
    assert course_limits(config) == dataclasses.replace(Limits(), **changed)


def _course_without_plots(root) -> Course:
    (root / "nbgrader_config.py").write_text(
        (ROOT / "nbgrader_config.py").read_text() + "\nc.TrustedExecute.images = 0\n"
    )
    shutil.copytree(ROOT / "source", root / "source")
    shutil.copytree(ROOT / "samples" / "submitted" / "ada_correct", root / "submitted" / "ada_correct")
    course = Course(root)
    generate_release(course)
    return course


def _figures(course: Course) -> int:
    notebook = nbformat.read(course.folder("autograded", "ada_correct") / "derivatives.ipynb", as_version=4)
    return sum("image/png" in output.get("data", {}) for cell in notebook.cells for output in cell.get("outputs", []))


def _dask(course: Course) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        grade_assignment(course, scheduler=cluster.scheduler_address, progress=False)


@pytest.mark.slow
@pytest.mark.parametrize(
    "grade",
    [lambda course: grade_assignment(course, jobs=1, progress=False), grade_through_nbgrader, _dask],
    ids=["autograder grade", "nbgrader autograde (and the demo)", "autograder grade on Dask"],
)
def test_a_changed_limit_takes_effect_on_every_path(tmp_path, grade):
    course = _course_without_plots(tmp_path)
    grade(course)
    assert _figures(course) == 0  # `images = 0`: none of the student's six plots is kept
    (tmp_path / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    grade_assignment(course, jobs=1, force=True, progress=False)
    assert _figures(course) == 6
