"""The notebooks as students run them: in a real Jupyter kernel, without the autograder package."""

from __future__ import annotations

import copy

import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import MASTER, RELEASE

pytestmark = pytest.mark.slow

NO_AUTOGRADER = "import sys\nsys.modules['autograder'] = None  # students do not have the package"


def run(notebook: nbformat.NotebookNode, as_student: bool, folder) -> nbformat.NotebookNode:
    """Run in the notebook's own folder, as Jupyter does: its formula_reader/ is imported from there."""
    executed = copy.deepcopy(notebook)
    if as_student:
        executed.cells.insert(0, nbformat.v4.new_code_cell(NO_AUTOGRADER))
    NotebookClient(
        executed, timeout=120, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(folder)}}
    ).execute()
    return executed


def errors(notebook) -> list[tuple[str, str, str]]:
    return [
        (cell.metadata.get("nbgrader", {}).get("grade_id", ""), output.ename, output.evalue)
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]


def stdout(notebook, grade_id) -> str:
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


@pytest.fixture(scope="module")
def executed_release(release):
    return run(release, as_student=True, folder=RELEASE.parent)


@pytest.fixture(scope="module")
def executed_solution(master):
    return run(master, as_student=False, folder=MASTER.parent)  # hidden tests run too: the instructor has the package


def test_the_release_runs_top_to_bottom_and_only_its_public_tests_fail(executed_release):
    empty = "`{name}` is empty: write your final formula between the quotes."
    assert errors(executed_release) == [
        ("public_tests_answer_f_prime", "AssertionError", empty.format(name="answer_f_prime")),
        (
            "public_tests_f",
            "AssertionError",
            "f(x) is not implemented yet: replace `raise NotImplementedError()` with your code.",
        ),
        ("public_tests_answer_sigmoid_prime", "AssertionError", empty.format(name="answer_sigmoid_prime")),
        (
            "public_tests_sigmoid",
            "AssertionError",
            "sigmoid(x) is not implemented yet: replace `raise NotImplementedError()` with your code.",
        ),
        ("public_tests_answer_relu_prime", "AssertionError", empty.format(name="answer_relu_prime")),
        (
            "public_tests_relu",
            "AssertionError",
            "relu(x) is not implemented yet: replace `raise NotImplementedError()` with your code.",
        ),
        ("public_tests_answer_bce_wrt_prediction", "AssertionError", empty.format(name="answer_bce_wrt_prediction")),
        ("public_tests_answer_bce_wrt_logit", "AssertionError", empty.format(name="answer_bce_wrt_logit")),
        (
            "public_tests_bce",
            "AssertionError",
            "binary_cross_entropy(y_pred, y) is not implemented yet: replace `raise NotImplementedError()` with your "
            "code.",
        ),
    ]


def test_the_release_plots_wait_for_the_functions(executed_release):
    texts = [o.get("text", "") for c in executed_release.cells for o in c.get("outputs", [])]
    assert "Random Function and its Derivative: the plot appears once your functions above are implemented.\n" in texts


def test_the_public_formula_checks_echo_how_the_solution_is_read(executed_solution):
    assert [
        stdout(executed_solution, f"public_tests_{name}").split("\n")[0]
        for name in (
            "answer_f_prime",
            "answer_sigmoid_prime",
            "answer_relu_prime",
            "answer_bce_wrt_prediction",
            "answer_bce_wrt_logit",
        )
    ] == [
        "`answer_f_prime` is read as: 9·x^2 - 4·x + 5",
        "`answer_sigmoid_prime` is read as: (1 - σ(x))·σ(x)",
        "`answer_relu_prime` is read as: 1 if x > 0; 0 otherwise",
        "`answer_bce_wrt_prediction` is read as: (-y + ŷ)/(ŷ·(1 - ŷ))",
        "`answer_bce_wrt_logit` is read as: -y + σ(z)",
    ]


def test_the_solution_passes_every_public_test_and_draws_every_plot(executed_solution):
    assert errors(executed_solution) == []
    assert stdout(executed_solution, "public_tests_bce").strip() == (
        "binary_cross_entropy, bce_derivative and bce_logit_derivative pass the public tests."
    )
    images = [o for c in executed_solution.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 6  # f, sigmoid, relu, BCE for y = 0 and 1, BCE with respect to z
