"""The instructor's whole job, `autograder grade`, against `nbgrader autograde` + `nbgrader generate_feedback`.

    python benchmarks/grading_throughput.py --n 40,200
    python benchmarks/grading_throughput.py --n 40 --scaling 100,1000 --baseline 6d92777

Both run in this one invocation, on this machine, on the same N submissions; the mix is realistic: mostly correct
work (written several ways), partly wrong work, notebooks with a crashing cell, and slow ones. The whole job is
the command from start to exit: grades, the autograded notebooks, every student's feedback page and results.json,
results.csv, the class report and grades.csv (ours); autograde then generate_feedback (nbgrader's). For each N it
prints the time, the speed-up, the time from the command to the first graded student, core-seconds per
submission, and the peak memory (PSS) of the whole process tree, and checks that the two agree on every score.
Then the warm latency of one submission (grade and feedback page) at --jobs 1, and with --scaling the cost per
submission at two class sizes (ours alone). With --baseline, the grader as it was at that commit runs the same
whole job in the same run (from a temporary git worktree). Writes a PNG of the whole job's time against N.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
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
from autograder.authoring.synthetic import fill_release, solutions_of, with_functions  # noqa: E402
from autograder.course.folder import Course, generate_release  # noqa: E402

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
    "answer_sigmoid_prime": [
        r"\sigma(x)(1 - \sigma(x))",
        r"\frac{e^{-x}}{(1+e^{-x})^2}",
        r"\sigma(x) - \sigma(x)^2",
        r"\sigma(x)",
    ],
    "answer_relu_prime": [
        r"\begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
        r"\mathbb{1}[x > 0]",
        r"\begin{cases} 1 & x \geq 0 \\ 0 & x < 0 \end{cases}",
    ],
    "answer_bce_wrt_prediction": [
        r"\frac{\hat{y} - y}{\hat{y}(1 - \hat{y})}",
        r"-\frac{y}{\hat y} + \frac{1-y}{1-\hat y}",
        r"\frac{y}{\hat{y}} - \frac{1-y}{1-\hat{y}}",
    ],
    "answer_bce_wrt_logit": [r"\sigma(z) - y", r"\hat{y} - y", r"y - \sigma(z)"],
}
STOCK_CONFIG = """c = get_config()
c.CourseDirectory.course_id = "dl-derivatives"
c.CourseDirectory.root = "."
"""


def submissions(n: int, release, solutions, seed: int = 0) -> dict[str, nbformat.NotebookNode]:
    """60% correct (in several styles), 25% partly wrong, 10% with a crashing cell, 5% slow; every one
    with final formulas, written in one of several equivalent ways (or a wrong one, in the wrong ones)."""
    rng, code = random.Random(seed), {k: v for k, v in solutions.items() if k.startswith("impl_")}
    made = {}
    for index in range(n):
        roll = rng.random()
        if roll < 0.60:
            kind, answers = (
                "correct",
                with_functions(code, dict(rng.sample(sorted(OTHER_RIGHT.items()), rng.randint(0, 3)))),
            )
        elif roll < 0.85:
            kind, answers = "wrong", with_functions(code, dict(rng.sample(sorted(WRONG.items()), rng.randint(1, 3))))
        elif roll < 0.95:
            kind, answers = "crash", {**code, "impl_relu": "import not_installed_module\n\n" + code["impl_relu"]}
        else:
            kind, answers = "slow", {**code, "impl_f": "import time\ntime.sleep(1.0)\n\n" + code["impl_f"]}
        formulas = {
            name: f'{name} = r"{rng.choice(written[:-1] if kind == "correct" else written)}"'
            for name, written in FORMULAS_WRITTEN.items()
        }
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
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(commands: list[list[str]], cwd: Path, env: dict | None = None) -> tuple[float, float, float]:
    """(seconds, core-seconds of every process the commands started, peak PSS in MB) of running them one after the
    other."""
    started, cpu, peak = time.monotonic(), children_cpu(), 0.0
    for command in commands:
        with (
            subprocess.Popen(
                command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
            ) as process,
            PeakMemory(process.pid) as memory,
        ):
            _, errors = process.communicate()
        if process.returncode not in (0, 1):  # 1: some student's grading failed (a row says so), not the command
            raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}:\n{errors[-3000:]}")
        peak = max(peak, memory.peak)
    return time.monotonic() - started, children_cpu() - cpu, peak


def first_graded(course: Course, started_wall: float) -> float:
    times = [p.stat().st_mtime for p in (course.root / "autograded").glob("*/derivatives/derivatives.ipynb")]
    return min(times) - started_wall if times else float("nan")


def ours(work: Path, name: str, notebooks: dict, tree: Path = ROOT) -> dict:
    """The whole job, as the instructor runs it: `autograder grade`, from start to exit, at the default --jobs."""
    course = course_with(work / name, (tree / "nbgrader_config.py").read_text(), notebooks)
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    wall = time.time()
    seconds, cpu, peak = timed(
        [[sys.executable, "-m", "autograder", "grade", "--course", str(course.root), "--no-progress"]],
        tree,
        environment,
    )
    pages = len(list((course.root / "autograder-feedback").glob("*/derivatives/*.html")))
    if pages != len(notebooks) or not (course.root / "grades.csv").exists():
        raise RuntimeError(f"{name}: {pages} feedback pages for {len(notebooks)} submissions")
    return {"seconds": seconds, "cpu": cpu, "peak": peak, "first": first_graded(course, wall), "course": course}


def stock(work: Path, notebooks: dict) -> dict:
    course = course_with(work / "nbgrader", STOCK_CONFIG, notebooks)
    wall = time.time()
    autograde = timed([[sys.executable, "-m", "nbgrader", "autograde", "derivatives"]], course.root)
    feedback = timed([[sys.executable, "-m", "nbgrader", "generate_feedback", "derivatives"]], course.root)
    pages = len(list((course.root / "feedback").glob("*/derivatives/*.html")))
    if pages != len(notebooks):
        raise RuntimeError(f"nbgrader generate_feedback wrote {pages} pages for {len(notebooks)} submissions")
    return {
        "seconds": autograde[0] + feedback[0],
        "autograde": autograde[0],
        "feedback": feedback[0],
        "cpu": autograde[1] + feedback[1],
        "peak": max(autograde[2], feedback[2]),
        "first": first_graded(course, wall),
        "course": course,
    }


def baseline_tree(ref: str, work: Path) -> Path:
    tree = work / "baseline-tree"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), ref], check=True, capture_output=True
    )
    return tree


def warm_latency(work: Path, notebooks: dict) -> list[tuple[str, float]]:
    """Each submission graded and given its feedback page in one warm worker (--jobs 1), after one to warm it."""
    from autograder.course.batch import _intake, _master, record_graded
    from autograder.course.workers import grade_text
    from autograder.feedback.outputs import write_page_now
    from autograder.formulas.worker import formula_checker
    from autograder.nbgrader_cells import grade_ids
    from autograder.nbgrader_plugin import course_limits
    from autograder.sandbox import Sandbox

    course = course_with(work / "latency", (ROOT / "nbgrader_config.py").read_text(), notebooks)
    master, checksums = _master(course)
    master_text, homework, limits = nbformat.writes(master), course.homework, course_limits(course.config)
    master_ids = grade_ids(master)
    formula_checker(limits.formula_seconds, size=1)
    latency = []
    with Sandbox(limits) as sandbox, Gradebook(course.db_url, course.coursedir.course_id) as gb:
        for index, student in enumerate(notebooks):
            text = _intake(course, student, master_ids, homework.function_names)[0]
            started = time.perf_counter()
            outcome = grade_text(
                student, text, master_text, checksums, limits.as_dict(), sandbox=sandbox, homework_text=homework.text
            )
            result = record_graded(course, gb, student, outcome["notebook"], outcome["seconds"])
            write_page_now(course, result, outcome["notebook"], outcome["seconds"])
            if index:  # the first warms the worker's caches
                latency.append((student, time.perf_counter() - started))
    return latency


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", default="40", help="class sizes, comma-separated: each runs both graders")
    parser.add_argument(
        "--latency-n", type=int, default=40, help="submissions for the warm latency at --jobs 1 (0: skip)"
    )
    parser.add_argument(
        "--scaling", default="", help="two class sizes (e.g. 100,1000): cost per submission, ours alone"
    )
    parser.add_argument("--baseline", default="", help="also run the whole job with the grader at this git ref")
    parser.add_argument("--plot", type=Path, default=ROOT / "benchmarks" / "throughput.png")
    args = parser.parse_args()
    sizes = [int(n) for n in args.n.split(",") if n]
    master = nbformat.read(ROOT / "source" / "derivatives" / "derivatives.ipynb", as_version=4)
    release = nbformat.read(ROOT / "release" / "derivatives" / "derivatives.ipynb", as_version=4)
    solutions = solutions_of(master)
    work = Path(tempfile.mkdtemp(prefix="grading-benchmark-"))
    tree = baseline_tree(args.baseline, work) if args.baseline else None
    print(
        f"machine: {psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB; "
        f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; default --jobs {os.cpu_count()}"
    )
    points = []
    try:
        for n in sizes:
            notebooks = submissions(n, release, solutions)
            print(
                f"\nN = {n}: "
                + ", ".join(
                    f"{k} {sum(1 for s in notebooks if s.endswith(k))}" for k in ("correct", "wrong", "crash", "slow")
                )
            )
            theirs = stock(work / f"n{n}", notebooks)
            mine = ours(work / f"n{n}", "ours", notebooks)
            rows = [("nbgrader autograde + generate_feedback", theirs), ("autograder grade", mine)]
            if tree is not None:
                rows.append((f"autograder grade @ {args.baseline}", ours(work / f"n{n}", "baseline", notebooks, tree)))
            print(f"  nbgrader: autograde {theirs['autograde']:.1f} s, generate_feedback {theirs['feedback']:.1f} s")
            print(
                f"  {'whole job':<40}{'seconds':>9}{'× nbgrader':>12}{'first graded s':>16}"
                f"{'core-s/sub':>12}{'peak MB':>9}"
            )
            for name, row in rows:
                print(
                    f"  "
                    f"{name:<40}{row['seconds']:>9.1f}{theirs['seconds'] / row['seconds']:>12.1f}{row['first']:>16.1f}"
                    f"{row['cpu'] / n:>12.2f}{row['peak']:>9.0f}"
                )
            agree, mine_scores = code_scores(theirs["course"]), code_scores(mine["course"])
            differ = {s: (agree.get(s), mine_scores.get(s)) for s in notebooks if agree.get(s) != mine_scores.get(s)}
            print(f"  scores agree on {n - len(differ)} of {n} submissions" + (f"; differ: {differ}" if differ else ""))
            points.append((n, theirs["seconds"], mine["seconds"]))
        if args.latency_n:
            latency = warm_latency(work, submissions(args.latency_n + 1, release, solutions, seed=1))
            seconds = [s for _, s in latency]
            not_slow = [s for name, s in latency if not name.endswith("slow")]
            print(
                f"\nwarm latency at --jobs 1, grade and feedback page, {len(seconds)} submissions: p50 "
                f"{percentile(seconds, 0.5):.2f} s, "
                f"p95 {percentile(seconds, 0.95):.2f} s; without the ones that sleep 1 s on purpose: p95 "
                f"{percentile(not_slow, 0.95):.2f} s"
            )
        if args.scaling:
            costs = []
            for n in [int(v) for v in args.scaling.split(",")]:
                row = ours(work / f"scaling{n}", "ours", submissions(n, release, solutions, seed=2))
                costs.append((n, row["cpu"] / n, row["seconds"] / n))
                shutil.rmtree(work / f"scaling{n}", ignore_errors=True)
                print(
                    f"\nN = {n}, ours alone: {row['seconds']:.1f} s, {row['cpu'] / n:.3f} core-s and "
                    f"{row['seconds'] / n:.3f} s per submission, peak {row['peak']:.0f} MB"
                )
            print(
                f"cost per submission, N = {costs[-1][0]} against N = {costs[0][0]}: "
                f"{costs[-1][1] / costs[0][1]:.2f}× core-seconds, {costs[-1][2] / costs[0][2]:.2f}× seconds"
            )
    finally:
        if tree is not None:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.figure(figsize=(6, 4))
    plt.plot(
        [n for n, _, _ in points],
        [s for _, s, _ in points],
        "s--",
        color="gray",
        label="nbgrader autograde + generate_feedback",
    )
    plt.plot([n for n, _, _ in points], [s for _, _, s in points], "o-", label="autograder grade")
    plt.xlabel("submissions"), plt.ylabel("whole job, seconds"), plt.yscale("log")
    plt.title(f"The whole grading job, {psutil.cpu_count()} cores")
    plt.legend(), plt.grid(True, which="both", alpha=0.3)
    plt.savefig(args.plot, dpi=100, bbox_inches="tight")
    print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()
