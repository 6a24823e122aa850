"""Check formulas in a helper process with a time and memory limit.

It runs only the grader's code, on the answer string as data; it is separate because sympy can take
unbounded time or memory on a hostile formula (10^{10^{10}} builds a ten-billion-digit integer), and
that must cost one answer a manual grade, not hang the grader. Verdicts are cached by answer text.
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

from .. import messages as msg
from .answers import FORMULAS_BY_NAME, FormulaAnswer
from .check import FormulaVerdict, manual
from .notation import MAX_LENGTH, TOO_LONG

MEMORY_BYTES = 2 << 30


class FormulaChecker:
    """One warm helper process; `check` returns a verdict whatever the formula does to it."""

    def __init__(self, seconds: float = 10.0):
        self.seconds = seconds
        self._process: subprocess.Popen | None = None
        self._cache: dict[tuple[str, str], FormulaVerdict] = {}
        self._lock = threading.Lock()

    def _start(self) -> subprocess.Popen:
        if self._process is None or self._process.poll() is not None:
            # its own session: a Ctrl-C meant for the grader must not kill it mid-answer
            self._process = subprocess.Popen([sys.executable, "-m", "autograder.formulas.worker"], stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, env={**os.environ, "PYTHONWARNINGS": "ignore"}, text=True,
                                             start_new_session=True)
            self._await(self._process, 120)  # the first line says the parser is built
        return self._process

    def _await(self, process: subprocess.Popen, seconds: float) -> dict | None:
        ready, _, _ = select.select([process.stdout], [], [], seconds)
        line = process.stdout.readline() if ready else ""
        return json.loads(line) if line else None

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def check(self, answer: FormulaAnswer, text: str) -> FormulaVerdict:
        if len(text) > MAX_LENGTH:
            return manual(answer, text[:MAX_LENGTH] + "…", TOO_LONG.format(length=len(text)))
        key = (answer.name, text)
        with self._lock:
            if key not in self._cache:
                self._cache[key] = self._ask(answer, text)
            return self._cache[key]

    def _ask(self, answer: FormulaAnswer, text: str, attempts: int = 2) -> FormulaVerdict:
        process = self._start()
        started = time.monotonic()
        try:
            process.stdin.write(json.dumps({"name": answer.name, "text": text}) + "\n")
            process.stdin.flush()
            reply = self._await(process, self.seconds)
        except (BrokenPipeError, ValueError):  # the helper had died (killed from outside): start a new one
            reply = None
        if reply is None and process.poll() is not None and time.monotonic() - started < self.seconds and attempts > 1:
            self._process = None
            return self._ask(answer, text, attempts - 1)
        if reply is None:
            died = process.poll() is not None
            self._stop()
            if died:
                return manual(answer, text, msg.CHECK_FAILED.format(answer=text, error="the checking process stopped"))
            return manual(answer, text, msg.CHECK_TIMED_OUT.format(answer=text, seconds=round(time.monotonic() - started)))
        if "error" in reply:
            return manual(answer, text, msg.CHECK_FAILED.format(answer=text, error=reply["error"]))
        return FormulaVerdict(**reply)

    def close(self) -> None:
        if self._process is not None:
            self._process.stdin.close()
            self._stop()


_checkers: dict[float, FormulaChecker] = {}


def formula_checker(seconds: float = 10.0) -> FormulaChecker:
    """This process's checker: started on first use, kept warm, closed at exit."""
    if seconds not in _checkers:
        _checkers[seconds] = FormulaChecker(seconds)
        atexit.register(_checkers[seconds].close)
    return _checkers[seconds]


def main() -> None:
    from .check import compare
    from .notation import read_formula

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    read_formula("x")  # build lark's grammar before saying ready
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            reply = compare(FORMULAS_BY_NAME[request["name"]], request["text"]).as_dict()
        except Exception as error:  # MemoryError, RecursionError, a sympy bug: one answer's problem, never fatal
            reply = {"error": type(error).__name__}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
