"""Check formulas in helper processes with a time and memory limit.

It runs only the grader's code, on the answer string as data; it is separate because sympy can take
unbounded time or memory on a hostile formula (10^{10^{10}} builds a ten-billion-digit integer), and
that must cost one answer a manual grade, not hang the grader, nor stall the other students' checks: each
grading thread can have a helper of its own. Verdicts are cached by the answer's definition and the text.

Each request carries the answer's definition (`FormulaAnswer.definition`: its name, what it is, the reference as
sympy.srepr, samples, points, variables and what other symbols stand for), never a name to look up, so the helper
judges a course's own answers as well as the package's; it rebuilds an answer once per distinct definition. The
parent is the grader, so a definition is trusted (its reference is read back with sympify); a request the helper
cannot use gets an error reply, and the helper goes on.

The time limit counts the helper's own CPU time, so a loaded machine (a busy CI runner, a Dask worker sharing
its cores) slows a check down but never turns a right answer into a time-out; a wall-clock ceiling of
WALL_FACTOR times the limit still bounds a helper that is starved of CPU altogether.
"""

from __future__ import annotations

import atexit
import json
import os
import resource
import select
import subprocess
import sys
import threading
import time
from functools import lru_cache
from typing import IO, TYPE_CHECKING, cast

from autograder import messages as msg
from autograder.formulas.answers import FORMULAS, FormulaAnswer
from autograder.formulas.check import FormulaVerdict, manual
from autograder.formulas.reader.notation import MAX_LENGTH, TOO_LONG

if TYPE_CHECKING:
    import io

MEMORY_BYTES = 2 << 30
WALL_FACTOR = 10
START_CPU_SECONDS = 60.0  # importing sympy and building the grammar takes about 2 s of CPU
POLL_SECONDS = 0.05


SPARE_SECONDS = 1.0
"""how long a check waits for a busy helper before another one is started"""


class HelperDidNotStart(RuntimeError):
    """A formula helper that never said it was ready: the grader's fault, never an answer's."""


def _cpu_seconds(pid: int) -> float | None:
    """The CPU time `pid` has used so far, or None where /proc cannot say (then the wall clock is the limit)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime and stime


class FormulaChecker:
    """A pool of up to `size` warm helper processes, so one student's hostile formula holds one helper,
    not everyone's checks; `check` returns a verdict whatever the formula does to its helper."""

    def __init__(self, seconds: float = 10.0, size: int | None = None):
        self.seconds = seconds
        self.size = size or os.cpu_count() or 1  # the batch's default --jobs: one helper per grading thread
        self._helpers: set[subprocess.Popen] = set()  # every live helper, idle or lent
        self._idle: list[subprocess.Popen] = []
        self._cache: dict[tuple[str, str], FormulaVerdict] = {}
        self._asking: set[tuple[str, str]] = set()  # keys some thread is checking now
        self._starting = 0  # helpers being started, counted against `size`
        self._changed = threading.Condition()  # guards all the above; notified when a helper or a verdict frees up

    def _start(self) -> subprocess.Popen:
        # its own session: a Ctrl-C meant for the grader must not kill it mid-answer
        process = subprocess.Popen(
            [sys.executable, "-m", "autograder.formulas.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
            text=True,
            start_new_session=True,
        )
        if self._await(process, START_CPU_SECONDS) is None:  # the first line says the parser is built
            _stop(process)  # a late "ready" must not be read later as an answer's verdict
            raise HelperDidNotStart("a formula helper did not start")
        return process

    def _await(self, process: subprocess.Popen, cpu_seconds: float) -> dict | None:
        """The helper's next line; None if it stops, uses `cpu_seconds` of its own CPU time first, or is starved
        of CPU for WALL_FACTOR times as long."""
        started_cpu, started = _cpu_seconds(process.pid), time.monotonic()
        stdout = cast("IO[str]", process.stdout)  # _start opened it as a text pipe
        while True:
            ready, _, _ = select.select([stdout], [], [], POLL_SECONDS)
            if ready:
                line = stdout.readline()
                return json.loads(line) if line else None
            if process.poll() is not None:
                return None
            wall = time.monotonic() - started
            cpu = _cpu_seconds(process.pid)
            used = cpu - started_cpu if cpu is not None and started_cpu is not None else wall
            if used >= cpu_seconds or wall >= cpu_seconds * WALL_FACTOR:
                return None

    def _borrow(self) -> subprocess.Popen:
        """An idle helper; else a new one if fewer than `size` exist (started lazily: it takes a second or two, so only
        when none is starting and a busy one has had SPARE_SECONDS to come free: most checks take milliseconds);
        else wait."""
        with self._changed:
            patience = time.monotonic() + SPARE_SECONDS
            while not self._idle:
                live = len(self._helpers) + self._starting
                if live == 0 or (live < self.size and not self._starting and time.monotonic() >= patience):
                    break  # (one that is starting will be ready before another could be)
                self._changed.wait(timeout=max(patience - time.monotonic(), 0.05) if live < self.size else None)
            if self._idle:
                return self._idle.pop()
            self._starting += 1
        process = None
        try:
            process = self._start()  # unlocked, so other threads can check meanwhile
            return process
        finally:
            with self._changed:
                self._starting -= 1
                if process is not None:
                    self._helpers.add(process)
                self._changed.notify_all()

    def _give_back(self, process: subprocess.Popen, healthy: bool) -> None:
        with self._changed:
            keep = healthy and process in self._helpers  # not if close() stopped it meanwhile
            if keep:
                self._idle.append(process)
            else:
                self._helpers.discard(process)
            self._changed.notify_all()
        if not keep:
            _stop(process)

    def warm(self) -> None:
        """Start one helper now (building its parser takes seconds), so the first answer does not wait for it."""
        try:
            self._give_back(self._borrow(), healthy=True)
        except HelperDidNotStart:  # the first check starts one again, and says so if it cannot
            pass

    def check(self, answer: FormulaAnswer, text: str) -> FormulaVerdict:
        if len(text) > MAX_LENGTH:
            return manual(answer, text[:MAX_LENGTH] + "…", TOO_LONG.format(length=len(text)))
        key = (answer.key, text)  # by content: two answers of one name (a course's and the package's) are judged apart
        with self._changed:
            while key in self._asking:  # the same answer from another thread: wait for its verdict
                self._changed.wait()
            if key in self._cache:
                return self._cache[key]
            self._asking.add(key)
        verdict, lasting = None, False
        try:
            verdict, lasting = self._ask(answer, text)
            return verdict
        finally:
            with self._changed:
                self._asking.discard(key)
                if lasting:  # a time-out or a helper's death may be the machine's load, not the answer: asked again
                    self._cache[key] = cast(FormulaVerdict, verdict)  # set: _ask returned
                self._changed.notify_all()

    def _ask(self, answer: FormulaAnswer, text: str, attempts: int = 2) -> tuple[FormulaVerdict, bool]:
        """The verdict, and whether it is the answer's own (worth keeping for everyone who wrote the same)."""
        process = self._borrow()
        try:
            stdin = cast("IO[str]", process.stdin)  # _start opened it as a text pipe
            stdin.write(request_line(answer, text))
            stdin.flush()
            reply = self._await(process, self.seconds)
        except (BrokenPipeError, ValueError):  # the helper had died (killed from outside): start a new one
            reply = None
        except BaseException:  # interrupted mid-answer: the helper may still be busy with it
            self._give_back(process, healthy=False)
            raise
        died = reply is None and process.poll() is not None
        self._give_back(process, healthy=reply is not None)
        if died and attempts > 1:
            return self._ask(answer, text, attempts - 1)
        if died:
            return manual(
                answer, text, msg.CHECK_FAILED.format(answer=text, error="the checking process stopped")
            ), False
        if reply is None:
            return manual(answer, text, msg.CHECK_TIMED_OUT.format(answer=text, seconds=self.seconds)), False
        if "grader_error" in reply:  # our request, not the answer: a grader fault, retried and logged by the caller
            raise FormulaGraderFault(reply["grader_error"])
        if "error" in reply:
            return manual(answer, text, msg.CHECK_FAILED.format(answer=text, error=reply["error"])), True
        return FormulaVerdict(**reply), True

    def close(self) -> None:
        """Stop every helper, idle or busy (a busy one's check then ends as a stopped helper's)."""
        with self._changed:
            helpers = list(self._helpers)
            self._helpers.clear()
            self._idle.clear()
            self._changed.notify_all()
        for process in helpers:
            _stop(process)


def _stop(process: subprocess.Popen) -> None:
    process.kill()
    process.wait()


_checkers: dict[float, FormulaChecker] = {}
_checkers_lock = threading.Lock()


def formula_checker(seconds: float = 10.0, size: int | None = None) -> FormulaChecker:
    """This process's checker: started on first use, kept warm, closed at exit; `size` (the batch's --jobs) grows
    its pool."""
    with _checkers_lock:
        if seconds not in _checkers:
            _checkers[seconds] = FormulaChecker(seconds, size)
            atexit.register(_checkers[seconds].close)
        checker = _checkers[seconds]
    if size and size > checker.size:
        with checker._changed:
            checker.size = size
            checker._changed.notify_all()
    return checker


def request_line(answer: FormulaAnswer, text: str) -> str:
    """One request: the answer's definition and the student's text, as one line of JSON."""
    return '{"answer": ' + json.dumps(answer.definition) + ', "text": ' + json.dumps(text) + "}\n"


BAD_REQUEST = "the grader's request could not be used: {error}"


class FormulaGraderFault(RuntimeError):
    """The helper could not use the grader's own request: never the student's answer's verdict, never cached."""


@lru_cache(maxsize=64)
def _answer(definition: str) -> FormulaAnswer:
    """The answer rebuilt from its definition (a JSON string with sorted keys): once per distinct definition."""
    return FormulaAnswer.from_definition(json.loads(definition))


def reply_to(line: str) -> dict:
    """The verdict on one request line, as a dict; an error reply for a request or a formula it cannot handle."""
    from autograder.formulas.check import compare

    try:
        request = json.loads(line)
        answer = _answer(json.dumps(request["answer"], sort_keys=True))
        text = request["text"]
        if not isinstance(text, str):
            raise TypeError(f"the text is a {type(text).__name__}, not a string")
    except Exception as error:  # the grader's own mistake, never the answer's: said, and the helper goes on
        return {"grader_error": BAD_REQUEST.format(error=f"{type(error).__name__}: {error}")}
    try:
        return compare(answer, text).as_dict()
    except Exception as error:  # MemoryError, RecursionError, a sympy bug: one answer's problem, never fatal
        return {"error": type(error).__name__}


def main() -> None:
    from autograder.formulas.check import compare
    from autograder.formulas.reader.notation import read_formula

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    # a stray byte is a bad request, not the end of the helper (sys.stdin is a TextIOWrapper)
    cast("io.TextIOWrapper", sys.stdin).reconfigure(errors="replace")
    read_formula("x")  # build lark's grammar before saying ready
    warm = _answer(json.dumps(FORMULAS[-1].definition, sort_keys=True))  # and sympify, and sympy's lazy imports
    for text in (FORMULAS[-1].solution, r"\tanh(z) - \hat{y}"):  # (simplify's among them), outside any answer's time
        compare(warm, text)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        print(json.dumps(reply_to(line)), flush=True)


if __name__ == "__main__":
    main()
