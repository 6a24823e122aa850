"""Malformed submissions, generated: intake answers each with the text to grade or one sentence naming the
file, and every notebook it accepts goes through the trusted parent's whole path without raising.

The cases start from the release notebook and break it, seeded: wrong types at every metadata level, keys
taken away, deep nesting, huge strings, bytes that are not UTF-8, truncated files, duplicated ids, 20,000
cells, wrong nbformat versions, odd outputs, and two or three of these at once. The sandbox is a fake that
returns an empty run at once: no student code runs; what is tested is the parent's totality.
"""

from __future__ import annotations

import copy
import functools
import json
import random
import time

import nbformat
import pytest

from autograder.authoring.exercises import EXERCISES
from autograder.course.intake import read_submission
from autograder.feedback import pages as feedback_html
from autograder.feedback.gradescope import results_json
from autograder.feedback.outputs import records_in
from autograder.feedback.pages import student_page
from autograder.judging.definitions import NeverRan, NotRebuilt, Rebuilt, read_definitions
from autograder.judging.restore import rebuild
from autograder.judging.trusted import answer_text, grade_notebook
from autograder.nbgrader_cells import grade_ids, nbgrader_of
from autograder.sandbox import Limits
from autograder.sandbox.runner import SandboxRun

from .conftest import MASTER, RELEASE

NAME, ASSIGNMENT = "derivatives.ipynb", "derivatives"
CASES, SEED = 240, 20240611
MANY_CELLS = (0, CASES // 2)
"""the cases with 20,000 cells (seconds each to read and grade)"""
CASE_SECONDS, TOTAL_SECONDS = 30.0, 120.0
WEIRD = [
    None,
    0,
    1,
    -1,
    2.5,
    True,
    False,
    "",
    "x",
    "impl_f",
    "hidden_tests_f",
    "NaN",
    "3",
    [],
    ["impl_f"],
    [1, None, [2]],
    {},
    {"grade_id": "impl_f"},
    {"nbgrader": {"grade_id": "impl_f"}},
    {"a": {"b": [{}]}},
    "\ud800",
    "a\nb\x00c",
    float("nan"),
    float("inf"),
    10**300,
    -(2**63),
]
DEEP, DEEP_DEPTHS = "deep nesting goes here: ", (20, 90, 101, 150, 500, 990, 5000, 100_000)
UNDECODABLE = [b"\xff", b"\x80", b"\xc3", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xc0\xaf", b"\xfe\xff"]


class FakeSandbox:
    """Returns at once, as a sandbox whose cells and functions produced nothing would."""

    level, limits = "fake", Limits()

    def run(self, program, jobs):
        return SandboxRun()


def _release() -> dict:
    return json.loads(RELEASE.read_text(encoding="utf-8"))


def _dump(rng: random.Random, notebook) -> bytes:
    """As JSON; a lone surrogate either escaped (valid JSON, odd text) or as the bytes of one (not UTF-8)."""
    data = json.dumps(notebook, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    for depth in DEEP_DEPTHS:  # json.dumps itself cannot write what is nested too deeply: spliced in as bytes
        data = data.replace(f'"{DEEP}{depth}"'.encode(), b"[" * depth + b"{}" + b"]" * depth)
    return data


def _cells(notebook: dict) -> list:
    cells = notebook.get("cells")
    return cells if isinstance(cells, list) else []


def _dict(where: dict, key: str) -> dict:
    """where[key] if it is an object (made one if absent), else a throwaway: a previous step may have broken it."""
    value = where.setdefault(key, {})
    return value if isinstance(value, dict) else {}


def _cell(rng: random.Random, notebook: dict) -> dict:
    cells = [c for c in _cells(notebook) if isinstance(c, dict)]
    return rng.choice(cells) if cells else {}


def _graded_cell(rng: random.Random, notebook: dict) -> dict:
    graded = [c for c in _cells(notebook) if isinstance(c, dict) and "nbgrader" in _dict(c, "metadata")]
    return rng.choice(graded) if graded else _cell(rng, notebook)


def _weird(rng: random.Random):
    return copy.deepcopy(rng.choice(WEIRD))


# Where a wrong value can go: each returns the dict to change and the key to change in it.
LEVELS = {
    "notebook": lambda rng, nb: (nb, rng.choice(["cells", "metadata", "nbformat", "nbformat_minor"])),
    "notebook metadata": lambda rng, nb: (
        _dict(nb, "metadata"),
        rng.choice(["kernelspec", "language_info", "nbgrader", "widgets"]),
    ),
    "kernelspec": lambda rng, nb: (
        _dict(_dict(nb, "metadata"), "kernelspec"),
        rng.choice(["name", "display_name", "language"]),
    ),
    "cell": lambda rng, nb: (
        _cell(rng, nb),
        rng.choice(["cell_type", "source", "metadata", "outputs", "execution_count", "id", "attachments"]),
    ),
    "cell metadata": lambda rng, nb: (_graded_cell(rng, nb), "metadata"),
    "nbgrader": lambda rng, nb: (_dict(_graded_cell(rng, nb), "metadata"), "nbgrader"),
    "nbgrader field": lambda rng, nb: (
        _dict(_dict(_graded_cell(rng, nb), "metadata"), "nbgrader"),
        rng.choice(
            ["grade_id", "points", "solution", "grade", "locked", "checksum", "cell_type", "schema_version", "task"]
        ),
    ),
}


LEVEL_WEIGHTS = {
    "notebook": 1,
    "notebook metadata": 1,
    "kernelspec": 1,
    "cell": 2,
    "cell metadata": 1,
    "nbgrader": 3,
    "nbgrader field": 6,
}
"""most wrong values go where the schema lets anything through, so that most cases reach the grader"""


def wrong_type(rng: random.Random, nb: dict) -> None:
    where, key = LEVELS[rng.choices(list(LEVEL_WEIGHTS), list(LEVEL_WEIGHTS.values()))[0]](rng, nb)
    where[key] = _weird(rng)


def missing_key(rng: random.Random, nb: dict) -> None:
    where, key = LEVELS[rng.choices(list(LEVEL_WEIGHTS), list(LEVEL_WEIGHTS.values()))[0]](rng, nb)
    where.pop(key, None)


def deep_nesting(rng: random.Random, nb: dict) -> None:
    depth = rng.choice(DEEP_DEPTHS)
    if depth < 200:  # shallow enough to build as data, with objects and lists mixed
        value: object = rng.choice([[], {}, "bottom", 1])
        for _ in range(depth):
            value = [value] if rng.random() < 0.5 else {"k": value}
    else:
        value = f"{DEEP}{depth}"
    where, key = LEVELS[rng.choice(["notebook metadata", "cell", "nbgrader", "nbgrader field"])](rng, nb)
    where[key] = value


def huge_string(rng: random.Random, nb: dict) -> None:
    size = rng.choice([100_000, 1_000_000, 5_000_000])
    text = rng.choice(
        ["x" * size, "(" * size, "def f(x):\n    return x\n" * (size // 24), "\n" * size, "é" * (size // 2)]
    )
    cell = _cell(rng, nb)
    if rng.random() < 0.6:
        cell["source"] = text
    else:
        _dict(_dict(cell, "metadata"), "nbgrader")["grade_id"] = text


def duplicate_ids(rng: random.Random, nb: dict) -> None:
    cell = copy.deepcopy(_graded_cell(rng, nb))
    if rng.random() < 0.5:
        cell["id"] = f"copy-{rng.randrange(10**6)}"  # the same grade id, a fresh cell id
    _cells(nb).insert(rng.randrange(len(_cells(nb)) + 1), cell)


def many_cells(rng: random.Random, nb: dict) -> None:
    template = _graded_cell(rng, nb)
    _cells(nb)[len(_cells(nb)) :] = [dict(copy.deepcopy(template), id=f"many-{i}") for i in range(20_000)]


def wrong_version(rng: random.Random, nb: dict) -> None:
    key = rng.choice(["nbformat", "nbformat_minor"])
    nb[key] = rng.choice([None, 0, 1, 2, 3, 5, 99, -1, "4", "5", 4.0, 4.5, [4], {}])


def odd_outputs(rng: random.Random, nb: dict) -> None:
    cell = rng.choice([c for c in _cells(nb) if isinstance(c, dict) and c.get("cell_type") == "code"] or [{}])
    cell["outputs"] = rng.choice(
        [
            [{"output_type": "stream", "name": "stdout", "text": ["a", "b"]}],
            [{"output_type": "stream", "name": "stderr", "text": 3}],
            [{"output_type": "display_data", "data": {"text/plain": 1}, "metadata": {}}],
            [
                {
                    "output_type": "display_data",
                    "data": {"application/vnd.derivatives-autograder.feedback+json": {"name": "f"}},
                    "metadata": {},
                }
            ],
            [{"output_type": "execute_result", "data": {}, "metadata": {}, "execution_count": "one"}],
            [{"output_type": "error", "ename": "E", "evalue": "v", "traceback": "not a list"}],
            [{"output_type": "unknown"}],
            [None],
            [[]],
            "outputs",
            {"0": {}},
        ]
    )


def odd_source(rng: random.Random, nb: dict) -> None:
    cell = _cell(rng, nb)
    cell["source"] = rng.choice(
        [
            ["def f(x):\n", 3, None, ["    return x"]],
            42,
            None,
            {"a": 1},
            ["\ud800"],
            "def f(x):\x00",
            "%%bash\necho hi",
            "def f(x):\n" + "    " * 200 + "return x",
            "x = " + "(" * 300 + ")" * 300,
        ]
    )


def odd_cell_type(rng: random.Random, nb: dict) -> None:
    cell = _cell(rng, nb)
    cell["cell_type"] = rng.choice(["heading", "", None, 3, "Code", ["code"]])


def shuffled_cells(rng: random.Random, nb: dict) -> None:
    rng.shuffle(_cells(nb))
    del _cells(nb)[rng.randrange(len(_cells(nb)) + 1) :]


def cells_replaced(rng: random.Random, nb: dict) -> None:
    nb["cells"] = rng.choice([[], [None], [1, "two"], [[]], [{}], {"0": {}}, "cells"])


STRUCTURAL = [
    wrong_type,
    wrong_type,
    wrong_type,
    missing_key,
    deep_nesting,
    huge_string,
    duplicate_ids,
    wrong_version,
    odd_outputs,
    odd_source,
    odd_cell_type,
    shuffled_cells,
    cells_replaced,
]


def undecodable(rng: random.Random, data: bytes) -> bytes:
    offset = rng.randrange(len(data))
    return data[:offset] + rng.choice(UNDECODABLE) + data[offset + rng.choice([0, 1]) :]


def truncated(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


def json_level(rng: random.Random, data: bytes) -> bytes:
    return rng.choice(
        [
            b"\xef\xbb\xbf" + data,
            data + b"garbage",
            data.replace(b'"cells"', b'"cells": [], "cells"', 1),
            b"[" + data + b"]",
            b"null",
            b"42",
            b'"notebook"',
            b"",
            b" " * 1000,
            data.replace(b"false", b"NaN"),
            data.replace(b"true", b"Infinity"),
            b'{"cells": [], "metadata": {"x": ' + b"1" * 5000 + b'}, "nbformat": 4, "nbformat_minor": 5}',
        ]
    )


BYTE_LEVEL = [undecodable, truncated, json_level]


def malformed(index: int) -> tuple[str, bytes]:
    """Case `index`: what was done, and the file's bytes."""
    rng = random.Random(SEED * 1000 + index)
    notebook = _release()
    if index in MANY_CELLS:
        steps = [many_cells] + ([wrong_type] if index else [])
    else:
        steps = rng.sample(STRUCTURAL, rng.choice([1, 1, 1, 2, 3]))
    for step in steps:
        step(rng, notebook)
    data = _dump(rng, notebook)
    mangled = [step for step in BYTE_LEVEL if rng.random() < 0.08]
    for step in mangled:
        data = step(rng, data)
    return "+".join(s.__name__ for s in steps + mangled), data


def submit(tmp_path, index: int, data: bytes):
    folder = tmp_path / "submitted" / f"student{index}" / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / NAME).write_bytes(data)
    return folder


@functools.cache
def _ids_and_functions() -> tuple[frozenset, frozenset]:
    master = nbformat.read(MASTER, as_version=4)
    ids = grade_ids(master)
    return frozenset(ids), frozenset(e.name for e in EXERCISES)


def intake(folder) -> tuple[str | None, str | None]:
    ids, functions = _ids_and_functions()
    return read_submission(folder, NAME, ASSIGNMENT, set(ids), set(functions))


def assert_one_answer(what: str, text: str | None, problem: str | None) -> None:
    assert (text is None) != (problem is None), what
    if problem is not None:
        assert isinstance(problem, str) and problem.isprintable() and NAME in problem and len(problem) < 500, (
            what,
            problem,
        )
        problem.encode("utf-8")  # it goes into the gradebook and a CSV


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore")  # nbformat warns of each duplicate cell id it renames: expected here
def test_intake_answers_every_malformed_notebook_in_one_line(tmp_path):
    accepted = 0
    for index in (i for i in range(CASES) if i not in MANY_CELLS):  # those two take seconds: the slow test has them
        what, data = malformed(index)
        text, problem = intake(submit(tmp_path, index, data))
        assert_one_answer(f"case {index}: {what}", text, problem)
        accepted += text is not None
    assert 0.25 * CASES < accepted < 0.75 * CASES  # the cases reach past intake, and intake refuses some


@pytest.fixture
def plots_drawn_once(monkeypatch):
    """The fake sandbox makes every record's plot the same few inputs: each distinct one is drawn once."""
    drawn: dict[str, str] = {}
    draw = feedback_html._plot

    def plot(details: dict) -> str:
        key = json.dumps([details["signature"], details["plot"], details["cases"]], sort_keys=True, default=str)
        if key not in drawn:
            drawn[key] = draw(details)
        return drawn[key]

    monkeypatch.setattr(feedback_html, "_plot", plot)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore")
def test_every_accepted_notebook_is_graded_and_rendered_without_raising(tmp_path, plots_drawn_once):
    master = nbformat.read(MASTER, as_version=4)
    started, graded = time.monotonic(), 0
    for index in range(CASES):
        what, data = malformed(index)
        text, problem = intake(submit(tmp_path, index, data))
        assert_one_answer(f"case {index}: {what}", text, problem)
        if text is None:
            continue
        case_started = time.monotonic()
        result = grade_notebook(nbformat.reads(text, as_version=4), master, FakeSandbox(), checksums={})
        stored = json.dumps(result.notebook, ensure_ascii=False).encode("utf-8")  # as the batch writes it
        records = records_in(nbformat.reads(stored.decode("utf-8"), as_version=4))
        score = sum(r.points for r in result.results) + sum(v.points for v in result.formulas)
        max_score = sum(r.max_points for r in result.results) + sum(v.max_points for v in result.formulas)
        assert student_page(f"student{index}", ASSIGNMENT, records, score, max_score).startswith("<!doctype html>")
        assert results_json(records, score, max_score, 0.0)["score"] == score
        assert time.monotonic() - case_started < CASE_SECONDS, f"case {index}: {what}"
        graded += 1
    assert graded > 0.25 * CASES
    assert time.monotonic() - started < TOTAL_SECONDS


def test_a_statement_python_rejects_stops_its_cell_instead_of_failing_the_grader():
    program = [
        (0, "def f(x):\n    nonlocal z\n    return x\n\ndef f_prime(x):\n    return x\n"),
        (1, "def sigmoid(x):\n    return x\n"),
    ]
    rebuilt, _ = read_definitions(program, ["f", "f_prime", "sigmoid"])
    reason = (
        "cell 1 stops at line 1, before the function is defined: Python rejects it (no binding for nonlocal 'z' found)"
    )
    assert rebuilt["f"] == NeverRan("f", reason) and rebuilt["f_prime"] == NeverRan("f_prime", reason)
    assert isinstance(rebuilt["sigmoid"], Rebuilt)


@pytest.mark.slow
def test_a_long_cell_of_rebindings_is_read_and_not_replayed():
    program = [(0, "a = 1\n" * 20_000 + "def f(x):\n    return x + a\n")]
    rebuilt, _ = read_definitions(program, ["f"])
    # the size is counted, not built: replaying it took 10 s and 200 MB (the timing belongs in a benchmark, not here)
    assert rebuilt["f"] == NotRebuilt(
        "f",
        "it reaches 20,001 statements, which take 200,130,027 characters to replay at their lines, "
        "more than the 1,024,000 the grader replays",
    )


def test_a_formula_answer_cell_of_megabytes_is_not_parsed(release, monkeypatch):
    import ast

    notebook = nbformat.from_dict(copy.deepcopy(release))
    cell = next(c for c in notebook.cells if nbgrader_of(c).get("grade_id") == "answer_f_prime")
    cell.source = 'answer_f_prime = r"3*x**2"\n' + "a = 1\n" * 1_000_000

    def parse_trap(*args, **kwargs):
        raise AssertionError("a megabyte answer cell was parsed")

    monkeypatch.setattr(ast, "parse", parse_trap)
    assert answer_text(notebook, "answer_f_prime") == (
        None,
        "The cell of answer_f_prime holds 6,000,027 characters, more than the 256,000 the grader reads, so it "
        "was not read.",
    )


def test_cells_of_any_shape_are_rebuilt_as_plain_ones(master):
    submission = nbformat.from_dict(
        {
            "cells": [
                1,
                None,
                "x",
                {"metadata": []},
                {"metadata": {"nbgrader": {"grade_id": ["impl_f"]}}, "cell_type": "code", "source": ["a = 1", 2]},
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )
    rebuilt = rebuild(submission, master)
    plain = [c for c in rebuilt.cells if not nbgrader_of(c)]
    assert [(c.cell_type, c.source) for c in plain[:5]] == [("raw", "")] * 4 + [("code", "a = 1")]
    assert nbgrader_of(1) == nbgrader_of({"metadata": [1]}) == nbgrader_of({"metadata": {"nbgrader": "x"}}) == {}
