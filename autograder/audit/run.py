"""`run_audit`: every mutant of every exercise through the hidden checks, on the path grading takes.

1. In this thread, before anything runs in parallel (CPython 3.11's AST machinery is not thread-safe): find each
   solution in the master, generate its mutants, and rebuild each mutant's function from the master's program with
   the mutant in place (`read_definitions`), reading it against the by-hand policy where the exercise asks for that.
2. Meanwhile the sandboxes' zygotes start (they import torch); then one thread per sandbox takes batches of jobs,
   at most one per exercise (a run's results are keyed by exercise name), runs them in the sandbox, and judges
   each with `trusted._judge`, as grading does. The instructor's own solution goes first, as a control.
3. This thread checks the formula perturbations while the sandboxes work.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import cast

from nbformat import NotebookNode
from tqdm import tqdm

from autograder.audit.formula_mutants import judge_perturbation, perturbations
from autograder.audit.mutants import Mutant, expression_mutants
from autograder.audit.results import AuditReport, EdgeUse, MutantResult, SolutionCheck, StaleEquivalent, caught_by
from autograder.audit.rewrites import whole_function_mutants
from autograder.audit.solutions import Prepared, prepare, solutions_in
from autograder.authoring.homework import Homework
from autograder.judging.scoring import ExerciseResult
from autograder.judging.trusted import _judge
from autograder.sandbox import Limits, Sandbox, SandboxRun, warm_sandbox

NOT_GENERATED = "no longer generated: the solution or the mutant operators changed"
CAUGHT = "the hidden tests catch it now ({points:g} / {max_points:g}, {caught_by})"


def run_audit(
    homework: Homework,
    master: NotebookNode,
    *,
    jobs: int | None = None,
    progress: bool = True,
    limits: Limits | None = None,
) -> AuditReport:
    started = time.monotonic()
    workers, limits = max(1, jobs or os.cpu_count() or 1), limits or Limits()
    starting = ThreadPoolExecutor(workers)
    # the first is this process's warm sandbox, kept for the next audit or grading; the others are closed at the end
    sandboxes = [starting.submit(warm_sandbox if index == 0 else _started, limits) for index in range(workers)]
    try:
        prepared, unaudited = _prepare_all(homework, master, progress)
        perturbed = [(answer, perturbation) for answer in homework.formulas for perturbation in perturbations(answer)]
        with tqdm(
            total=len(prepared) + len(perturbed),
            desc="audit: grading mutants",
            unit="mutant",
            file=sys.stderr,
            disable=not progress,
        ) as bar:
            grading = _Grading(prepared, [future.result() for future in sandboxes], bar)
            try:
                formulas = []
                for answer, perturbation in perturbed:  # here, while the sandboxes' threads wait on their runs
                    formulas.append(judge_perturbation(answer, perturbation))
                    bar.update(1)
            except BaseException:
                grading.cancel()  # each thread ends after its current batch; then the sandboxes can close
                raise
            verdicts, unjudged = grading.wait()
    finally:
        starting.shutdown()
        for future in sandboxes[1:]:
            if future.done() and future.exception() is None:
                future.result().close()
    return _report(homework, prepared, verdicts, unjudged, tuple(formulas), unaudited, time.monotonic() - started)


def _started(limits: Limits) -> Sandbox:
    return Sandbox(limits).start()


def _prepare_all(
    homework: Homework, master: NotebookNode, progress: bool
) -> tuple[list[Prepared], tuple[tuple[str, str], ...]]:
    solutions, missing = solutions_in(homework, master)
    mutants: dict[str, list[Mutant | None]] = {  # None: the solution itself
        name: [None]
        + cast("list[Mutant | None]", expression_mutants(name, solution.function))
        + cast("list[Mutant | None]", whole_function_mutants(solution.exercise, solution.function))
        for name, solution in solutions.items()
    }
    work = [(solutions[name], mutant) for name, found in mutants.items() for mutant in found]
    prepared = [
        prepare(solution, mutant, homework)
        for solution, mutant in tqdm(
            work, desc="audit: rebuilding mutants", unit="mutant", file=sys.stderr, disable=not progress
        )
    ]
    return prepared, tuple(missing.items())


class _Grading:
    """One thread per sandbox, each taking the next batch until none is left: a batch is the next job of every
    exercise that has one (a run's results are keyed by exercise name)."""

    def __init__(self, prepared: list[Prepared], sandboxes: list[Sandbox], bar: tqdm):
        self._left: dict[str, deque[Prepared]] = {}
        for item in prepared:
            self._left.setdefault(item.exercise.name, deque()).append(item)
        self._lock = threading.Lock()
        self._bar = bar
        self._verdicts: dict[int, tuple[ExerciseResult, str]] = {}
        self._unjudged: set[int] = set()
        self._pool = ThreadPoolExecutor(len(sandboxes))
        self._running = [self._pool.submit(self._drive, sandbox) for sandbox in sandboxes]

    def _take(self) -> list[Prepared]:
        with self._lock:
            return [queue.popleft() for queue in self._left.values() if queue]

    def _drive(self, sandbox: Sandbox) -> None:
        while batch := self._take():
            jobs = [item.job for item in batch if item.job is not None]
            run = sandbox.run([], jobs) if jobs else SandboxRun()
            for item in batch:
                verdict = _verdict(item, run)
                # a slow neighbour in its batch, or the machine's load
                if item.job is not None and _stopped(verdict[0]):
                    verdict = _verdict(item, sandbox.run([], [item.job]))
                    if _stopped(verdict[0]):
                        self._unjudged.add(id(item))
                self._verdicts[id(item)] = verdict
            self._bar.update(len(batch))

    def wait(self) -> tuple[dict[int, tuple[ExerciseResult, str]], set[int]]:
        """Every verdict (by id of its `Prepared`) with the autograd its process reported, and the ids of those that
        could not be judged; a thread's error is raised here."""
        try:
            for future in self._running:
                future.result()
        finally:
            self._pool.shutdown()
        return self._verdicts, self._unjudged

    def cancel(self) -> None:
        with self._lock:
            self._left.clear()
        self._pool.shutdown()


def _verdict(item: Prepared, run: SandboxRun) -> tuple[ExerciseResult, str]:
    function = run.functions.get(item.exercise.name) if item.job is not None else None
    called = function.autograd if function is not None else ""
    return _judge(item.exercise, run, item.found, item.finding, item.names), called


def _stopped(result: ExerciseResult) -> bool:
    """Its process was stopped on some case (a time limit, a sandbox that died): no verdict on the formula itself."""
    return any(r.check == "stopped" for r in result.cases)


def _report(
    homework: Homework,
    prepared: list[Prepared],
    verdicts: dict,
    unjudged: set[int],
    formulas: tuple,
    unaudited: tuple,
    seconds: float,
) -> AuditReport:
    mutants, solutions, edges = [], [], []
    by_exercise: dict[str, list[tuple[Prepared, ExerciseResult]]] = {}
    for item in prepared:
        result, called = verdicts[id(item)]
        finding = item.finding  # a ByHand or None; a ByHand is always true
        catch = caught_by(
            result,
            cast("str | None", finding and finding.machine),
            cast("str | None", finding and finding.construct),
            called,
        )
        if item.mutant is None:
            solutions.append(SolutionCheck(item.exercise.name, result.points, result.max_points, catch))
            continue
        failing = tuple(r.case.name for r in result.failures)
        equivalent = homework.equivalent_mutants.get((item.exercise.name, item.mutant.id), "")
        mutants.append(
            MutantResult(
                item.mutant,
                result.points,
                result.max_points,
                catch,
                failing,
                equivalent,
                judged=id(item) not in unjudged,
            )
        )
        by_exercise.setdefault(item.exercise.name, []).append((item, result))
    for exercise in homework.exercises:
        for edge in exercise.edges:
            needed = tuple(
                cast(Mutant, item.mutant).id  # by_exercise holds mutants only: solutions are left out above
                for item, result in by_exercise.get(exercise.name, ())
                if _fails_only_at(result, edge.name)
            )
            edges.append(EdgeUse(exercise.name, edge.name, needed))
    return AuditReport(
        tuple(mutants),
        tuple(edges),
        formulas,
        _stale(mutants, {s.exercise for s in solutions}, homework.equivalent_mutants),
        tuple(solutions),
        unaudited,
        len(solutions),
        seconds,
    )


def _fails_only_at(result: ExerciseResult, edge: str) -> bool:
    """Fails some case, and every case it fails is one of this edge's (its float32 and float64 versions)."""
    if not result.failures:  # a function the policy voids still has its cases judged: they count here
        return False
    return all(r.case.group == "edge" and r.case.name.startswith(f"{edge}, ") for r in result.failures)


def _stale(
    results: list[MutantResult], audited: set[str], equivalents: dict[tuple[str, str], str]
) -> tuple[StaleEquivalent, ...]:
    by_key = {(r.mutant.exercise, r.mutant.id): r for r in results}
    stale = []
    for exercise, mutant_id in equivalents:
        if exercise not in audited:
            continue
        result = by_key.get((exercise, mutant_id))
        if result is None:
            stale.append(StaleEquivalent(exercise, mutant_id, NOT_GENERATED))
        elif not result.survived:
            stale.append(
                StaleEquivalent(
                    exercise,
                    mutant_id,
                    CAUGHT.format(points=result.points, max_points=result.max_points, caught_by=result.caught_by),
                )
            )
    return tuple(stale)
