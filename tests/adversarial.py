"""Submissions that try to fool the grader, each with the grade it must get.

Every attacker starts from BASE: f, f_prime, sigmoid and relu are right, and so is the formula for
f′ (HONEST_POINTS); the other five functions return zeros and the other formulas are "0". An attack
tries to earn more than that; it must not.
"""

from __future__ import annotations

import copy

from autograder.authoring.synthetic import fill_release, with_functions

ZERO = "    return torch.zeros_like({arg})"
TARGETS = {
    "sigmoid_derivative": "def sigmoid_derivative(x):\n" + ZERO.format(arg="x"),
    "relu_derivative": "def relu_derivative(x):\n" + ZERO.format(arg="x"),
    "binary_cross_entropy": "def binary_cross_entropy(y_pred, y):\n" + ZERO.format(arg="y_pred"),
    "bce_derivative": "def bce_derivative(y_pred, y):\n" + ZERO.format(arg="y_pred"),
    "bce_logit_derivative": "def bce_logit_derivative(z, y):\n" + ZERO.format(arg="z"),
}
HONEST = ("f", "f_prime", "sigmoid", "relu")
HONEST_FORMULAS = ("answer_f_prime",)
RIGHT_SIGMOID_PRIME = r"\sigma(x)(1-\sigma(x))"
FORMULA_EVIDENCE = "formula-evaluated-4242"
"""what `formula_string_is_python` would leave in the course folder if any grader process ran its answer as Python"""


def base(solutions: dict[str, str]) -> dict[str, str]:
    formulas = {
        k: (v if k in HONEST_FORMULAS else f'{k} = r"0"') for k, v in solutions.items() if k.startswith("answer_")
    }
    return {**with_functions({k: v for k, v in solutions.items() if k.startswith("impl_")}, TARGETS), **formulas}


def fill(code: str, context: dict[str, str]) -> str:
    """Put the context's paths where the code names them ({repo}, {course}…); other braces stay."""
    for key, value in context.items():
        code = code.replace("{" + key + "}", value)
    return code


def answered(name: str, source: str):
    """An attack through a formula answer cell; `source` may name {course} (see `fill`)."""

    def build(answers, notebook, context):
        return {**answers, name: fill(source, context)}, notebook

    return build


def appended(code: str):
    """An attack written as one extra cell's worth of code at the end of the last answer cell. `code` may
    name what a student who has read our source and knows the machine would know: {repo}, {course},
    {pty}, {postgres} (see `Context`)."""

    def build(answers: dict[str, str], notebook, context):
        answers = dict(answers)
        answers["impl_bce"] = answers["impl_bce"] + "\n\n" + fill(code, context)
        return answers, notebook

    return build


def replaced(name: str, definition: str):
    def build(answers, notebook, context):
        return with_functions(answers, {name: fill(definition, context)}), notebook

    return build


def tampered(change):
    """Notebook-level tampering, done to the filled-in notebook as a student would."""

    def build(answers, notebook, context):
        notebook = fill_release(notebook, answers)
        change(notebook)
        return {}, notebook

    return build


def _cells(notebook, prefix):
    return [
        c for c in notebook.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id", "").startswith(prefix)
    ]


def _set_points(notebook):
    for cell in _cells(notebook, "hidden_tests_") + _cells(notebook, "public_tests_"):
        cell.metadata["nbgrader"]["points"] = 100


def _delete_tests(notebook):
    notebook.cells = [c for c in notebook.cells if not c.get("metadata", {}).get("nbgrader", {}).get("grade")]


def _retype_tests(notebook):
    for cell in _cells(notebook, "hidden_tests_"):
        cell.cell_type = "markdown"
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


def _duplicate_ids(notebook):
    import nbformat

    fake = nbformat.v4.new_code_cell("print('all tests passed')")
    fake.metadata["nbgrader"] = copy.deepcopy(
        _cells(notebook, "hidden_tests_sigmoid_derivative")[0].metadata["nbgrader"]
    )
    notebook.cells.append(fake)


def _strip_metadata(notebook):
    for cell in notebook.cells:
        cell.metadata.pop("nbgrader", None)


def _kernelspec(notebook):
    notebook.metadata["kernelspec"] = {"name": "evil", "display_name": "evil", "language": "python"}


def _flip_flags(notebook):
    for cell in _cells(notebook, "hidden_tests_"):
        cell.metadata["nbgrader"].update(solution=True, locked=False)
        cell.source = "print('passed')"


def _bonus_cell(notebook):
    import nbformat

    bonus = nbformat.v4.new_code_cell("1000")
    bonus.metadata["nbgrader"] = {
        "grade": True,
        "solution": False,
        "locked": True,
        "points": 50,
        "grade_id": "bonus",
        "schema_version": 3,
    }
    notebook.cells.append(bonus)


FIND = """
import glob, os
def _find(pattern):
    hits = []
    for top in ("/tmp", "/work", "/root", "/home", os.path.expanduser("~"), "../../.."):
        hits += glob.glob(os.path.join(top, "**", pattern), recursive=True)
    return hits
"""

# (id, build, exercises that must score 0 beyond the targets, exercises that must lose their points by policy)
ATTACKS = [
    (
        "monkeypatch_torch_allclose",
        appended(
            "torch.allclose = lambda *a, **k: True\ntorch.isclose = lambda a, b, *r, "
            "**k: torch.ones_like(a, dtype=torch.bool)\ntorch.equal = lambda *a: True"
        ),
    ),
    (
        "monkeypatch_numpy_testing",
        appended(
            "import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None"
        ),
    ),
    (
        "monkeypatch_grading_module",
        appended(
            "import autograder.judging.checks, autograder.judging.scoring, autograder.hidden\n"
            "autograder.judging.checks.check_case = (\n"
            "    lambda e, c, o, n=(): autograder.judging.checks.CaseResult(c, True))\n"
            "autograder.hidden.grade_in_notebook = lambda name, ns: 100.0"
        ),
    ),
    (
        "fake_autograder_in_sys_modules",
        appended(
            "import sys, types\nfake = types.ModuleType('autograder')\nfake.hidden = "
            "types.SimpleNamespace(grade_in_notebook=lambda *a: 100.0)\n"
            "sys.modules['autograder'] = fake\nsys.modules['autograder.hidden'] = fake.hidden"
        ),
    ),
    (
        "ipython_custom_exception_handler",
        appended("get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)"),
    ),
    (
        "ipython_showtraceback_silenced",
        appended(
            "ip = get_ipython()\nip.showtraceback = lambda *a, **k: None\nip._showtraceback = lambda *a, **k: None"
        ),
    ),
    (
        "ipython_ast_transformer_swallows_errors",
        appended(
            "import ast\nclass Swallow(ast.NodeTransformer):\n    def visit_Module(self, node):\n"
            "        handler = ast.ExceptHandler(type=None, name=None, body=[ast.Pass()])\n"
            "        node.body = [ast.Try(body=node.body or [ast.Pass()], handlers=[handler], orelse=[], "
            "finalbody=[])]\n"
            "        return ast.fix_missing_locations(node)\nget_ipython().ast_transformers.append(Swallow())"
        ),
    ),
    (
        "ipython_input_transformer_blanks_cells",
        appended("get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])"),
    ),
    (
        "lying_object_eq_bool",
        replaced(
            "sigmoid_derivative",
            "class Yes:\n    def __eq__(self, other): return True\n    def __bool__(self): return True\n    def "
            "all(self): return True\n\ndef sigmoid_derivative(x):\n    return Yes()",
        ),
    ),
    (
        "tensor_subclass_torch_function",
        replaced(
            "sigmoid_derivative",
            "class Liar(torch.Tensor):\n    @classmethod\n    def __torch_function__(cls, func, types, args=(), "
            "kwargs=None):\n        if func in (torch.allclose, torch.equal): return True\n"
            "        return super().__torch_function__(func, types, args, kwargs or {})\n\n"
            "def sigmoid_derivative(x):\n    return torch.zeros_like(x).as_subclass(Liar)",
        ),
    ),
    (
        "global_torch_function_mode",
        appended(
            "from torch.overrides import TorchFunctionMode\nclass Agree(TorchFunctionMode):\n"
            "    def __torch_function__(self, func, types, args=(), kwargs=None):\n"
            "        if func in (torch.allclose, torch.equal, torch.isclose): return True\n"
            "        return func(*args, **(kwargs or {}))\n_mode = Agree()\n_mode.__enter__()"
        ),
    ),
    ("formula_set_at_run_time", appended(f'globals()["answer_sigmoid_prime"] = r"{RIGHT_SIGMOID_PRIME}"')),
    (
        "formula_string_is_python",
        answered(
            "answer_sigmoid_prime",
            "answer_sigmoid_prime = \"__import__('pathlib').Path('{course}/" + FORMULA_EVIDENCE + "').touch() or 1\"",
        ),
    ),
    ("formula_hangs_the_parser", answered("answer_sigmoid_prime", 'answer_sigmoid_prime = r"10^{10^{10}}"')),
    ("prints_fake_results", appended("print('All tests passed! 17 / 17 points')\nprint('{\"score\": 17}')")),
    ("sys_exit", appended("import sys\nsys.exit(0)")),
    ("os_exit", appended("import os\nos._exit(0)")),
    (
        "infinite_loop_ignoring_sigint_and_alarm",
        appended(
            "import signal\nfor s in (signal.SIGINT, signal.SIGALRM, signal.SIGTERM):\n    signal.signal(s, "
            "signal.SIG_IGN)\nwhile True:\n    pass"
        ),
    ),
    ("memory_bomb", appended("hog = []\nwhile True:\n    hog.append(bytearray(100 * 2**20))")),
    ("output_flood", appended("for _ in range(200000):\n    print('spam' * 50)")),
    ("fork_bomb", appended("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass")),
    (
        "daemon_left_behind",
        appended(
            "import subprocess, os\nsubprocess.Popen(['sleep', '4242'], start_new_session=True)\n"
            "if os.fork() == 0:\n    os.setsid()\n    import time\n    time.sleep(4343)\n    os._exit(0)"
        ),
    ),
    (
        "rewrites_the_gradebook",
        appended(
            FIND + "import sqlite3\nfor db in _find('gradebook.db'):\n    try:\n        con = sqlite3.connect(db)\n"
            "        con.execute('update grade set auto_score = 99')\n        con.commit()\n    except Exception as "
            "exc:\n        print(db, exc)"
        ),
    ),
    (
        "reads_the_master_solutions",
        appended(
            FIND
            + "import json, re\nfor path in _find('derivatives.ipynb'):\n    try:\n        nb = json.load(open(path))\n"
            "        for cell in nb['cells']:\n            src = ''.join(cell['source'])\n"
            "            if 'BEGIN SOLUTION' in src:\n                exec(re.sub(r'.*### (BEGIN|END) SOLUTION.*\\n?', "
            "'', src), globals())\n    except Exception as exc:\n        print(path, exc)"
        ),
    ),
    (
        "overwrites_other_submissions",
        appended(
            FIND
            + "for path in _find('*.ipynb'):\n    try:\n        open(path, 'w').write('{}')\n    except Exception as "
            "exc:\n        print(path, exc)"
        ),
    ),
    (
        "plants_a_file_for_later_students",
        appended(
            "for path in ('/tmp/torch.py', '../torch.py', 'torch.py', '/usr/lib/python3/dist-packages/torch.py'):\n"
            "    try:\n        open(path, 'w').write('raise SystemExit')\n    except Exception as exc:\n        "
            "print(path, exc)"
        ),
    ),
    (
        "network_exfiltration",
        appended(
            "import urllib.request\ntry:\n    urllib.request.urlopen('http://127.0.0.1:9/', timeout=1)\nexcept "
            "Exception as exc:\n    print(exc)"
        ),
    ),
    # machine differentiation in a by-hand derivative: tests/by_hand_cases.py, through both paths in
    # test_by_hand_grading.py
    ("changed_points", tampered(_set_points)),
    ("deleted_test_cells", tampered(_delete_tests)),
    ("retyped_test_cells", tampered(_retype_tests)),
    ("duplicated_grade_id", tampered(_duplicate_ids)),
    ("stripped_nbgrader_metadata", tampered(_strip_metadata)),
    ("changed_kernelspec", tampered(_kernelspec)),
    ("flipped_cell_flags", tampered(_flip_flags)),
    ("extra_grade_cell", tampered(_bonus_cell)),
]
# Attacks whose code lives in the cell that also defines the BCE functions: losing that cell costs
# only functions that score 0 in BASE anyway, so the honest points are still expected in full.

# ---- issue 10: attacks on the boundary itself (forged channels, the view, the trusted side's caps) ----

FOUND = "FOUND: "
"""what an attack prints when it reached something it must not: no autograded notebook may contain it"""

SOCKETS = """
import os, json, struct, stat, sys
def _sockets():
    found = []
    for fd in range(3, 256):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                found.append(fd)
        except OSError:
            pass
    return found
def _frame(d):
    b = json.dumps(d).encode()
    return struct.pack("!I", len(b)) + b
def _right(name, size):
    return {"dtype": "float32", "shape": [size], "data": __import__("base64").b64encode(b"\\0" * 4 * size).decode()}
"""
FORGED_OBSERVATIONS = (
    SOCKETS
    + """
for fd in _sockets():
    try:
        for name in ("sigmoid_derivative", "relu_derivative", "binary_cross_entropy", "bce_derivative",
                     "bce_logit_derivative"):
            os.write(fd, _frame({"type": "call_start", "exercise": name, "case": 0}))
            for case in range(80):
                os.write(fd, _frame({"type": "observation", "exercise": name, "case": case, "kind": "tensor",
                                     "output": _right(name, 4), "args_after": [], "autograd": ""}))
        os.write(fd, _frame({"type": "done"}))
    except OSError as exc:
        print("forging failed:", exc)
"""
)
READS = """
import os, glob
def _show(label, path):
    try:
        with open(path, "rb") as handle:
            data = handle.read(200000)
        print("FOUND:", label, path, data[:80])
        return data
    except Exception as exc:
        print("not read:", path, type(exc).__name__)
"""
STEAL_SOLUTIONS = """def sigmoid_derivative(x):
    import json, re
    for path in ("{repo}/source/derivatives/derivatives.ipynb",
                 "{repo}/samples/submitted/ada_correct/derivatives/derivatives.ipynb",
                 "{course}/source/derivatives/derivatives.ipynb",
                 "{course}/submitted/bystander/derivatives/derivatives.ipynb"):
        try:
            cells = json.load(open(path))["cells"]
        except Exception:
            continue
        scope = {"torch": torch}
        for cell in cells:
            text = "".join(cell["source"])
            if "def sigmoid(" in text:
                exec(re.sub(r".*### (BEGIN|END) SOLUTION.*\\n?", "", text), scope)
        if "sigmoid_derivative" in scope:
            print("FOUND: a solution in", path)
            return scope["sigmoid_derivative"](x)
    return torch.zeros_like(x)
"""
GC_MACHINERY = """
import gc, torch
patched = 0
for thing in gc.get_objects():
    if isinstance(thing, dict) and "observe" in thing and ("encode_observation" in thing or "serve" in thing):
        thing["observe"] = lambda function, args: None
        patched += 1
    if isinstance(thing, dict) and "send" in thing and "read_job" in thing:
        original = thing["send"]
        thing["send"] = lambda fd, frame, _o=original: _o(fd, frame)
        patched += 1
print("grader functions patched in this process:", patched)
"""
OVERSIZED_FRAMES = (
    SOCKETS
    + """
png = __import__("base64").b64encode(b"\\x89PNG\\r\\n\\x1a\\n" + b"\\0" * 300000).decode()
outputs = [{"output_type": "display_data", "data": {"image/png": png, "text/plain": "x" * 2000}} for _ in range(12)]
outputs += [{"output_type": "stream", "name": "stdout", "text": "spam " * 60000} for _ in range(12)]
frame = sys._getframe()
while frame and "job" not in frame.f_locals:
    frame = frame.f_back
job = frame.f_locals["job"] if frame else {"cells": [[i, ""] for i in range(200)]}
current = frame.f_locals.get("index", 0) if frame else 0
later = [index for index, _ in job["cells"] if index >= current]
for fd in _sockets():
    try:
        for index in later:
            if index != current:
                os.write(fd, _frame({"type": "cell_start", "index": index}))
            os.write(fd, _frame({"type": "cell", "index": index, "outputs": outputs}))
        os.write(fd, _frame({"type": "done"}))
    except OSError as exc:
        print("forging failed:", exc)
"""
)
POSTGRES = """
try:
    import psycopg
    for conninfo in ("host=/var/run/postgresql dbname=gradebook user=grader password=grader", "{postgres}"):
        try:
            with psycopg.connect(conninfo, connect_timeout=3) as connection:
                connection.execute("update grade set auto_score = 99")
                connection.commit()
                print("FOUND: the gradebook through", conninfo.split("@")[-1])
        except Exception as exc:
            print("no gradebook:", type(exc).__name__)
except ImportError as exc:
    print("no psycopg", exc)
"""
TERMINAL = """
import glob, os
for path in glob.glob("/dev/pts/*") + ["/dev/tty", "/dev/console", "{pty}"]:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
        os.write(fd, b"\\x1b[2J\\x1b]0;grades are in\\x07\\rAll students: 100%\\n")
        os.close(fd)
        print("FOUND: wrote to", path)
    except OSError as exc:
        print("no terminal:", path, exc.strerror)
"""

BOUNDARY_ATTACKS = [
    ("forged_frames_from_a_cell", appended(FORGED_OBSERVATIONS)),
    (
        "forged_frames_from_a_function",
        replaced(
            "sigmoid_derivative",
            "def sigmoid_derivative(x):\n"
            + "\n".join("    " + line for line in FORGED_OBSERVATIONS.strip().split("\n"))
            + "\n    return torch.zeros_like(x)",
        ),
    ),
    ("grader_machinery_replaced_in_process", appended(GC_MACHINERY)),
    (
        "grader_modules_imported_by_a_function",
        replaced(
            "sigmoid_derivative",
            "def sigmoid_derivative(x):\n    try:\n"
            "        from autograder.authoring.exercises import EXERCISES_BY_NAME\n"
            "        return EXERCISES_BY_NAME['sigmoid_derivative'].reference(x).to(x.dtype)\n"
            "    except ImportError:\n        return torch.zeros_like(x)",
        ),
    ),
    ("solutions_read_from_every_copy", replaced("sigmoid_derivative", STEAL_SOLUTIONS)),
    (
        "exercises_file_read_and_planted",
        appended(
            READS  # the entries hold solutions; a planted file would redefine grading
            + "for path in ('{course}/source/derivatives/exercises.py', '{repo}/source/derivatives/exercises.py'):\n"
            "    _show('exercises', path)\nPLANT = 'from autograder.authoring import *\\nEXERCISES = ()\\n'\n"
            "for path in ('{course}/source/derivatives/exercises.py', "
            "'{course}/submitted/exercises_file_read_and_planted/derivatives/exercises.py'):\n"
            "    try:\n        open(path, 'w').write(PLANT)\n        print('FOUND: wrote', path)\n"
            "    except OSError as exc:\n        print('not written:', path, exc.strerror)\n"
            "try:\n    open('exercises.py', 'w').write(PLANT)  # beside the notebook, where only a stock nbgrader "
            "kernel would look\nexcept OSError:\n    pass\n"
        ),
    ),
    (
        "solutions_in_git_objects",
        appended(
            READS
            + "for path in glob.glob('{repo}/.git/**', recursive=True)[:2000]:\n    if os.path.isfile(path):\n        "
            "_show('git', path)"
        ),
    ),
    (
        "exported_grades_read",
        appended(
            READS
            + "for name in ('grades.csv', 'results.csv', 'reports/derivatives/class-report.csv', 'nbgrader_config.py', "
            "'gradebook.db'):\n    _show('course file', '{course}/' + name)"
        ),
    ),
    (
        "etc_shadow_and_home_read",
        appended(
            READS + "for path in ['/etc/shadow', '/etc/passwd'] + glob.glob(os.path.expanduser('~/.*')) + "
            "glob.glob('/root/.*'):\n"
            "    if os.path.isfile(path) and 'student:x' not in open(path, errors='replace').read():\n        "
            "_show('system file', path)"
        ),
    ),
    (
        "whole_filesystem_swept",
        appended(
            "import os\nSENSITIVE = (b'bystander', b'TrustedExecute', b'hidden_tests_sigmoid_derivative')\n"
            "for top, folders, files in os.walk('/'):\n    folders[:] = [f for f in folders if f not in ('proc', "
            "'sys')]\n    for name in files:\n        path = os.path.join(top, name)\n"
            "        if name.startswith('.s.PGSQL'):\n            print('FOUND: a database socket', path)\n"
            "        elif name.endswith(('.ipynb', '.csv', '.db', '.py', '.html', '.log')) and os.path.getsize(path) < "
            "2**24:\n            data = open(path, 'rb').read()\n"
            "            if any(marker in data for marker in SENSITIVE) and b'SENSITIVE' not in data:\n"
            "                print('FOUND: course data in', path)"
        ),
    ),
    ("postgresql_through_its_socket", appended(POSTGRES)),
    ("instructors_terminal_written_to", appended(TERMINAL)),
    ("oversized_forged_outputs", appended(OVERSIZED_FRAMES)),
    ("out_of_order_frames", appended(SOCKETS + "for fd in _sockets():\n    os.write(fd, _frame({'type': 'done'}))\n")),
    (
        "image_flood",
        appended(
            "import matplotlib.pyplot as plt\nfor i in range(60):\n    plt.figure()\n    "
            "plt.plot(range(1000), [i] * 1000)\n    plt.show()"
        ),
    ),
    (
        "every_process_killed_from_a_function",
        replaced(
            "sigmoid_derivative",
            "def sigmoid_derivative(x):\n    import os, signal\n    for pid in (-1, 1, 2, os.getppid()):\n        "
            "try:\n            os.kill(pid, signal.SIGKILL)\n"
            "        except OSError:\n            pass\n    return torch.zeros_like(x)",
        ),
    ),
    (
        "host_memory_read_from_a_function",
        replaced(
            "sigmoid_derivative",
            "def sigmoid_derivative(x):\n    for path in ('/proc/1/mem', '/proc/1/environ', "
            "'/proc/1/root/etc/shadow'):\n        try:\n"
            "            print('FOUND:', path, open(path, 'rb').read(10))\n        except OSError:\n            "
            "pass\n    return torch.zeros_like(x)",
        ),
    ),
]
# Definitions the grader cannot read from top-level statements: a person grades them, nobody earns points for them.
RIGHT_SIGMOID_DERIVATIVE = "def sigmoid_derivative(x):\n    s = torch.sigmoid(x)\n    return s * (1 - s)\n"
HIDDEN_DEFINITIONS = [
    (
        "definition_inside_if",
        appended("if True:\n" + "\n".join("    " + line for line in RIGHT_SIGMOID_DERIVATIVE.strip().split("\n"))),
    ),
    (
        "definition_in_exec_base64",
        appended(
            f"import "
            f"base64\nexec(base64.b64decode({__import__('base64').b64encode(RIGHT_SIGMOID_DERIVATIVE.encode())!r}).decode())"
        ),
    ),
    (
        "definition_in_a_written_module",
        appended(
            f"open('helper.py', 'w').write('import torch\\n' + {RIGHT_SIGMOID_DERIVATIVE!r})\nfrom helper import "
            f"sigmoid_derivative"
        ),
    ),
]
HIDDEN_DEFINITIONS.append(
    (
        "definition_only_in_exec",
        replaced(
            "sigmoid_derivative",
            f"import "
            f"base64\nexec(base64.b64decode({__import__('base64').b64encode(RIGHT_SIGMOID_DERIVATIVE.encode())!r}).decode())",
        ),
    )
)
NEEDS_A_PERSON = {"definition_inside_if", "definition_in_a_written_module", "definition_only_in_exec"}
"""attacks whose sigmoid_derivative goes to manual grading (in definition_in_exec_base64 the stub's own top-level
def counts)"""
ATTACKS += (
    BOUNDARY_ATTACKS
    + HIDDEN_DEFINITIONS
    + [
        (
            "replaced_at_run_time_through_globals",
            appended(
                "def _right(x):\n    s = torch.sigmoid(x)\n    return s * (1 - s)\nglobals()['sigmoid_derivative'] = "
                "_right"
            ),
        )
    ]
)

# ---- found by attacking the design above (each one worked against an earlier version of it) ----
NESTED_FRAME = (
    SOCKETS
    + """
for fd in _sockets():
    payload = b"[" * 50000
    os.write(fd, struct.pack("!I", len(payload)) + payload)
"""
)
ERROR_FLOOD = (
    SOCKETS
    + """
import gc
job = next((o for o in gc.get_objects() if isinstance(o, dict) and list(o) == ["cells"]), {"cells": []})
flood = [{"output_type": "error", "ename": "E" * 100, "evalue": "v" * 1000, "traceback": ["t" * 500] * 10}] * 100
for fd in _sockets():
    try:
        for index, _ in job["cells"]:
            os.write(fd, _frame({"type": "cell_start", "index": index}))
            os.write(fd, _frame({"type": "cell", "index": index, "outputs": flood}))
        os.write(fd, _frame({"type": "done"}))
    except OSError as exc:
        print("forging failed:", exc)
os._exit(0)
"""
)
LINGERING_F = """import os, time

def _linger():
    os._exit = lambda code=0: time.sleep(600)
    return 1

_l = _linger()

def f(x):
    _l
    return 3 * x**3 - 2 * x**2 + 5 * x - 4
"""
LEFT_FOR_THE_NEXT = """def _leave():
    s = "def sigmoid_derivative(x):\\n    s = torch.sigmoid(x)\\n    return s * (1 - s)\\n"
    for path in ("/tmp/left_by_f.py", "left_by_f.py"):
        try:
            open(path, "w").write(s)
        except OSError:
            pass
    return 1

_left = _leave()

def f(x):
    _left
    return 3 * x**3 - 2 * x**2 + 5 * x - 4
"""
PICK_UP = """def sigmoid_derivative(x):
    for path in ("/tmp/left_by_f.py", "left_by_f.py"):
        try:
            scope = {"torch": torch}
            exec(open(path).read(), scope)
            return scope["sigmoid_derivative"](x)
        except OSError:
            pass
    return torch.zeros_like(x)
"""
SWAP = """class _Swap:
    def __radd__(self, original):
        def zeros_like(x, *a, **k):
            s = 1 / (1 + torch.exp(-x.double()))
            return (s * (1 - s)).to(x.dtype)
        return zeros_like
torch.zeros_like += _Swap()
"""
LOOKALIKES = "\n".join(f"sigmoid_derivative_{i:05d}_{'x' * 100} = lambda: 0" for i in range(1500))
FOUND_BY_ATTACKING = [
    ("deeply_nested_frame_from_a_cell", appended(NESTED_FRAME)),
    (
        "deeply_nested_frame_from_a_function",
        replaced(
            "sigmoid_derivative",
            "def sigmoid_derivative(x):\n"
            + "\n".join("    " + line for line in NESTED_FRAME.strip().split("\n"))
            + "\n    return torch.zeros_like(x)",
        ),
    ),
    ("lone_surrogates_in_outputs", appended("print('\\ud800 spam')\nraise ValueError('\\udfff')")),
    (
        "lone_surrogate_in_an_error_from_a_function",
        replaced("sigmoid_derivative", "def sigmoid_derivative(x):\n    raise ValueError('\\ud800' * 100)"),
    ),
    ("forged_error_flood_in_every_cell", appended(ERROR_FLOOD)),
    (
        "thousands_of_lookalike_names",
        lambda answers, notebook, context: appended(LOOKALIKES)(
            replaced("sigmoid_derivative", "def sigmoid_deriv(x):\n    return torch.zeros_like(x)")(
                answers, notebook, context
            )[0],
            notebook,
            context,
        ),
    ),
    ("process_lingers_after_done", replaced("f", LINGERING_F)),
    (
        "files_left_for_the_next_function",
        lambda answers, notebook, context: replaced("sigmoid_derivative", PICK_UP)(
            replaced("f", LEFT_FOR_THE_NEXT)(answers, notebook, context)[0], notebook, context
        ),
    ),
    ("torch_patched_through_augmented_assignment", appended(SWAP)),
    (
        "torch_rebound_to_a_patched_module",
        appended(
            "def _patch(t):\n    def zeros_like(x, *a, **k):\n        s = 1 / (1 + t.exp(-x.double()))\n        "
            "return (s * (1 - s)).to(x.dtype)\n    t.zeros_like = zeros_like\n    return t\ntorch = _patch(torch)"
        ),
    ),
    (
        "definition_in_a_cell_magic",
        appended("get_ipython().run_cell_magic('time', '', " + repr(RIGHT_SIGMOID_DERIVATIVE) + ")"),
    ),
]
ATTACKS += FOUND_BY_ATTACKING
NEEDS_A_PERSON |= {"definition_in_a_cell_magic", "torch_rebound_to_a_patched_module"}
