"""Student-controlled text made safe for the instructor's terminal and spreadsheets.

A folder name or an exception message can carry ANSI/OSC escapes, carriage returns and bidirectional
overrides that repaint a terminal row (one student's row was shown as a perfect score), and a CSV cell
that starts with `=`, `+`, `-` or `@` is a formula to a spreadsheet. Every line we print or write for the
instructor goes through `plain`, and every CSV cell through `csv_cell`. HTML is escaped where it is made.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")  # bidirectional overrides and marks
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def plain(text: object) -> str:
    """One line of printable text: every control character (ESC, CR, LF, BEL, the C1 range), lone surrogate and
    bidirectional
    override becomes a visible `\\xNN`-style escape, so nothing can move the cursor or reorder what follows."""
    out = []
    for char in str(text):
        # Cs: a lone surrogate cannot be printed
        if unicodedata.category(char) in ("Cc", "Cs") or _INVISIBLE.match(char):
            out.append(repr(char)[1:-1] if ord(char) < 0x10000 else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    return "".join(out)


def csv_cell(value: object) -> object:
    """A value for csv.writer: numbers as they are; text made plain, and quoted with a leading `'` when a
    spreadsheet would read it as a formula."""
    if isinstance(value, (int, float)) or value is None:
        return value
    text = plain(value)
    try:
        float(text)
        return text  # "-1.5" is a number to a spreadsheet, not a formula
    except ValueError:
        return "'" + text if text.startswith(_FORMULA_START) else text


def csv_row(values) -> list:
    return [csv_cell(value) for value in values]
