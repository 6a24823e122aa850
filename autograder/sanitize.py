"""Kept for course folders made by `autograder init` before the package had a folder per stage: their
nbgrader_config.py imports `CleanMarkdown2HTML` and `clean_html` from here. A new course's imports them from
`autograder.nbgrader_plugin`; the code is `autograder.feedback.sanitize`."""

from autograder.feedback.sanitize import CleanMarkdown2HTML, clean_html

__all__ = ["CleanMarkdown2HTML", "clean_html"]
