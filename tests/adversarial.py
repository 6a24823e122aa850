"""Submissions that try to fool the grader, each with the grade it must get.

Every attacker starts from BASE: f, f_prime, sigmoid and relu are right, and so is the formula for
f′ (HONEST_POINTS); the other five functions return zeros and the other formulas are "0". An attack
tries to earn more than that; it must not.
"""
from __future__ import annotations

import copy

from autograder.synthetic import fill_release, with_functions

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
AUTOGRAD_SIGMOID_PRIME = '''def sigmoid_derivative(x):
    x = x.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        torch.sigmoid(x).sum().backward()
    return x.grad
'''


def base(solutions: dict[str, str]) -> dict[str, str]:
    formulas = {k: (v if k in HONEST_FORMULAS else f'{k} = r"0"') for k, v in solutions.items() if k.startswith("answer_")}
    return {**with_functions({k: v for k, v in solutions.items() if k.startswith("impl_")}, TARGETS), **formulas}


def answered(name: str, source: str):
    """An attack through a formula answer cell."""
    def build(answers, notebook):
        return {**answers, name: source}, notebook
    return build


def appended(code: str):
    """An attack written as one extra cell's worth of code at the end of the last answer cell."""
    def build(answers: dict[str, str], notebook):
        answers = dict(answers)
        answers["impl_bce"] = answers["impl_bce"] + "\n\n" + code
        return answers, notebook
    return build


def replaced(name: str, definition: str):
    def build(answers, notebook):
        return with_functions(answers, {name: definition}), notebook
    return build


def tampered(change):
    """Notebook-level tampering, done to the filled-in notebook as a student would."""
    def build(answers, notebook):
        notebook = fill_release(notebook, answers)
        change(notebook)
        return {}, notebook
    return build


def _cells(notebook, prefix):
    return [c for c in notebook.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id", "").startswith(prefix)]


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
    fake.metadata["nbgrader"] = copy.deepcopy(_cells(notebook, "hidden_tests_sigmoid_derivative")[0].metadata["nbgrader"])
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
    bonus.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 50, "grade_id": "bonus", "schema_version": 3}
    notebook.cells.append(bonus)


FIND = '''
import glob, os
def _find(pattern):
    hits = []
    for top in ("/tmp", "/work", "/root", "/home", os.path.expanduser("~"), "../../.."):
        hits += glob.glob(os.path.join(top, "**", pattern), recursive=True)
    return hits
'''

# (id, build, exercises that must score 0 beyond the targets, exercises that must lose their points by policy)
ATTACKS = [
    ("monkeypatch_torch_allclose", appended("torch.allclose = lambda *a, **k: True\ntorch.isclose = lambda a, b, *r, **k: torch.ones_like(a, dtype=torch.bool)\ntorch.equal = lambda *a: True")),
    ("monkeypatch_numpy_testing", appended("import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None")),
    ("monkeypatch_grading_module", appended(
        "import autograder.checks, autograder.scoring, autograder.hidden\n"
        "autograder.checks.check_case = lambda e, c, o, n=(): autograder.checks.CaseResult(c, True)\n"
        "autograder.hidden.grade_in_notebook = lambda name, ns: 100.0")),
    ("fake_autograder_in_sys_modules", appended(
        "import sys, types\nfake = types.ModuleType('autograder')\nfake.hidden = types.SimpleNamespace(grade_in_notebook=lambda *a: 100.0)\n"
        "sys.modules['autograder'] = fake\nsys.modules['autograder.hidden'] = fake.hidden")),
    ("ipython_custom_exception_handler", appended("get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)")),
    ("ipython_showtraceback_silenced", appended("ip = get_ipython()\nip.showtraceback = lambda *a, **k: None\nip._showtraceback = lambda *a, **k: None")),
    ("ipython_ast_transformer_swallows_errors", appended(
        "import ast\nclass Swallow(ast.NodeTransformer):\n    def visit_Module(self, node):\n"
        "        handler = ast.ExceptHandler(type=None, name=None, body=[ast.Pass()])\n"
        "        node.body = [ast.Try(body=node.body or [ast.Pass()], handlers=[handler], orelse=[], finalbody=[])]\n"
        "        return ast.fix_missing_locations(node)\nget_ipython().ast_transformers.append(Swallow())")),
    ("ipython_input_transformer_blanks_cells", appended("get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])")),
    ("lying_object_eq_bool", replaced("sigmoid_derivative",
        "class Yes:\n    def __eq__(self, other): return True\n    def __bool__(self): return True\n    def all(self): return True\n\n"
        "def sigmoid_derivative(x):\n    return Yes()")),
    ("tensor_subclass_torch_function", replaced("sigmoid_derivative",
        "class Liar(torch.Tensor):\n    @classmethod\n    def __torch_function__(cls, func, types, args=(), kwargs=None):\n"
        "        if func in (torch.allclose, torch.equal): return True\n"
        "        return super().__torch_function__(func, types, args, kwargs or {})\n\n"
        "def sigmoid_derivative(x):\n    return torch.zeros_like(x).as_subclass(Liar)")),
    ("global_torch_function_mode", appended(
        "from torch.overrides import TorchFunctionMode\nclass Agree(TorchFunctionMode):\n"
        "    def __torch_function__(self, func, types, args=(), kwargs=None):\n"
        "        if func in (torch.allclose, torch.equal, torch.isclose): return True\n"
        "        return func(*args, **(kwargs or {}))\n_mode = Agree()\n_mode.__enter__()")),
    ("formula_set_at_run_time", appended(f'globals()["answer_sigmoid_prime"] = r"{RIGHT_SIGMOID_PRIME}"')),
    ("formula_string_is_python", answered("answer_sigmoid_prime",
        "answer_sigmoid_prime = \"__import__('pathlib').Path('/tmp/formula-evaluated-4242').touch() or 1\"")),
    ("formula_hangs_the_parser", answered("answer_sigmoid_prime", 'answer_sigmoid_prime = r"10^{10^{10}}"')),
    ("prints_fake_results", appended("print('All tests passed! 17 / 17 points')\nprint('{\"score\": 17}')")),
    ("sys_exit", appended("import sys\nsys.exit(0)")),
    ("os_exit", appended("import os\nos._exit(0)")),
    ("infinite_loop_ignoring_sigint_and_alarm", appended(
        "import signal\nfor s in (signal.SIGINT, signal.SIGALRM, signal.SIGTERM):\n    signal.signal(s, signal.SIG_IGN)\nwhile True:\n    pass")),
    ("memory_bomb", appended("hog = []\nwhile True:\n    hog.append(bytearray(100 * 2**20))")),
    ("output_flood", appended("for _ in range(200000):\n    print('spam' * 50)")),
    ("fork_bomb", appended("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass")),
    ("daemon_left_behind", appended(
        "import subprocess, os\nsubprocess.Popen(['sleep', '4242'], start_new_session=True)\n"
        "if os.fork() == 0:\n    os.setsid()\n    import time\n    time.sleep(4343)\n    os._exit(0)")),
    ("rewrites_the_gradebook", appended(FIND +
        "import sqlite3\nfor db in _find('gradebook.db'):\n    try:\n        con = sqlite3.connect(db)\n"
        "        con.execute('update grade set auto_score = 99')\n        con.commit()\n    except Exception as exc:\n        print(db, exc)")),
    ("reads_the_master_solutions", appended(FIND +
        "import json, re\nfor path in _find('derivatives.ipynb'):\n    try:\n        nb = json.load(open(path))\n"
        "        for cell in nb['cells']:\n            src = ''.join(cell['source'])\n"
        "            if 'BEGIN SOLUTION' in src:\n                exec(re.sub(r'.*### (BEGIN|END) SOLUTION.*\\n?', '', src), globals())\n"
        "    except Exception as exc:\n        print(path, exc)")),
    ("overwrites_other_submissions", appended(FIND +
        "for path in _find('*.ipynb'):\n    try:\n        open(path, 'w').write('{}')\n    except Exception as exc:\n        print(path, exc)")),
    ("plants_a_file_for_later_students", appended(
        "for path in ('/tmp/torch.py', '../torch.py', 'torch.py', '/usr/lib/python3/dist-packages/torch.py'):\n"
        "    try:\n        open(path, 'w').write('raise SystemExit')\n    except Exception as exc:\n        print(path, exc)")),
    ("network_exfiltration", appended(
        "import urllib.request\ntry:\n    urllib.request.urlopen('http://127.0.0.1:9/', timeout=1)\nexcept Exception as exc:\n    print(exc)")),
    ("autograd_backward", replaced("sigmoid_derivative", AUTOGRAD_SIGMOID_PRIME)),
    ("autograd_via_getattr", replaced("sigmoid_derivative",
        "def sigmoid_derivative(x):\n    x = x.detach().clone().requires_grad_(True)\n    with torch.enable_grad():\n"
        "        getattr(torch.sigmoid(x).sum(), 'back' + 'ward')()\n    return x.grad")),
    ("autograd_via_import", replaced("sigmoid_derivative",
        "def sigmoid_derivative(x):\n    ag = __import__('torch').autograd\n    x = x.detach().clone().requires_grad_(True)\n"
        "    with torch.enable_grad():\n        return ag.grad(torch.sigmoid(x).sum(), x)[0]")),
    ("autograd_torch_func", replaced("sigmoid_derivative",
        "from torch.func import grad, vmap\n\ndef sigmoid_derivative(x):\n    return vmap(grad(torch.sigmoid))(x.reshape(-1)).reshape(x.shape)")),
    ("autograd_in_a_helper", replaced("sigmoid_derivative",
        "def _slope(fn, x):\n    x = x.detach().clone().requires_grad_(True)\n    with torch.enable_grad():\n"
        "        fn(x).sum().backward()\n    return x.grad\n\ndef sigmoid_derivative(x):\n    return _slope(torch.sigmoid, x)")),
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
