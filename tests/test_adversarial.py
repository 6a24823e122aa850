"""Trusted grading under attack, through `nbgrader autograde`'s own API and our nbgrader_config.py.

For every attack: tampering earns nothing, the honest parts keep their points, the bystander's
grades and files and the master are byte-for-byte unchanged, and no process is left behind.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.sandbox import runner
from autograder.course import Course, generate_release
from autograder.exercises import EXERCISES, EXERCISES_BY_NAME
from autograder.formulas.answers import FORMULAS
from autograder.grading import grade_student
from autograder.synthetic import fill_release, solutions_of

from .adversarial import ATTACKS, HONEST, HONEST_FORMULAS, base
from .conftest import ROOT, autograded_total

pytestmark = pytest.mark.slow
HONEST_POINTS = sum(EXERCISES_BY_NAME[name].points for name in HONEST) + len(HONEST_FORMULAS)
TOTAL = autograded_total()
FAST_LIMITS = ("\nc.TrustedExecute.cell_seconds = 3\nc.TrustedExecute.call_seconds = 1\nc.TrustedExecute.submission_seconds = 20"
               "\nc.TrustedExecute.formula_seconds = 3\n")
MARKERS = (b"4242", b"4343")


def fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def scores(course: Course, student: str) -> dict[str, float]:
    with Gradebook(course.db_url, course.coursedir.course_id) as gb:
        grades = {e.name: gb.find_grade(e.grade_id, "derivatives", "derivatives", student) for e in EXERCISES + FORMULAS}
        # a formula sent to manual grading has no automatic score yet: it earned nothing here
        return {name: grade.score or 0.0 for name, grade in grades.items()}


def descendants(pid: int) -> list[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError):
                pass
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        children = [p for p, parent in parents.items() if parent == current]
        found += children
        frontier += children
    return found


def marked_processes() -> list[int]:
    hits = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                command = open(f"/proc/{entry}/cmdline", "rb").read()
            except OSError:
                continue
            if any(marker in command for marker in MARKERS) and b"pytest" not in command:
                hits.append(int(entry))
    return hits


def leftovers() -> list[int]:
    zygotes = [s._process.pid for s in runner._warm.values() if s._process]
    for _ in range(40):
        left = [p for z in zygotes for p in descendants(z)] + marked_processes()
        if not left:
            return []
        time.sleep(0.1)
    return left


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("attacked-course")
    (root / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text() + FAST_LIMITS)
    shutil.copytree(ROOT / "source", root / "source")
    course = Course(root)
    release = nbformat.read(generate_release(course), as_version=4)
    solutions = solutions_of(nbformat.read(root / "source" / "derivatives" / "derivatives.ipynb", as_version=4))

    def submit(student, notebook):
        folder = root / "submitted" / student / "derivatives"
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / "derivatives.ipynb")

    submit("bystander", fill_release(release, solutions))
    bystander = grade_student(course, "bystander")
    before = {
        "bystander_scores": scores(course, "bystander"),
        "source": fingerprint(root / "source"),
        "bystander_files": fingerprint(root / "submitted" / "bystander") | fingerprint(root / "autograded" / "bystander"),
    }
    submit("control", fill_release(release, base(solutions)))  # the attackers' starting point, untouched
    grade_student(course, "control")
    outcomes = {"control": (None, scores(course, "control"), [])}
    for attack_id, build in ATTACKS:
        answers, notebook = build(base(solutions), release)
        submit(attack_id, fill_release(notebook, answers))
        result = grade_student(course, attack_id)
        outcomes[attack_id] = (result, scores(course, attack_id), leftovers())
    after = {
        "bystander_scores": scores(course, "bystander"),
        "source": fingerprint(root / "source"),
        "bystander_files": fingerprint(root / "submitted" / "bystander") | fingerprint(root / "autograded" / "bystander"),
    }
    return course, bystander, before, after, outcomes


def test_there_are_at_least_25_attacks():
    assert len(ATTACKS) >= 25


def test_the_bystander_earns_every_point(graded):
    assert graded[1].auto_score == TOTAL


def test_the_control_keeps_its_honest_points_and_little_else(graded):
    control = graded[4]["control"][1]
    assert {name: control[name] for name in HONEST} == {name: EXERCISES_BY_NAME[name].points for name in HONEST}
    assert {name: control[name] for name in HONEST_FORMULAS} == {name: 1.0 for name in HONEST_FORMULAS}
    assert sum(control.values()) < HONEST_POINTS + 0.5


@pytest.mark.parametrize("attack_id", [a[0] for a in ATTACKS])
def test_an_attack_earns_nothing_and_costs_the_honest_parts_nothing(graded, attack_id):
    result, per_exercise, _ = graded[4][attack_id]
    assert result.status == "graded", result.reason
    assert result.max_auto_score == TOTAL
    assert per_exercise == graded[4]["control"][1]


@pytest.mark.parametrize("attack_id", [a[0] for a in ATTACKS])
def test_an_attack_leaves_no_process_behind(graded, attack_id):
    assert graded[4][attack_id][2] == []


def test_the_bystander_and_the_master_are_byte_for_byte_unchanged(graded):
    _, _, before, after, _ = graded
    assert after == before


@pytest.mark.parametrize("attack_id", [a[0] for a in ATTACKS if a[0].startswith("autograd_")])
def test_autograd_in_a_by_hand_derivative_is_named_as_the_reason(graded, attack_id):
    course = graded[0]
    autograded = nbformat.read(course.folder("autograded", attack_id) / "derivatives.ipynb", as_version=4)
    cell = next(c for c in autograded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "hidden_tests_sigmoid_derivative")
    first_line = cell.outputs[0].text.split("\n")[0]
    assert first_line.startswith("sigmoid_derivative: 0 / 3 points. `sigmoid_derivative(x)` uses autograd (")
    assert first_line.endswith("); this exercise asks for the derivative worked out by hand, so it earns 0 points.")
