"""Rebuilding each graded function from the notebook's source: what runs in its own process, and what goes to a
person."""

from __future__ import annotations

import subprocess
import sys

import pytest

from autograder.authoring.exercises import EXERCISES
from autograder.judging.definitions import (
    Missing,
    NeverRan,
    NotRebuilt,
    Rebuilt,
    defined_functions,
    read_definitions,
    rebuild_functions,
)
from autograder.judging.trusted import student_program

from .conftest import ROOT

SIGMOID = "import torch\n\ndef sigmoid(x):\n    return 1 / (1 + torch.exp(-x))\n"
PRIME = "def sigmoid_derivative(x):\n    s = sigmoid(x)\n    return s * (1 - s)\n"


def rebuilt(cells: list[str], name: str):
    return rebuild_functions(list(enumerate(cells)), [name])[name]


def sources(found: Rebuilt) -> list[str]:
    return [statement.source.strip() for statement in found.statements]


def test_every_function_of_the_master_is_rebuilt(master):
    found = rebuild_functions(student_program(master), [e.name for e in EXERCISES])
    assert {name: type(f).__name__ for name, f in found.items()} == {e.name: "Rebuilt" for e in EXERCISES}


def test_a_function_brings_what_it_reaches_and_nothing_else():
    cells = [
        SIGMOID,
        "x = torch.linspace(-8, 8, 5)\nprint(sigmoid(x))\nplt_title = 'unused'",
        "EPS = 1e-8\n" + PRIME.replace("(1 - s)", "(1 - s) + EPS * 0"),
    ]
    found = rebuilt(cells, "sigmoid_derivative")
    assert sources(found) == [
        "import torch",
        "def sigmoid(x):\n    return 1 / (1 + torch.exp(-x))",
        "EPS = 1e-8",
        PRIME.replace("(1 - s)", "(1 - s) + EPS * 0").strip(),
    ]
    assert [(s.cell, s.line) for s in found.statements] == [(0, 1), (0, 3), (2, 1), (2, 2)]


def test_line_numbers_stay_those_of_the_cell():
    found = rebuilt(["import torch\n\n\ndef relu(x):\n    return torch.clamp(x, min=0)\n"], "relu")
    assert found.statements[1].source.startswith("\n\n\ndef relu(x):")


def test_a_lambda_and_a_decorated_function_are_definitions():
    cells = [
        "import functools, torch\nrelu = lambda x: torch.clamp(x, min=0)\n\n@functools.lru_cache(None)\ndef "
        "unused():\n    return 1\n"
    ]
    assert sources(rebuilt(cells, "relu")) == ["import functools, torch", "relu = lambda x: torch.clamp(x, min=0)"]
    assert defined_functions(list(enumerate(cells))) == ("relu", "unused")


def test_a_local_name_is_not_mistaken_for_a_global_set_in_a_loop():
    cells = [SIGMOID, "for y in [0, 1]:\n    pass", "def bce_logit_derivative(z, y):\n    return sigmoid(z) - y\n"]
    assert isinstance(rebuilt(cells, "bce_logit_derivative"), Rebuilt)


def test_a_name_nothing_defines_is_left_to_fail_when_called_as_in_a_kernel():
    assert sources(rebuilt(["def f(x):\n    return undefined_helper(x)\n"], "f")) == [
        "def f(x):\n    return undefined_helper(x)"
    ]


def test_a_function_nobody_defines_is_missing():
    assert rebuilt([SIGMOID], "relu") == Missing("relu")


def test_a_cell_that_stops_at_a_missing_module_never_defines_what_follows():
    found = rebuilt(["import tensorflow as tf\n" + SIGMOID], "sigmoid")
    assert found == NeverRan(
        "sigmoid", "cell 1 stops at line 1, before the function is defined: `tensorflow` is not installed"
    )


@pytest.mark.parametrize(
    "cells, reason",
    [
        (
            ["import torch\nif True:\n" + "\n".join("    " + line for line in PRIME.split("\n"))],
            "it is defined inside an `if` block on line 2 of cell 1, not at the top level of a cell",
        ),
        (
            ["import torch\ntry:\n    from torch import sigmoid as sigmoid_derivative\nexcept ImportError:\n    pass"],
            "it is defined inside a `try` block on line 2 of cell 1, not at the top level of a cell",
        ),
        (
            ["exec('def sigmoid_derivative(x): return x')"],
            "it is not defined by a top-level `def`, `lambda` or assignment, and your notebook uses `exec` on line 1 "
            "of cell 1",
        ),
        (
            [
                "open('helper.py', 'w').write('def sigmoid_derivative(x): return x')",
                "from helper import sigmoid_derivative",
            ],
            "it is imported from `helper` (line 1 of cell 2), which is not installed and which your notebook may "
            "write as a file; only installed modules are there when grading",
        ),
        (
            ["name = 'hel' + 'per'\nopen(name + '.py', 'w').write('x = 1')", "from helper import sigmoid_derivative"],
            "it is imported from `helper` (line 1 of cell 2), which is not installed and which your notebook may "
            "write as a file; only installed modules are there when grading",
        ),
        (
            ["%%time\nimport torch\n" + PRIME],
            "it is defined inside a `%%time` cell (cell 1), whose code IPython runs at run time",
        ),
        (
            [
                "import torch\nparams = {}\nparams['k'] = 1.0\n",
                "def sigmoid_derivative(x):\n    return x * params['k']\n",
            ],
            "`params`, which it uses: it is changed in place on line 3 of cell 1, which the grader does not replay",
        ),
        (
            ["import torch\ntorch = torch\n", "def sigmoid_derivative(x):\n    return torch.zeros_like(x)\n"],
            "`torch`, which it uses: `torch` is both imported and assigned, so what it refers to is only known at run "
            "time",
        ),
        (["import torch\nsigmoid_derivative = _\n"], "`_`, which it uses: it is `_`, which IPython sets at run time"),
        (
            ["import builtins\nbuiltins.sigmoid_derivative = abs"],
            "it is not defined by a top-level `def`, `lambda` or assignment, and your notebook uses `builtins.…` on "
            "line 2 of cell 1",
        ),
        (
            [PRIME, "def reset():\n    global sigmoid_derivative\n    sigmoid_derivative = None"],
            "it is also set through `global sigmoid_derivative` in `reset`, so which value counts is only known at "
            "run time",
        ),
        (
            [
                "import torch\nfor _ in [0]:\n    pass\nif True:\n    def sigmoid(x):\n        return 1 / (1 + "
                "torch.exp(-x))\n",
                PRIME,
            ],
            "`sigmoid`, which it uses: it is defined inside an `if` block on line 4 of cell 1, not at the top level "
            "of a cell",
        ),
        (
            ["%run helper.py\n" + PRIME],
            "`sigmoid`, which it uses: it is not defined by a top-level `def`, `lambda` or assignment, and your "
            "notebook uses `%run` on line 1 of cell 1",
        ),
    ],
    ids=[
        "if",
        "try",
        "exec",
        "written-module",
        "computed-module-name",
        "cell-magic",
        "changed-in-place",
        "module-rebound",
        "ipython-underscore",
        "builtins",
        "global",
        "helper-in-if",
        "magic-run",
    ],
)
def test_what_cannot_be_rebuilt_from_top_level_statements_goes_to_a_person_with_the_reason(cells, reason):
    assert rebuilt(cells, "sigmoid_derivative") == NotRebuilt("sigmoid_derivative", reason)


def test_a_top_level_definition_counts_even_if_the_notebook_swaps_it_at_run_time():
    cells = [SIGMOID, "def sigmoid_derivative(x):\n    return x * 0\n", "globals()['sigmoid_derivative'] = lambda x: x"]
    assert sources(rebuilt(cells, "sigmoid_derivative")) == ["def sigmoid_derivative(x):\n    return x * 0"]


def test_the_grader_is_not_an_installed_module():
    found = rebuilt(["from autograder.authoring.exercises import EXERCISES\ndef f(x):\n    return EXERCISES\n"], "f")
    assert found == NeverRan(
        "f", "cell 1 stops at line 1, before the function is defined: `autograder.authoring.exercises` is not installed"
    )


def test_a_notebook_of_absurd_size_goes_to_a_person_unread():
    found, names = read_definitions([(0, "import torch\nclass A: pass\na = A()\n" + "a.b = 1\n" * 200_000)], ["relu"])
    assert (found, names) == (
        {
            "relu": NotRebuilt(
                "relu", "the notebook's code cells hold 1,600,035 characters, more than the 256,000 the grader reads"
            )
        },
        (),
    )


def test_a_statement_that_shares_its_line_keeps_only_its_own_text():
    found = rebuilt(
        ["import torch; EPS = 1e-8; print('é')\ndef relu(x):\n    return torch.clamp(x, min=EPS * 0)\n"], "relu"
    )
    assert [s.source for s in found.statements] == [
        "import torch\n",
        "EPS = 1e-8\n",
        "\ndef relu(x):\n    return torch.clamp(x, min=EPS * 0)\n",
    ]


def test_a_monkeypatch_of_torch_is_not_replayed_and_a_star_import_is():
    cells = [
        "import torch\nfrom torch.nn.functional import *\ntorch.zeros_like += 1\n",
        "def relu(x):\n    return threshold(x, 0.0, 0.0)\n",
    ]
    assert sources(rebuilt(cells, "relu")) == [
        "from torch.nn.functional import *",
        "def relu(x):\n    return threshold(x, 0.0, 0.0)",
    ]


def test_a_cell_that_raises_before_a_definition_never_defines_it():
    assert rebuilt(["raise RuntimeError('not yet')\n" + SIGMOID], "sigmoid") == NeverRan(
        "sigmoid", "cell 1 stops at line 1, before the function is defined: it raises"
    )


@pytest.mark.slow
def test_every_ast_parse_in_the_process_shares_the_parse_lock():
    import ast
    import threading

    from autograder.judging import python_source

    taken = []
    with python_source._ONE_AT_A_TIME:
        thread = threading.Thread(target=lambda: taken.append(ast.literal_eval("[1, 2]")))
        thread.start()
        thread.join(timeout=0.5)
        assert thread.is_alive() and taken == []  # a library's parse on another thread waits for ours
    thread.join(timeout=5)
    assert taken == [[1, 2]]


@pytest.mark.slow
def test_every_compile_that_builds_or_reads_an_ast_shares_the_parse_lock_too():
    import ast
    import threading

    from autograder.judging import python_source

    built = []
    with python_source._ONE_AT_A_TIME:
        threads = [
            threading.Thread(target=lambda: built.append(compile("x = 1", "<s>", "exec", ast.PyCF_ONLY_AST))),
            threading.Thread(target=lambda: built.append(compile(ast.parse("y = 2"), "<s>", "exec"))),
        ]
        for thread in threads:
            thread.start()
        threads[0].join(timeout=0.5)
        assert built == []  # both wait for the lock
    for thread in threads:
        thread.join(timeout=5)
    assert len(built) == 2


def test_the_compile_wrapper_keeps_the_callers_future_imports():
    from autograder.judging import python_source  # noqa: F401  (what puts the wrapper in place)

    namespace: dict = {}
    # this module has `from __future__ import annotations`
    exec(compile("def f(x: int): pass", "<s>", "exec"), namespace)
    assert namespace["f"].__annotations__ == {"x": "int"}
    exec(compile("def f(x: int): pass", "<s>", "exec", dont_inherit=True), namespace)
    assert namespace["f"].__annotations__ == {"x": int}


@pytest.mark.slow
def test_the_parse_and_compile_wrappers_survive_a_reload_of_their_module():
    """In a process of its own: a reload makes new classes and a new lock, which the modules that imported them
    before would not share, so it must not happen in this one."""
    probe = (
        "import ast, builtins, importlib\nfrom autograder.judging import python_source\n"
        "importlib.reload(python_source)\n"
        "assert not hasattr(ast.parse.__wrapped__, '__wrapped__') and not hasattr(builtins.compile.__wrapped__, "
        "'__wrapped__')\n"
        "assert compile('1 + 1', '<s>', 'eval') is not None and python_source.parse('x = 1').body\nprint('ok')"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert (done.returncode, done.stdout) == (0, "ok\n"), done.stderr


@pytest.mark.slow
def test_more_ipython_syntax_than_the_grader_transforms_goes_to_a_person_and_never_raises():
    """501 lines of `%ls` made IPython raise RuntimeError after minutes of work under the parse lock."""
    too_much = NotRebuilt(
        "sigmoid",
        "cell 1 brings the notebook past 200 lines of IPython syntax (`%`, `!`, `?`), more than "
        "the grader transforms, so what it defines is only known at run time",
    )
    assert rebuilt(["%ls\n" * 501 + SIGMOID], "sigmoid") == too_much
    shared = ["%ls\n" * 150 + "x = 1\n", "%ls\n" * 150 + SIGMOID]  # each cell within the limit, the notebook past it
    assert isinstance(rebuilt(shared[1:], "sigmoid"), Rebuilt)
    assert rebuilt(shared, "sigmoid") == NotRebuilt("sigmoid", too_much.reason.replace("cell 1", "cell 2"))
