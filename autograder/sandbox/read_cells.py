"""The trusted side of a cells sandbox: its frames in protocol order, its outputs within the caps.

The process that sends these ran the student's cells, so everything it says may be forged. It can
only ever say what its cells displayed: the frames must come as cell_start, cell, cell_start, cell…
done, for exactly the cells sent and in their order, and whatever they carry is rebuilt here as plain
text, PNG images and figure specs (read_figures.py), capped here (text, images, their sizes, outputs per cell),
whatever the sandbox's
own caps did. Anything out of order ends the run.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from autograder.sandbox.limits import Limits
from autograder.sandbox.protocol import MAX_FRAME, ProtocolError, integer, text
from autograder.sandbox.read_figures import FIGURE, FIGURE_TEXT, figure_spec, rounded, values_allowed

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_OUTPUTS_PER_CELL = 100
MAX_IMAGE_BASE64 = 512 * 2**10
IMAGES_BASE64 = 4 * 2**20
"""one image, and all of a submission's: a student's figure at the sandbox's dpi is 20-60 KiB"""
MAX_TEXT_PLAIN = 2000
MAX_OUTPUTS = 2000
"""outputs kept per submission, whatever their text: an output's own fields cost bytes too"""
TRUNCATED = "[output truncated here: the notebook printed more than the grader keeps]\n"


@dataclass
class OutputCaps:
    """What is left of a submission's output budget, spent as outputs are accepted."""

    text_left: int
    images_left: int
    image_bytes_left: int = IMAGES_BASE64
    outputs_left: int = MAX_OUTPUTS
    points_left: list[int] = field(default_factory=lambda: [values_allowed(16)])
    """the coordinates the figure specs of one run of the cells may still hold (see `new_attempt`)"""
    noted: bool = False
    """whether the note that output was cut has been added"""

    @classmethod
    def of(cls, limits: Limits) -> OutputCaps:
        return cls(limits.output_bytes, limits.images, points_left=[values_allowed(limits.images)])

    def new_attempt(self, limits: Limits) -> None:
        """A fresh sandbox runs the cells again from the start: their figures' points are counted again from zero."""
        self.points_left = [values_allowed(limits.images)]

    def take_text(self, value: str) -> str:
        kept = value[: max(self.text_left, 0)]
        self.text_left -= len(value)
        return kept


class CellOrder:
    """The protocol of a cells sandbox, as a state machine over its frames."""

    def __init__(self, cells: list[tuple[int, str]]):
        self.expected = [index for index, _ in cells]
        self.position = 0
        self.open: int | None = None

    def frame(self, frame: dict, caps: OutputCaps) -> tuple[str, int | None, list[dict] | None]:
        """("cell_start", index, None), ("cell", index, outputs) or ("done", None, None)."""
        kind = frame["type"]
        if kind == "cell_start" and self.open is None and self.position < len(self.expected):
            index = integer(frame.get("index"), 0, 10**6)
            if index != self.expected[self.position]:
                raise ProtocolError("a cell out of order")
            self.open = index
            return kind, index, None
        if kind == "cell" and self.open is not None and frame.get("index") == self.open:
            index, self.open, self.position = self.open, None, self.position + 1
            return kind, index, cell_outputs(frame.get("outputs"), caps)
        if kind == "done" and self.open is None and self.position == len(self.expected):
            return kind, None, None
        raise ProtocolError(f"a {str(kind)[:20]!r} frame out of order")


def cell_outputs(value, caps: OutputCaps) -> list[dict]:
    if not isinstance(value, list):
        raise ProtocolError("outputs are not a list")
    outputs = []
    for item in value[:MAX_OUTPUTS_PER_CELL]:
        output = _output(item, caps)
        if output is not None and caps.outputs_left > 0:
            caps.outputs_left -= 1
            outputs.append(output)
    if (caps.text_left < 0 or caps.outputs_left <= 0) and not caps.noted:
        caps.noted = True
        outputs.append({"output_type": "stream", "name": "stderr", "text": TRUNCATED})
    return outputs


def starts_like_png(data: str) -> bool:
    """Plain base64 all through (it is written into notebooks and HTML as is; a lone surrogate cannot be), of a PNG."""
    if not data.isascii():
        return False
    try:
        return base64.b64decode(data, validate=True).startswith(PNG_MAGIC)
    except ValueError:  # binascii.Error: not base64
        return False


def _output(value, caps: OutputCaps) -> dict | None:
    """Rebuild one notebook output from plain fields; only text and PNG images get through."""
    if not isinstance(value, dict):
        raise ProtocolError("output is not an object")
    kind = value.get("output_type")
    if kind == "stream":
        name = value.get("name")
        if name not in ("stdout", "stderr"):
            raise ProtocolError("stream name")
        kept = caps.take_text(text(value.get("text"), MAX_FRAME))
        return {"output_type": "stream", "name": name, "text": kept} if kept else None
    if kind == "error":
        lines = value.get("traceback")
        if not isinstance(lines, list):
            raise ProtocolError("traceback")
        return {
            "output_type": "error",
            "ename": caps.take_text(text(value.get("ename"), 100)),
            "evalue": caps.take_text(text(value.get("evalue"), 1000)),
            "traceback": [caps.take_text(text(line, 500)) for line in lines[:10]],
        }
    if kind == "display_data" and FIGURE in value:  # drawn by the trusted side, from the spec alone (read_figures.py)
        if caps.images_left <= 0:
            return None
        spec = rounded(figure_spec(value[FIGURE], caps.points_left))
        caps.images_left -= 1
        return {"output_type": kind, "data": {"text/plain": FIGURE_TEXT}, "metadata": {}, FIGURE: spec}
    if kind in ("display_data", "execute_result"):
        data = value.get("data")
        if not isinstance(data, dict) or not set(data) <= {"text/plain", "image/png"} or not data:
            raise ProtocolError("display data")
        clean = {}
        if "text/plain" in data:
            clean["text/plain"] = caps.take_text(text(data["text/plain"], MAX_TEXT_PLAIN))
        if "image/png" in data:
            png = data["image/png"]
            if not isinstance(png, str) or not starts_like_png(png):
                raise ProtocolError("image is not a PNG")
            if caps.images_left > 0 and len(png) <= min(MAX_IMAGE_BASE64, caps.image_bytes_left):
                caps.images_left -= 1
                caps.image_bytes_left -= len(png)
                clean["image/png"] = png
        if not any(clean.values()):
            return None
        output = {"output_type": kind, "data": clean, "metadata": {}}
        if kind == "execute_result":
            output["execution_count"] = None
        return output
    raise ProtocolError(f"output type {str(kind)[:20]!r}")
