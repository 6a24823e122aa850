"""A new exercise is one entry in the course's exercises.py: sync-master writes its cells, release ships them, and
grading handles it end to end (tanh′, leaky ReLU′ with its slope as a parameter, softmax′ along the last dimension)."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from autograder.audit import render_audit, run_audit
from autograder.authoring.course_init import init_course
from autograder.authoring.exercise_cells import NO_SOLUTION, EntryIncomplete, cell_ids
from autograder.authoring.homework import Homework, HomeworkBroken, homework_in
from autograder.authoring.master import sync_master_file
from autograder.authoring.synthetic import fill_release, solutions_of, with_functions, write_submission
from autograder.course.batch import grade_assignment
from autograder.course.folder import Course, generate_release
from autograder.errors import NbgraderFailed
from autograder.nbgrader_cells import grade_id_of


@dataclass(frozen=True)
class NewExercise:
    name: str
    entry: str
    """Python appended to the course's exercises.py: defines ENTRY"""
    wrong: str
    autograd: str
    wrong_says: str
    """in the wrong submission's feedback"""


TANH = NewExercise(
    "tanh_derivative",
    """
import sympy

ENTRY = Exercise(
    "tanh_derivative", ("x",), derivative_of(torch.tanh), (interval(-4, 4),), points=2, by_hand=True,
    title="tanh′(x)", primal="torch.tanh(x)",
    edges=(
        Edge("|x| up to 1000", ([-1000.0, 0.0, 1000.0],), hint="tanh(±1000) is ±1 exactly; write tanh′ through tanh."),
    ),
    solution="return 1 - torch.tanh(x) ** 2",
    formula=FormulaAnswer(
        "answer_tanh_prime", "tanh′(x)", sympy.diff(sympy.tanh(SYMBOLS["x"]), SYMBOLS["x"]), {"x": (1, -1, 0, 2, 0.5)},
        "derivation_tanh_derivative", r"1 - \\tanh^2(x)", variables=("x",),
    ),
    derivation="$\\\\tanh'(x) = 1 - \\\\tanh^2(x)$, since $\\\\tanh = \\\\sinh / \\\\cosh$ "
    "and $\\\\cosh^2 - \\\\sinh^2 = 1$.",
)
""",
    "def tanh_derivative(x):\n    return 1 - torch.tanh(x)\n",
    "def tanh_derivative(x):\n    x = x.detach().requires_grad_(True)\n    torch.tanh(x).sum().backward()\n    return "
    "x.grad\n",
    "tanh_derivative(x)",
)
LEAKY_RELU = NewExercise(
    "leaky_relu_derivative",
    """
def leaky_relu(x, negative_slope):
    return torch.where(x > 0, x, negative_slope * x)


ENTRY = Exercise(
    "leaky_relu_derivative", ("x", "negative_slope"), derivative_of(leaky_relu), (interval(-5, 5), interval(0.01, 0.3)),
    points=2, by_hand=True, title="Leaky ReLU′(x)", primal="leaky_relu(x, negative_slope)",
    edges=(
        Edge(
            "x = 0", ([0.0, 0.0], [0.1, 0.2]),
            hint="As PyTorch does, take the slope at x = 0: the derivative is 1 only where x > 0.",
        ),
    ),
    solution="return torch.where(x > 0, torch.ones_like(x), negative_slope)",
)
""",
    "def leaky_relu_derivative(x, negative_slope):\n    return (x > 0).to(x.dtype)\n",
    "def leaky_relu_derivative(x, negative_slope):\n    x = x.detach().requires_grad_(True)\n"
    "    torch.nn.functional.leaky_relu(x, 0.1).sum().backward()\n    return x.grad\n",
    "leaky_relu_derivative(x, negative_slope)",
)
SOFTMAX = NewExercise(
    "softmax_derivative",
    """
ENTRY = Exercise(
    "softmax_derivative", ("x",), diagonal_of_jacobian(lambda x: torch.softmax(x, dim=-1)), (interval(-3, 3),),
    points=2, by_hand=True, elementwise=False, title="softmax′: the diagonal ∂sᵢ/∂xᵢ along the last dimension",
    task="Return ∂sᵢ/∂xᵢ, where s = softmax(x) along the last dimension: the diagonal of its Jacobian, shaped like x.",
    solution="s = torch.exp(x) / torch.exp(x).sum(dim=-1, keepdim=True)\\nreturn s * (1 - s)",
)
""",
    "def softmax_derivative(x):\n    s = torch.exp(x) / torch.exp(x).sum(dim=-1, keepdim=True)\n    return s\n",
    "def softmax_derivative(x):\n    x = x.detach().requires_grad_(True)\n    s = torch.softmax(x, dim=-1)\n"
    "    return torch.autograd.grad(s.sum(), x)[0]\n",
    "softmax_derivative(x)",
)


def course_with(tmp_path: Path, entry: str, *, added: bool = True) -> Course:
    """A course made by `autograder init`, its exercises.py with `entry` appended (and added to EXERCISES)."""
    init_course(tmp_path / "course")
    exercises = tmp_path / "course" / "source" / "derivatives" / "exercises.py"
    exercises.write_text(
        exercises.read_text() + "\nimport torch\n" + entry + ("\nEXERCISES = EXERCISES + (ENTRY,)\n" if added else "")
    )
    return Course(tmp_path / "course")


@pytest.mark.slow
@pytest.mark.parametrize("new", [TANH, LEAKY_RELU, SOFTMAX], ids=lambda new: new.name)
def test_a_new_exercise_is_one_entry_from_master_to_feedback(tmp_path, new):
    course = course_with(tmp_path, new.entry)
    master_path = course.folder("source") / "derivatives.ipynb"
    changes = sync_master_file(master_path)
    exercise = course.homework.by_name[new.name]
    assert [c for c in changes if new.name in c] == [f"added {i}" for i in cell_ids(exercise)]
    assert sync_master_file(master_path) == []  # written once: a second run has nothing to do

    release = nbformat.read(generate_release(course), as_version=4)
    assert not (course.folder("release") / "exercises.py").exists()  # the entries hold the solutions
    released = {grade_id_of(c): c.source for c in release.cells}
    assert (
        "raise NotImplementedError()" in released[f"impl_{new.name}"]
        and "torch.ones_like" not in released[f"impl_{new.name}"]
    )
    assert f'expect_close("{exercise.signature}"' in released[f"public_tests_{new.name}"]
    assert "grade_in_notebook" not in released[exercise.grade_id]

    master = nbformat.read(master_path, as_version=4)
    right = solutions_of(master)
    for student, answers in (
        ("correct", right),
        ("wrong", with_functions(right, {new.name: new.wrong})),
        ("autograd", with_functions(right, {new.name: new.autograd})),
    ):
        write_submission(course.folder("submitted", student) / "derivatives.ipynb", fill_release(release, answers))
    report = grade_assignment(course, jobs=2, progress=False, outputs=True)
    assert {r.student: r.status for r in report.results} == dict.fromkeys(("correct", "wrong", "autograd"), "graded")

    def record(student: str) -> dict:
        tests = json.loads(
            (course.root / "autograder-feedback" / student / "derivatives" / "results.json").read_text()
        )["tests"]
        return next(t for t in tests if t["name"] == exercise.signature)

    assert (record("correct")["score"], record("correct")["max_score"]) == (2, 2)
    if exercise.formula:  # its final-formula answer, from the same entry: cells after the derivation, checked by sympy
        formula = next(
            t
            for t in json.loads(
                (course.root / "autograder-feedback" / "correct" / "derivatives" / "results.json").read_text()
            )["tests"]
            if t["name"] == f"Your final formula for {exercise.formula.derivative}"
        )
        assert (formula["score"], formula["max_score"]) == (1, 1)
        assert f"added hidden_tests_{exercise.formula.name}" in changes
    assert (
        record("wrong")["score"] == 0
        and new.wrong_says in record("wrong")["output"]
        and "expected" in record("wrong")["output"]
    )
    assert record("autograd")["score"] == 0 and "autograd" in record("autograd")["output"]
    totals = {r.student: r.auto_score for r in report.results}
    assert totals["correct"] - totals["wrong"] == pytest.approx(2)

    audit = run_audit(Homework((exercise,), ()), master, jobs=1, progress=False)  # its hidden tests catch its mutants
    assert audit.passed and len(audit.mutants) >= 5, render_audit(audit)


@pytest.mark.slow
def test_the_public_test_is_computed_from_the_reference_and_runs_with_torch_alone(tmp_path, capsys):
    course = course_with(tmp_path, SOFTMAX.entry)
    sync_master_file(course.folder("source") / "derivatives.ipynb")
    master = nbformat.read(course.folder("source") / "derivatives.ipynb", as_version=4)
    cells = {grade_id_of(c): c.source for c in master.cells}
    namespace: dict = {}
    exec(cells["setup"], namespace)  # torch, matplotlib and the helpers the generated cells call
    exec(cells["impl_softmax_derivative"], namespace)
    capsys.readouterr()
    exec(cells["public_tests_softmax_derivative"], namespace)  # the instructor's solution passes its own public test
    assert capsys.readouterr().out == "softmax_derivative passes the public tests.\n"
    exec("def softmax_derivative(x):\n    return torch.softmax(x, dim=-1)\n", namespace)
    with pytest.raises(
        AssertionError, match=r"softmax_derivative\(x\) for x = \[-2\.0, -1\.0, 0\.0, 1\.0, 2\.0\]: expected \["
    ):
        exec(cells["public_tests_softmax_derivative"], namespace)


def test_an_entry_without_a_solution_is_refused_in_one_sentence(tmp_path):
    course = course_with(tmp_path, TANH.entry.replace('solution="return 1 - torch.tanh(x) ** 2",', ""))
    with pytest.raises(EntryIncomplete) as refused:
        sync_master_file(course.folder("source") / "derivatives.ipynb")
    assert str(refused.value) == NO_SOLUTION.format(name="tanh_derivative", signature="tanh_derivative(x)")


def test_a_broken_exercises_file_is_said_in_one_sentence_with_its_line(tmp_path):
    course = course_with(tmp_path, "ENTRY = Exercise('tanh_derivative', ('x',))\n")
    with pytest.raises(HomeworkBroken, match=r"exercises.py could not be loaded: TypeError: .*\(line \d+\)"):
        homework_in(course.folder("source"))


@pytest.mark.slow
def test_release_after_submissions_says_what_nbgrader_refuses_and_what_to_do(tmp_path):
    course = course_with(tmp_path, TANH.entry.replace("ENTRY", "LATER"), added=False)
    release = nbformat.read(generate_release(course), as_version=4)
    master = nbformat.read(course.folder("source") / "derivatives.ipynb", as_version=4)
    write_submission(
        course.folder("submitted", "ada") / "derivatives.ipynb", fill_release(release, solutions_of(master))
    )
    grade_assignment(course, jobs=1, progress=False)
    exercises = course.folder("source") / "exercises.py"
    exercises.write_text(exercises.read_text() + "\nEXERCISES = EXERCISES + (LATER,)\n")
    sync_master_file(course.folder("source") / "derivatives.ipynb")
    with pytest.raises(NbgraderFailed) as refused:
        generate_release(course)
    said = str(refused.value)
    assert said.startswith(
        "nbgrader will not add or remove cells of 'derivatives' once the gradebook holds submissions of it"
    )
    assert "release the change as a new assignment" in said and "\n" not in said


@pytest.mark.slow
def test_the_readmes_adding_an_exercise_steps_work_as_written(tmp_path):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("### Adding an exercise", 1)[1].split("\n### ", 1)[0]
    entry = textwrap.dedent(section.split("```python\n", 1)[1].split("```", 1)[0])
    course = course_with(tmp_path, entry, added=False)
    assert course.homework.exercises[-1].name == "tanh_derivative"
    master_path = course.folder("source") / "derivatives.ipynb"
    assert "added hidden_tests_tanh_derivative" in sync_master_file(master_path)
    assert [c for c in sync_master_file(master_path)] == []
    for command in (
        "autograder sync-master --course .",
        "autograder audit --course .",
        "autograder release --course .",
    ):
        assert command in section


def test_the_in_kernel_check_loads_exercises_only_beside_the_master_never_beside_a_submission(tmp_path, monkeypatch):
    from autograder import hidden
    from autograder.authoring.homework import DEFAULT

    planted = "raise RuntimeError('a file beside the notebook ran')\n"
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    submissions = [
        tmp_path / "submitted" / "mallory" / "derivatives",
        tmp_path / "autograded" / "source" / "derivatives",
    ]
    for folder in (*submissions, tmp_path / "source" / "derivatives"):  # a student whose id is "source", too
        folder.mkdir(parents=True)
        (folder / "exercises.py").write_text(planted)
    for folder in submissions:
        monkeypatch.chdir(folder)
        assert hidden._homework() is DEFAULT
    monkeypatch.chdir(tmp_path / "source" / "derivatives")
    with pytest.raises(HomeworkBroken, match="a file beside the notebook ran"):
        hidden._homework()


@pytest.mark.slow
def test_a_vector_valued_derivative_is_graded_as_a_jacobian_vector_product_or_its_diagonal():
    import torch

    from autograder.authoring import Exercise, diagonal_of_jacobian, interval, jacobian_vector_product
    from autograder.judging.scoring import grade_function

    softmax = lambda x: torch.softmax(x, dim=-1)  # noqa: E731
    jvp = Exercise(
        "softmax_jvp",
        ("x", "v"),
        jacobian_vector_product(softmax),
        (interval(-3, 3), interval(-1, 1)),
        points=2,
        elementwise=False,
    )
    right = lambda x, v: torch.softmax(x, -1) * (v - (torch.softmax(x, -1) * v).sum(-1, keepdim=True))  # noqa: E731
    assert grade_function(jvp, right).points == 2
    # only the diagonal
    assert grade_function(jvp, lambda x, v: torch.softmax(x, -1) * (1 - torch.softmax(x, -1)) * v).points == 0
    diagonal = Exercise(
        "softmax_derivative", ("x",), diagonal_of_jacobian(softmax), (interval(-3, 3),), points=2, elementwise=False
    )
    assert grade_function(diagonal, lambda x: torch.softmax(x, -1) * (1 - torch.softmax(x, -1))).points == 2
    # elementwise σ′ is not it
    assert grade_function(diagonal, lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x))).points == 0


@pytest.mark.slow
def test_sync_master_never_rewrites_a_cell_the_instructor_edited_and_puts_back_one_that_is_missing(tmp_path):
    course = course_with(tmp_path, TANH.entry)
    master_path = course.folder("source") / "derivatives.ipynb"
    sync_master_file(master_path)
    master = nbformat.read(master_path, as_version=4)
    cells = {grade_id_of(c): c for c in master.cells}
    cells["public_tests_tanh_derivative"].source += "\nassert True  # the instructor's own extra check"
    cells["impl_tanh_derivative"].source = cells["impl_tanh_derivative"].source.replace("** 2", "** 2  # squared")
    master.cells.remove(cells["plot_tanh_derivative"])
    nbformat.write(master, master_path)
    assert sync_master_file(master_path) == ["added plot_tanh_derivative"]
    again = {grade_id_of(c): c.source for c in nbformat.read(master_path, as_version=4).cells}
    assert again["public_tests_tanh_derivative"].endswith("# the instructor's own extra check")
    assert "# squared" in again["impl_tanh_derivative"]
    order = [
        grade_id_of(c)
        for c in nbformat.read(master_path, as_version=4).cells
        if (grade_id_of(c) or "").endswith("tanh_derivative")
    ]
    # back in its place, after the implementation
    assert order == list(cell_ids(course.homework.by_name["tanh_derivative"]))


@pytest.mark.slow
def test_a_master_out_of_step_with_its_entries_is_never_graded_or_released_and_its_cells_are_kept(tmp_path, capsys):
    from autograder.authoring.master import ENTRY_MISSING, EntryMissing
    from autograder.cli import main
    from autograder.errors import MasterOutOfStep
    from autograder.judging.trusted import grade_notebook

    course = course_with(tmp_path, TANH.entry)
    master_path = course.folder("source") / "derivatives.ipynb"
    sync_master_file(master_path)
    exercises = course.folder("source") / "exercises.py"
    exercises.write_text(exercises.read_text().replace("EXERCISES = EXERCISES + (ENTRY,)", ""))  # the entry is gone
    before = master_path.read_bytes()
    with pytest.raises(EntryMissing) as refused:
        sync_master_file(master_path)
    assert str(refused.value) == ENTRY_MISSING.format(name="tanh_derivative", origin=exercises)
    assert master_path.read_bytes() == before  # a lost entry never costs the master its cells

    master = nbformat.read(master_path, as_version=4)
    with pytest.raises(
        MasterOutOfStep, match=r"hidden_tests_tanh_derivative has no entry\); run `autograder sync-master`"
    ):
        # refused before anything runs: no full marks
        grade_notebook(master, master, sandbox=None, homework=course.homework)
    assert main(["release", "--course", str(course.root)]) == 2
    said = capsys.readouterr().err
    assert said.startswith("autograder release: the master and ") and said.count("\n") == 1 and "Traceback" not in said
    assert not course.folder("release").exists()


@pytest.mark.slow
def test_a_release_that_would_hold_a_solution_is_refused_and_the_file_deleted(tmp_path):
    course = course_with(tmp_path, TANH.entry)
    sync_master_file(course.folder("source") / "derivatives.ipynb")
    # no ignore pattern names it: the content gives it away
    backup = course.folder("source") / "old exercises (copy).txt"
    backup.write_text((course.folder("source") / "exercises.py").read_text())
    with pytest.raises(
        NbgraderFailed, match=r"^the release held the solutions of tanh_derivative in .*old exercises \(copy\)\.txt"
    ):
        generate_release(course)
    assert not (course.folder("release") / backup.name).exists()
    assert (course.folder("release") / "derivatives.ipynb").exists() and not (
        course.folder("release") / "exercises.py"
    ).exists()
    backup.unlink()
    assert generate_release(course).exists()


def test_audit_without_a_master_says_so_in_one_sentence(tmp_path, capsys):
    from autograder.cli import NO_MASTER, main

    (tmp_path / "nbgrader_config.py").write_text(
        (Path(__file__).resolve().parents[1] / "nbgrader_config.py").read_text()
    )
    assert main(["audit", "--course", str(tmp_path), "--no-progress"]) == 2
    master = tmp_path.resolve() / "source" / "derivatives" / "derivatives.ipynb"
    assert capsys.readouterr().err == f"autograder audit: {NO_MASTER.format(path=master)}\n"


def test_a_solution_pasted_into_a_released_notebook_is_found_through_its_json_escapes(tmp_path):
    import dataclasses

    from autograder.authoring.exercises import EXERCISES
    from autograder.course.folder import released_solutions

    exercise = dataclasses.replace(EXERCISES[0], solution="return torch.where(x > 0, \"yes\", 'no\\n')")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("A hint: " + exercise.solution)])
    nbformat.write(notebook, tmp_path / "derivatives.ipynb")
    (tmp_path / "requirements.txt").write_text("torch==2.13.0\n")
    assert released_solutions(tmp_path, Homework((exercise,), ())) == {tmp_path / "derivatives.ipynb": ["f"]}
    notebook.cells[0].source = "A hint: use torch.where."
    nbformat.write(notebook, tmp_path / "derivatives.ipynb")
    assert released_solutions(tmp_path, Homework((exercise,), ())) == {}
