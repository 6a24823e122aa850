"""Write the bundled sample submissions from the committed release and master notebooks.

    python samples/make_samples.py            # rewrite samples/submitted/
    python samples/make_samples.py OUT_DIR    # write them elsewhere (the tests compare the two)

Each student shows one thing the grader must handle; see samples/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.authoring.synthetic import fill_release, solutions_of, with_functions, write_submission

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "derivatives.ipynb"

NAIVE_SIGMOID_DERIVATIVE = '''
def sigmoid_derivative(x):
    """σ'(x), written through σ, elementwise on a tensor x."""
    return torch.exp(-x) / (1 + torch.exp(-x))**2
'''
RELU_DERIVATIVE_ONE_AT_ZERO = '''
def relu_derivative(x):
    """ReLU'(x): 1 where x > 0, else 0 (0 at x = 0, as PyTorch does)."""
    return (x >= 0).float()
'''
BEN_FORMULAS = {  # one of each outcome: equivalent, wrong, wrong at the kink, unreadable (manual grading)
    "answer_f_prime": 'answer_f_prime = r"x(9x - 4) + 5"',
    "answer_sigmoid_prime": 'answer_sigmoid_prime = r"\\sigma(x)"',
    "answer_relu_prime": 'answer_relu_prime = r"\\begin{cases} 1 & x \\geq 0 \\\\ 0 & x < 0 \\end{cases}"',
    "answer_bce_wrt_prediction": 'answer_bce_wrt_prediction = r"\\frac{\\hat{y} - y}{\\hat{y}(1 - \\hat{y})"',
    "answer_bce_wrt_logit": 'answer_bce_wrt_logit = r"\\hat{y} - y"',
}
BCE_DERIVATIVE_SIGN_FLIPPED = '''
def bce_derivative(y_pred, y):
    """dL/dy_pred, elementwise."""
    return (y / y_pred) - ((1 - y) / (1 - y_pred))
'''


def build(out: Path) -> list[Path]:
    master = nbformat.read(ROOT / "source" / "derivatives" / NOTEBOOK, as_version=4)
    release = nbformat.read(ROOT / "release" / "derivatives" / NOTEBOOK, as_version=4)
    solutions = solutions_of(master)
    code_only = {key: source for key, source in solutions.items() if key.startswith("impl_")}
    code_and_formulas = {key: source for key, source in solutions.items() if key.startswith(("impl_", "answer_"))}

    def path(student: str, name: str = NOTEBOOK) -> Path:
        return out / student / "derivatives" / name

    written = [
        write_submission(path("ada_correct"), fill_release(release, solutions)),
        write_submission(
            path("ben_partly_wrong"),
            fill_release(
                release,
                {
                    **with_functions(
                        code_only,
                        {
                            "sigmoid_derivative": NAIVE_SIGMOID_DERIVATIVE,
                            "relu_derivative": RELU_DERIVATIVE_ONE_AT_ZERO,
                            "bce_derivative": BCE_DERIVATIVE_SIGN_FLIPPED,
                        },
                    ),
                    **BEN_FORMULAS,
                },
            ),
        ),
        write_submission(path("cy_stubs"), release),
        write_submission(
            path("dee_crashes"),
            fill_release(
                release,
                {
                    **code_and_formulas,
                    "impl_sigmoid": "import tensorflow as tf  # not installed: this cell raises\n\n"
                    + code_only["impl_sigmoid"],
                },
            ),
        ),
        write_submission(
            path("eve_renamed"),
            fill_release(
                release,
                {
                    **code_and_formulas,
                    "impl_sigmoid": code_only["impl_sigmoid"].replace("def sigmoid_derivative(", "def sigmoid_deriv("),
                },
            ),
        ),
        write_submission(path("gus_missing_notebook", "derivatives-Copy1.ipynb"), fill_release(release, code_only)),
        write_submission(
            path("hal_other_assignment"),
            new_notebook(
                cells=[
                    new_markdown_cell("# Tensors\nCreate a 3×3 tensor of ones.", id="tensors-intro"),
                    new_code_cell("import torch\nones = torch.ones(3, 3)\nones", id="tensors-ones"),
                ]
            ),
        ),
    ]
    truncated = path("fay_invalid_json")
    write_submission(truncated, fill_release(release, code_only))
    truncated.write_text(truncated.read_text()[:-400])  # a notebook cut off mid-upload
    return sorted(written + [truncated])


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "samples" / "submitted"
    for written_path in build(target):
        print(written_path.relative_to(target))
