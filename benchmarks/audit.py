"""What `autograder audit` costs on the shipped homework, and how many notebook gradings that is.

    python benchmarks/audit.py [--jobs N] [--repeat 5]

Runs the whole audit of the package's homework against the repository's master first, as the CLI would in a fresh
process (its sandboxes' zygotes start cold), and prints its wall time. Then, in the same run on the same machine,
the baseline: grading one full notebook (the master's own solutions filled into the release) through
`trusted.grade_notebook` with a warm sandbox, the median of `--repeat` gradings after one to warm up. The ratio
says what the audit costs in notebook gradings. The target is the audit under 60 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_SECONDS = 60.0


def audit_seconds(jobs: int | None) -> tuple[float, str]:
    import nbformat

    from autograder.audit import render_audit, run_audit
    from autograder.authoring.homework import DEFAULT

    master = nbformat.read(ROOT / "source" / "derivatives" / "derivatives.ipynb", as_version=4)
    started = time.perf_counter()
    report = run_audit(DEFAULT, master, jobs=jobs, progress=False)
    seconds = time.perf_counter() - started
    return seconds, render_audit(report).splitlines()[-1] + f"; survivors: {len(report.survivors)}"


def grading_seconds(repeat: int) -> float:
    import nbformat

    from autograder.authoring.synthetic import fill_release, solutions_of
    from autograder.judging.trusted import grade_notebook
    from autograder.sandbox import warm_sandbox

    master = nbformat.read(ROOT / "source" / "derivatives" / "derivatives.ipynb", as_version=4)
    release = nbformat.read(ROOT / "release" / "derivatives" / "derivatives.ipynb", as_version=4)
    submission = fill_release(release, solutions_of(master))
    sandbox = warm_sandbox()
    grade_notebook(submission, master, sandbox)  # warm: the formula helpers start, first-use costs are paid
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        graded = grade_notebook(submission, master, sandbox)
        times.append(time.perf_counter() - started)
        assert sum(r.points for r in graded.results) == sum(r.max_points for r in graded.results), graded.fault
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=None, help="sandboxes for the audit (default: one per core)")
    parser.add_argument("--repeat", type=int, default=5, help="gradings of one notebook for the baseline's median")
    args = parser.parse_args()
    started = time.perf_counter()
    importlib.import_module("autograder.audit")  # torch, sympy, nbformat: paid once, by either measurement
    imported = time.perf_counter() - started
    audit, summary = audit_seconds(args.jobs)
    one_notebook = grading_seconds(args.repeat)
    print(f"{os.cpu_count()} cores; importing the grader {imported:.1f} s (not counted below)")
    print(f"  audit of the shipped homework   {audit:6.1f} s  ({summary})")
    print(f"  one notebook, grade_notebook    {one_notebook:6.2f} s  (median of {args.repeat}, warm sandbox)")
    print(
        f"  the audit costs {audit / one_notebook:.0f} notebook gradings; "
        f"{'within' if audit <= TARGET_SECONDS else 'OVER'} the {TARGET_SECONDS:g} s target"
    )


if __name__ == "__main__":
    main()
