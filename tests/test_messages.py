"""Every sentence a student can read about an autograded function, pinned word for word."""

from __future__ import annotations

import pytest

from autograder.authoring.exercises import EXERCISES_BY_NAME
from autograder.feedback.text import feedback_text, summary_line
from autograder.judging.scoring import grade_function

from .implementations import define

FIRST_FAILURE = [
    pytest.param(
        "relu_derivative",
        "def relu_derivative(x):\n    return (x >= 0).float()",
        "x = 0, float32",
        "`relu_derivative(x)` is wrong at x = 0: got 1, expected 0 (1 of 1 values are off by more than 1e-05 + "
        "1e-05·|expected|).",
        id="wrong value",
    ),
    pytest.param(
        "sigmoid_derivative",
        "def sigmoid_derivative(x):\n    return torch.exp(-x) / (1 + torch.exp(-x))**2",
        "|x| up to 1000, float32",
        "`sigmoid_derivative(x)` returned nan at x = -100, expected 3.72008e-44.",
        id="not finite",
    ),
    pytest.param(
        "sigmoid",
        "def sigmoid(x):\n    raise NotImplementedError()",
        "typical values, float32, 1-d",
        "`sigmoid(x)` raised NotImplementedError for x = [6.75676, 7.53436, -2.56022, 6.77729, 0.118111, -2.71435, …] "
        "(float32, shape (8,)).",
        id="raised",
    ),
    pytest.param(
        "f_prime",
        "def f_prime(x):\n    return float((9*x**2 - 4*x + 5).sum())",
        "typical values, float32, 1-d",
        "`f_prime(x)` returned a float, not a torch.Tensor, for x = [1.70309, 2.3826, -2.17549, 2.43192, 2.11658, "
        "-0.345784, …] (float32, shape (8,)).",
        id="not a tensor",
    ),
    pytest.param(
        "bce_derivative",
        "def bce_derivative(y_pred, y):\n    return ((y_pred - y) / (y_pred * (1 - y_pred))).mean()",
        "typical values, float32, 1-d",
        "`bce_derivative(y_pred, y)` returned shape (), expected (8,) (the shape of the input), for "
        "y_pred = [0.341549, 0.485001, 0.944665, 0.339303, 0.837622, 0.676589, …] (float32, shape (8,)) and "
        "y = [0, 0, 1, 0, 1, 1, …] (float32, shape (8,)).",
        id="wrong shape",
    ),
    pytest.param(
        "sigmoid",
        "def sigmoid(x):\n    return torch.sigmoid(x.float())",
        "typical values, float64, 1-d",
        "`sigmoid(x)` returned dtype float32, expected float64 (the dtype of the input), for "
        "x = [7.19731, 4.21735, 7.82455, -2.45421, 5.37756, 7.52255, …] (float64, shape (8,)).",
        id="wrong dtype",
    ),
    pytest.param(
        "relu_derivative",
        "def relu_derivative(x):\n    return x > 0",
        "typical values, float32, 1-d",
        "`relu_derivative(x)` returned dtype bool, expected a floating-point dtype, for "
        "x = [-4.94742, 0.131692, 0.500299, -1.0345, -4.1155, 0.454884, …] (float32, shape (8,)).",
        id="not floating point",
    ),
    pytest.param(
        "relu_derivative",
        "def relu_derivative(x):\n    x[x <= 0] = 0\n    x[x > 0] = 1\n    return x",
        "typical values, float32, 1-d",
        "`relu_derivative(x)` changed its argument `x` in place; compute a new tensor and leave the input as it was.",
        id="input modified",
    ),
]


@pytest.mark.parametrize("name, source, case, sentence", FIRST_FAILURE)
def test_the_first_failure_is_one_sentence_with_input_got_and_expected(name, source, case, sentence):
    result = grade_function(EXERCISES_BY_NAME[name], define(source, name))
    assert (result.failures[0].case.name, result.failures[0].message) == (case, sentence)


def test_a_renamed_function_is_named_with_what_the_notebook_defines_instead():
    result = grade_function(EXERCISES_BY_NAME["sigmoid_derivative"], None, ("sigmoid", "sigmoid_deriv", "plt"))
    assert summary_line(result) == (
        "sigmoid_derivative: 0 / 3 points. 9 of 9 checks failed; first: `sigmoid_derivative(x)` is not defined; "
        "keep the function's name and signature as the assignment gives them. Did you rename it? Your notebook "
        "defines: sigmoid_deriv."
    )
    assert feedback_text(result) == summary_line(result)


def test_a_missing_function_without_a_lookalike_gets_no_guess():
    result = grade_function(EXERCISES_BY_NAME["f"], None, ("plt",))
    assert result.failures[0].message == (
        "`f(x)` is not defined; keep the function's name and signature as the assignment gives them."
    )


def test_full_feedback_lists_every_check_and_gives_the_fitting_hint_once_at_the_end():
    result = grade_function(
        EXERCISES_BY_NAME["relu_derivative"],
        define("def relu_derivative(x):\n    return (x >= 0).float()", "relu_derivative"),
    )
    assert feedback_text(result).split("\n")[:7] == [
        "relu_derivative: 1.64 / 2 points. 2 of 11 checks failed; first: `relu_derivative(x)` is wrong at x = 0: got "
        "1, expected 0 (1 of 1 values are off by more than 1e-05 + 1e-05·|expected|).",
        "  [✓] typical values, float32, 1-d",
        "  [✓] typical values, float64, 1-d",
        "  [✓] 0-d tensor",
        "  [✓] batch, 2-d (3×4), float64",
        "  [✓] seeded random, float32, 64 values",
        "  [x] x = 0, float32: `relu_derivative(x)` is wrong at x = 0: got 1, expected 0 (1 of 1 values are off by "
        "more than 1e-05 + 1e-05·|expected|).",
    ]
    assert feedback_text(result).count("Hint:") == 1
    assert feedback_text(result).split("\n")[-1] == (
        "        Hint: Use PyTorch's convention ReLU′(0) = 0: the derivative is 1 only where x > 0."
    )


def test_a_passing_function_gets_one_line_of_praise_and_the_checks():
    result = grade_function(EXERCISES_BY_NAME["relu"], define("def relu(x):\n    return x.clamp(min=0)", "relu"))
    assert summary_line(result) == "relu: 1 / 1 points. All 9 checks passed."


@pytest.mark.slow
def test_a_notebook_with_thousands_of_lookalike_names_gets_five_of_them_each_cut_short():
    names = tuple(f"sigmoid_{i:05d}_" + "x" * 100 for i in range(20000))
    result = grade_function(EXERCISES_BY_NAME["sigmoid_derivative"], None, names)
    shown = "sigmoid_00000_" + "x" * 25 + "…"
    assert result.failures[0].message == (
        "`sigmoid_derivative(x)` is not defined; keep the function's name and signature as the assignment gives them. "
        "Did you rename it? Your notebook defines: "
        + ", ".join([shown.replace("00000", f"{i:05d}") for i in range(5)] + ["…"])
        + "."
    )


@pytest.mark.slow
def test_an_output_far_larger_than_its_input_is_reported_by_its_shape():
    result = grade_function(EXERCISES_BY_NAME["relu"], define("def relu(x):\n    return torch.zeros(2**20)", "relu"))
    assert result.failures[0].message == (
        "`relu(x)` returned shape (1048576,), expected (8,) (the shape of the input), for "
        "x = [-3.45387, -2.78396, -3.16995, -0.298663, -3.37048, -2.83742, …] (float32, shape (8,))."
    )
