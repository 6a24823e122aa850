"""The boundary's attacks are real: outside the sandbox each one reaches its target. Inside, on a Dask worker
and against a PostgreSQL gradebook too, none does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.authoring.synthetic import fill_release, solutions_of
from autograder.course.batch import grade_assignment
from autograder.course.nbgrader_path import grade_student

from .adversarial import ATTACKS, FOUND, base
from .conftest import ROOT, expect_namespaces
from .test_adversarial import POSTGRES_URL, graded_before, make_course, scores, submit

pytestmark = pytest.mark.slow
BY_ID = dict(ATTACKS)
REACHING = [
    "solutions_read_from_every_copy",
    "solutions_in_git_objects",
    "exported_grades_read",
    "etc_shadow_and_home_read",
    "instructors_terminal_written_to",
]


def attack_code(attack_id: str, context: dict[str, str]) -> str:
    """The code the attack adds to its notebook, as one program."""
    master = nbformat.read(ROOT / "source" / "derivatives" / "derivatives.ipynb", as_version=4)
    before = base(solutions_of(master))
    answers, _ = BY_ID[attack_id](before, None, context)
    code = (
        answers["impl_sigmoid"]
        if attack_id == "solutions_read_from_every_copy"
        else answers["impl_bce"][len(before["impl_bce"]) :]
    )
    return (
        "import torch\n" + code + ("\nsigmoid_derivative(torch.zeros(2))\n" if "def sigmoid_derivative" in code else "")
    )


@pytest.fixture(scope="module")
def course_graded_before(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("graded-before"))
    release = nbformat.read(course.folder("release") / "derivatives.ipynb", as_version=4)
    submit(
        course,
        "bystander",
        fill_release(
            release, solutions_of(nbformat.read(ROOT / "source" / "derivatives" / "derivatives.ipynb", as_version=4))
        ),
    )
    grade_student(course, "bystander")
    graded_before(course)
    return course


@pytest.mark.parametrize("attack_id", REACHING)
def test_outside_the_sandbox_the_attack_reaches_its_target(course_graded_before, attack_id, tmp_path):
    leader, follower = os.openpty()
    context = {
        "repo": str(ROOT),
        "course": str(course_graded_before.coursedir.root),
        "pty": os.ttyname(follower),
        "postgres": POSTGRES_URL,
    }
    code = attack_code(attack_id, context)
    # outside, the terminal attack writes to this test's own terminal only: every /dev/pts/* would include the
    # terminal another test file watches while it runs in parallel
    code = code.replace('glob.glob("/dev/pts/*") + ["/dev/tty", "/dev/console", ', "[")
    assert "/dev/pts/*" not in code
    try:
        ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    finally:
        os.close(leader)
        os.close(follower)
    assert FOUND in ran.stdout, ran.stdout[-2000:] + ran.stderr[-2000:]


@pytest.mark.skipif(
    "AUTOGRADER_TEST_POSTGRES_URL" not in os.environ,
    reason="set AUTOGRADER_TEST_POSTGRES_URL (.ci/run starts PostgreSQL)",
)
def test_a_postgresql_gradebook_is_out_of_reach_on_both_paths_though_reachable_outside(
    tmp_path, postgresql_to_this_test
):
    from sqlalchemy import create_engine, text

    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:  # a clean schema for this run
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    course = make_course(tmp_path / "pg", f"\nc.CourseDirectory.db_url = {POSTGRES_URL!r}\n")
    master = nbformat.read(ROOT / "source" / "derivatives" / "derivatives.ipynb", as_version=4)
    release = nbformat.read(course.folder("release") / "derivatives.ipynb", as_version=4)
    context = {"repo": str(ROOT), "course": str(course.coursedir.root), "pty": "/dev/null", "postgres": POSTGRES_URL}
    submit(course, "bystander", fill_release(release, solutions_of(master)))
    submit(course, "control", fill_release(release, base(solutions_of(master))))
    answers, notebook = BY_ID["postgresql_through_its_socket"](base(solutions_of(master)), release, context)
    submit(course, "attacker", fill_release(notebook, answers))
    grade_student(course, "bystander")
    bystander = scores(course, "bystander")
    grade_student(course, "attacker")
    grade_assignment(course, jobs=1, progress=False, force=True)
    assert scores(course, "bystander") == bystander
    assert scores(course, "attacker") == scores(course, "control")
    outside = subprocess.run(
        [sys.executable, "-c", attack_code("postgresql_through_its_socket", context)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert FOUND in outside.stdout, outside.stdout + outside.stderr
    with Gradebook(POSTGRES_URL, course.coursedir.course_id) as gb:  # outside, the attack did rewrite the grades
        assert {g.auto_score for g in gb.find_submission("derivatives", "bystander").notebooks[0].grades} == {99}


def test_a_dask_worker_sees_no_more_than_a_local_sandbox(tmp_path):
    from distributed import LocalCluster

    course = make_course(tmp_path / "dask")
    root = Path(course.coursedir.root)
    master = nbformat.read(ROOT / "source" / "derivatives" / "derivatives.ipynb", as_version=4)
    release = nbformat.read(course.folder("release") / "derivatives.ipynb", as_version=4)
    context = {"repo": str(ROOT), "course": str(root), "pty": "/dev/null", "postgres": POSTGRES_URL}
    submit(course, "bystander", fill_release(release, solutions_of(master)))
    grade_student(course, "bystander")
    graded_before(course)
    bystander = scores(course, "bystander")
    submit(course, "control", fill_release(release, base(solutions_of(master))))
    attacks = [
        "solutions_read_from_every_copy",
        "exported_grades_read",
        "rewrites_the_gradebook",
        "forged_frames_from_a_cell",
        "whole_filesystem_swept",
    ]
    for attack_id in attacks:
        answers, notebook = BY_ID[attack_id](base(solutions_of(master)), release, context)
        submit(course, attack_id, fill_release(notebook, answers))
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        report = grade_assignment(course, scheduler=cluster.scheduler_address, progress=False)
    expect_namespaces(report.isolation)  # what follows holds only behind the namespaces' allowlisted view
    assert scores(course, "bystander") == bystander
    for attack_id in attacks:
        assert scores(course, attack_id) == scores(course, "control"), attack_id
        autograded = nbformat.read(course.folder("autograded", attack_id) / "derivatives.ipynb", as_version=4)
        assert [o for c in autograded.cells for o in c.get("outputs", []) if FOUND in str(o)] == [], attack_id
