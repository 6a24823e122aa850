"""Trusted grading under attack, through both grading paths: `nbgrader autograde` (nbgrader's own API and our
nbgrader_config.py) and `autograder grade`.

For every attack: tampering earns nothing (or goes to a person), the honest parts keep their points, nothing
the attack reached shows up in its notebook, the bystander's grades and files and the master are byte-for-byte
unchanged, and no process is left behind.
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

from autograder.authoring.exercises import EXERCISES, EXERCISES_BY_NAME
from autograder.authoring.synthetic import fill_release, solutions_of
from autograder.course.batch import grade_assignment
from autograder.course.folder import Course, export_grades, generate_release
from autograder.course.nbgrader_path import grade_student
from autograder.formulas.answers import FORMULAS
from autograder.nbgrader_cells import grade_id_of
from autograder.sandbox import runner
from autograder.sandbox.isolation import UID_BASE

from .adversarial import ATTACKS, FORMULA_EVIDENCE, FOUND, HONEST, HONEST_FORMULAS, NEEDS_A_PERSON, base
from .conftest import ROOT, autograded_total

pytestmark = pytest.mark.slow
HONEST_POINTS = sum(EXERCISES_BY_NAME[name].points for name in HONEST) + len(HONEST_FORMULAS)
TOTAL = autograded_total()
FAST_LIMITS = (
    "\nc.TrustedExecute.cell_seconds = 3\nc.TrustedExecute.call_seconds = 1\nc.TrustedExecute.submission_seconds = 20"
    "\nc.TrustedExecute.formula_seconds = 3\n"
)
MARKERS = (b"4242", b"4343")
POSTGRES_URL = os.environ.get("AUTOGRADER_TEST_POSTGRES_URL", "postgresql://grader:grader@127.0.0.1:5432/gradebook")
PATHS = ("nbgrader", "autograder grade")
MAX_NOTEBOOK_BYTES = 6 * 2**20
"""what the trusted side's caps allow an autograded notebook: 256 KiB of text, 4 MiB of images, overhead"""


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def grades(course: Course, student: str) -> dict[str, tuple[float | None, bool]]:
    with Gradebook(course.db_url, course.coursedir.course_id) as gb:
        found = {e.name: gb.find_grade(e.grade_id, "derivatives", "derivatives", student) for e in EXERCISES + FORMULAS}
        return {name: (grade.auto_score, grade.needs_manual_grade) for name, grade in found.items()}


def scores(course: Course, student: str) -> dict[str, float]:
    # a function or formula sent to manual grading has no automatic score yet: it earned nothing here
    return {name: score or 0.0 for name, (score, _) in grades(course, student).items()}


def _parents() -> dict[int, tuple[int, int]]:
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
                uid = int(next(line.split()[1] for line in open(f"/proc/{entry}/status") if line.startswith("Uid:")))
                found[int(entry)] = (int(stat[1]), uid)
            except (OSError, ValueError, StopIteration):
                pass
    return found


def descendants(pid: int) -> list[int]:
    parents = _parents()
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        children = [p for p, (parent, _) in parents.items() if parent == current]
        found += children
        frontier += children
    return found


def _another_test_run(pid: int, parents: dict[int, tuple[int, int]]) -> bool:
    """Whether `pid` descends from a pytest process other than this one: scripts/test runs test files in parallel,
    and the other files' sandboxes (and the boundary test's attacks, run outside on purpose) are theirs."""
    seen = set()
    while pid in parents and pid not in seen and pid > 1:
        seen.add(pid)
        pid = parents[pid][0]
        if pid == os.getpid():
            return False  # ours (the controller above us runs pytest too)
        try:
            if pid > 1 and b"pytest" in open(f"/proc/{pid}/cmdline", "rb").read():
                return True
        except OSError:
            pass
    return False


def marked_processes() -> list[int]:
    """Processes an attack started (their command lines carry its markers) or that run as a sandbox's user, except
    those of another test run."""
    parents = _parents()
    hits = [pid for pid, (_, uid) in parents.items() if uid >= UID_BASE]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                command = open(f"/proc/{entry}/cmdline", "rb").read()
            except OSError:
                continue
            if any(marker in command for marker in MARKERS) and b"pytest" not in command:
                hits.append(int(entry))
    return [pid for pid in hits if not _another_test_run(pid, parents)]


def leftovers() -> list[int]:
    zygotes = [s._process.pid for s in runner._warm.values() if s._process]
    for _ in range(40):
        left = [p for z in zygotes for p in descendants(z)] + marked_processes()
        if not left:
            return []
        time.sleep(0.1)
    return left


def make_course(root: Path, extra_config: str = "") -> Course:
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text() + FAST_LIMITS + extra_config)
    shutil.copytree(ROOT / "source", root / "source")
    course = Course(root)
    generate_release(course)
    return course


def submit(course: Course, student: str, notebook) -> None:
    folder = course.folder("submitted", student)
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / "derivatives.ipynb")


def graded_before(course: Course) -> None:
    """What a course that was graded before holds: exported grades, reasons, a class report."""
    root = Path(course.coursedir.root)
    export_grades(course, root / "grades.csv")
    (root / "results.csv").write_text("student,reason\nbystander,all correct\n")
    (root / "reports" / "derivatives").mkdir(parents=True)
    (root / "reports" / "derivatives" / "class-report.csv").write_text("check,pass rate\nsigmoid,100%\n")


@pytest.fixture(scope="module")
def terminal():
    """A terminal of the instructor's, as the one `autograder grade` would run in."""
    leader, follower = os.openpty()
    yield os.ttyname(follower), leader
    os.close(leader)
    os.close(follower)


def _attack(tmp_path_factory, terminal, path: str):
    course = make_course(tmp_path_factory.mktemp("attacked-course"))
    release = nbformat.read(course.folder("release") / "derivatives.ipynb", as_version=4)
    solutions = solutions_of(nbformat.read(ROOT / "source" / "derivatives" / "derivatives.ipynb", as_version=4))
    context = {"repo": str(ROOT), "course": str(course.coursedir.root), "pty": terminal[0], "postgres": POSTGRES_URL}
    root = Path(course.coursedir.root)
    submit(course, "bystander", fill_release(release, solutions))
    grade_student(course, "bystander")
    graded_before(course)

    def watched() -> dict:
        return {
            "bystander_scores": scores(course, "bystander"),
            "source": fingerprint(root / "source"),
            "bystander_files": fingerprint(root / "submitted" / "bystander")
            | fingerprint(root / "autograded" / "bystander"),
            "exports": fingerprint(root / "reports") | {"grades": fingerprint(root)["grades.csv"]},
        }

    before = watched()
    submit(course, "control", fill_release(release, base(solutions)))  # the attackers' starting point, untouched
    for attack_id, build in ATTACKS:
        answers, notebook = build(base(solutions), release, context)
        submit(course, attack_id, fill_release(notebook, answers))
    outcomes = {}
    if path == "nbgrader":
        for student in ["control"] + [a for a, _ in ATTACKS]:
            outcomes[student] = (grade_student(course, student), grades(course, student), leftovers())
    else:
        report = grade_assignment(course, jobs=2, progress=False)
        by_student = {r.student: r for r in report.results}
        left = leftovers()
        for student in ["control"] + [a for a, _ in ATTACKS]:
            outcomes[student] = (by_student[student], grades(course, student), left)
    return course, before, watched(), outcomes


@pytest.fixture(scope="module", params=PATHS)
def graded(request, tmp_path_factory, terminal):
    return request.param, _attack(tmp_path_factory, terminal, request.param)


def test_a_formula_answer_written_as_python_is_never_run_by_any_grader_process(graded):
    course = graded[1][0]
    assert (Path(course.coursedir.root) / "submitted" / "formula_string_is_python").is_dir()  # the attack was graded
    assert not (Path(course.coursedir.root) / FORMULA_EVIDENCE).exists()


def test_the_bystander_earns_every_point(graded):
    course = graded[1][0]
    assert sum(scores(course, "bystander").values()) == TOTAL


def test_the_control_keeps_its_honest_points_and_little_else(graded):
    control = {name: score or 0.0 for name, (score, _) in graded[1][3]["control"][1].items()}
    assert {name: control[name] for name in HONEST} == {name: EXERCISES_BY_NAME[name].points for name in HONEST}
    assert {name: control[name] for name in HONEST_FORMULAS} == {name: 1.0 for name in HONEST_FORMULAS}
    assert sum(control.values()) < HONEST_POINTS + 0.5


@pytest.mark.parametrize("attack_id", [a[0] for a in ATTACKS])
def test_an_attack_earns_nothing_and_costs_the_honest_parts_nothing(graded, attack_id):
    outcomes = graded[1][3]
    result, per_exercise, _ = outcomes[attack_id]
    assert result.status == "graded", result.reason
    assert result.max_auto_score == TOTAL
    control = outcomes["control"][1]
    if attack_id in NEEDS_A_PERSON:  # what the attack made unreadable waits for a person; the rest is as the control's
        per_exercise = {name: control[name] if grade == (None, True) else grade for name, grade in per_exercise.items()}
    assert {name: score or 0.0 for name, (score, _) in per_exercise.items()} == {
        name: score or 0.0 for name, (score, _) in control.items()
    }


@pytest.mark.parametrize("attack_id", sorted(NEEDS_A_PERSON))
def test_a_definition_the_grader_cannot_rebuild_goes_to_a_person(graded, attack_id):
    course, _, _, outcomes = graded[1]
    assert outcomes[attack_id][1]["sigmoid_derivative"] == (None, True)
    autograded = nbformat.read(course.folder("autograded", attack_id) / "derivatives.ipynb", as_version=4)
    cell = next(c for c in autograded.cells if grade_id_of(c) == "hidden_tests_sigmoid_derivative")
    assert cell.outputs[0].text.startswith(
        "sigmoid_derivative: needs manual grading (worth 3). `sigmoid_derivative(x)` could not be "
        "rebuilt from your notebook's source for grading: "
    )


@pytest.mark.parametrize("attack_id", [a[0] for a in ATTACKS])
def test_an_attack_leaves_no_process_behind(graded, attack_id):
    assert graded[1][3][attack_id][2] == []


@pytest.mark.parametrize("attack_id", [a[0] for a in ATTACKS])
def test_nothing_an_attack_reached_is_in_its_notebook_and_the_notebook_stays_within_the_caps(graded, attack_id):
    course = graded[1][0]
    path = course.folder("autograded", attack_id) / "derivatives.ipynb"
    notebook = nbformat.read(path, as_version=4)
    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    assert [o for o in outputs if FOUND in str(o)] == []
    assert path.stat().st_size < MAX_NOTEBOOK_BYTES
    assert sum("image/png" in o.get("data", {}) for o in outputs) <= 16


def test_the_bystander_the_master_and_the_exports_are_byte_for_byte_unchanged(graded):
    _, before, after, _ = graded[1]
    assert after == before


def test_the_instructors_terminal_got_nothing(graded, terminal):
    os.set_blocking(terminal[1], False)
    try:
        written = os.read(terminal[1], 4096)
    except BlockingIOError:
        written = b""
    assert written == b""
