"""The trusted path on honest work: every correct variant keeps full marks, warnings cost nothing."""

from __future__ import annotations

import dataclasses

import nbformat
import pytest

from autograder.authoring.exercises import EXERCISES, EXERCISES_BY_NAME
from autograder.authoring.synthetic import fill_release, solutions_of, with_functions
from autograder.judging.trusted import grade_notebook
from autograder.nbgrader_cells import grade_id_of
from autograder.sandbox import Sandbox

from .conftest import ROOT, expect_namespaces
from .implementations import VARIANTS

pytestmark = pytest.mark.slow
TOTAL = sum(e.points for e in EXERCISES)  # the functions; formulas are checked below
NOISY_F = """
import sys

def f(x):
    print("debug output on stderr", file=sys.stderr)  # f is not a by-hand derivative: it may use anything
    return 3*x**3 - 2*x**2 + 5*x - 4
"""
NOISY_SIGMOID_PRIME = """
def sigmoid_derivative(x):
    import warnings
    warnings.warn("this derivative is noisy on purpose")  # on stderr
    print(f"debug output: {x.shape}")
    s = torch.sigmoid(x)
    return s * (1 - s)
"""


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as box:
        yield box


@pytest.fixture
def limited(sandbox, monkeypatch):
    """The module's warm sandbox under other limits for one test: limits travel with each request, not the zygote."""

    def under(**changes):
        monkeypatch.setattr(sandbox, "limits", dataclasses.replace(sandbox.limits, **changes))
        return sandbox

    return under


@pytest.fixture(scope="module")
def answers(master):
    return {k: v for k, v in solutions_of(master).items() if k.startswith("impl_")}


def graded(sandbox, master, release, answers):
    return grade_notebook(fill_release(release, answers), master, sandbox)


@pytest.mark.parametrize("variant_id, name, source", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_every_correct_variant_earns_full_marks_in_the_sandbox(
    sandbox, master, release, answers, variant_id, name, source
):
    result = graded(sandbox, master, release, with_functions(answers, {name: source}))
    assert (result.fault, sum(r.points for r in result.results)) == (None, TOTAL)


def test_warnings_and_stderr_from_correct_code_cost_nothing(sandbox, master, release, answers):
    result = graded(
        sandbox, master, release, with_functions(answers, {"f": NOISY_F, "sigmoid_derivative": NOISY_SIGMOID_PRIME})
    )
    assert sum(r.points for r in result.results) == TOTAL
    hidden = next(c for c in result.notebook.cells if grade_id_of(c) == "hidden_tests_sigmoid_derivative")
    assert [o.output_type for o in hidden.outputs] == ["stream", "display_data", "execute_result"] and hidden.outputs[
        0
    ].name == "stdout"


def test_this_machine_gets_namespace_isolation(sandbox, master, release, answers):
    expect_namespaces(graded(sandbox, master, release, answers).isolation)


def test_the_sandbox_sees_only_its_allowlist_and_cannot_write_outside_its_workdir(tmp_path):
    secret = tmp_path / "source"
    secret.mkdir()
    (secret / "solutions.txt").write_text("the answers")
    probe = (
        f"import os\nprint(os.path.exists({str(secret)!r}), os.path.exists({str(ROOT)!r} + '/source'), "
        "os.path.exists('/etc/shadow'), os.path.exists('/var/run'), os.path.exists('/dev/pts'))\n"
        f"try:\n    open({str(tmp_path / 'planted.txt')!r}, 'w')\nexcept OSError as exc:\n    print(exc.strerror)\n"
        "open('scratch.txt', 'w').write('ok')\nprint(os.getpid(), os.getuid() != 0, sorted(os.listdir('/dev')))"
    )
    with Sandbox() as box:
        run = box.run([(0, probe)], [])
    assert run.outputs[0] == [
        {
            "output_type": "stream",
            "name": "stdout",
            "text": (
                "False False False False False\nNo such file or directory\n"
                "1 True ['fd', 'null', 'random', 'stderr', 'stdin', 'stdout', 'urandom', 'zero']\n"
            ),
        }
    ]
    assert not (tmp_path / "planted.txt").exists()


def test_the_sandbox_keeps_printed_text_within_its_budget(limited):
    run = limited(output_bytes=1000).run([(0, "for _ in range(10**5):\n    print('spam')")], [])
    assert len(run.outputs[0][0]["text"]) == 1000


@pytest.mark.parametrize(
    "cell, sentence",
    [
        (
            "import os\nos._exit(0)",
            "this cell stopped the notebook: your notebook's process ended before grading finished "
            "(it exited, or ran out of memory or CPU time)",
        ),
        (
            "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass",
            "this cell stopped the notebook: it ran longer than 1 s, the limit for one cell",
        ),
    ],
    ids=["exits", "hangs"],
)
def test_a_cell_that_stops_the_sandbox_is_named_with_the_reason(limited, cell, sentence):
    run = limited(cell_seconds=1, submission_seconds=10).run([(0, "x = 1"), (1, cell), (2, "print(x)")], [])
    assert run.outputs[1] == [{"output_type": "error", "ename": "SandboxStopped", "evalue": sentence, "traceback": []}]
    assert run.outputs[2] == [{"output_type": "stream", "name": "stdout", "text": "1\n"}]


def _formula_cell(result, name):
    return next(c for c in result.notebook.cells if grade_id_of(c) == f"hidden_tests_{name}")


def test_formula_answers_are_read_from_the_cell_source_and_judged_in_the_parent(sandbox, master, release, answers):
    from autograder.course.gradebook import automatic_score
    from autograder.feedback.records import MIME

    formulas = {k: v for k, v in solutions_of(master).items() if k.startswith("answer_")}
    submission = {
        **answers,
        **formulas,
        "answer_sigmoid_prime": 'answer_sigmoid_prime = r"\\sigma(x)"',  # wrong
        "answer_relu_prime": 'answer_relu_prime = r"\\begin{cases} 1 & x > 0"',  # unreadable
        # set at run time to a wrong value after the cell's literal: the literal is what counts
        "impl_bce": answers["impl_bce"] + '\n\nanswer_f_prime = "0"\nprint("answer changed at run time")\n',
    }
    result = graded(sandbox, master, release, submission)
    verdicts = {v.name: v.outcome for v in result.formulas}
    assert verdicts == {
        "answer_f_prime": "equivalent",
        "answer_sigmoid_prime": "wrong",
        "answer_relu_prime": "needs manual grading",
        "answer_bce_wrt_prediction": "equivalent",
        "answer_bce_wrt_logit": "equivalent",
    }
    assert [automatic_score(_formula_cell(result, n)) for n in verdicts] == [1.0, 0.0, None, 1.0, 1.0]
    record = _formula_cell(result, "answer_relu_prime").outputs[1].data[MIME]
    assert (record["needs_manual_grade"], record["answer"]) == (True, r"\begin{cases} 1 & x > 0")
    echo = next(c for c in result.notebook.cells if grade_id_of(c) == "public_tests_answer_f_prime")
    assert echo.outputs == []  # the public checks only echo; they are not run when grading


def test_a_formula_answer_in_a_cell_that_lost_its_metadata_still_counts(sandbox, master, release, answers):
    notebook = fill_release(release, {**answers, "answer_f_prime": 'answer_f_prime = r"9x^2 - 4x + 5"'})
    cell = next(c for c in notebook.cells if grade_id_of(c) == "answer_f_prime")
    del cell.metadata["nbgrader"]
    result = grade_notebook(notebook, master, sandbox)
    assert {v.name: v.outcome for v in result.formulas}["answer_f_prime"] == "equivalent"


def test_a_sandbox_the_grader_cannot_set_up_is_the_graders_fault_not_the_students():
    from autograder.sandbox import Limits
    from autograder.sandbox.runner import SandboxFailed

    with Sandbox(Limits(tmp_mb=-1)) as box:  # tmpfs refuses a negative size: the view cannot be built
        with pytest.raises(
            SandboxFailed,
            match=r"(?s)the sandbox could not be set up:\n.*OSError: \[Errno 22\] mount "
            r"/tmp/autograder-sandbox-\w+/sandbox: Invalid argument",
        ):
            box.run([(0, "x = 1")], [])


def test_a_bug_in_the_graders_own_reading_is_a_grader_fault_not_the_students(monkeypatch):
    """Only a ProtocolError is the sandbox's doing; any other exception in the trusted reader is ours: it goes up
    (the batch logs it, retries once, and shows it as the grader's failure) instead of reading as a forged frame."""
    from autograder.sandbox import read_cells

    def buggy(value, caps):
        raise KeyError("a bug of ours")

    monkeypatch.setattr(read_cells, "cell_outputs", buggy)
    with Sandbox() as box, pytest.raises(KeyError, match="a bug of ours"):
        box.run([(0, "print(1)")], [])


def test_no_module_of_the_graders_can_be_imported_in_a_sandbox(sandbox):
    probe = (
        "for name in ('autograder', 'autograder.authoring.exercises', 'autograder.authoring.references', "
        "'autograder.sandbox.protocol'):\n"
        "    try:\n        __import__(name)\n        print('imported', name)\n    except ImportError as exc:\n   "
        "     print(type(exc).__name__)\n"
        "import sys\nprint(sorted(m for m in sys.modules if m.startswith('autograder')), "
        "sys.modules['__main__'].__dict__.keys() - {'__name__', '__doc__', '__package__', '__loader__', '__spec__'})"
    )
    run = sandbox.run([(0, probe)], [])
    assert run.outputs[0][0]["text"] == "ModuleNotFoundError\n" * 4 + "[] set()\n"


def test_a_function_that_stops_its_own_process_costs_only_itself(limited):
    from autograder.sandbox import FunctionJob

    relu = "import torch\ndef relu(x):\n    return torch.clamp(x, min=0)\n"
    hangs = (
        "import signal\ndef sigmoid(x):\n    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n    while True:\n     "
        "   pass\n"
    )
    exits = "import os\nos._exit(3)\ndef f(x):\n    return x\n"
    jobs = [
        FunctionJob("sigmoid", ((0, 1, hangs),), EXERCISES_BY_NAME["sigmoid"].encoded_cases),
        FunctionJob("f", ((1, 1, exits),), EXERCISES_BY_NAME["f"].encoded_cases),
        FunctionJob("relu", ((2, 1, relu),), EXERCISES_BY_NAME["relu"].encoded_cases),
    ]
    run = limited(call_seconds=1, submission_seconds=30).run([], jobs)
    assert {o.kind for o in run.functions["relu"].observations.values()} == {"tensor"}
    hung = run.functions["sigmoid"].observations
    assert (hung[0].kind, hung[0].error) == (
        "raised",
        "the call was stopped: it ran longer than 1 s, the limit for one call",
    )
    assert (hung[1].kind, hung[1].error) == (
        "stopped",
        "grading sigmoid stopped at an earlier call: it ran longer than 1 s, the limit for one call",
    )
    assert {(o.kind, o.error) for o in run.functions["f"].observations.values()} == {
        ("stopped", "its process ended while defining it (it exited, or ran out of memory or CPU time)")
    }


def test_a_function_that_exits_during_a_call_loses_that_call_and_the_later_ones_only(sandbox):
    from autograder.sandbox import FunctionJob

    exits_on_the_third_call = (
        "import os, torch\ncalls = []\ndef relu(x):\n    calls.append(1)\n    if len(calls) == 3:\n"
        "        os._exit(0)\n    return torch.clamp(x, min=0)\n"
    )
    sigmoid = "import torch\ndef sigmoid(x):\n    return torch.sigmoid(x)\n"
    jobs = [
        FunctionJob("relu", ((0, 1, exits_on_the_third_call),), EXERCISES_BY_NAME["relu"].encoded_cases),
        FunctionJob("sigmoid", ((1, 1, sigmoid),), EXERCISES_BY_NAME["sigmoid"].encoded_cases),
    ]
    run = sandbox.run([], jobs)
    seen = run.functions["relu"].observations
    ended = "its process ended during the call (it exited, or ran out of memory or CPU time)"
    assert [seen[case].kind for case in (0, 1)] == ["tensor", "tensor"]
    assert (seen[2].kind, seen[2].error) == ("raised", f"the call was stopped: {ended}")
    assert {(seen[c].kind, seen[c].error) for c in range(3, len(seen))} == {
        ("stopped", f"grading relu stopped at an earlier call: {ended}")
    }
    assert {o.kind for o in run.functions["sigmoid"].observations.values()} == {"tensor"}


def test_when_the_functions_sandbox_ends_early_the_rest_get_a_fresh_one_and_then_the_graders_fault(
    sandbox, monkeypatch
):
    from autograder.sandbox import FunctionJob, runner

    jobs = [
        FunctionJob(
            name,
            ((i, 1, f"import torch\ndef {name}(x):\n    return torch.{name}(x)\n"),),
            EXERCISES_BY_NAME[name].encoded_cases,
        )
        for i, name in enumerate(("relu", "sigmoid"))
    ]
    attempts: list[list[str]] = []
    real_attempt = runner.Sandbox._functions_attempt

    def ends_after_one_function(self, left, run):  # as if the sandbox died once its first function was read
        attempts.append([job.name for job in left])
        real_attempt(self, left[:1], run)

    monkeypatch.setattr(runner.Sandbox, "_functions_attempt", ends_after_one_function)
    run = sandbox.run([], jobs)
    assert attempts == [["relu", "sigmoid"], ["sigmoid"]]
    assert {o.kind for name in ("relu", "sigmoid") for o in run.functions[name].observations.values()} == {"tensor"}

    attempts.clear()
    monkeypatch.setattr(runner.Sandbox, "_functions_attempt", lambda self, left, run: attempts.append(left))
    run = sandbox.run([], jobs)
    assert len(attempts) == runner.MAX_ATTEMPTS
    assert {(o.kind, o.error) for o in run.functions["sigmoid"].observations.values()} == {
        ("stopped", "the grader's sandbox for the functions ended early")
    }


def test_a_rebuilt_definition_runs_as_the_kernel_would_run_it(sandbox):
    from autograder.sandbox import FunctionJob

    # the annotation raises at def time
    typo = "import torch\ndef relu(x: torch.Tensorr):\n    return torch.clamp(x, min=0)\n"
    later = FunctionJob(
        "relu",
        ((0, 1, "import torch\n"), (0, 2, "1 / 0\n"), (0, 3, "\n\ndef relu(x):\n    return x\n")),
        EXERCISES_BY_NAME["relu"].encoded_cases,
    )
    run = sandbox.run([], [FunctionJob("relu", ((0, 1, typo),), EXERCISES_BY_NAME["relu"].encoded_cases)])
    stopped = sandbox.run([], [later])
    assert {o.kind for o in run.functions["relu"].observations.values()} == {"missing"}
    assert {o.kind for o in stopped.functions["relu"].observations.values()} == {"missing"}


def test_a_lone_surrogate_or_a_null_byte_in_the_source_is_graded_not_a_crash(sandbox, master, release, answers):
    result = graded(sandbox, master, release, {**answers, "impl_f": answers["impl_f"] + "\n# \ud800 and \x00\n"})
    nbformat.validate(result.notebook)
    nbformat.writes(result.notebook).encode("utf-8")
    # f's cell is not Python
    assert sum(r.points for r in result.results) == TOTAL - EXERCISES[0].points - EXERCISES[1].points
