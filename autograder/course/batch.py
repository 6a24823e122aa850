"""`autograder grade`: a whole assignment folder, in parallel, into nbgrader's gradebook.

Submissions go to warm sandboxes (`--jobs` of them here, or the workers of a Dask cluster); this
process alone reads the master and writes the gradebook and autograded/. It is resumable (what is
graded is skipped unless `force`), a student's rows are written whole even on Ctrl-C, and a failure
on one submission is that submission's row, never the batch's end.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from queue import Queue
from typing import TYPE_CHECKING, cast

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from tqdm import tqdm

from autograder.authoring.homework import homework_from_text
from autograder.course.folder import NOTEBOOK, Course, record_not_graded, submission_timestamp, write_whole
from autograder.course.from_nbgrader import load_master
from autograder.course.gradebook import save_into
from autograder.course.intake import IntakeFault, read_submission
from autograder.course.lock import course_lock
from autograder.course.nbgrader_path import (
    GRADED,
    GRADER_ERROR,
    UNGRADABLE,
    StudentResult,
    grader_fault,
    log_fault,
    result_from_gradebook,
)
from autograder.course.outcomes import Status, recall, remember
from autograder.course.workers import grade_text
from autograder.errors import BadOption, NotReleased
from autograder.feedback.instructor_text import plain
from autograder.judging.trusted import check_in_step
from autograder.nbgrader_cells import grade_ids
from autograder.nbgrader_plugin import course_limits
from autograder.sandbox import Limits, Sandbox

if TYPE_CHECKING:
    from autograder.feedback.outputs import Outputs

    Workers = tuple[Callable[..., Future], Callable[[], None]]
    """(submit one student's grading: a Future of its result, shut the workers down)"""

INTERRUPTED = 130
NOT_RELEASED = (
    "'{assignment}' has no release in {root} ({why}); run `autograder release --course {root}` first, "
    "so the gradebook knows the assignment's cells and points"
)
BAD_JOBS = "--jobs must be a whole number of sandboxes, at least 1 (got {jobs})"
UNREADABLE = "the grader could not read {name}: {error}"
NAME_NOT_UTF8 = "the folder name is not UTF-8 text, which the gradebook cannot store; rename the folder and grade again"
INTAKE_FAULT = "{fault} (traceback in {log_path})"
NOT_RECORDED = "{reason}; and the gradebook could not record it: {error} (traceback in {log_path})"
POLL_SECONDS = 0.25
"""how often the batch looks at the Ctrl-C flag while it waits for a submission"""


@dataclass
class BatchReport:
    results: list[StudentResult] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    interrupted: bool = False
    isolation: str = ""
    outputs: Outputs | None = None
    """every output rebuilt from the gradebook (when asked for)"""


@contextmanager
def interrupts_deferred():
    """Hold Ctrl-C until the block is done, then raise it: a student's rows are written whole."""
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if held:
            raise KeyboardInterrupt


@contextmanager
def ctrl_c_as_a_flag():
    """Ctrl-C sets a flag that the batch reads between students. A KeyboardInterrupt raised by Python's own handler
    can land inside a weakref callback or a __del__, where it is printed and lost; a flag cannot be lost."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():  # only the main thread may handle signals
        yield stop
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def already_graded(course: Course, student: str, outcomes: dict, gb: Gradebook) -> bool:
    """Graded, its autograded notebook newer than the submission, and its last grading not a fault of ours
    (a student the grader failed on is graded again by the next run, without --force)."""
    autograded = course.folder("autograded", student) / NOTEBOOK
    submitted = course.folder("submitted", student) / NOTEBOOK
    if not autograded.exists() or (submitted.exists() and submitted.stat().st_mtime > autograded.stat().st_mtime):
        return False
    if student in outcomes and outcomes[student].status == GRADER_ERROR:
        return False
    return _in_gradebook(course, student, gb)


def _in_gradebook(course: Course, student: str, gb: Gradebook) -> bool:
    try:
        gb.find_submission(course.assignment, student)
        return True
    except MissingEntry:  # a database that fails is not a student to grade again: that error goes up
        return False
    finally:
        gb.db.rollback()  # no transaction left open while other connections write


def record_graded(course: Course, gb: Gradebook, student: str, notebook: dict, seconds: float = 0.0) -> StudentResult:
    """Write one student's grades the way `nbgrader autograde` does, then their autograded notebook."""
    notebook = cast(nbformat.NotebookNode, nbformat.from_dict(notebook))
    timestamp = submission_timestamp(course, student)
    # the same reason as results.csv's; feedback.outputs is loaded late, as in the summary
    from autograder.feedback.outputs import reason_in

    reason = reason_in(notebook)
    with interrupts_deferred():
        scores = save_into(gb, course.assignment, NOTEBOOK[:-6], student, notebook, timestamp)
        destination = course.folder("autograded", student) / NOTEBOOK
        destination.parent.mkdir(parents=True, exist_ok=True)
        write_whole(destination, json.dumps(notebook, ensure_ascii=False) + "\n")  # the C encoder: no indent
        remember(course, student, GRADED, reason, seconds)
    return StudentResult(student, GRADED, *scores, reason)


def record_not_scored(course: Course, student: str, status: Status, reason: str) -> StudentResult:
    """Ungradable (0, the student's file) or a grader fault (no score, flagged): what a person entered stays.
    If even that cannot be written, the row says so and the batch goes on."""
    try:
        with interrupts_deferred():
            record_not_graded(course, student, grader_fault=status == GRADER_ERROR)
            remember(course, student, status, reason)
        return result_from_gradebook(course, student, status, reason)
    except Exception as exc:  # the gradebook refused this student (a name it cannot store, say): their row, not the end
        log_path = log_fault(course, student, traceback.format_exc())
        return StudentResult(
            student,
            GRADER_ERROR,
            0.0,
            0.0,
            True,
            NOT_RECORDED.format(reason=reason, error=f"{type(exc).__name__}: {exc}", log_path=log_path),
        )


def _master(course: Course):
    try:
        return load_master(course.coursedir, course.db_url, course.assignment, NOTEBOOK[:-6])
    except (MissingEntry, FileNotFoundError) as exc:
        why = "no source notebook" if isinstance(exc, FileNotFoundError) else "the gradebook does not have it"
        raise NotReleased(NOT_RELEASED.format(assignment=course.assignment, root=course.root, why=why)) from None


def _intake(
    course: Course, student: str, grade_ids: set[str], functions: set[str]
) -> tuple[str | None, str | None, str | None]:
    """(the submission's text as it was checked, why the student's file cannot be graded, a fault of ours):
    whatever it is, it is that student's row."""
    try:
        text, problem = read_submission(
            course.folder("submitted", student), NOTEBOOK, course.assignment, grade_ids, functions
        )
        return text, problem, None
    except Exception as exc:  # IntakeFault, or anything else: no file explains it
        log_path = log_fault(course, student, traceback.format_exc())
        fault = (
            str(exc)
            if isinstance(exc, IntakeFault)
            else UNREADABLE.format(name=NOTEBOOK, error=f"{type(exc).__name__}: {exc}")
        )
        return None, None, INTAKE_FAULT.format(fault=fault, log_path=log_path)


def grade_assignment(
    course: Course,
    *,
    jobs: int | None = None,
    force: bool = False,
    scheduler: str | None = None,
    limits: Limits | None = None,
    progress: bool = True,
    outputs: bool = False,
) -> BatchReport:
    """Grade every submission of `course.assignment`; see the module docstring. One run per course at a time.
    `outputs`: rebuild results.csv, every feedback page and the class report at the end (what the CLI does)."""
    if jobs is not None and jobs < 1:
        raise BadOption(BAD_JOBS.format(jobs=jobs))
    with course_lock(course.root):
        report = _grade(course, jobs, force, scheduler, limits or course_limits(course.config), progress, pages=outputs)
        if outputs:
            from autograder.feedback.outputs import write_outputs

            report.outputs = write_outputs(course)
    return report


def _storable(name: str) -> bool:
    try:
        name.encode("utf-8")  # a folder name of bytes that are not UTF-8 arrives with surrogates
        return True
    except UnicodeEncodeError:
        return False


def _grade(
    course: Course,
    jobs: int | None,
    force: bool,
    scheduler: str | None,
    limits: Limits,
    progress: bool,
    pages: bool = False,
) -> BatchReport:
    report = BatchReport()
    master, checksums = _master(course)
    master_text = nbformat.writes(master)
    # read once for the whole batch, and said in one sentence if it is broken, before any student
    homework = course.homework
    check_in_step(master, homework)
    master_ids = grade_ids(master)
    texts: dict[str, str] = {}
    pending: dict[Future, str] = {}
    outcomes = recall(course)
    workers: Workers | None = None
    bar = tqdm(total=0, unit="submission", disable=not progress, dynamic_ncols=True)
    try:
        with Gradebook(course.db_url, course.coursedir.course_id) as gb, ctrl_c_as_a_flag() as stop:
            recorder = Recorder(
                course,
                gb,
                pending,
                report,
                bar,
                lambda student: pending.setdefault(
                    # only called once workers have started (below, before the first resubmit)
                    cast("Workers", workers)[0](student, texts[student], master_text, checksums),
                    student,
                ),
                pages=pages,
            )
            for student in course.submitted_students():
                if stop.is_set():
                    break
                text = _take_in(course, gb, student, force, outcomes, report, master_ids, homework.function_names)
                if text is None:
                    continue
                if workers is None:  # started at the first submission to grade, and while the others are read
                    workers = (
                        _dask(scheduler, limits, homework.text)
                        if scheduler
                        else _local(jobs or os.cpu_count() or 1, limits, homework.text)
                    )
                texts[student] = text
                bar.total += 1
                bar.refresh()
                recorder.resubmit(student)
                recorder.record_finished(wait_seconds=0)  # the first students' rows while the rest are read
            while pending and not stop.is_set():
                recorder.record_finished(wait_seconds=POLL_SECONDS)
            report.interrupted = stop.is_set()
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        bar.close()
        if workers is not None:
            workers[1]()
    return report


def _take_in(
    course: Course,
    gb: Gradebook,
    student: str,
    force: bool,
    outcomes: dict,
    report: BatchReport,
    grade_ids: set[str],
    functions: set[str],
) -> str | None:
    """The submission's text if it is to be graded now; otherwise its row (or its skip) is in `report`."""
    if not _storable(student):
        report.results.append(StudentResult(plain(student), UNGRADABLE, 0.0, 0.0, False, NAME_NOT_UTF8))
        return None
    if not force and already_graded(course, student, outcomes, gb):
        report.skipped.append(student)
        return None
    text, problem, fault = _intake(course, student, grade_ids, functions)
    if fault:
        report.results.append(record_not_scored(course, student, GRADER_ERROR, fault))
    elif (
        problem
        and not force
        and student in outcomes
        and outcomes[student][:2] == (UNGRADABLE, problem)
        and (_in_gradebook(course, student, gb))
    ):
        report.skipped.append(student)  # as it was: its row stands (writing it again would flag a reviewed score)
    elif problem:
        report.results.append(record_not_scored(course, student, UNGRADABLE, problem))
    else:
        return text
    return None


@dataclass
class Recorder:
    """Each submission's rows as its grading finishes. A fault of ours is logged and graded once more; a second one is
    that student's row, shown as the grader's."""

    course: Course
    gb: Gradebook
    pending: dict[Future, str]
    report: BatchReport
    bar: tqdm
    resubmit: Callable[[str], object]
    pages: bool = False
    """write each student's feedback page as they are recorded"""
    retried: set[str] = field(default_factory=set)

    def record_finished(self, wait_seconds: float) -> None:
        done, _ = wait(self.pending, timeout=wait_seconds, return_when=FIRST_COMPLETED)
        stopped: WorkersDidNotStart | None = None
        # the graded ones first
        for future in sorted(done, key=lambda f: isinstance(f.exception(), WorkersDidNotStart)):
            student = self.pending.pop(future)
            try:
                outcome = future.result()
                self.report.isolation = outcome["isolation"]
                result = record_graded(self.course, self.gb, student, outcome["notebook"], outcome["seconds"])
                self.report.results.append(result)
                self.report.seconds[student] = outcome["seconds"]
                if self.pages:
                    from autograder.feedback.outputs import write_page_now

                    write_page_now(self.course, result, outcome["notebook"], outcome["seconds"])
            except WorkersDidNotStart as exc:
                stopped = exc
                continue
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # the traceback is for the instructor
                reason = grader_fault(self.course, student, exc)
                if student not in self.retried:
                    self.retried.add(student)
                    self.resubmit(student)
                    continue
                self.report.results.append(record_not_scored(self.course, student, GRADER_ERROR, reason))
            self.bar.update(1)
        if stopped is not None:
            raise stopped


class WorkersDidNotStart(RuntimeError):
    """No sandbox could be started on this machine: the batch stops (no student is blamed, none is graded)."""


def _local(jobs: int, limits: Limits, homework_text: str) -> Workers:
    """`jobs` warm sandboxes on this machine, one per worker thread, and as many formula helpers at most, so one
    student's hostile formula never waits another's out. They start in the background: the batch goes on reading
    submissions meanwhile, and each grading thread takes the first sandbox that is ready."""
    from autograder.formulas.worker import formula_checker

    checker = formula_checker(limits.formula_seconds, size=jobs)
    sandboxes: Queue = Queue()
    failures: list[BaseException] = []
    failures_lock = threading.Lock()

    def start_one() -> None:
        sandbox = Sandbox(limits)
        try:
            sandboxes.put(sandbox.start())
        except BaseException as exc:  # the others grade without it; if none started, every grading thread is told
            sandbox.close()
            with failures_lock:
                failures.append(exc)
                if len(failures) == jobs:
                    sandboxes.put(exc)

    starters = ThreadPoolExecutor(jobs + 1)
    for _ in range(jobs):
        starters.submit(start_one)
    if homework_from_text(homework_text).formulas:
        starters.submit(checker.warm)  # the formula helper's parser is built while the sandboxes start
    pool = ThreadPoolExecutor(jobs)

    def run(student, text, master_text, checksums):
        sandbox = sandboxes.get()
        if isinstance(sandbox, BaseException):
            sandboxes.put(sandbox)
            raise WorkersDidNotStart(
                f"no sandbox of the grader's started: {type(sandbox).__name__}: {sandbox}"
            ) from sandbox
        try:
            return grade_text(
                student, text, master_text, checksums, limits.as_dict(), sandbox=sandbox, homework_text=homework_text
            )
        except BaseException:
            sandbox.close()  # whatever went wrong, the retry (and the next student) gets a fresh zygote
            raise
        finally:
            sandboxes.put(sandbox)

    def shutdown():
        pool.shutdown(wait=False, cancel_futures=True)
        starters.shutdown(wait=True)  # a sandbox still starting is in the queue once this returns
        closing = []
        while not sandboxes.empty():
            item = sandboxes.get()
            if isinstance(item, Sandbox):
                closing.append(item)
        with ThreadPoolExecutor(max(len(closing), 1)) as closer:  # each zygote takes a moment to exit
            list(closer.map(Sandbox.close, closing))

    return (lambda *args: pool.submit(run, *args)), shutdown


def _dask(address: str, limits: Limits, homework_text: str) -> Workers:
    """The workers of an existing Dask cluster; each keeps its own warm sandbox."""
    from distributed import Client

    client = Client(address)
    remote: list = []  # a Dask future that nobody holds is released, and its task cancelled

    def submit(student, text, master_text, checksums):
        task = client.submit(
            grade_text,
            student,
            text,
            master_text,
            checksums,
            limits.as_dict(),
            homework_text=homework_text,
            key=f"grade-{student}-{time.time_ns()}",
            pure=False,
        )
        local: Future = Future()
        remote.append(task)

        def relay(done):
            try:
                local.set_result(done.result())
            except BaseException as exc:  # the task's failure becomes this submission's row
                local.set_exception(exc)

        task.add_done_callback(relay)
        return local

    return submit, client.close
