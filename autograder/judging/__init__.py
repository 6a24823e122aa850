"""Judging a submission in the trusted process: rebuilt against the master, each graded function rebuilt from its
source, the by-hand policy, the checks of what the sandbox observed, points and the cause of a failure.

restore.py        the submission rebuilt against the master before anything runs
python_source.py  a student's cell parsed as data, one parse at a time
definitions/      each graded function rebuilt from the notebook's source, or why it cannot be
by_hand/          the by-hand policy: an allowlist read from the source that will run
checks.py         one observed call judged right or wrong, with one sentence
scoring.py        case verdicts into points, with partial credit
diagnosis.py      the real cause of a function's failures and the hint that fits their kind
trusted.py        the grade decision: all of the above for one notebook
"""
