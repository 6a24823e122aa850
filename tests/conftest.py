from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
MASTER = ROOT / "source" / "derivatives" / "derivatives.ipynb"
RELEASE = ROOT / "release" / "derivatives" / "derivatives.ipynb"


def autograded_total() -> float:
    """Every autograded point: the functions' and the final formulas'."""
    from autograder.exercises import EXERCISES
    from autograder.formulas.answers import FORMULAS

    return sum(e.points for e in EXERCISES) + sum(a.points for a in FORMULAS)


@pytest.fixture(scope="session")
def master() -> nbformat.NotebookNode:
    return nbformat.read(MASTER, as_version=4)


@pytest.fixture(scope="session")
def release() -> nbformat.NotebookNode:
    return nbformat.read(RELEASE, as_version=4)


@pytest.fixture(scope="session")
def seed_namespace(master) -> dict:
    """The master's solution code, run in one namespace as a student's kernel would."""
    from autograder.synthetic import solutions_of

    namespace: dict = {}
    exec("import torch", namespace)
    for grade_id, source in solutions_of(master).items():
        if grade_id.startswith("impl_"):
            exec(source, namespace)
    return namespace
