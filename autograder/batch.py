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
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from queue import Queue

import nbformat
from nbgrader.api import Gradebook
from tqdm import tqdm

from .course import NOTEBOOK, Course, function_names, record_zero
from .gradebook import save_autograded
from .grading import GRADED, GRADER_ERROR, UNGRADABLE, StudentResult, log_fault, reasons_in, result_from_gradebook
from .intake import submission_problem
from .nbgrader_plugin import load_master
from .remote import grade_text
from .sandbox import Limits, Sandbox

INTERRUPTED = 130
POLL_SECONDS = 0.25
"""how often the batch looks at the Ctrl-C flag while it waits for a submission"""


@dataclass
class BatchReport:
    results: list[StudentResult] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    interrupted: bool = False
    isolation: str = ""


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


def already_graded(course: Course, student: str) -> bool:
    autograded = course.folder("autograded", student) / NOTEBOOK
    submitted = course.folder("submitted", student) / NOTEBOOK
    if not autograded.exists() or (submitted.exists() and submitted.stat().st_mtime > autograded.stat().st_mtime):
        return False
    with Gradebook(course.db_url, course.coursedir.course_id) as gb:
        try:
            gb.find_submission(course.assignment, student)
            return True
        except Exception:  # nbgrader raises MissingEntry; any lookup failure means "grade it"
            return False


def record_graded(course: Course, student: str, notebook: dict) -> StudentResult:
    """Write one student's grades the way `nbgrader autograde` does, then their autograded notebook."""
    notebook = nbformat.from_dict(notebook)
    timestamp = course.coursedir.get_existing_timestamp(str(course.folder("submitted", student)))
    with interrupts_deferred():
        save_autograded(course.db_url, course.coursedir.course_id, course.assignment, NOTEBOOK[:-6], student, notebook, timestamp)
        destination = course.folder("autograded", student) / NOTEBOOK
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_suffix(".ipynb.partial")
        partial.write_text(json.dumps(notebook, ensure_ascii=False) + "\n")  # the C encoder: no indent
        os.replace(partial, destination)
    return result_from_gradebook(course, student, GRADED, "; ".join(reasons_in(notebook)[:2]))


def _zero(course: Course, student: str, status: str, reason: str) -> StudentResult:
    with interrupts_deferred():
        record_zero(course, student)
    return result_from_gradebook(course, student, status, reason)


def grade_assignment(course: Course, *, jobs: int | None = None, force: bool = False, scheduler: str | None = None,
                     limits: Limits = Limits(), progress: bool = True) -> BatchReport:
    """Grade every submission of `course.assignment`; see the module docstring."""
    report = BatchReport()
    coursedir = course.coursedir
    master, checksums = load_master(coursedir, course.db_url, course.assignment, NOTEBOOK[:-6])
    master_text = nbformat.writes(master)
    grade_ids = {c.metadata["nbgrader"]["grade_id"] for c in master.cells if "nbgrader" in c.metadata}
    todo: list[tuple[str, str]] = []
    for student in course.submitted_students():
        if not force and already_graded(course, student):
            report.skipped.append(student)
            continue
        problem = submission_problem(course.folder("submitted", student), NOTEBOOK, course.assignment, grade_ids, function_names())
        if problem:
            report.results.append(_zero(course, student, UNGRADABLE, problem))
        else:
            todo.append((student, (course.folder("submitted", student) / NOTEBOOK).read_text()))

    if not todo:
        return report
    bar = tqdm(total=len(todo), unit="submission", disable=not progress, dynamic_ncols=True)
    submit, shutdown = (_dask if scheduler else _local)(scheduler or jobs or os.cpu_count() or 1, limits)
    pending: dict[Future, str] = {submit(student, text, master_text, checksums): student for student, text in todo}
    try:
        with ctrl_c_as_a_flag() as stop:
            _record_as_they_finish(course, pending, report, bar, stop)
        report.interrupted = stop.is_set()
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        bar.close()
        shutdown()
    return report


def _record_as_they_finish(course: Course, pending: dict[Future, str], report: BatchReport, bar, stop: threading.Event) -> None:
    """Each submission's rows as its grading finishes, until all are in or Ctrl-C was pressed (between two students)."""
    while pending and not stop.is_set():
        done, _ = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        for future in done:
            student = pending.pop(future)
            try:
                outcome = future.result()
                report.seconds[student] = outcome["seconds"]
                report.isolation = outcome["isolation"]
                report.results.append(record_graded(course, student, outcome["notebook"]))
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # one submission's failure is its own row; the traceback is for the instructor
                log_path = log_fault(course, student, traceback.format_exc())
                report.results.append(_zero(course, student, GRADER_ERROR,
                                            f"the grader failed on this submission: {type(exc).__name__}: {exc} (traceback in {log_path})"))
            bar.update(1)


def _local(jobs: int, limits: Limits):
    """`jobs` warm sandboxes on this machine, one per worker thread."""
    sandboxes: Queue = Queue()
    starters = ThreadPoolExecutor(jobs)
    for sandbox in starters.map(lambda _: Sandbox(limits).start(), range(jobs)):
        sandboxes.put(sandbox)
    starters.shutdown()
    pool = ThreadPoolExecutor(jobs)

    def run(student, text, master_text, checksums):
        sandbox = sandboxes.get()
        try:
            return grade_text(student, text, master_text, checksums, limits.as_dict(), sandbox=sandbox)
        finally:
            sandboxes.put(sandbox)

    def shutdown():
        pool.shutdown(wait=False, cancel_futures=True)
        closing = []
        while not sandboxes.empty():
            closing.append(sandboxes.get())
        with ThreadPoolExecutor(max(len(closing), 1)) as closer:  # each zygote takes a moment to exit
            list(closer.map(Sandbox.close, closing))

    return (lambda *args: pool.submit(run, *args)), shutdown


def _dask(address: str, limits: Limits):
    """The workers of an existing Dask cluster; each keeps its own warm sandbox."""
    from distributed import Client

    client = Client(address)
    remote: list = []  # a Dask future that nobody holds is released, and its task cancelled

    def submit(student, text, master_text, checksums):
        task = client.submit(grade_text, student, text, master_text, checksums, limits.as_dict(), key=f"grade-{student}-{time.time_ns()}", pure=False)
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
