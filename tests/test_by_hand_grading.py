"""The by-hand tables through both grading paths (`nbgrader autograde` and `autograder grade`).

Every attack earns 0 with the construct named, or goes to a person; every honest style earns every point;
the rest of each notebook is the seed's and keeps its points. Honest styles for different functions share
a notebook, so the table costs a handful of submissions.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from autograder.authoring.exercises import EXERCISES, EXERCISES_BY_NAME
from autograder.authoring.synthetic import fill_release, solutions_of, with_functions
from autograder.course.batch import grade_assignment
from autograder.course.nbgrader_path import grade_student
from autograder.nbgrader_cells import grade_id_of

from .by_hand_cases import ATTACKS, HONEST, MACHINE
from .conftest import ROOT
from .test_adversarial import PATHS, grades, make_course, submit

pytestmark = pytest.mark.slow
WORKED_BY_HAND = "); this exercise asks for the derivative worked out by hand, so it earns 0 points."


SINGLE_ARGUMENT = ("sigmoid_derivative", "relu_derivative", "f_prime")
"""a by-hand function of x: an attack on σ′ is graded as any of them (the policy does not depend on which)"""


def packed(entries: list[tuple[str, str, str]]) -> list[dict[str, tuple[str, str]]]:
    """Entries (id, function, source) packed into notebooks, one per function in each: [{function: (id, source)}].
    An attack written for σ′ may stand in for another function of x, renamed."""
    notebooks: list[dict[str, tuple[str, str]]] = []
    for entry_id, name, source in entries:
        targets = SINGLE_ARGUMENT if name == "sigmoid_derivative" and entry_id in ATTACK_IDS else (name,)
        home, target = next(((n, t) for n in notebooks for t in targets if t not in n), (None, name))
        if home is None:
            notebooks.append(home := {})
        home[target] = (entry_id, re.sub(rf"\b{name}\b", target, source))
    return notebooks


ATTACK_IDS = {a[0] for a in ATTACKS}
ATTACK_NOTEBOOKS = packed([(a[0], a[1], a[2]) for a in ATTACKS])
HONEST_NOTEBOOKS = packed(HONEST)
GRADED_AS = {
    entry_id: (f"attacks_{i}", name) for i, n in enumerate(ATTACK_NOTEBOOKS) for name, (entry_id, _) in n.items()
}


def hidden_cell_text(course, student: str, name: str) -> str:
    notebook = nbformat.read(course.folder("autograded", student) / "derivatives.ipynb", as_version=4)
    cell = next(c for c in notebook.cells if grade_id_of(c) == f"hidden_tests_{name}")
    return cell.outputs[0].text.split("\n")[0]


@pytest.fixture(scope="module", params=PATHS)
def graded(request, tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("by-hand-course"))
    release = nbformat.read(course.folder("release") / "derivatives.ipynb", as_version=4)
    solutions = solutions_of(nbformat.read(ROOT / "source" / "derivatives" / "derivatives.ipynb", as_version=4))
    students = []
    for prefix, notebooks in (("attacks", ATTACK_NOTEBOOKS), ("honest", HONEST_NOTEBOOKS)):
        for index, functions in enumerate(notebooks):
            students.append(f"{prefix}_{index}")
            submit(
                course,
                students[-1],
                fill_release(release, with_functions(solutions, {n: s for n, (_, s) in functions.items()})),
            )
    if request.param == "nbgrader":
        for student in students:
            grade_student(course, student)
    else:
        grade_assignment(course, jobs=2, progress=False)
    return course, {student: grades(course, student) for student in students}


def cell_defining(course, student: str, name: str) -> int:
    """Its cell, counted from 1 as the sentences count."""
    notebook = nbformat.read(course.folder("autograded", student) / "derivatives.ipynb", as_version=4)
    return 1 + next(i for i, c in enumerate(notebook.cells) if re.search(rf"^(def {name}\(|{name} = )", c.source, re.M))


@pytest.mark.parametrize("attack_id, outcome, why", [(a[0], a[3], a[4]) for a in ATTACKS], ids=[a[0] for a in ATTACKS])
def test_an_attack_earns_0_or_goes_to_a_person_and_says_why(graded, attack_id, outcome, why):
    course, found = graded
    student, name = GRADED_AS[attack_id]
    exercise = EXERCISES_BY_NAME[name]
    first_line = hidden_cell_text(course, student, name)
    if outcome == MACHINE:
        assert found[student][name] == (0.0, False)
        assert first_line.startswith(f"{name}: 0 / {exercise.points:g} points. `{exercise.signature}` uses {why} (")
        assert first_line.endswith(WORKED_BY_HAND)
    else:
        assert found[student][name] == (None, True)
        assert first_line.startswith(
            f"{name}: needs manual grading (worth {exercise.points:g}). `{exercise.signature}` "
        )
        assert why in first_line and first_line.endswith(" Your instructor will read it.")


@pytest.mark.parametrize("index", range(len(ATTACK_NOTEBOOKS)))
def test_what_no_attack_touched_keeps_its_points(graded, index):
    student = f"attacks_{index}"
    untouched = [e for e in EXERCISES if e.name not in ATTACK_NOTEBOOKS[index]]
    assert {e.name: graded[1][student][e.name] for e in untouched} == {
        e.name: (float(e.points), False) for e in untouched
    }


def sentence(course, attack_id: str) -> tuple[str, str, int]:
    """The first line its hidden-test cell says, what it was graded as (`f_prime(x): 0 / 2 points`), and its cell."""
    student, name = GRADED_AS[attack_id]
    return hidden_cell_text(course, student, name), EXERCISES_BY_NAME[name], cell_defining(course, student, name)


def test_machine_findings_name_the_construct_and_its_line(graded):
    said, exercise, cell = sentence(graded[0], "aten_backward_kernel")
    assert said == (
        f"{exercise.name}: 0 / {exercise.points:g} points. `{exercise.signature}` uses a backward kernel "
        f"(`torch.ops.aten.sigmoid_backward` on line 5 of cell {cell}" + WORKED_BY_HAND
    )
    said, exercise, _ = sentence(graded[0], "complex_step_without_a_complex_literal")
    assert said == (
        f"{exercise.name}: 0 / {exercise.points:g} points. `{exercise.signature}` uses complex-step differentiation "
        "(it computed with complex numbers when graded" + WORKED_BY_HAND
    )


def test_a_construct_off_the_list_is_read_by_a_person_with_the_reason(graded):
    said, exercise, cell = sentence(graded[0], "eval_of_a_string")
    assert said == (
        f"{exercise.name}: needs manual grading (worth {exercise.points:g}). `{exercise.signature}` uses `eval` on "
        f"line 5 of cell "
        f"{cell}, which is not on the grader's list for a derivative worked out by hand (arithmetic, torch's "
        f"pointwise functions "
        "such as torch.exp, torch.where and torch.clamp, math constants, your own functions), so the grader cannot "
        "tell how it gets its answer. Your instructor will read it."
    )


@pytest.mark.parametrize("index", range(len(HONEST_NOTEBOOKS)))
def test_honest_styles_earn_every_point(graded, index):
    student = f"honest_{index}"
    assert {e.name: graded[1][student][e.name] for e in EXERCISES} == {
        e.name: (float(e.points), False) for e in EXERCISES
    }
