"""A formula answer a course defines in its own exercises.py, outside the package's FORMULAS: tanh′ = 1 − tanh²(x).

It carries its variables, so the grader (`compare`), the helper process (which gets the answer's definition with the
request, never a name to look up) and the public check cell (which passes them to the shipped reader, run here with
only the shipped formula_reader/ folder importable) all judge it without any table of the package's answers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig

import nbformat
import pytest
import sympy

from autograder.formulas.answers import FORMULAS, FORMULAS_BY_NAME, FormulaAnswer, logistic
from autograder.formulas.cells import ANSWER, NOTATION, SHIPPED_READER, nbgrader_cell, sync_formula_cells, wanted_cells
from autograder.formulas.check import EMPTY, EQUIVALENT, MANUAL, WRONG, compare
from autograder.formulas.reader import ANSWERS, sigmoid_class
from autograder.formulas.worker import FormulaChecker, request_line

from .conftest import RELEASE

E, W, M, N = EQUIVALENT, WRONG, MANUAL, EMPTY
x, t = sympy.symbols("x t")

TANH_PRIME = FormulaAnswer(
    "answer_tanh_prime",
    "tanh′(x)",
    sympy.diff(sympy.tanh(x), x),
    {"x": (1, -1, 0, 2, 0.5, -3)},
    "derivation_tanh_prime",
    r"1 - \tanh^2(x)",
    variables=("x",),
)

TANH_ANSWERS = [
    (r"1 - \tanh^2(x)", E),  # the solution
    (r"\operatorname{sech}^2(x)", E),
    (r"\mathrm{sech}^2 x", E),
    (r"1 - \tanh(x)^2", E),
    (r"1 - \tanh^{2}(x)", E),
    (r"\frac{1}{\cosh^2(x)}", E),
    (r"(1 - \tanh(x))(1 + \tanh(x))", E),
    (r"\frac{4}{(e^{x} + e^{-x})^2}", E),
    (r"\tanh'(x) = 1 - \tanh^2(x)", E),  # with a left-hand side
    (r"1 + \tanh^2(x)", W),  # sign
    (r"\tanh(x)", W),
    (r"\operatorname{sech}(x)", W),  # the square dropped
    (r"1 - \tanh^2(t)", M),  # a symbol this answer does not define
    (r"1 - tanh(x)^2", M),  # Python's name, without a backslash
    ("", N),
]
SYMBOLIC = "(sympy simplifies the difference to 0)"


def test_the_answer_is_defined_outside_the_packages_answers_and_carries_its_own_symbols():
    assert TANH_PRIME.name not in FORMULAS_BY_NAME and TANH_PRIME.name not in ANSWERS
    assert (TANH_PRIME.variables, TANH_PRIME.stands_for, TANH_PRIME.meaning) == (("x",), {}, {})
    assert TANH_PRIME.reference == 1 - sympy.tanh(x) ** 2


@pytest.mark.slow
@pytest.mark.parametrize("text, outcome", TANH_ANSWERS, ids=[text or "empty" for text, _ in TANH_ANSWERS])
def test_each_tanh_answer_gets_its_outcome(text, outcome):
    verdict = compare(TANH_PRIME, text)
    assert verdict.outcome == outcome, verdict.message
    assert verdict.points == (1.0 if outcome == E else 0.0)
    if outcome == E and "e^" not in text:  # the hyperbolic forms are proved equal, not only sampled
        assert verdict.message.endswith(SYMBOLIC + "."), verdict.message


@pytest.mark.slow
def test_the_tanh_verdicts_a_student_reads_are_pinned():
    assert compare(TANH_PRIME, TANH_PRIME.solution).message == (
        "answer_tanh_prime: 1 / 1 points. Your tanh′(x) = 1 - tanh(x)^2 is equivalent to the expected formula "
        + SYMBOLIC
        + "."
    )
    assert compare(TANH_PRIME, r"1 + \tanh^2(x)").message == (
        "answer_tanh_prime: 0 / 1 points. Your tanh′(x) = tanh(x)^2 + 1 is not the expected formula: at x = 1 it gives "
        "1.58003, expected 0.419974."
    )
    assert compare(TANH_PRIME, r"1 - \tanh^2(t)").message == (
        "answer_tanh_prime: needs manual grading (worth 1). `answer_tanh_prime` uses t, which this answer does not "
        "define; write it with x. Your instructor will read it."
    )


@pytest.mark.slow
def test_a_course_answer_may_use_other_variables_and_meanings():
    """Any variable name, and a symbol standing for a formula (here s for σ(t)), exactly as the package's ∂L/∂z has
    ŷ."""
    g_prime = FormulaAnswer(
        "answer_g_prime",
        "g′(t)",
        sympy.diff(logistic(t) ** 2, t),
        {"t": (1, -1, 0, 2)},
        "derivation_g_prime",
        r"2\sigma(t)^2(1 - \sigma(t))",
        variables=("t",),
        stands_for={"s": r"\sigma"},
    )
    assert [
        compare(g_prime, text).outcome for text in (r"2\sigma(t)^2(1 - \sigma(t))", r"2s^2(1 - s)", r"2s(1 - s)", r"2x")
    ] == [E, E, W, M]


@pytest.mark.slow
def test_the_helper_process_judges_the_answer_from_its_definition_not_its_name():
    checker = FormulaChecker(seconds=20, size=1)
    try:
        for text, outcome in TANH_ANSWERS:
            verdict = checker.check(TANH_PRIME, text)
            assert (verdict.outcome, verdict.message) == (outcome, compare(TANH_PRIME, text).message)
        # a course's answer of the same name as a package answer is judged by its own definition, and apart
        package, course = (
            FORMULAS_BY_NAME["answer_f_prime"],
            FormulaAnswer(
                "answer_f_prime",
                "f′(x)",
                TANH_PRIME.reference,
                TANH_PRIME.samples,
                "derivation_f_prime",
                r"1 - \tanh^2(x)",
                variables=("x",),
            ),
        )
        assert checker.check(package, r"1 - \tanh^2(x)").outcome == WRONG
        assert checker.check(course, r"1 - \tanh^2(x)").outcome == EQUIVALENT
        assert checker.check(package, r"9x^2 - 4x + 5").outcome == EQUIVALENT
    finally:
        checker.close()


@pytest.mark.slow
def test_the_helper_answers_a_request_it_cannot_use_with_an_error_and_goes_on():
    good = request_line(TANH_PRIME, r"\operatorname{sech}^2(x)").encode()
    definition = json.loads(good)["answer"]
    bad = [
        b"not json\n",
        b"[1, 2]\n",
        b'{"text": "x"}\n',
        json.dumps({"answer": {**definition, "reference": "Symbol("}, "text": "x"}).encode() + b"\n",
        json.dumps({"answer": {**definition, "variables": []}, "text": "x"}).encode() + b"\n",
        json.dumps({"answer": definition, "text": 5}).encode() + b"\n",
        b'{"answer": \xff\xfe}\n',  # not even UTF-8
    ]
    helper = subprocess.run(
        [sys.executable, "-m", "autograder.formulas.worker"],
        input=b"".join(bad) + good,
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    replies = [json.loads(line) for line in helper.stdout.splitlines()]
    assert helper.returncode == 0 and replies[0] == {"ready": True}, helper.stderr.decode()[-2000:]
    assert [
        reply["grader_error"].startswith("the grader's request could not be used: ") for reply in replies[1:-1]
    ] == [True] * len(bad)
    assert replies[-1]["outcome"] == EQUIVALENT and replies[-1]["name"] == "answer_tanh_prime"


@pytest.mark.slow
def test_a_request_the_helper_cannot_use_is_a_grader_fault_never_the_answers_verdict(monkeypatch):
    from autograder.formulas import worker

    checker = FormulaChecker(10.0, 1)
    try:
        monkeypatch.setattr(worker, "request_line", lambda answer, text: '{"answer": {}, "text": "x"}\n')
        with pytest.raises(worker.FormulaGraderFault, match="the grader's request could not be used: "):
            checker.check(TANH_PRIME, r"1 - \tanh^2(x)")
        monkeypatch.undo()  # the same answer asked again gets its own verdict: the fault was not kept for it
        assert checker.check(TANH_PRIME, r"1 - \tanh^2(x)").outcome == EQUIVALENT
    finally:
        checker.close()


RUN_CELLS = r"""
import contextlib, importlib.util, io, json, sys, traceback
assert importlib.util.find_spec("autograder") is None, "the autograder package is importable"
results = []
for cells in json.loads(sys.stdin.read()):
    namespace, out = {}, io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            for source in cells:
                exec(source, namespace)
        error = ""
    except BaseException as failure:
        error = traceback.format_exception_only(failure)[-1].strip()
    results.append({"out": out.getvalue(), "error": error})
print(json.dumps({"results": results, "reader": sys.modules["formula_reader"].__file__}))
"""


def run_with_the_shipped_reader_only(tmp_path, notebooks: list[list[str]]) -> tuple[list[dict], str]:
    """Run each list of cell sources in a fresh namespace, in a Python that has sympy and lark but not the autograder,
    importing formula_reader from a folder holding only a copy of the release's shipped reader."""
    folder = tmp_path / "student"
    shutil.copytree(
        RELEASE.parent / SHIPPED_READER, folder / SHIPPED_READER, ignore=shutil.ignore_patterns("__pycache__")
    )
    # -S: no site processing, so the editable install's import hook for `autograder` is not there; the
    # site-packages folder is on the path as a plain folder, for sympy and lark, as on a student's machine
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(folder), sysconfig.get_paths()["purelib"]]),
        "PYTHONWARNINGS": "ignore",
    }
    run = subprocess.run(
        [sys.executable, "-S", "-c", RUN_CELLS],
        input=json.dumps(notebooks),
        capture_output=True,
        text=True,
        cwd=folder,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    answer = json.loads(run.stdout)
    return answer["results"], answer["reader"]


def answer_cell(answer: FormulaAnswer, text: str) -> str:
    return ANSWER.format(name=answer.name, derivative=answer.derivative, solution=text)


@pytest.mark.slow
def test_the_public_check_cell_runs_with_the_shipped_reader_alone(tmp_path):
    echo = wanted_cells(TANH_PRIME)[1].source
    assert echo.splitlines()[-1] == (
        'show_formula_reading(globals().get("answer_tanh_prime"), "answer_tanh_prime", ("x",), {})'
    )
    logit = FORMULAS_BY_NAME["answer_bce_wrt_logit"]
    logit_echo = wanted_cells(logit)[1].source
    assert logit_echo.splitlines()[-1].endswith(r'"answer_bce_wrt_logit", ("z", "y"), {"yhat": r"\sigma(z)"})')
    notebooks = [
        [NOTATION, answer_cell(TANH_PRIME, text), echo]
        for text in (TANH_PRIME.solution, r"\operatorname{sech}^2(x)", r"1 - \tanh^2(t)", r"1 - \tanh^2(x")
    ]
    notebooks += [[NOTATION, answer_cell(logit, text), logit_echo] for text in (r"\hat{y} - y", r"\hat{y} - w")]
    results, reader = run_with_the_shipped_reader_only(tmp_path, notebooks)
    assert reader.startswith(str(tmp_path / "student" / SHIPPED_READER))
    read = [result["out"].splitlines()[0] if result["out"] else "" for result in results]
    errors = [result["error"] for result in results]
    assert read[:3] == [
        "`answer_tanh_prime` is read as: 1 - tanh(x)^2",
        "`answer_tanh_prime` is read as: sech(x)^2",
        "`answer_tanh_prime` is read as: 1 - tanh(t)^2",
    ]
    assert errors[:2] == ["", ""]
    assert errors[2] == (
        "AssertionError: `answer_tanh_prime` uses t, which this answer does not define; write it with x."
    )
    assert errors[3].startswith(
        'AssertionError: `answer_tanh_prime` = r"1 - \\tanh^2(x" cannot be read. A ( is never closed'
    )
    # ŷ stands for σ(z): passed in the cell
    assert read[4] == "`answer_bce_wrt_logit` is read as: -y + ŷ" and errors[4] == ""
    assert errors[5] == (
        "AssertionError: `answer_bce_wrt_logit` uses w, which this answer does not define; write it with z, y."
    )


@pytest.mark.slow
def test_a_public_check_cell_of_an_earlier_release_still_reads_with_the_table(tmp_path):
    """An earlier release's cell passes only the name: the shipped reader's ANSWERS table gives the rest."""
    old = 'show_formula_reading(globals().get("answer_bce_wrt_logit"), "answer_bce_wrt_logit")'
    logit = FORMULAS_BY_NAME["answer_bce_wrt_logit"]
    unknown = 'show_formula_reading(globals().get("answer_tanh_prime"), "answer_tanh_prime")'
    results, _ = run_with_the_shipped_reader_only(
        tmp_path,
        [
            [NOTATION, answer_cell(logit, r"\hat{y} - y"), old],
            [NOTATION, answer_cell(TANH_PRIME, TANH_PRIME.solution), unknown],
        ],
    )
    assert results[0] == {
        "out": "`answer_bce_wrt_logit` is read as: -y + ŷ\n" + results[0]["out"].split("\n", 1)[1],
        "error": "",
    }
    assert results[1]["error"].startswith(
        "AssertionError: The public check of `answer_tanh_prime` does not say which variables"
    )


def test_sync_formula_cells_writes_a_course_answers_cells_only():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbgrader_cell("code", "import torch", "setup"),
        nbgrader_cell("markdown", "Derive tanh′.", "derivation_tanh_prime"),
    ]
    changes = sync_formula_cells(nb, answers=(TANH_PRIME,))
    assert changes == [
        "added formula_answers_help",
        "added formula_notation",
        "added answer_tanh_prime",
        "added public_tests_answer_tanh_prime",
        "added hidden_tests_answer_tanh_prime",
    ]
    assert [c.source for c in nb.cells[-3:]] == [c.source for c in wanted_cells(TANH_PRIME)]
    assert sync_formula_cells(nb, answers=(TANH_PRIME,)) == []
    with pytest.raises(LookupError, match="derivation_f_prime"):
        sync_formula_cells(nb)  # the package's answers by default


def one_sentence(message: str) -> bool:
    return "\n" not in message and message.endswith(".") and message[0].islower()


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"variables": None},
            "the formula answer 'answer_tanh_prime' gives no variables and the reader's ANSWERS table has no row for "
            "it: pass "
            'variables=("x",) (the first is what a bare σ applies to) and stands_for={"yhat": r"\\sigma(z)"} for a '
            "symbol that stands for a formula.",
        ),
        (
            {"variables": "x"},
            "the formula answer 'answer_tanh_prime' must give its variables as a non-empty tuple of symbol names "
            "such as (\"x\",), not 'x'.",
        ),
        (
            {"stands_for": {"x": "z"}},
            "the formula answer 'answer_tanh_prime' must give stands_for as {symbol name: LaTeX} for symbols "
            "other than its variables, such as {\"yhat\": r\"\\sigma(z)\"}, not {'x': 'z'}.",
        ),
        (
            {"samples": {"z": (1,)}},
            "the formula answer 'answer_tanh_prime' must give samples as {variable: (numbers, …)} with a "
            "non-empty tuple of real numbers for each of its variables ('x',), not {'z': (1,)}.",
        ),
        (
            {"reference": sympy.tanh(sympy.Symbol("x", real=True))},
            "the reference of the formula answer 'answer_tanh_prime' uses x, which are not among its variables ('x',) "
            "as plain sympy.Symbol(name), without assumptions.",
        ),
        (
            {"reference": sigmoid_class()(x)},
            "the reference of the formula answer 'answer_tanh_prime' does not survive sympy.srepr, which carries it "
            "to the checking process, so build it from sympy's own functions (logistic(x) rather than σ).",
        ),
        (
            {"reference": "1 - tanh(x)**2"},
            "the formula answer 'answer_tanh_prime' must have a sympy expression as its reference, "
            "not '1 - tanh(x)**2'.",
        ),
    ],
)
def test_an_answer_that_cannot_be_judged_is_refused_in_one_sentence(changes, message):
    fields = dict(
        name=TANH_PRIME.name,
        derivative=TANH_PRIME.derivative,
        reference=TANH_PRIME.reference,
        samples=TANH_PRIME.samples,
        derivation=TANH_PRIME.derivation,
        solution=TANH_PRIME.solution,
        variables=("x",),
        stands_for=None,
    )
    with pytest.raises(ValueError) as refused:
        FormulaAnswer(**{**fields, **changes})
    assert str(refused.value) == message and one_sentence(message)


@pytest.mark.slow
def test_the_packages_answers_take_their_symbols_from_the_table_and_rebuild_from_their_definitions():
    for answer in FORMULAS:
        assert (answer.variables, answer.stands_for) == ANSWERS[answer.name]
        again = FormulaAnswer.from_definition(json.loads(json.dumps(answer.definition)))
        assert (again.key, again.reference, again.meaning) == (answer.key, answer.reference, answer.meaning)


@pytest.mark.slow
def test_a_reference_whose_symbols_came_through_the_latex_parser_still_reaches_the_helper():
    """sympy's LaTeX parser names symbols with lark's Token, a str subclass, and sympy's caches hand such symbols back
    inside equal expressions built later: plain srepr would write Symbol(Token('SYMBOL', 'x')), which nothing reads
    back."""
    from lark import Token

    from autograder.formulas.worker import reply_to

    sympy.core.cache.clear_cache()  # so nothing cached hides the parser's kind of symbol
    reference = 1 - sympy.tanh(sympy.Symbol(Token("SYMBOL", "x"))) ** 2
    # the hazard: equal, but written otherwise
    assert "Token" in sympy.srepr(reference) and reference == TANH_PRIME.reference
    answer = FormulaAnswer(
        "answer_tanh_prime",
        "tanh′(x)",
        reference,
        {"x": (1, -1, 0)},
        "derivation_tanh_prime",
        r"1 - \tanh^2(x)",
        variables=("x",),
    )
    assert (
        "Token" not in answer.definition["reference"]
        and FormulaAnswer.from_definition(answer.definition).reference == reference
    )
    assert reply_to(request_line(answer, r"\operatorname{sech}^2(x)"))["outcome"] == EQUIVALENT
