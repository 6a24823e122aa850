"""The trusted side of students' figures: a spec from the cells sandbox, checked field by field, drawn once per class.

A cells sandbox describes each figure it can (figures.py) instead of drawing it. Here every field of that spec is
rebuilt from plain, bounded values, its coordinates are rounded to a quarter of a pixel (students whose functions
differ only in their last bits then mostly have the same figure), and its image is looked up by the spec's hash. A spec
not seen yet is
drawn in a figures sandbox, where no student code ever ran, so the image kept for a spec is the image of that spec
alone and can be given to anyone whose figure has it.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import OrderedDict

from autograder.sandbox.protocol import ProtocolError, integer, text

DPI = 60
"""the dpi of every student figure, drawn in a figures sandbox or in the cells sandbox"""
MAX_POINTS = 10_000
"""a figure with more points than this is drawn in the cells sandbox (its spec would be a large frame)"""
MARKERS = ("None", "", ".", ",", "o", "v", "^", "<", ">", "s", "p", "*", "h", "H", "+", "x", "D", "d", "|", "_")
LINESTYLES = ("-", "--", "-.", ":")
GRID_KEYS = ("grid_alpha", "grid_color", "grid_linestyle", "grid_linewidth")
WEIGHTS = (
    "ultralight",
    "light",
    "normal",
    "regular",
    "book",
    "medium",
    "roman",
    "semibold",
    "demibold",
    "demi",
    "bold",
    "heavy",
    "extra bold",
    "black",
)
FIGURE = "figure"
"""the key, in a display output read from a cells sandbox, of a figure still to be drawn"""
FIGURE_TEXT = "<Figure>"
NOT_DRAWN = "[this figure could not be drawn from what it holds]"
MAX_AXES = 64


def values_allowed(images: int) -> int:
    """The coordinates all of one submission's specs may hold: what an honest sandbox sends at most (a figure of
    more than MAX_POINTS points is drawn there instead), for `images` figures."""
    return 2 * MAX_POINTS * max(images, 1)


MAX_LABEL = 300
PIXEL_FRACTION = 0.25
"""coordinates are rounded to steps of at most this fraction of a pixel of their axis"""


class ImageCache:
    """Images by key, the least recently used out first once they pass `max_bytes`; safe across grading threads.
    Students' figures here and their feedback figures (feedback/pages.py) are each kept in one."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self._bytes = max_bytes, 0
        self._images: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            if key in self._images:
                self._images.move_to_end(key)  # the class's common figures stay
            return self._images.get(key)

    def put(self, key: str, image: str) -> None:
        with self._lock:
            if key not in self._images:
                self._images[key] = image
                self._bytes += len(image)
            while self._bytes > self.max_bytes:
                self._bytes -= len(self._images.popitem(last=False)[1])

    def clear(self) -> None:
        with self._lock:
            self._images.clear()
            self._bytes = 0


_images = ImageCache(64 * 2**20)
"""students' figures kept in one grader process (a class figure is 10-40 KiB)"""


def _real(value, low: float, high: float) -> float:
    if type(value) not in (int, float) or not low <= value <= high:
        raise ProtocolError(f"expected a number in [{low:g}, {high:g}]")
    return float(value)


def _color(value) -> list[float]:
    if not isinstance(value, list) or len(value) != 4:
        raise ProtocolError("expected a colour")
    return [_real(v, 0.0, 1.0) for v in value]


def _text_spec(value) -> list:
    if not isinstance(value, list) or len(value) != 4:
        raise ProtocolError("expected a title or label")
    words, size, weight, color = value
    if weight not in WEIGHTS and not (type(weight) is int and 0 <= weight <= 1000):
        raise ProtocolError("font weight")
    if not isinstance(words, str) or len(words) > MAX_LABEL:
        raise ProtocolError("a title or label too long")  # a longer one is drawn in the cells sandbox
    return [text(words, MAX_LABEL), _real(size, 0.1, 1000.0), weight, _color(color)]


def _points(value, budget: list[int]) -> list[float | None]:
    if not isinstance(value, list):
        raise ProtocolError("expected a list of numbers")
    budget[0] -= len(value)
    if budget[0] < 0:
        raise ProtocolError("too many points")
    return [None if v is None else _real(v, -1.8e308, 1.8e308) for v in value]


def _line(value, budget: list[int]) -> dict:
    if not isinstance(value, dict):
        raise ProtocolError("expected a line")
    x, y = _points(value.get("x"), budget), _points(value.get("y"), budget)
    dashes = value.get("dashes")
    if dashes is not None:
        if not isinstance(dashes, list) or len(dashes) != 2 or not isinstance(dashes[1], list) or len(dashes[1]) > 64:
            raise ProtocolError("dashes")
        dashes = [_real(dashes[0], -1e4, 1e4), [_real(d, 0.0, 1e4) for d in dashes[1]]]
    alpha = value.get("alpha")
    marker = value.get("marker")
    if len(x) != len(y) or marker not in MARKERS or not isinstance(value.get("visible"), bool):
        raise ProtocolError("line")
    return {
        "x": x,
        "y": y,
        "color": _color(value.get("color")),
        "alpha": None if alpha is None else _real(alpha, 0.0, 1.0),
        "linewidth": _real(value.get("linewidth"), 0.0, 1000.0),
        "dashes": dashes,
        "marker": marker,
        "markersize": _real(value.get("markersize"), 0.0, 1000.0),
        "markeredgewidth": _real(value.get("markeredgewidth"), 0.0, 1000.0),
        "markerfacecolor": _color(value.get("markerfacecolor")),
        "markeredgecolor": _color(value.get("markeredgecolor")),
        "label": text(value.get("label"), MAX_LABEL),
        "zorder": _real(value.get("zorder"), -1e9, 1e9),
        "visible": value["visible"],
    }


def _axis(value) -> dict:
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("grid"), bool)
        or not isinstance(value.get("grid_style"), dict)
    ):
        raise ProtocolError("axis")
    style = value["grid_style"]
    clean: dict[str, object] = {}
    for key, item in style.items():
        if key == "grid_alpha":
            clean[key] = _real(item, 0.0, 1.0)
        elif key == "grid_color":
            clean[key] = _color(item)
        elif key == "grid_linestyle" and item in LINESTYLES:
            clean[key] = item
        elif key == "grid_linewidth":
            clean[key] = _real(item, 0.0, 1000.0)
        else:
            raise ProtocolError("grid style")
    return {"grid": value["grid"], "grid_style": clean, "label": _text_spec(value.get("label"))}


def _limits(value) -> list[float]:
    if not isinstance(value, list) or len(value) != 2:
        raise ProtocolError("limits")
    low, high = (_real(v, -1.8e308, 1.8e308) for v in value)
    if low == high:
        raise ProtocolError("limits")
    return [low, high]


def _axes(value, budget: list[int]) -> dict:
    if not isinstance(value, dict) or not isinstance(value.get("lines"), list) or len(value["lines"]) > MAX_POINTS:
        raise ProtocolError("axes")
    position = value.get("position")
    if not isinstance(position, list) or len(position) != 4:
        raise ProtocolError("position")
    legend = value.get("legend")
    if legend is not None:
        if not isinstance(legend, dict) or not isinstance(legend.get("frameon"), bool):
            raise ProtocolError("legend")
        legend = {
            "loc": integer(legend.get("loc"), 0, 11),
            "fontsize": _real(legend.get("fontsize"), 0.1, 1000.0),
            "ncols": integer(legend.get("ncols"), 1, MAX_POINTS),
            "frameon": legend["frameon"],
        }
    return {
        "position": [_real(v, -1.0, 2.0) for v in position],
        "title": _text_spec(value.get("title")),
        "x": _axis(value.get("x")),
        "y": _axis(value.get("y")),
        "xlim": _limits(value.get("xlim")),
        "ylim": _limits(value.get("ylim")),
        "lines": [_line(line, budget) for line in value["lines"]],
        "legend": legend,
    }


def figure_spec(value, budget: list[int]) -> dict:
    """A spec rebuilt from checked plain fields; `budget` is the points the submission's figures may still hold."""
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("axes"), list)
        or not 1 <= len(value["axes"]) <= MAX_AXES
    ):
        raise ProtocolError("figure")
    size = value.get("size")
    if not isinstance(size, list) or len(size) != 2:
        raise ProtocolError("figure size")
    suptitle = value.get("suptitle")
    return {
        "size": [_real(v, 0.1, 40.0) for v in size],
        "suptitle": None if suptitle is None else _text_spec(suptitle),
        "axes": [_axes(axes, budget) for axes in value["axes"]],
    }


def _step(limits: list[float], pixels: float) -> float:
    """The largest of 1, 2 or 5 times a power of ten that is at most PIXEL_FRACTION of a pixel along this axis."""
    span = abs(limits[1] - limits[0])
    bound = span / max(pixels, 1.0) * PIXEL_FRACTION
    if not (math.isfinite(bound) and bound > 0):
        return 0.0
    power = 10.0 ** math.floor(math.log10(bound))
    return next((m * power for m in (5.0, 2.0, 1.0) if m * power <= bound), power)


def _round(values: list, step: float) -> list:
    return [rounded_value(v, step) for v in values]


def rounded_value(value: float | None, step: float) -> float | None:
    if value is None or not step:
        return value
    steps = value / step
    if not abs(steps) < 2.0**52:  # far outside the axes (or a step too fine for a float): drawn as it is
        return value
    return round(steps) * step


def rounded(spec: dict) -> dict:
    """The spec with every coordinate rounded to a step of at most a quarter of a pixel (PIXEL_FRACTION)."""
    axes = []
    width, height = (inches * DPI for inches in spec["size"])
    for part in spec["axes"]:
        x_step, y_step = (
            _step(part["xlim"], part["position"][2] * width),
            _step(part["ylim"], part["position"][3] * height),
        )
        lines = [{**line, "x": _round(line["x"], x_step), "y": _round(line["y"], y_step)} for line in part["lines"]]
        axes.append(
            {
                **part,
                "lines": lines,
                "xlim": _round(part["xlim"], x_step),
                "ylim": _round(part["ylim"], y_step),
                "position": _round(part["position"], 1e-6),
            }
        )
    return {**spec, "axes": axes}


def spec_key(spec: dict) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def draw_figures(outputs: dict[int, list[dict]], draw) -> None:
    """Give each figure still to be drawn in `outputs` its image: the one kept for its spec, or one drawn now by
    `draw(specs) -> [a checked base64 PNG, or None]` for the specs not seen yet."""
    pending = [output for cell in outputs.values() for output in cell if FIGURE in output]
    if not pending:
        return
    keys = [spec_key(output[FIGURE]) for output in pending]
    known = {key: image for key in keys if (image := _images.get(key)) is not None}
    missing = {key: output[FIGURE] for key, output in zip(keys, pending) if key not in known}
    if missing:
        drawn = dict(zip(missing, draw(list(missing.values()))))
        for key, image in drawn.items():
            if image is not None:  # kept for the next student; a failure is tried again next time
                _images.put(key, image)
        known.update(drawn)
    for key, output in zip(keys, pending):
        del output[FIGURE]
        if known[key] is not None:
            output["data"]["image/png"] = known[key]
        else:
            output["data"]["text/plain"] = NOT_DRAWN
