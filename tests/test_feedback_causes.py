"""Issue 13, parts 2 and 5: the real cause first, hints that fit the failure, one row per distinct failure,
one precision per row, results.csv's worst problem per function, a class report out of graded students,
plots where both curves show, and headings in the students' words. Fast: nothing here runs a sandbox."""

from __future__ import annotations

import re

import nbformat
import pytest
from bs4 import BeautifulSoup

from autograder import messages as msg
from autograder.authoring.exercises import EXERCISES_BY_NAME
from autograder.feedback.class_report import OUT_OF, summarize, write_class_report
from autograder.feedback.gradescope import results_json
from autograder.feedback.pages import FIRST, NOT_FINITE_ERROR, figure_of, function_section, student_page
from autograder.feedback.records import record
from autograder.feedback.score_table import worst_problems
from autograder.feedback.text import feedback_text
from autograder.judging.diagnosis import cause_of, failed_cells
from autograder.judging.scoring import grade_function

from .implementations import define

STUB = "def {name}(*args):\n    raise NotImplementedError()"
SIGN_FLIPPED_BCE = "def bce_derivative(y_pred, y):\n    return y / y_pred - (1 - y) / (1 - y_pred)"
NAIVE_SIGMOID_PRIME = "def sigmoid_derivative(x):\n    return torch.exp(-x) / (1 + torch.exp(-x))**2"
USES_SIGMOID = "def bce_logit_derivative(z, y):\n    return sigmoid(z) - y"
SYNTAX_CELL = "import torch\n\ndef sigmoid(x)\n    return 1 / (1 + torch.exp(-x))"
IMPORT_CELL = "import tensorflow as tf\n\ndef sigmoid(x):\n    return tf.sigmoid(x)"


def graded(name: str, source: str | None, cause=None) -> dict:
    result = grade_function(EXERCISES_BY_NAME[name], define(source, name) if source else None)
    return record(result, None, cause=cause)


def notebook_cells(source: str, error: dict) -> list:
    """A cell defining nothing graded that ran fine, then the student's cell with the error the sandbox reported."""
    return [
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell(source, outputs=[nbformat.v4.new_output("error", **error)]),
    ]


SYNTAX_ERROR = {
    "ename": "SyntaxError",
    "evalue": "expected ':' (<ipython-input-1-58fe7c3ac40c>, line 3)",
    "traceback": ["SyntaxError: expected ':' (<ipython-input-1-58fe7c3ac40c>, line 3)"],
}
IMPORT_ERROR = {
    "ename": "ModuleNotFoundError",
    "evalue": "No module named 'tensorflow'",
    "traceback": ["  line 1: import tensorflow as tf", "ModuleNotFoundError: No module named 'tensorflow'"],
}


def caused(name: str, source: str | None, cells: list):
    result = grade_function(EXERCISES_BY_NAME[name], define(source, name) if source else None)
    return result, cause_of(result, failed_cells(cells, range(len(cells))), absent=source is None)


def section_of(page: str, heading: str) -> BeautifulSoup:
    """The elements of one function's section: from its <h2> to the next."""
    soup = BeautifulSoup(page, "html.parser")
    start = next(h for h in soup.find_all("h2") if h.get_text().startswith(heading))
    parts = []
    for element in start.find_next_siblings():
        if element.name == "h2":
            break
        parts.append(str(element))
    return BeautifulSoup("".join(parts), "html.parser")


@pytest.mark.parametrize(
    "source, error, sentence",
    [
        (
            SYNTAX_CELL,
            SYNTAX_ERROR,
            "Cell 2 could not run: line 3 (`def sigmoid(x)`) has SyntaxError: expected ':'; no line of the cell ran.",
        ),
        (
            IMPORT_CELL,
            IMPORT_ERROR,
            "Cell 2 stopped at line 1 (`import tensorflow as tf`) with ModuleNotFoundError: No "
            "module named 'tensorflow'; nothing after that line in the cell ran.",
        ),
    ],
    ids=["syntax error", "failed import"],
)
def test_a_cell_that_stopped_is_told_first_on_the_page_and_in_results_json(source, error, sentence):
    cells = notebook_cells(source, error)
    result, cause = caused("sigmoid", None, cells)
    details = record(result, None, cause=cause)
    page = student_page(
        "cy", "derivatives", [graded("relu", "def relu(x):\n    return x.clamp(min=0)"), details], 1, 17
    )
    headings = [h.get_text() for h in BeautifulSoup(page, "html.parser").find_all("h2")]
    assert (
        headings[0] == FIRST
        and BeautifulSoup(page, "html.parser").find("h2").find_next_sibling("p").get_text() == sentence
    )
    assert results_json([details], 0, 17, 1.0)["output"].split("\n")[0] == sentence


def test_follow_on_not_defined_failures_collapse_into_one_line_that_points_at_the_cause():
    cells = notebook_cells(SYNTAX_CELL, SYNTAX_ERROR)
    missing, missing_cause = caused("sigmoid", None, cells)
    user, user_cause = caused("bce_logit_derivative", USES_SIGMOID, cells)
    assert feedback_text(missing, missing_cause) == (
        "sigmoid: 0 / 1 points. `sigmoid(x)` is not defined because cell 2 stopped first (SyntaxError: expected ':'); "
        "fix that cell and it will be graded."
    )
    assert feedback_text(user, user_cause) == (
        "bce_logit_derivative: 0 / 2 points. `bce_logit_derivative(z, y)` uses `sigmoid`, which is not defined "
        "because cell 2 stopped first (SyntaxError: expected ':'); fix that cell and it will be graded."
    )
    page = student_page(
        "cy", "derivatives", [record(missing, None, cause=missing_cause), record(user, None, cause=user_cause)], 0, 17
    )
    for heading in ("sigmoid(x)", "bce_logit_derivative(z, y)"):
        section = section_of(page, heading)
        assert (
            len(section.find_all(class_="fail")) == 1
            and section.find("table") is None
            and section.find(class_="hint") is None
        )
    assert "keep the function's name" not in page and "exp can overflow" not in page
    assert page.count("Cell 2 could not run: line 3") == 1  # said once, first, however many functions it stopped


def test_a_cell_that_stopped_but_does_not_define_the_function_is_not_blamed_for_it():
    _, cause = caused("relu", None, notebook_cells(SYNTAX_CELL, SYNTAX_ERROR))
    assert cause is None


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, source, hint",
    [
        ("bce_derivative", SIGN_FLIPPED_BCE, msg.HINT_SIGN),
        ("f_prime", "def f_prime(x):\n    return 2 * (9*x**2 - 4*x + 5)", msg.HINT_FACTOR.format(factor="2")),
        (
            "relu_derivative",
            "def relu_derivative(x):\n    return (x >= 0).float()",
            "Use PyTorch's convention ReLU′(0) = 0: the derivative is 1 only where x > 0.",
        ),
        (
            "relu",
            "def relu(x):\n    return torch.where(x.abs() < 999, x.clamp(min=0), torch.exp(x.abs()))",
            msg.HINT_OVERFLOW.format(got="inf", point="x = -1000"),
        ),
        (
            "relu",
            "def relu(x):\n    return torch.where(x == 0, torch.full_like(x, float('nan')), x.clamp(min=0))",
            msg.HINT_NAN.format(point="x = 0"),
        ),
        ("sigmoid", STUB.format(name="sigmoid"), ""),
    ],
    ids=[
        "sign flipped everywhere",
        "constant factor",
        "wrong only at an edge",
        "overflow",
        "nan",
        "raised: no numeric hint",
    ],
)
def test_the_hint_fits_the_kind_of_failure(name, source, hint):
    details = graded(name, source)
    page = student_page("ben", "derivatives", [details], 0, 17)
    assert [p.get_text() for p in BeautifulSoup(page, "html.parser").find_all(class_="hint")] == (
        [f"Hint: {hint}"] if hint else []
    )


@pytest.mark.parametrize(
    "name, source",
    [
        ("relu_derivative", "def relu_derivative(x):\n    return torch.zeros_like(x)"),
        ("binary_cross_entropy", "def binary_cross_entropy(y_pred, y):\n    return -y * torch.log(y_pred)"),
        ("bce_derivative", "def bce_derivative(y_pred, y):\n    return -y / y_pred"),
        ("f_prime", "def f_prime(x):\n    return 9 * x**2 - 4 * x"),
    ],
    ids=["zero everywhere", "one term of BCE", "one term of BCE'", "a missing constant"],
)
def test_a_formula_that_is_not_a_constant_multiple_gets_no_factor_hint(name, source):
    """Zero where the answer is not (ratio 0), or a ratio that varies over the wrong elements, is no constant factor."""
    details = graded(name, source)
    assert "times the expected one" not in details["hint"] and details["hint"] != msg.HINT_SIGN


def test_a_cell_that_stopped_is_blamed_only_for_what_it_had_not_yet_defined():
    runtime_error = {
        "ename": "ZeroDivisionError",
        "evalue": "division by zero",
        "traceback": ["  line 4: 1 / 0", "ZeroDivisionError: division by zero"],
    }
    source = (
        "import torch\ndef sigmoid(x):\n    return torch.sigmoid(x)\n1 / 0\ndef relu(x):\n    return x.clamp(min=0)"
    )
    cells = notebook_cells(source, runtime_error)
    assert caused("sigmoid", None, cells)[1] is None  # defined before line 4: something else made it missing
    assert caused("relu", None, cells)[1][0].cell == 2
    assert failed_cells(cells, range(2))[0].sentence() == (
        "Cell 2 stopped at line 4 (`1 / 0`) with ZeroDivisionError: division by zero; nothing after that line in the "
        "cell ran."
    )


def test_a_defined_function_whose_process_stopped_is_not_blamed_on_a_cell():
    """A function that exists but timed out is "stopped" too; it was defined, so no cell is its cause."""
    from autograder.judging.diagnosis import cause_of
    from autograder.judging.scoring import score
    from autograder.sandbox.observe import Observation

    exercise = EXERCISES_BY_NAME["sigmoid"]
    result = score(exercise, tuple(Observation("stopped", error="it ran out of time") for _ in exercise.cases))
    cells = notebook_cells(SYNTAX_CELL, SYNTAX_ERROR)
    assert cause_of(result, failed_cells(cells, range(2)), absent=False) is None
    assert cause_of(result, failed_cells(cells, range(2)), absent=True) is not None


@pytest.mark.slow
def test_a_hostile_cell_costs_linear_time_to_search_for_a_definition():
    """The search ran a regex over the whole cell with `^\\s*` and `.*`: 16,000 blank lines took 20 s. Line by
    line it is linear; a cell of the grader's largest size is searched here (this would hang, not fail, before)."""
    from autograder.judging.definitions import MAX_CODE_CHARS

    for source in ("\n" * MAX_CODE_CHARS + "1/0", "from " + "import " * (MAX_CODE_CHARS // 7)):
        error = {
            "ename": "ZeroDivisionError",
            "evalue": "division by zero",
            "traceback": ["  line 1: x", "ZeroDivisionError: x"],
        }
        (failure,) = failed_cells(notebook_cells(source, error), range(2))
        assert not failure.defines("sigmoid")


def test_a_sign_error_in_bce_prime_is_not_given_the_edge_hint():
    assert "eps" not in graded("bce_derivative", SIGN_FLIPPED_BCE)["hint"]


def test_the_hint_sentences():
    assert msg.HINT_SIGN == (
        "Every failing result has the expected size but the opposite sign: check the signs in your derivation."
    )
    assert msg.HINT_FACTOR.format(factor="2") == (
        "Every failing result is 2 times the expected one: look for a constant factor that is missing or extra."
    )
    assert msg.HINT_OVERFLOW.format(got="inf", point="x = 1000") == (
        "Your code returns inf at x = 1000: a step overflows there; rearrange the formula so that no intermediate "
        "value grows that large."
    )
    assert msg.HINT_NAN.format(point="x = 0") == (
        "Your code returns nan at x = 0: look for 0/0, inf − inf or 0·inf in an intermediate step."
    )
    assert msg.HINT_EDGE.format(names="x = 0") == (
        "Your code is right on typical inputs and wrong only at the edge cases (x = 0): check what each step computes "
        "there."
    )


def test_identical_failures_across_checks_collapse_into_one_row_with_a_count():
    section = BeautifulSoup(function_section(graded("sigmoid", STUB.format(name="sigmoid"))), "html.parser")
    rows = section.find("table").find_all("tr")[1:]
    assert [[td.get_text() for td in row.find_all("td")] for row in rows] == [
        ["✗", "all 7 checks", "`sigmoid(x)` raised NotImplementedError (on 7 of 7 checks)."]
    ]
    passing = BeautifulSoup(
        function_section(graded("relu_derivative", "def relu_derivative(x):\n    return (x >= 0).float()")),
        "html.parser",
    )
    texts = [[td.get_text() for td in row.find_all("td")] for row in passing.find("table").find_all("tr")[1:]]
    assert (
        texts[0][:2]
        == [
            "✓",
            "9 checks: "
            + "; ".join(c.name for c in EXERCISES_BY_NAME["relu_derivative"].cases if not c.name.startswith("x = 0,")),
        ]
        and len(texts) == 3
    )


def test_numbers_in_one_row_use_one_precision():
    section = BeautifulSoup(function_section(graded("bce_derivative", SIGN_FLIPPED_BCE)), "html.parser")
    detail = section.find_all("table")[1].find_all("tr")[1]
    expected, got, abs_error, rel_error = (td.get_text() for td in detail.find_all("td")[2:6])
    numbers = [float(text) for text in (expected, got, abs_error, rel_error)]
    assert [expected, got, abs_error, rel_error] == [f"{n:.6g}" for n in numbers]
    assert len(re.sub(r"[-.e+]|^0+", "", expected)) > 3  # the values are shown to 6 digits, not cut to 3 beside them


@pytest.mark.slow
def test_a_nan_is_never_shown_beside_a_largest_error_computed_without_it():
    section = BeautifulSoup(function_section(graded("sigmoid_derivative", NAIVE_SIGMOID_PRIME)), "html.parser")
    rows = [[td.get_text() for td in row.find_all("td")] for row in section.find_all("table")[1].find_all("tr")[1:]]
    assert rows and all(row[3] == "nan" for row in rows)
    assert all(row[4] == row[5] == NOT_FINITE_ERROR for row in rows)


def test_results_csv_reason_names_the_worst_problem_of_each_function():
    records = [
        graded("f", "def f(x):\n    return 3*x**3 - 2*x**2 + 5*x - 4"),
        graded("sigmoid", STUB.format(name="sigmoid")),
        graded("relu_derivative", "def relu_derivative(x):\n    return (x >= 0).float()"),
        graded("bce_derivative", SIGN_FLIPPED_BCE),
        graded(
            "sigmoid_derivative",
            "def sigmoid_derivative(x):\n    s = torch.sigmoid(x)\n    return "
            "torch.where(x.abs() > 50, x / 0, s * (1 - s))",
        ),
    ]
    problems = worst_problems(records)
    assert [p.split("`")[1].split("(")[0] for p in problems] == [
        "sigmoid",
        "relu_derivative",
        "bce_derivative",
        "sigmoid_derivative",
    ]
    assert problems[0] == "`sigmoid(x)` raised NotImplementedError"  # joined with "; ": no sentence's own full stop
    assert problems[2].startswith("`bce_derivative(y_pred, y)` is wrong at ")  # a typical input, not the edge
    assert " y_pred = 0.0001," not in problems[2]


def test_results_csv_reason_starts_with_the_cell_that_stopped():
    cells = notebook_cells(SYNTAX_CELL, SYNTAX_ERROR)
    result, cause = caused("sigmoid", None, cells)
    problems = worst_problems([record(result, None, cause=cause)])
    assert problems[0].startswith("Cell 2 could not run: line 3") and problems[1].startswith(
        "`sigmoid(x)` is not defined because cell 2"
    )


WRONG_FORMULA = {  # as stored in an autograded notebook, before records carried their derivative
    "kind": "formula",
    "name": "answer_sigmoid_prime",
    "signature": "answer_sigmoid_prime (σ′(x))",
    "points": 0,
    "max_points": 1,
    "violation": "",
    "plot": None,
    "checked": "checked",
    "answer": r"\sigma(x)",
    "read_as": "σ(x)",
    "outcome": "wrong",
    "needs_manual_grade": False,
    "cases": [
        {
            "name": "final formula",
            "group": "typical",
            "passed": False,
            "check": "formula",
            "message": "wrong",
            "point": "x = 1",
            "x": None,
            "got": None,
            "got_text": r"\sigma(x)",
            "expected": None,
            "max_abs_error": None,
            "max_rel_error": None,
            "tolerance": "",
            "hint": "",
            "trace": "",
        }
    ],
}


@pytest.mark.slow
def test_the_class_report_counts_a_students_one_mistake_once_and_shows_formulas_as_read(tmp_path):
    flipped = graded("bce_derivative", SIGN_FLIPPED_BCE)
    right = graded(
        "bce_derivative", "def bce_derivative(y_pred, y):\n    return (y_pred - y) / (y_pred * (1 - y_pred))"
    )
    summary = summarize({"a": [flipped, WRONG_FORMULA], "b": [right]}, {"a": 0, "b": 0})
    assert dict(summary["common"]) == {
        "bce_derivative: the opposite sign on every failing check": 0.5,
        "σ′(x) = σ(x)": 0.5,
    }
    page = write_class_report(summary, 17, tmp_path, "derivatives")[0].read_text()
    assert "\\sigma" not in page and "50% have σ′(x) = σ(x)" in page


def test_a_cell_that_stopped_is_one_mistake_however_many_functions_it_left_undefined():
    cells = notebook_cells(SYNTAX_CELL, SYNTAX_ERROR)
    stopped = []
    for name, source in (("sigmoid", None), ("bce_logit_derivative", USES_SIGMOID)):  # the second uses the first
        result, cause = caused(name, source, cells)
        assert cause is not None, name
        stopped.append(record(result, None, cause=cause))
    summary = summarize(
        {"cy": stopped, "ada": [graded("relu", "def relu(x):\n    return x.clamp(min=0)")]}, {"cy": 0, "ada": 0}
    )
    assert summary["common"] == [("a cell stopped (SyntaxError: expected ':') before defining what was graded", 0.5)]


@pytest.mark.slow
def test_the_class_report_is_out_of_graded_students_and_says_so(tmp_path):
    right = graded("relu", "def relu(x):\n    return x.clamp(min=0)")
    wrong = graded("relu", "def relu(x):\n    return x")
    summary = summarize({"a": [right], "b": [wrong]}, {"a": 1, "b": 0, "c_not_graded": 0})
    page = BeautifulSoup(
        write_class_report(summary, 17, tmp_path, "derivatives")[0].read_text(), "html.parser"
    ).get_text()
    assert OUT_OF.format(graded=2, submissions=3) == (
        "2 of 3 submissions were graded; every percentage below is out of the 2 graded students."
    )
    assert OUT_OF.format(graded=2, submissions=3) in page
    assert {rate for _, check, rate in summary["pass_rates"] if check.startswith("typical")} == {0.5}


def test_a_wrong_formula_is_stored_as_readable_text_not_latex():
    from autograder.feedback.records import formula_record
    from autograder.formulas.answers import FORMULAS_BY_NAME
    from autograder.formulas.check import FormulaVerdict

    message = msg.FORMULA_WRONG.format(
        name="answer_sigmoid_prime",
        max_points=1,
        derivative="σ′(x)",
        read_as="σ(x)",
        point="x = 1",
        got="0.731059",
        expected="0.196612",
    )
    details = formula_record(
        FormulaVerdict(
            "answer_sigmoid_prime",
            "wrong",
            0.0,
            1.0,
            message,
            r"\sigma(x)",
            r"\sigma{\left(x \right)}",
            "x = 1",
            "0.731059",
            "0.196612",
        ),
        FORMULAS_BY_NAME["answer_sigmoid_prime"],
    )
    assert details["read_as_text"] == "σ(x)"
    assert summarize({"a": [details]}, {"a": 0})["common"] == [("σ′(x) = σ(x)", 1.0)]


@pytest.mark.slow
def test_the_class_reports_pass_rates_are_grouped_by_function(tmp_path):
    students = {
        "a": [graded("relu", "def relu(x):\n    return x"), WRONG_FORMULA],
        "b": [graded("relu", None), WRONG_FORMULA],
    }
    page = write_class_report(summarize(students, {"a": 0, "b": 0}), 17, tmp_path, "derivatives")[0].read_text()
    table = BeautifulSoup(page, "html.parser").find_all("table")[-1]
    groups = [(th.get_text(), int(th["rowspan"])) for th in table.find_all("th", rowspan=True)]
    assert groups == [("relu(x)", len(EXERCISES_BY_NAME["relu"].cases)), ("Your final formula for σ′(x)", 1)]


def test_the_plot_shows_the_expected_curve_under_the_students_where_they_agree():
    details = graded("relu", "def relu(x):\n    return x.clamp(min=0)")
    details["plot"] = {
        "parameter": "x",
        "series": [{"label": "", "x": [-1.0, 0.0, 1.0], "reference": [0.0, 0.0, 1.0], "student": [0.0, 0.0, 1.0]}],
    }
    figure = figure_of(details)
    expected, yours = (
        next(line for line in figure.axes[0].get_lines() if line.get_label().startswith(label))
        for label in ("expected", "yours")
    )
    assert expected.get_linewidth() >= 2 * yours.get_linewidth() and expected.get_zorder() < yours.get_zorder()
    assert yours.get_linestyle() in ("--", "-.", ":")  # dashed: the expected line shows through its gaps
    assert expected.get_color() != yours.get_color()


def test_headings_use_the_students_words():
    page = student_page("ben", "derivatives", [graded("sigmoid_derivative", NAIVE_SIGMOID_PRIME), WRONG_FORMULA], 2, 17)
    headings = [h.get_text() for h in BeautifulSoup(page, "html.parser").find_all("h2")]
    assert headings == ["sigmoid_derivative(x): 2.33 / 3 points", "Your final formula for σ′(x): 0 / 1 points"]
    assert [test["name"] for test in results_json([WRONG_FORMULA], 0, 17, 1.0)["tests"]] == [
        "Your final formula for σ′(x)"
    ]
    assert msg.FORMULA_HEADING.format(derivative="σ′(x)") == "Your final formula for σ′(x)"


@pytest.mark.slow
def test_a_graded_notebook_carries_the_cell_that_stopped_into_its_records(master):
    """The whole trusted path: the sandbox's error output for the cell becomes each record's cause."""
    from autograder.feedback.outputs import records_in
    from autograder.judging.trusted import grade_notebook
    from autograder.sandbox import Sandbox

    from .conftest import ROOT

    notebook = nbformat.read(
        ROOT / "samples" / "submitted" / "ada_correct" / "derivatives" / "derivatives.ipynb", as_version=4
    )
    index, cell = next(
        (i, c) for i, c in enumerate(notebook.cells) if c.cell_type == "code" and "def sigmoid(x):" in c.source
    )
    cell.source = cell.source.replace("def sigmoid(x):", "def sigmoid(x)", 1)
    line = cell.source.split("\n").index("def sigmoid(x)") + 1
    with Sandbox() as box:
        records = {r["name"]: r for r in records_in(grade_notebook(notebook, master, box).notebook)}
    assert {name for name, r in records.items() if r.get("cause")} == {
        "sigmoid",
        "sigmoid_derivative",
        "bce_logit_derivative",
    }
    assert {k: records["sigmoid"]["cause"][k] for k in ("cell", "line", "code", "error")} == {
        "cell": index + 1,
        "line": line,
        "code": "def sigmoid(x)",
        "error": "SyntaxError: expected ':'",
    }
    assert records["bce_logit_derivative"]["cause"]["name"] == "sigmoid" and records["f"]["cause"] is None


@pytest.mark.slow
def test_a_feedback_figure_is_drawn_once_for_every_student_whose_curves_look_the_same(monkeypatch):
    from autograder.feedback import pages as feedback_html
    from autograder.sandbox.observe import observe

    def plotted(source: str) -> dict:
        exercise = EXERCISES_BY_NAME["sigmoid_derivative"]
        function = define(source, exercise.name)
        return record(grade_function(exercise, function), observe(function, exercise.plot_case.args))

    exact = plotted("def sigmoid_derivative(x):\n    s = torch.sigmoid(x)\n    return s * (1 - s)")
    other_bits = plotted(NAIVE_SIGMOID_PRIME)
    wrong = plotted(NAIVE_SIGMOID_PRIME.replace("return", "return 1.01 *"))
    assert exact["plot"]["series"][0]["student"] != other_bits["plot"]["series"][0]["student"]  # in their last bits
    drawn: list[str] = []
    png = feedback_html.png_base64

    def counted(figure, tight=True):
        drawn.append(figure.axes[0].get_title())
        return png(figure, tight)

    monkeypatch.setattr(feedback_html, "png_base64", counted)
    feedback_html._images.clear()
    images = [feedback_html.plot_image(details) for details in (exact, other_bits, exact, wrong)]
    assert len(drawn) == 2 and images[0] == images[1] == images[2] != images[3]
