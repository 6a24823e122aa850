"""The public tests' own sentences, pinned: they are what a student sees before submitting."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(scope="module")
def expect_close(release):
    setup = next(c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    namespace: dict = {}
    exec(setup.source.replace("import matplotlib.pyplot as plt", "plt = None"), namespace)
    return namespace["expect_close"]


X = {"x": torch.tensor([-2.0, 0.0, 1.0, 3.0])}
EXPECTED = torch.tensor([49.0, 5.0, 10.0, 74.0])


@pytest.mark.parametrize(
    "function, message",
    [
        (
            lambda x: 9 * x**2 - 4 * x,
            "f_prime(x) for x = [-2.0, 0.0, 1.0, 3.0]: expected [49.0, 5.0, 10.0, 74.0], got [44.0, 0.0, 5.0, 69.0].",
        ),
        (
            lambda x: float((9 * x**2).sum()),
            "f_prime(x) should return a torch.Tensor, but returned a float for x = [-2.0, 0.0, 1.0, 3.0].",
        ),
        (
            lambda x: (9 * x**2 - 4 * x + 5).sum(),
            "f_prime(x) should return shape (4,) (the input's shape), but returned "
            "shape () for x = [-2.0, 0.0, 1.0, 3.0].",
        ),
        (
            lambda x: x / 0 * 0,
            "f_prime(x) returned [nan, nan, nan, nan] for x = [-2.0, 0.0, 1.0, 3.0]: some values are not finite.",
        ),
    ],
    ids=["wrong values", "not a tensor", "wrong shape", "not finite"],
)
def test_a_failing_public_test_says_what_came_back_and_what_was_expected(expect_close, function, message):
    with pytest.raises(AssertionError) as failure:
        expect_close("f_prime(x)", function, X, EXPECTED)
    assert str(failure.value) == message


def test_a_right_answer_passes_the_public_test(expect_close):
    expect_close("f_prime(x)", lambda x: 9 * x**2 - 4 * x + 5, X, EXPECTED)
