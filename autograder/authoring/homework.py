"""An assignment's entries, its exercises and formula answers: from the course's own file, or the package's default.

A course defines them in `source/<assignment>/exercises.py`, next to the master: `EXERCISES` (and, optionally,
`FORMULAS`). Without that file the package's derivatives homework is the assignment. What a grader loads is the
file's text, never its path, so a Dask worker needs no shared filesystem and grades what the parent read.
"""

from __future__ import annotations

import hashlib
import threading
import traceback
import types
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from autograder.authoring.equivalent_mutants import EQUIVALENT
from autograder.authoring.exercises import EXERCISES, Exercise
from autograder.errors import AutograderError
from autograder.formulas.answers import FORMULAS, FormulaAnswer

HOMEWORK_FILE = "exercises.py"
DEFAULT_ORIGIN = "the package's derivatives homework"
BROKEN = "{origin} could not be loaded: {error}"
NOT_ENTRIES = "{origin} must define {name} as a tuple of {kind} entries; it holds {what}"
DUPLICATE = "{origin} defines {name!r} twice; each exercise and formula answer needs a name of its own"
NOT_AN_IDENTIFIER = "{origin}: {name!r} is not a Python function name, so no notebook could define it"
BAD_ENTRY = "{origin}: the entry {name!r} cannot be used: {error}"
MAX_NAME = 48
TOO_LONG = "{origin}: {name!r} is longer than {limit} characters, too long for the ids of its notebook cells"
NOT_EQUIVALENTS = (
    "{origin} must define EQUIVALENT_MUTANTS as a dict of (exercise, mutant id) → a sentence on why it is right"
)


class HomeworkBroken(AutograderError):
    """The course's exercises.py does not load, or an entry in it cannot be graded."""


@dataclass(frozen=True, eq=False)
class Homework:
    exercises: tuple[Exercise, ...]
    formulas: tuple[FormulaAnswer, ...]
    origin: str = DEFAULT_ORIGIN
    text: str = ""
    """the course file's text ("" for the package's default): what a remote worker loads"""
    equivalent_mutants: dict[tuple[str, str], str] = field(default_factory=lambda: EQUIVALENT)
    """the audit's documented equivalent mutants, (exercise, mutant id) → why it is right (the package's by default)"""

    @cached_property
    def by_name(self) -> dict[str, Exercise]:
        return {exercise.name: exercise for exercise in self.exercises}

    @cached_property
    def formulas_by_name(self) -> dict[str, FormulaAnswer]:
        return {answer.name: answer for answer in self.formulas}

    @property
    def function_names(self) -> set[str]:
        return set(self.by_name)

    @property
    def hidden_test_ids(self) -> set[str]:
        """The grade ids of the hidden-test cells the entries call for, functions and formula answers alike."""
        return {exercise.grade_id for exercise in self.exercises} | {answer.grade_id for answer in self.formulas}


DEFAULT = Homework(EXERCISES, FORMULAS)
_loaded: dict[str, Homework] = {}
_loading = threading.Lock()


def homework_in(folder: Path) -> Homework:
    """The assignment whose master is in `folder`: its exercises.py, or the package's default without one."""
    path = folder / HOMEWORK_FILE
    if not path.is_file():
        return DEFAULT
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise HomeworkBroken(BROKEN.format(origin=path, error=f"{type(error).__name__}: {error}")) from None
    return homework_from_text(text, str(path))


def homework_from_text(text: str, origin: str = HOMEWORK_FILE) -> Homework:
    """Loaded once per process for each distinct text."""
    if not text:
        return DEFAULT
    key = hashlib.sha256(text.encode()).hexdigest()
    with _loading:
        if key not in _loaded:
            _loaded[key] = _load(text, origin)
        return _loaded[key]


def _load(text: str, origin: str) -> Homework:
    module = types.ModuleType("course_exercises")
    module.__file__ = origin
    # compiling text builds no Python AST objects (judging/python_source.py), so it needs no lock; its imports may
    # parse. It is the instructor's own file, run in the trusted grader only.
    try:
        exec(compile(text, origin, "exec"), module.__dict__)
    except Exception as error:
        where = next(
            (
                f" (line {frame.lineno})"
                for frame in reversed(traceback.extract_tb(error.__traceback__))
                if frame.filename == origin
            ),
            "",
        )
        raise HomeworkBroken(BROKEN.format(origin=origin, error=f"{type(error).__name__}: {error}{where}")) from error
    exercises = _entries(module, "EXERCISES", Exercise, origin, required=True)
    formulas = _entries(module, "FORMULAS", FormulaAnswer, origin, required=False)
    equivalents = getattr(module, "EQUIVALENT_MUTANTS", EQUIVALENT)
    if not (
        isinstance(equivalents, dict)
        and all(isinstance(k, tuple) and len(k) == 2 and isinstance(v, str) for k, v in equivalents.items())
    ):
        raise HomeworkBroken(NOT_EQUIVALENTS.format(origin=origin))
    formulas = (FORMULAS if formulas is None else formulas) + tuple(
        e.formula for e in exercises if e.formula is not None
    )
    if not all(isinstance(answer, FormulaAnswer) for answer in formulas):
        raise HomeworkBroken(
            NOT_ENTRIES.format(origin=origin, name="an exercise's formula", kind="FormulaAnswer", what="something else")
        )
    homework = Homework(exercises, formulas, origin, text, equivalents)
    _validate(homework)
    return homework


def _entries(module: types.ModuleType, name: str, kind: type, origin: str, *, required: bool):
    if not hasattr(module, name):
        if required:
            raise HomeworkBroken(NOT_ENTRIES.format(origin=origin, name=name, kind=kind.__name__, what="nothing"))
        return None
    value = getattr(module, name)
    if not isinstance(value, (tuple, list)) or not all(isinstance(entry, kind) for entry in value):
        raise HomeworkBroken(
            NOT_ENTRIES.format(origin=origin, name=name, kind=kind.__name__, what=type(value).__name__)
        )
    return tuple(value)


def _validate(homework: Homework) -> None:
    names = [e.name for e in homework.exercises] + [a.name for a in homework.formulas]
    for name in names:
        if names.count(name) > 1:
            raise HomeworkBroken(DUPLICATE.format(origin=homework.origin, name=name))
        if not name.isidentifier():
            raise HomeworkBroken(NOT_AN_IDENTIFIER.format(origin=homework.origin, name=name))
        if len(name) > MAX_NAME:  # its cells' ids, `public-tests-<name>`, must fit nbformat's 64 characters
            raise HomeworkBroken(TOO_LONG.format(origin=homework.origin, name=name, limit=MAX_NAME))
    for exercise in homework.exercises:
        try:  # the inputs, the reference on them and the plot grid: a broken entry says so now, not mid-batch
            exercise.encoded_cases  # noqa: B018
            exercise.output_scale  # noqa: B018
            if exercise.primal:
                compile(exercise.primal, f"the primal of {exercise.name}", "eval")
        except Exception as error:
            raise HomeworkBroken(
                BAD_ENTRY.format(origin=homework.origin, name=exercise.name, error=f"{type(error).__name__}: {error}")
            ) from error
    for answer in homework.formulas:
        if any(answer is shipped for shipped in FORMULAS):
            continue  # the package's own (its tests read them): building the LaTeX parser here would cost a second
        try:
            answer.meaning  # noqa: B018  (reads stands_for's LaTeX: a typo there is said now, not mid-batch)
        except Exception as error:
            raise HomeworkBroken(
                BAD_ENTRY.format(origin=homework.origin, name=answer.name, error=f"{type(error).__name__}: {error}")
            ) from error
