"""Throughput of `autograder grade` against plain `nbgrader autograde`, on the same N submissions.

    python benchmarks/grading_throughput.py --n 200 --jobs 1,2,4
    python benchmarks/grading_throughput.py --n 40 --jobs 2 --baseline 4c58673

Both graders run in this one invocation, on this machine. With --baseline, so does this grader as it was at
that commit (checked out into a temporary git worktree and run from there): the cost of a change to the
trusted path, measured against the code it replaced, in the same run. The mix is realistic: mostly correct work
(written several ways), partly wrong work, notebooks with a crashing cell, and slow ones. Prints
throughput, the speed-up over nbgrader, p50/p95 latency per submission and peak memory (PSS of the
whole process tree), checks that the two agree on every score, and writes a PNG of throughput
against --jobs.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import nbformat
import psutil
from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning

warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader 0.9.6 with SQLAlchemy 2.x; harmless

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from autograder.batch import grade_assignment  # noqa: E402
from autograder.course import Course, generate_release  # noqa: E402
from autograder.sandbox import Limits  # noqa: E402
from autograder.synthetic import fill_release, solutions_of, with_functions  # noqa: E402

WRONG = {
    "sigmoid_derivative": "def sigmoid_derivative(x):\n    return torch.exp(-x) / (1 + torch.exp(-x))**2",
    "relu_derivative": "def relu_derivative(x):\n    return (x >= 0).float()",
    "bce_derivative": "def bce_derivative(y_pred, y):\n    return y_pred - y",
    "f_prime": "def f_prime(x):\n    return 9*x**2 - 4*x",
}
OTHER_RIGHT = {
    "relu_derivative": "def relu_derivative(x):\n    return torch.where(x > 0, 1.0, 0.0)",
    "sigmoid_derivative": "def sigmoid_derivative(x):\n    s = torch.sigmoid(x)\n    return s * (1 - s)",
    "bce_derivative": "def bce_derivative(y_pred, y):\n    return (y_pred - y) / (y_pred * (1 - y_pred))",
}
FORMULAS_WRITTEN = {  # the final formulas, as students write them: equivalent forms, then a wrong one
    "answer_f_prime": [r"9x^2 - 4x + 5", r"x(9x - 4) + 5", r"f'(x) = 9x^{2} - 4x + 5", r"9x^2 - 4x"],
    "answer_sigmoid_prime": [r"\sigma(x)(1 - \sigma(x))", r"\frac{e^{-x}}{(1+e^{-x})^2}", r"\sigma(x) - \sigma(x)^2", r"\sigma(x)"],
    "answer_relu_prime": [r"\begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}", r"\mathbb{1}[x > 0]",
                          r"\begin{cases} 1 & x \geq 0 \\ 0 & x < 0 \end{cases}"],
    "answer_bce_wrt_prediction": [r"\frac{\hat{y} - y}{\hat{y}(1 - \hat{y})}", r"-\frac{y}{\hat y} + \frac{1-y}{1-\hat y}",
                                  r"\frac{y}{\hat{y}} - \frac{1-y}{1-\hat{y}}"],
    "answer_bce_wrt_logit": [r"\sigma(z) - y", r"\hat{y} - y", r"y - \sigma(z)"],
}
STOCK_CONFIG = '''c = get_config()
c.CourseDirectory.course_id = "dl-derivatives"
c.CourseDirectory.root = "."
'''


def submissions(n: int, release, solutions, seed: int = 0) -> dict[str, nbformat.NotebookNode]:
    """60% correct (in several styles), 25% partly wrong, 10% with a crashing cell, 5% slow; every one
    with final formulas, written in one of several equivalent ways (or a wrong one, in the wrong ones)."""
    rng, code = random.Random(seed), {k: v for k, v in solutions.items() if k.startswith("impl_")}
    made = {}
    for index in range(n):
        roll = rng.random()
        if roll < 0.60:
            kind, answers = "correct", with_functions(code, dict(rng.sample(sorted(OTHER_RIGHT.items()), rng.randint(0, 3))))
        elif roll < 0.85:
            kind, answers = "wrong", with_functions(code, dict(rng.sample(sorted(WRONG.items()), rng.randint(1, 3))))
        elif roll < 0.95:
            kind, answers = "crash", {**code, "impl_relu": "import not_installed_module\n\n" + code["impl_relu"]}
        else:
            kind, answers = "slow", {**code, "impl_f": "import time\ntime.sleep(1.0)\n\n" + code["impl_f"]}
        formulas = {name: f'{name} = r"{rng.choice(written[:-1] if kind == "correct" else written)}"'
                    for name, written in FORMULAS_WRITTEN.items()}
        made[f"s{index:04d}_{kind}"] = fill_release(release, {**answers, **formulas})
    return made


class PeakMemory:
    """Samples the PSS of a process and all its descendants; keeps the peak, in MB."""

    def __init__(self, pid: int):
        self.root, self.peak, self._stop = psutil.Process(pid), 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            total = 0
            try:
                for process in [self.root, *self.root.children(recursive=True)]:
                    try:
                        total += process.memory_full_info().pss
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        pass
            except psutil.NoSuchProcess:
                pass
            self.peak = max(self.peak, total / 2**20)
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


BASELINE_DRIVER = """
import json, sys, time
from pathlib import Path
from autograder.batch import grade_assignment
from autograder.course import Course
started = time.monotonic()
report = grade_assignment(Course(Path(sys.argv[1])), jobs=int(sys.argv[2]), progress=False)
print(json.dumps({"seconds": time.monotonic() - started, "latency": list(report.seconds.values()),
                  "package": __import__("autograder").__file__}))
"""


def baseline_run(ref: str, work: Path, notebooks: dict, jobs: int) -> tuple[float, list[float], float]:
    """`autograder grade` as it was at `ref`, from a worktree of it, on a course of its own config."""
    tree = work / "baseline-tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), ref], check=True, capture_output=True)
    try:
        course = course_with(work / "baseline", (tree / "nbgrader_config.py").read_text(), notebooks)
        environment = {**os.environ, "PYTHONPATH": str(tree)}
        with subprocess.Popen([sys.executable, "-c", BASELINE_DRIVER, str(course.root), str(jobs)], cwd=tree, env=environment,
                              stdout=subprocess.PIPE, text=True) as process, PeakMemory(process.pid) as memory:
            output = process.communicate()[0]
        result = json.loads(output.strip().splitlines()[-1])
        if not result["package"].startswith(str(tree)):
            raise RuntimeError(f"the baseline imported {result['package']}, not the worktree's package")
        return result["seconds"], result["latency"], memory.peak
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True)


def course_with(root: Path, config: str, notebooks: dict) -> Course:
    root.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(config)
    shutil.copytree(ROOT / "source", root / "source")
    course = Course(root)
    generate_release(course)
    for student, notebook in notebooks.items():
        folder = root / "submitted" / student / "derivatives"
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / "derivatives.ipynb")
    return course


def code_scores(course: Course) -> dict[str, float]:
    with Gradebook(course.db_url, course.coursedir.course_id) as gb:
        return {s.student.id: round(s.code_score, 2) for s in gb.assignment_submissions("derivatives")}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--jobs", default="1,2,4")
    parser.add_argument("--plot", type=Path, default=ROOT / "benchmarks" / "throughput.png")
    parser.add_argument("--no-plots-jobs", type=int, default=0, help="also run --no-plots with this many jobs (0: skip)")
    parser.add_argument("--baseline", default="", help="also grade with this git ref of the grader, at the largest --jobs")
    args = parser.parse_args()
    jobs_list = [int(j) for j in args.jobs.split(",")]

    master = nbformat.read(ROOT / "source" / "derivatives" / "derivatives.ipynb", as_version=4)
    release = nbformat.read(ROOT / "release" / "derivatives" / "derivatives.ipynb", as_version=4)
    notebooks = submissions(args.n, release, solutions_of(master))
    work = Path(tempfile.mkdtemp(prefix="grading-benchmark-"))
    print(f"{args.n} submissions: " + ", ".join(f"{k} {sum(1 for s in notebooks if s.endswith(k))}" for k in ("correct", "wrong", "crash", "slow")))

    stock = course_with(work / "nbgrader", STOCK_CONFIG, notebooks)
    started = time.monotonic()
    with subprocess.Popen([sys.executable, "-m", "nbgrader", "autograde", "derivatives"], cwd=stock.root,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as process, PeakMemory(process.pid) as memory:
        process.wait()
    stock_seconds = time.monotonic() - started
    finished = sorted(p.stat().st_mtime for p in (stock.root / "autograded").glob("*/derivatives/derivatives.ipynb"))
    stock_latency = [b - a for a, b in zip(finished, finished[1:])]
    stock_rate = args.n / stock_seconds
    rows = [("nbgrader autograde", 1, stock_seconds, stock_rate, 1.0, percentile(stock_latency, 0.5), percentile(stock_latency, 0.95), memory.peak)]

    ours_scores = None
    runs = [(jobs, False) for jobs in jobs_list] + ([(args.no_plots_jobs, True)] if args.no_plots_jobs else [])
    for jobs, no_plots in runs:
        ours = course_with(work / f"ours-{jobs}-{no_plots}", (ROOT / "nbgrader_config.py").read_text(), notebooks)
        started = time.monotonic()
        with PeakMemory(psutil.Process().pid) as memory:
            report = grade_assignment(ours, jobs=jobs, progress=False, limits=Limits(images=0) if no_plots else Limits())
        seconds = time.monotonic() - started
        latency = list(report.seconds.values())
        rows.append((f"autograder grade --jobs {jobs}" + (" --no-plots" if no_plots else ""), jobs, seconds, args.n / seconds,
                     (args.n / seconds) / stock_rate, percentile(latency, 0.5), percentile(latency, 0.95), memory.peak))
        if not no_plots:
            ours_scores = code_scores(ours)

    if args.baseline:
        jobs = max(jobs_list)
        seconds, latency, peak = baseline_run(args.baseline, work, notebooks, jobs)
        rows.append((f"autograder grade @ {args.baseline}", jobs, seconds, args.n / seconds, (args.n / seconds) / stock_rate,
                     percentile(latency, 0.5), percentile(latency, 0.95), peak))

    agree = code_scores(stock)
    differ = {s: (agree.get(s), ours_scores.get(s)) for s in notebooks if agree.get(s) != ours_scores.get(s)}
    print(f"\n{'grader':<37}{'jobs':>5}{'seconds':>10}{'subs/s':>9}{'× nbgrader':>12}{'p50 s':>8}{'p95 s':>8}{'peak MB':>9}")
    for name, jobs, seconds, rate, ratio, p50, p95, peak in rows:
        print(f"{name:<37}{jobs:>5}{seconds:>10.1f}{rate:>9.2f}{ratio:>12.1f}{p50:>8.2f}{p95:>8.2f}{peak:>9.0f}")
    print(f"\nscores agree on {args.n - len(differ)} of {args.n} submissions" + (f"; differ: {differ}" if differ else ""))
    print("(latency: nbgrader's is the gap between consecutive autograded notebooks, it grades one at a time;"
          " ours is each submission's own time in a sandbox, start-up of the warm workers included in 'seconds')")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ours_rows = [row for row in rows if row[0].startswith("autograder") and not row[0].endswith("--no-plots")]
    plt.figure(figsize=(6, 4))
    plt.plot([r[1] for r in ours_rows], [r[3] for r in ours_rows], "o-", label="autograder grade")
    plt.axhline(stock_rate, color="gray", linestyle="--", label="nbgrader autograde")
    plt.xlabel("--jobs"), plt.ylabel("submissions per second"), plt.yscale("log")
    plt.title(f"Grading throughput, N = {args.n}, {psutil.cpu_count()} cores")
    plt.legend(), plt.grid(True, which="both", alpha=0.3)
    plt.savefig(args.plot, dpi=100, bbox_inches="tight")
    print(f"plot: {args.plot}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
