"""`autograder grade`: the whole course in parallel, resumable, safe to interrupt, on Dask too."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from nbgrader.api import Gradebook

from autograder.authoring.exercises import EXERCISES_BY_NAME
from autograder.course import batch
from autograder.course.batch import BatchReport, ctrl_c_as_a_flag, grade_assignment
from autograder.course.folder import Course, generate_release
from autograder.course.nbgrader_path import StudentResult, grade_student
from autograder.feedback.score_table import batch_summary

from .conftest import ROOT, autograded_total, expect_namespaces

pytestmark = pytest.mark.slow


def make_course(root, config_extra: str = "", only: tuple[str, ...] = ()) -> Course:
    """A released course with the bundled samples submitted (those named in `only`, or all of them)."""
    (root / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text() + config_extra)
    shutil.copytree(ROOT / "source", root / "source")
    shutil.copytree(ROOT / "samples" / "submitted", root / "submitted")
    for submitted in (root / "submitted").iterdir() if only else ():
        if submitted.name not in only:
            shutil.rmtree(submitted)
    course = Course(root)
    generate_release(course)
    return course


def points(*names: str) -> float:
    return sum(EXERCISES_BY_NAME[name].points for name in names)


@pytest.fixture(scope="module")
def expected(tmp_path_factory) -> dict[str, float]:
    """Each sample's score on nbgrader's own path: from the registry where the sample's mistakes say it (as
    test_course.py pins them), and ben's partial credit by grading him through `nbgrader autograde` alone."""
    total = autograded_total()
    course = make_course(tmp_path_factory.mktemp("nbgrader-path"))
    ben = grade_student(course, "ben_partly_wrong")
    assert ben.status == "graded" and 0 < ben.auto_score < total
    return {
        "ada_correct": total,
        "ben_partly_wrong": ben.auto_score,
        "cy_stubs": 0,
        "dee_crashes": total - points("sigmoid", "sigmoid_derivative", "bce_logit_derivative"),
        "eve_renamed": total - points("sigmoid_derivative"),
        "fay_invalid_json": 0,
        "gus_missing_notebook": 0,
        "hal_other_assignment": 0,
    }


def scores(report: BatchReport) -> dict[str, float]:
    return {r.student: r.auto_score for r in report.results}


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("batch"))
    return course, grade_assignment(course, jobs=2, progress=False)


def test_parallel_grading_gives_every_student_the_nbgrader_path_score(graded_course, expected):
    course, report = graded_course
    assert scores(report) == pytest.approx(expected)
    with Gradebook(course.db_url, course.coursedir.course_id) as gb:
        assert {s.student.id: s.code_score for s in gb.assignment_submissions("derivatives")} == pytest.approx(expected)
    assert (course.folder("autograded", "ada_correct") / "derivatives.ipynb").exists()
    expect_namespaces(report.isolation)


def test_one_transaction_per_student_leaves_the_gradebook_as_nbgraders_saveautogrades_would(graded_course, tmp_path):
    """As nbgrader_config.py's SaveAutoGrades (nbgrader's, flagging unreadable formulas for manual grading) would."""
    import nbformat

    from autograder.course.gradebook import save_autograded
    from autograder.nbgrader_plugin import SaveGradesFlaggingFormulas

    course, _ = graded_course
    database = course.db_url.removeprefix("sqlite:///")
    rows = {}
    for writer in ("nbgrader", "ours"):
        copy = tmp_path / f"{writer}.db"
        shutil.copy(database, copy)
        url = f"sqlite:///{copy}"
        for student in ("ada_correct", "ben_partly_wrong", "cy_stubs", "dee_crashes", "eve_renamed"):
            notebook = nbformat.read(course.folder("autograded", student) / "derivatives.ipynb", as_version=4)
            with Gradebook(url) as gb:  # forget what the batch wrote, so both writers start from nothing
                for grade in gb.find_submission_notebook("derivatives", "derivatives", student).grades:
                    grade.auto_score, grade.needs_manual_grade = None, False
                gb.db.commit()
            if writer == "nbgrader":
                resources = {
                    "nbgrader": {
                        "assignment": "derivatives",
                        "notebook": "derivatives",
                        "student": student,
                        "db_url": url,
                    }
                }
                SaveGradesFlaggingFormulas().preprocess(notebook, resources)
            else:
                save_autograded(url, course.coursedir.course_id, "derivatives", "derivatives", student, notebook)
        with Gradebook(url) as gb:
            rows[writer] = sorted(
                (s.student.id, g.name, g.auto_score, g.needs_manual_grade)
                for s in gb.assignment_submissions("derivatives")
                for nb in s.notebooks
                for g in nb.grades
            ) + sorted(
                (s.student.id, c.name, c.auto_comment)
                for s in gb.assignment_submissions("derivatives")
                for nb in s.notebooks
                for c in nb.comments
            )
    assert rows["ours"] == rows["nbgrader"]
    assert ("ben_partly_wrong", "hidden_tests_answer_bce_wrt_prediction", None, True) in rows[
        "ours"
    ]  # the unreadable formula


def test_a_second_run_skips_what_is_graded_and_force_grades_it_again(graded_course, expected):
    course, _ = graded_course
    again = grade_assignment(course, jobs=1, progress=False)  # an unreadable file as it was keeps its row too
    assert sorted(again.skipped) == sorted(expected) and again.results == []
    forced = grade_assignment(course, jobs=1, force=True, progress=False)
    assert forced.skipped == [] and scores(forced) == pytest.approx(expected)


def test_a_grader_fault_on_one_submission_is_that_submissions_row(tmp_path, monkeypatch, expected):
    course = make_course(tmp_path)
    real = batch.grade_text
    calls = []

    def faulty(student, *args, **kwargs):
        calls.append(student)
        if student == "cy_stubs":
            raise RuntimeError("simulated grader bug")
        return real(student, *args, **kwargs)

    monkeypatch.setattr(batch, "grade_text", faulty)
    report = grade_assignment(course, jobs=2, progress=False)
    rows = {r.student: r for r in report.results}
    assert calls.count("cy_stubs") == 2  # retried once
    assert rows["cy_stubs"].status == "grader error"
    assert rows["cy_stubs"].reason == (
        f"the grader failed on this submission: RuntimeError: simulated grader bug "
        f"(tracebacks in {tmp_path / 'logs' / 'grader-faults.log'})"
    )
    assert (tmp_path / "logs" / "grader-faults.log").read_text().count("RuntimeError: simulated grader bug") == 2
    assert scores(report) == pytest.approx(expected)
    with Gradebook(course.db_url, course.coursedir.course_id) as gb:  # the grader's failure, never the student's zero
        grades = gb.find_submission_notebook("derivatives", "derivatives", "cy_stubs").grades
        assert {(g.auto_score, g.needs_manual_grade) for g in grades if g.name.startswith("hidden_tests_")} == {
            (None, True)
        }
    monkeypatch.setattr(batch, "grade_text", real)
    # no --force: a student the grader failed on is graded again
    again = grade_assignment(course, jobs=2, progress=False)
    assert [(r.student, r.status) for r in again.results if r.status != "ungradable"] == [("cy_stubs", "graded")]


def test_files_the_student_controls_beside_the_notebook_and_a_name_the_gradebook_cannot_store_cost_only_their_row(
    tmp_path, expected
):
    course = make_course(tmp_path)
    for student in (
        "ben_partly_wrong",
        "cy_stubs",
        "dee_crashes",
        "eve_renamed",
        "gus_missing_notebook",
        "hal_other_assignment",
    ):
        shutil.rmtree(tmp_path / "submitted" / student)
    for student in (
        "ada_correct",
        "fay_invalid_json",
    ):  # graded, and ungradable: each writes the submission's timestamp
        (course.folder("submitted", student) / "timestamp.txt").write_text("not a date")
    shutil.copytree(tmp_path / "submitted" / "ada_correct", tmp_path / "submitted" / "cafe")
    os.rename(os.fsencode(tmp_path / "submitted" / "cafe"), os.fsencode(tmp_path / "submitted") + b"/caf\xe9")
    report = grade_assignment(course, jobs=1, progress=False)
    rows = {r.student: (r.status, r.auto_score, r.reason) for r in report.results}
    assert rows["ada_correct"][:2] == ("graded", expected["ada_correct"])
    assert rows["fay_invalid_json"][:2] == ("ungradable", 0)
    assert rows["caf\\udce9"] == (
        "ungradable",
        0,
        "the folder name is not UTF-8 text, which the gradebook cannot store; rename the folder and grade again",
    )


def test_a_grader_fault_is_retried_once_and_the_retry_counts(tmp_path, monkeypatch, expected):
    course = make_course(tmp_path)
    for student in (
        "ben_partly_wrong",
        "cy_stubs",
        "dee_crashes",
        "eve_renamed",
        "fay_invalid_json",
        "gus_missing_notebook",
        "hal_other_assignment",
    ):
        shutil.rmtree(tmp_path / "submitted" / student)
    real, calls = batch.grade_text, []

    def fails_once(student, *args, **kwargs):
        calls.append(student)
        if len(calls) == 1:
            raise SystemError("AST constructor recursion depth mismatch (simulated)")
        return real(student, *args, **kwargs)

    monkeypatch.setattr(batch, "grade_text", fails_once)
    report = grade_assignment(course, jobs=1, progress=False)
    assert calls == ["ada_correct", "ada_correct"]
    assert [(r.student, r.status, r.auto_score) for r in report.results] == [
        ("ada_correct", "graded", expected["ada_correct"])
    ]
    assert (
        "AST constructor recursion depth mismatch (simulated)" in (tmp_path / "logs" / "grader-faults.log").read_text()
    )


def test_four_sandboxes_at_once_several_times_over_make_no_grader_fault(tmp_path, expected):
    """The parent parses and compiles in one thread at a time (python/cpython#106905); a correct student got a
    grader fault at random when it did not. Every round grades the samples at --jobs 4 from scratch."""
    course = make_course(tmp_path)
    for round_number in range(3):
        report = grade_assignment(course, jobs=4, force=True, progress=False)
        assert [r.reason for r in report.results if r.status == "grader error"] == [], f"round {round_number}"
        assert scores(report) == pytest.approx(expected)
    assert not (tmp_path / "logs" / "grader-faults.log").exists()


def test_ctrl_c_during_the_batch_is_a_flag_that_cannot_be_lost():
    """Python's own handler raises KeyboardInterrupt wherever the main thread is, a weakref callback included, where
    it is printed and dropped (seen in CI: the batch ran to the end after Ctrl-C). The batch's handler sets a flag."""
    before = signal.getsignal(signal.SIGINT)
    with ctrl_c_as_a_flag() as stop:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.1)  # the handler runs at the next bytecode boundary of the main thread
        assert stop.is_set()
    assert signal.getsignal(signal.SIGINT) is before


def test_ctrl_c_leaves_no_half_written_student_and_the_next_run_finishes(tmp_path):
    course = make_course(tmp_path)
    slow = (
        (ROOT / "samples" / "submitted" / "ada_correct" / "derivatives" / "derivatives.ipynb")
        .read_text()
        .replace("import torch\\n", "import torch\\nimport time\\ntime.sleep(0.5)\\n", 1)
    )
    for index in range(12):
        folder = tmp_path / "submitted" / f"slow_{index:02d}" / "derivatives"
        folder.mkdir(parents=True)
        (folder / "derivatives.ipynb").write_text(slow)
    command = [sys.executable, "-m", "autograder", "grade", "--course", str(tmp_path), "--jobs", "2", "--no-progress"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while (
        not list((tmp_path / "autograded").glob("slow_*/derivatives/derivatives.ipynb")) and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 130, output
    assert "interrupted: what was graded is saved; run the same command again to finish" in output
    with Gradebook(course.db_url, course.coursedir.course_id) as gb:
        for submission in gb.assignment_submissions("derivatives"):
            hidden = [g for nb in submission.notebooks for g in nb.grades if g.name.startswith("hidden_tests_")]
            # all written or none (a formula flagged for manual grading is written, with no automatic score)
            assert len({g.auto_score is None and not g.needs_manual_grade for g in hidden}) == 1, (
                f"{submission.student.id} is half-written"
            )
        graded_before = {s.student.id for s in gb.assignment_submissions("derivatives")}
    assert 0 < len([s for s in graded_before if s.startswith("slow_")]) < 12
    finished = grade_assignment(course, jobs=2, progress=False)
    assert set(finished.skipped) <= graded_before
    with Gradebook(course.db_url, course.coursedir.course_id) as gb:
        totals = {s.student.id: s.code_score for s in gb.assignment_submissions("derivatives")}
    assert {k: v for k, v in totals.items() if k.startswith("slow_")} == {f"slow_{i:02d}": 22 for i in range(12)}


def test_a_dask_cluster_of_worker_processes_grades_the_same(tmp_path, expected):
    from distributed import LocalCluster

    course = make_course(tmp_path)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        report = grade_assignment(course, scheduler=cluster.scheduler_address, progress=False)
    assert scores(report) == pytest.approx(expected)
    expect_namespaces(report.isolation)


@pytest.mark.skipif(
    "AUTOGRADER_TEST_POSTGRES_URL" not in os.environ,
    reason="set AUTOGRADER_TEST_POSTGRES_URL (.ci/run starts PostgreSQL)",
)
def test_the_gradebook_can_live_in_postgresql(tmp_path, postgresql_to_this_test, expected):
    from sqlalchemy import create_engine, text

    url = os.environ["AUTOGRADER_TEST_POSTGRES_URL"]
    engine = create_engine(url)
    with engine.begin() as connection:  # a clean schema for this run
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    course = make_course(tmp_path, f"\nc.CourseDirectory.db_url = {url!r}\n")
    assert course.db_url.startswith("postgresql")
    report = grade_assignment(course, jobs=2, progress=False)
    assert scores(report) == pytest.approx(expected)
    with Gradebook(url, course.coursedir.course_id) as gb:
        assert {s.student.id: s.code_score for s in gb.assignment_submissions("derivatives")} == pytest.approx(expected)


def test_the_summary_lists_a_graded_student_only_when_the_sandbox_cut_them_short():
    from autograder.sandbox.runner import STOPPED_TIME

    cut_short = f"`f(x)` could not be called: {STOPPED_TIME.format(seconds=60)}."
    report = BatchReport(
        results=[
            StudentResult(
                "cy", "graded", 3, 17, True, "Cell 3 stopped at line 2 (`1/0`) with ZeroDivisionError: division by zero"
            ),
            StudentResult("dee", "graded", 3, 17, True, cut_short),
        ],
        seconds={"cy": 0.3, "dee": 60.1},
        isolation="namespaces",
    )
    summary = batch_summary(report, 61.0).split("\n")
    assert summary[summary.index("failures:") + 1 :] == [f"  dee (graded): {cut_short}"]


def test_the_summary_counts_outcomes_names_the_slowest_and_every_failure():
    report = BatchReport(
        results=[
            StudentResult("ada", "graded", 17, 17, True),
            StudentResult("fay", "ungradable", 0, 17, False, "not JSON"),
        ],
        seconds={"ada": 0.25},
        skipped=["old"],
        isolation="namespaces",
    )
    assert batch_summary(report, 2.0) == "\n".join(
        [
            "2 submissions in 2.0 s (0.5 graded per second; isolation: namespaces)",
            "  graded                       1",
            "  skipped, already graded      1",
            "  ungradable                   1",
            "slowest: ada 0.25 s",
            "failures:",
            "  fay (ungradable): not JSON",
        ]
    )


def test_each_page_is_written_once_as_its_student_is_recorded_and_the_final_pass_keeps_it(tmp_path, monkeypatch):
    """The pages are made while the others are graded; write_outputs at the end finds them up to date (same
    fingerprint), so no page is drawn twice."""
    from autograder.feedback import outputs as reports
    from autograder.feedback import pages as feedback_html

    course = make_course(tmp_path, only=("ada_correct", "ben_partly_wrong"))
    drawn: list[str] = []
    page = feedback_html.student_page

    def counted(student, *args, **kwargs):
        drawn.append(student)
        return page(student, *args, **kwargs)

    monkeypatch.setattr(reports, "student_page", counted)
    report = grade_assignment(course, jobs=1, progress=False, outputs=True)
    assert sorted(drawn) == ["ada_correct", "ben_partly_wrong"]
    assert sorted(report.outputs.pages) == ["ada_correct", "ben_partly_wrong"]
    assert all(page.read_text().startswith("<!-- autograder ") for page in report.outputs.pages.values())


def test_a_zygote_started_early_is_the_one_a_sandbox_adopts():
    from autograder.sandbox import Sandbox
    from autograder.sandbox.launch import start_early, take_early

    start_early(1)
    with Sandbox() as box:
        adopted = box._process.pid
        assert take_early() is None
        assert box.run([(0, "print('warm')")], []).outputs[0][0]["text"] == "warm\n"
    start_early(1)
    early = take_early()
    assert early is not None and early[0].pid != adopted
    early[1].close()
    early[0].wait(timeout=30)


def test_a_sandbox_that_does_not_start_leaves_the_others_to_grade_and_none_starting_stops_the_batch(
    tmp_path, monkeypatch, expected
):
    from autograder.sandbox import runner

    course = make_course(tmp_path, only=("ada_correct", "ben_partly_wrong"))
    real, failed = runner.Sandbox.start, []

    def first_fails(self):
        if not failed:
            failed.append(self)
            raise RuntimeError("the sandbox zygote did not start")
        return real(self)

    monkeypatch.setattr(runner.Sandbox, "start", first_fails)
    report = grade_assignment(course, jobs=2, progress=False)
    assert failed and scores(report) == {
        "ada_correct": expected["ada_correct"],
        "ben_partly_wrong": expected["ben_partly_wrong"],
    }

    def never(self):
        raise RuntimeError("the sandbox zygote did not start")

    monkeypatch.setattr(runner.Sandbox, "start", never)
    with pytest.raises(batch.WorkersDidNotStart, match="no sandbox of the grader's started"):
        grade_assignment(course, jobs=2, force=True, progress=False)
