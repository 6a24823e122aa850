"""What one submission costs on the trusted path, step by step, against the grader at another commit.

    python benchmarks/trusted_path_cost.py --repeat 20 --baseline 4c58673

Grades the master's own solutions (every function right, every figure drawn) `--repeat` times in one warm
sandbox, here and (with --baseline) with the package as it was at that commit, checked out into a temporary
git worktree and run in a subprocess on the same machine in the same run. Prints medians: the static
rebuild of the functions, the cells sandbox, the functions sandbox (one process per function), and the
whole grade_notebook call, then the ratio of the totals.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DRIVER = """
import json, sys, time
import nbformat
from autograder.sandbox import Sandbox
from autograder.authoring.synthetic import fill_release, solutions_of
from autograder.judging.trusted import grade_notebook
root, repeat = sys.argv[1], int(sys.argv[2])
master = nbformat.read(root + "/source/derivatives/derivatives.ipynb", as_version=4)
release = nbformat.read(root + "/release/derivatives/derivatives.ipynb", as_version=4)
submission = fill_release(release, solutions_of(master))
totals = []
with Sandbox() as box:
    grade_notebook(submission, master, box)  # warm: first-use costs are not per submission
    for _ in range(repeat):
        started = time.perf_counter()
        graded = grade_notebook(submission, master, box)
        totals.append(time.perf_counter() - started)
        assert sum(r.points for r in graded.results) == sum(r.max_points for r in graded.results), graded.fault
print(json.dumps({"total": totals, "package": __import__("autograder").__file__}))
"""


def measure_here(repeat: int) -> dict[str, list[float]]:
    import nbformat

    from autograder.authoring.exercises import EXERCISES
    from autograder.authoring.synthetic import fill_release, solutions_of
    from autograder.judging.definitions import rebuild_functions
    from autograder.judging.trusted import function_jobs, grade_notebook, student_program
    from autograder.sandbox import Sandbox

    master = nbformat.read(ROOT / "source" / "derivatives" / "derivatives.ipynb", as_version=4)
    release = nbformat.read(ROOT / "release" / "derivatives" / "derivatives.ipynb", as_version=4)
    submission = fill_release(release, solutions_of(master))
    program = student_program(master)
    steps: dict[str, list[float]] = {
        "static rebuild of the 9 functions": [],
        "cells sandbox (wall)": [],
        "functions sandbox, 9 processes (wall)": [],
        "grade_notebook, total": [],
    }
    with Sandbox() as box:
        grade_notebook(submission, master, box)
        for _ in range(repeat):
            started = time.perf_counter()
            rebuilt = rebuild_functions(program, [e.name for e in EXERCISES])
            steps["static rebuild of the 9 functions"].append(time.perf_counter() - started)
            run = box.run(program, function_jobs(rebuilt))
            steps["cells sandbox (wall)"].append(run.cells_seconds)
            steps["functions sandbox, 9 processes (wall)"].append(run.functions_seconds)
            started = time.perf_counter()
            grade_notebook(submission, master, box)
            steps["grade_notebook, total"].append(time.perf_counter() - started)
    return steps


def measure_baseline(ref: str, repeat: int) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="trusted-path-baseline-") as work:
        tree = Path(work) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), ref], check=True, capture_output=True
        )
        try:
            output = subprocess.run(
                [sys.executable, "-c", DRIVER, str(tree), str(repeat)],
                cwd=tree,
                check=True,
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": str(tree)},
            ).stdout
            result = json.loads(output.strip().splitlines()[-1])
            if not result["package"].startswith(str(tree)):
                raise RuntimeError(f"the baseline imported {result['package']}, not the worktree's package")
            return result["total"]
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--baseline", default="", help="git ref of the grader to compare with (e.g. 4c58673)")
    args = parser.parse_args()
    steps = measure_here(args.repeat)
    print(f"one correct submission, median of {args.repeat}, warm sandbox, {os.cpu_count()} cores")
    for name, values in steps.items():
        print(f"  {name:<42}{statistics.median(values) * 1000:8.0f} ms")
    if args.baseline:
        baseline = statistics.median(measure_baseline(args.baseline, args.repeat))
        here = statistics.median(steps["grade_notebook, total"])
        print(f"  {'grade_notebook, total @ ' + args.baseline:<42}{baseline * 1000:8.0f} ms")
        print(f"  ratio, this commit / {args.baseline}: {here / baseline:.2f}")


if __name__ == "__main__":
    main()
