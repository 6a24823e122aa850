"""What the README and the student's requirements.txt promise, checked against the code and the lock file:
every command the README shows exists, the first install shows progress, students get the grader's CPU torch."""

from __future__ import annotations

import re
import tomllib

import pytest
from packaging.requirements import Requirement

from .conftest import ROOT

STUDENT_FILES = [
    ROOT / "source" / "derivatives" / "requirements.txt",
    ROOT / "release" / "derivatives" / "requirements.txt",
]
CPU_INDEX = "--extra-index-url https://download.pytorch.org/whl/cpu"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _locked() -> dict[str, str]:
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    return {
        Requirement(line).name.lower().replace("_", "-"): line.split("==")[1]
        for line in lines
        if "==" in line and not line.startswith("#")
    }


def _student_requirements() -> tuple[list[str], list[Requirement]]:
    lines = [
        line.split(" #")[0].strip() for line in STUDENT_FILES[0].read_text().splitlines() if not line.startswith("#")
    ]
    return [line for line in lines if line.startswith("-")], [
        Requirement(line) for line in lines if line and not line.startswith("-")
    ]


def _shell_lines() -> list[tuple[str, str]]:
    """(file, line) for each line of each ```bash block in the README and docs/, comments dropped."""
    found = []
    for doc in DOCS:
        for block in re.findall(r"```(?:bash|sh|console)\n(.*?)```", doc.read_text(), re.S):
            found += [
                (doc.name, line.split(" #")[0].strip())
                for line in block.splitlines()
                if line.strip() and not line.lstrip().startswith("#")
            ]
    return found


def test_the_student_requirements_are_one_file_shipped_with_the_release():
    assert STUDENT_FILES[0].read_text() == STUDENT_FILES[1].read_text()


def test_students_get_the_cpu_build_of_the_torch_the_autograder_grades_with():
    options, requirements = _student_requirements()
    [torch] = [r for r in requirements if r.name == "torch"]
    [grader_torch] = [
        Requirement(d)
        for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
        if Requirement(d).name == "torch"
    ]
    assert str(torch.specifier) == str(grader_torch.specifier) == f"=={_locked()['torch']}"
    assert CPU_INDEX in options


def test_students_get_nbgrader_for_the_validate_button_and_sympy_with_lark_for_the_formula_checks():
    _, requirements = _student_requirements()
    assert {r.name for r in requirements} == {"torch", "nbgrader", "matplotlib", "sympy", "lark"}
    [nbgrader] = [r for r in requirements if r.name == "nbgrader"]
    assert str(nbgrader.specifier) == f"=={_locked()['nbgrader']}"


@pytest.mark.parametrize("name", ["torch", "nbgrader", "matplotlib", "sympy", "lark"])
def test_every_student_requirement_admits_the_version_the_autograder_is_tested_with(name):
    [requirement] = [r for r in _student_requirements()[1] if r.name == name]
    assert requirement.specifier.contains(_locked()[name]), (
        f"{requirement} excludes the locked {name}=={_locked()[name]}"
    )


def test_every_nbgrader_command_in_the_docs_is_one_nbgrader_has():
    from nbgrader.apps import NbGraderApp

    shown = {(doc, line) for doc, line in _shell_lines() if re.match(r"nbgrader \w", line)}
    assert shown, "the README shows nbgrader's own commands"
    assert [(doc, line) for doc, line in shown if line.split()[1] not in NbGraderApp.subcommands] == []


def test_every_autograder_command_in_the_docs_is_one_the_cli_has():
    from autograder.cli import _parser

    verbs = next(a for a in _parser()._actions if a.dest == "verb").choices
    shown = {(doc, line) for doc, line in _shell_lines() if line.startswith("autograder ")}
    assert {"init", "grade", "release"} <= {line.split()[1] for _, line in shown}
    assert [(doc, line) for doc, line in shown if line.split()[1] not in verbs] == []


def test_the_readme_says_how_formgrader_is_reached():
    assert any(re.match(r"jupyter (lab|server)\b", line) for _, line in _shell_lines())
    assert "/formgrader" in (ROOT / "README.md").read_text()


def test_the_first_install_shows_pip_s_progress():
    install = [line for line in (ROOT / "scripts" / "venv.sh").read_text().splitlines() if 'pip" install' in line]
    assert install, "scripts/venv.sh installs with pip"
    assert [line for line in install if re.search(r"\s(--quiet|-q+)\b", line)] == []


def test_the_readmes_table_and_the_package_layout_tell_the_same_story():
    package = ROOT / "autograder"
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(r"^\| [^|]+ \| `(\w+)/` \| (.+) \|$", readme, re.M)
    assert {folder for folder, _ in rows} == {p.parent.name for p in package.glob("*/__init__.py")}
    for folder, text in rows:
        named = re.findall(r"`(\w+(?:\.py|/))`", text)
        assert named and [n for n in named if not (package / folder / n).exists()] == [], folder
    top = re.search(r"^At the top are (.+?)\n\n", readme, re.M | re.S)
    assert top, "the README says which modules sit at the top of the package"
    named = set(re.findall(r"`(\w+\.py)`", top.group(1))) - {"nbgrader_config.py"}
    assert named == {p.name for p in package.glob("*.py")} - {"__init__.py", "__main__.py"}
