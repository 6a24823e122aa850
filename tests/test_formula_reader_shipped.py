"""The formula reader shipped next to the student's notebook: one source, no drift, a submission's copy ignored,
the master's solutions refused when the grader would not accept them, and the notebook's own fixes (issue 13)."""

from __future__ import annotations

import copy
import shutil

import matplotlib
import nbformat
import pytest

from autograder.authoring.master import SolutionNotEquivalent, sync_master, sync_master_file
from autograder.formulas.cells import NOTATION, NOTATION_ID, SHIPPED_READER, reader_files, sync_reader_files
from autograder.judging.restore import rebuild
from autograder.nbgrader_cells import nbgrader_of

from .conftest import MASTER, RELEASE, ROOT


def shipped(folder) -> dict[str, str]:
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted((folder / SHIPPED_READER).iterdir())
        if p.name != "__pycache__"
    }


@pytest.mark.parametrize("folder", [MASTER.parent, RELEASE.parent], ids=["source", "release"])
def test_the_reader_next_to_the_notebook_is_the_graders_reader_exactly(folder):
    assert len(reader_files()) >= 3 and shipped(folder) == reader_files(), (
        "formula_reader/ has drifted from autograder/formulas/reader/: run `autograder sync-master`, then `autograder "
        "release`"
    )


def test_the_notebook_imports_the_reader_in_one_locked_line(master, release):
    for notebook in (master, release):
        cell = next(c for c in notebook.cells if nbgrader_of(c).get("grade_id") == NOTATION_ID)
        assert cell.source == NOTATION and "\n" not in cell.source and nbgrader_of(cell)["locked"]


@pytest.mark.slow
def test_sync_master_copies_the_reader_and_drops_a_stale_module(tmp_path):
    shutil.copy(MASTER, tmp_path)
    (tmp_path / SHIPPED_READER).mkdir()
    (tmp_path / SHIPPED_READER / "old_module.py").write_text("x = 1\n")
    (tmp_path / SHIPPED_READER / "notation.py").write_text("tampered = True\n")
    changes = sync_master_file(tmp_path / MASTER.name)
    assert "removed formula_reader/old_module.py" in changes and "copied formula_reader/notation.py" in changes
    assert shipped(tmp_path) == reader_files() and sync_reader_files(tmp_path) == []


def test_an_old_submission_with_the_inline_reader_cell_is_rebuilt_with_the_import_line(master):
    """Earlier releases had the 330-line reader cell; the grader puts back the master's one line (and never runs it)."""
    from autograder.authoring.homework import DEFAULT
    from autograder.judging.trusted import parsed_here, student_program

    submission = nbformat.read(
        ROOT / "samples" / "submitted" / "ada_correct" / "derivatives" / "derivatives.ipynb", as_version=4
    )
    old = next(c for c in submission.cells if nbgrader_of(c).get("grade_id") == NOTATION_ID)
    old.source = "\n".join(f"# line {i} of the inline reader of earlier releases" for i in range(330))
    rebuilt = rebuild(submission, master)
    ((index, cell),) = [(i, c) for i, c in enumerate(rebuilt.cells) if nbgrader_of(c).get("grade_id") == NOTATION_ID]
    assert cell.source == NOTATION and NOTATION_ID in parsed_here(DEFAULT)
    assert index not in {i for i, _ in student_program(rebuilt)}


HOSTILE_READER = """import pathlib
try:
    pathlib.Path(__file__).with_name("imported").write_text("the grader imported the submission's reader")
except OSError:
    pass


def show_formula_reading(*args, **kwargs):
    pass


def read_formula(*args, **kwargs):
    raise SystemExit("tampered")
"""


@pytest.mark.slow
def test_a_tampered_reader_in_the_submission_folder_changes_no_verdict(tmp_path, master):
    """A student's edited formula_reader/ next to their notebook (one that passes every public check) changes no
    verdict, on `autograder grade`'s path and on `nbgrader autograde`'s, and the grader never imports it."""
    import sys

    from autograder.authoring.synthetic import fill_release, solutions_of
    from autograder.course.batch import grade_assignment
    from autograder.course.nbgrader_path import grade_student

    from .test_adversarial import make_course, scores, submit

    course = make_course(tmp_path / "course")
    release = nbformat.read(course.folder("release") / "derivatives.ipynb", as_version=4)
    submit(
        course,
        "mallory",
        fill_release(release, {**solutions_of(master), "answer_sigmoid_prime": 'answer_sigmoid_prime = r"\\sigma(x)"'}),
    )
    hostile = course.folder("submitted", "mallory") / SHIPPED_READER
    hostile.mkdir()
    (hostile / "__init__.py").write_text(HOSTILE_READER)
    grade_assignment(course, progress=False)
    by_the_batch = scores(course, "mallory")
    grade_student(course, "mallory")
    for graded in (by_the_batch, scores(course, "mallory")):
        assert (
            graded["answer_sigmoid_prime"] == 0.0
            and graded["answer_f_prime"] == 1.0
            and graded["sigmoid_derivative"] == 3.0
        )
    assert not (hostile / "imported").exists() and "formula_reader" not in sys.modules


@pytest.mark.slow
def test_sync_master_refuses_a_solution_the_grader_would_not_accept(master, tmp_path):
    broken = copy.deepcopy(master)
    cell = next(c for c in broken.cells if nbgrader_of(c).get("grade_id") == "answer_bce_wrt_logit")
    cell.source = cell.source.replace(r'r"\sigma(z) - y"', r'r"y - \sigma(z)"')
    with pytest.raises(SolutionNotEquivalent) as refused:
        sync_master(broken)
    assert str(refused.value) == (
        "the master's solution for answer_bce_wrt_logit does not read as equivalent to its reference, so nothing was "
        "written: "
        "answer_bce_wrt_logit: 0 / 1 points. Your ∂L/∂z = y - σ(z) is not the expected formula: at z = 1, y = 1 it "
        "gives "
        "0.268941, expected -0.268941. Fix the answer cell answer_bce_wrt_logit (or its reference in "
        "autograder/formulas/answers.py)."
    )
    path = tmp_path / MASTER.name
    nbformat.write(broken, path)
    before = path.read_text()
    with pytest.raises(SolutionNotEquivalent):
        sync_master_file(path)
    assert path.read_text() == before


@pytest.mark.slow
def test_the_bce_loss_and_its_derivative_are_drawn_on_axes_of_their_own(master, seed_namespace, monkeypatch):
    """The loss (0 to 5) on one axis and its derivative (±100) on another: on one axis the loss looks flat."""
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures: list = []
    monkeypatch.setattr(
        plt,
        "show",
        lambda *a, **k: (
            figures.append([[line.get_label() for line in axis.lines] for axis in plt.gcf().axes]),
            plt.close("all"),
        ),
    )
    namespace = dict(seed_namespace)
    setup = next(c for c in master.cells if nbgrader_of(c).get("grade_id") == "setup")
    exec(setup.source, namespace)
    plots = next(
        c for c in master.cells if c.cell_type == "code" and "Binary Cross-Entropy and its Derivative" in c.source
    )
    exec(plots.source, namespace)
    bce = [axes for axes in figures if any(label.startswith("L (y=") for labels in axes for label in labels)]
    assert len(bce) == 2
    for axes in bce:
        assert sorted(map(len, axes)) == [1, 1], axes  # one curve per axis: the loss and dL/dy_pred apart


def test_the_notebook_text_carried_over_from_the_seed_is_fixed(master, release):
    for notebook in (master, release):
        text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
        assert "tensors exercise" not in text
        # the site's own address is spelled "makrdown"; the link now says what it is, instead of a bare misspelled URL
        assert (
            "[Cheat Sheet: Mathematical Notation in "
            "Markdown](https://www.upyesp.org/posts/makrdown-vscode-math-notation/)"
        ) in text
        assert "that: https://" not in text


def test_the_readers_table_holds_exactly_the_packages_answers_with_their_own_symbols():
    """The table is what an earlier release's public check (which passes only the name) reads: each of the package's
    answers has its row, with the variables and meaning the answer carries, and no row is orphaned."""
    from autograder.formulas.answers import FORMULAS
    from autograder.formulas.reader.public import ANSWERS

    assert ANSWERS == {answer.name: (answer.variables, answer.stands_for) for answer in FORMULAS}
