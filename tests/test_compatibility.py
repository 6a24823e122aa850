"""What courses graded by an earlier version hold keeps working: stored feedback records, the nbgrader_config.py that
`autograder init` copied into a course, and the package's public names."""

from __future__ import annotations

import nbformat
from traitlets.config import Config

import autograder
from autograder.feedback.outputs import records_in

# the imports of the nbgrader_config.py that `autograder init` wrote into courses before the package had stages
EARLIER_CONFIG = """
from autograder.nbgrader_plugin import FormulaAnswerStubs, RestoreFromMaster, SaveGradesFlaggingFormulas, TrustedExecute
from autograder.nbgrader_plugin import record_unreadable
from autograder.sanitize import CleanMarkdown2HTML, clean_html

c = get_config()
c.HTMLExporter.filters = {"markdown2html": CleanMarkdown2HTML, "clean_html": clean_html}
c.Autograde.sanitize_preprocessors = [RestoreFromMaster]
"""


def test_a_record_stored_by_an_earlier_version_is_still_found():
    record = {"name": "sigmoid", "points": 2.0, "cases": []}
    cell = nbformat.v4.new_code_cell("grade_in_notebook('sigmoid', globals())")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"application/vnd.derivatives-autograder.feedback+json": record, "text/plain": ""}
        )
    ]
    assert records_in(nbformat.v4.new_notebook(cells=[cell])) == [record]


def test_the_nbgrader_config_an_earlier_init_copied_into_a_course_still_loads():
    namespace = {"get_config": Config}
    exec(compile(EARLIER_CONFIG, "nbgrader_config.py", "exec"), namespace)
    from autograder.feedback.sanitize import CleanMarkdown2HTML

    assert namespace["c"].HTMLExporter.filters["markdown2html"] is CleanMarkdown2HTML


def test_the_packages_public_names_include_those_it_exported_before():
    from autograder.course.nbgrader_path import grade_through_nbgrader

    assert autograder.grade_course is grade_through_nbgrader is autograder.grade_through_nbgrader
    assert [name for name in autograder.__all__ if getattr(autograder, name, None) is None] == []
