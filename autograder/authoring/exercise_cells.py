"""The master's cells for an exercise the instructor defined only as an entry, written by `autograder sync-master`.

In order: the section (heading and task), the hand-graded derivation (when the entry has one), the implementation
with the instructor's code between BEGIN and END SOLUTION, the plot, a public test whose expected values the
reference computes now, and the hidden test. The plot and the public test use the master's setup helpers
`plot_with_derivative` and `expect_close`, so the release runs with torch and matplotlib alone.
"""

from __future__ import annotations

import textwrap

import torch
from nbformat import NotebookNode

from autograder.authoring.exercises import Exercise
from autograder.authoring.inputs import plot_series
from autograder.errors import AutograderError
from autograder.formulas.cells import points_in_words
from autograder.nbgrader_cells import nbgrader_cell

HIDDEN_CELL = """# Hidden tests for `{name}` ({points}) run here when your notebook is graded.
### BEGIN HIDDEN TESTS
from autograder.hidden import grade_in_notebook
grade_in_notebook("{name}", globals())
### END HIDDEN TESTS"""
SECTION = "## {title}\n\n{task}"
TASK = "Implement `{signature}` in torch, elementwise on tensors of any shape and dtype."
DERIVATION = (
    "**Derivation of {title}.** Write your derivation here, step by step.\n\n### BEGIN "
    "SOLUTION\n{derivation}\n### END SOLUTION"
)
IMPLEMENTATION = '''def {signature}:
    """{title}"""
    ### BEGIN SOLUTION
{body}
    ### END SOLUTION'''
PLOT = """# {name} over its typical range{held}.
x_grid = torch.linspace({low!r}, {high!r}, 200, dtype=torch.float64)
plot_with_derivative(x_grid, [{curves}], "{title}")"""
PUBLIC_TEST = """# Public tests for `{name}`: run this cell to check your work (the expected values come from torch).
{inputs}
expect_close("{call}", {name}, {{{arguments}}}, torch.tensor({expected}, dtype=torch.float64))
print("{name} passes the public tests.")"""
PUBLIC_POINTS = 5

NO_SOLUTION = (
    "the entry {name} has no solution, so its implementation cell cannot be written: give it `solution=` with "
    "the body of your {signature} (the release replaces it with a stub)"
)
NO_HELPERS = (
    "the master's setup cell does not define {missing}, which the generated plot and public test of {name} call; "
    "add them from the package's master (autograder init writes it)"
)
HELPERS = ("plot_with_derivative", "expect_close")


class EntryIncomplete(AutograderError):
    """An exercise entry that lacks what its master cells are written from."""


def cell_ids(exercise: Exercise) -> tuple[str, ...]:
    """The generated cells' grade ids, in notebook order."""
    kinds = (
        ("section", "derivation", "impl", "plot", "public_tests")
        if exercise.derivation
        else ("section", "impl", "plot", "public_tests")
    )
    return tuple(f"{kind}_{exercise.name}" for kind in kinds) + (exercise.grade_id,)


def hidden_test_cell(exercise: Exercise) -> NotebookNode:
    source = HIDDEN_CELL.format(name=exercise.name, points=points_in_words(exercise.points))
    return nbgrader_cell("code", source, exercise.grade_id, grade=True, points=exercise.points)


def exercise_cells(exercise: Exercise, setup_source: str) -> dict[str, NotebookNode]:
    """Every cell of a new exercise, by grade id."""
    if not exercise.solution.strip():
        raise EntryIncomplete(NO_SOLUTION.format(name=exercise.name, signature=exercise.signature))
    missing = [helper for helper in HELPERS if f"def {helper}(" not in setup_source]
    if missing:
        raise EntryIncomplete(NO_HELPERS.format(missing=" and ".join(missing), name=exercise.name))
    title = exercise.title or exercise.signature
    name = exercise.name
    body = textwrap.indent(textwrap.dedent(exercise.solution).strip("\n"), "    ")
    cells = {
        f"section_{name}": nbgrader_cell(
            "markdown",
            SECTION.format(title=title, task=exercise.task or TASK.format(signature=exercise.signature)),
            f"section_{name}",
        ),
        f"impl_{name}": nbgrader_cell(
            "code",
            IMPLEMENTATION.format(signature=exercise.signature, title=title, body=body),
            f"impl_{name}",
            solution=True,
        ),
        f"plot_{name}": nbgrader_cell("code", plot_source(exercise, title), f"plot_{name}"),
        f"public_tests_{name}": nbgrader_cell("code", public_test_source(exercise), f"public_tests_{name}", grade=True),
        exercise.grade_id: hidden_test_cell(exercise),
    }
    if exercise.derivation:
        cells[f"derivation_{name}"] = nbgrader_cell(
            "markdown",
            DERIVATION.format(title=title, derivation=exercise.derivation.strip()),
            f"derivation_{name}",
            grade=True,
            solution=True,
            points=exercise.derivation_points,
        )
    return {grade_id: cells[grade_id] for grade_id in cell_ids(exercise)}


def plot_source(exercise: Exercise, title: str) -> str:
    """One curve over the first parameter's range, or one per label; any other parameter held at its typical value."""
    low, high = exercise.samplers[0].span
    first, others = exercise.parameters[0], list(zip(exercise.parameters[1:], exercise.samplers[1:]))
    curves = []
    for label in plot_series(exercise.samplers):
        values = [(p, label if i == 0 and label is not None else s.typical) for i, (p, s) in enumerate(others)]
        if values:
            call = f"lambda t: {exercise.name}(t, {', '.join(f'torch.full_like(t, {v!r})' for _, v in values)})"
            shown = f"{exercise.name}({first}, {', '.join(f'{p} = {v:g}' for p, v in values)})"
        else:
            call, shown = exercise.name, exercise.signature
        curves.append(f"({shown!r}, {call})")
    held = [f"{p} = {s.typical:g}" for p, s in others if not hasattr(s, "labels")]
    return PLOT.format(
        name=exercise.name,
        low=float(low),
        high=float(high),
        curves=", ".join(curves),
        title=title,
        held=f", {', '.join(held)}" if held else "",
    )


def public_inputs(exercise: Exercise) -> tuple[torch.Tensor, ...]:
    """Round values across the first parameter's range, any other one's range backwards; a label alternates 0 and 1."""
    args = []
    for index, sampler in enumerate(exercise.samplers):
        labels = getattr(sampler, "labels", None)
        if labels:
            values = [labels[i % len(labels)] for i in range(PUBLIC_POINTS)]
        else:
            values = [
                round(v, 2) + 0.0
                for v in torch.linspace(*sampler.span, PUBLIC_POINTS + 2, dtype=torch.float64)[1:-1].tolist()
            ]  # no -0.0
        args.append(torch.tensor(values if index == 0 else values[::-1], dtype=torch.float64))
    return tuple(args)


def public_test_source(exercise: Exercise) -> str:
    args = public_inputs(exercise)
    expected = exercise.reference(*args)
    return PUBLIC_TEST.format(
        name=exercise.name,
        call=exercise.signature,
        inputs="\n".join(
            f"{p} = torch.tensor({a.tolist()!r}, dtype=torch.float64)" for p, a in zip(exercise.parameters, args)
        ),
        arguments=", ".join(f'"{p}": {p}' for p in exercise.parameters),
        expected=repr(expected.tolist()),
    )
