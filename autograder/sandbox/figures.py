"""A student's figure as plain data, and that data drawn again, so equal figures are drawn once for a whole class.

`describe` runs in the cells sandbox: a figure made only of what it can say exactly (rectilinear axes, lines, titles,
labels, grids, default legends and ticks, matplotlib's default style) becomes a spec; anything else returns None and
the sandbox draws that figure itself, as before. `draw` runs in a figures sandbox, where no student code ever ran:
the image of a spec depends on the spec alone, so the trusted side may keep it and give it to every student whose
figure has the same spec (read_figures.py). A student who lies in a spec only changes the picture of their own
notebook, which they could draw as they liked anyway.
"""

from __future__ import annotations

import io
import json
import math
from typing import TYPE_CHECKING, cast

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.ticker import AutoLocator, NullLocator, ScalarFormatter

from autograder.sandbox.protocol import ProtocolError
from autograder.sandbox.read_figures import DPI, GRID_KEYS, LINESTYLES, MARKERS, MAX_POINTS, figure_spec, values_allowed

if TYPE_CHECKING:
    from typing import Literal

    import numpy as np

_FORMATTER = ("_useOffset", "_offset_threshold", "_usetex", "_useMathText", "_useLocale", "_scientific", "_powerlimits")
_LOCATOR = ("_nbins", "_steps", "_extended_steps", "_integer", "_symmetric", "_prune", "_min_n_ticks")
_defaults: dict = {}


def _settings(thing, names) -> str:
    return repr([getattr(thing, name, None) for name in names])


def remember_defaults() -> None:
    """In the zygote, before any student code: the style and axis settings a figure must keep to be described."""
    axes = Figure().add_subplot()
    axes.plot([0, 1], [0, 1], label="x")
    _defaults.update(
        rc=dict(matplotlib.rcParams),
        title=_text_style(axes.title),
        suptitle=_text_style(Figure().suptitle("x")),
        legend=_legend_style(axes.legend()),
        axes=_axes_style(axes),
        figure=_figure_style(axes.figure),
    )
    for name, axis in (("x", axes.xaxis), ("y", axes.yaxis)):
        _defaults[name] = {
            "tick": dict(axis._major_tick_kw),
            "minor": dict(axis._minor_tick_kw),
            "labelpad": axis.labelpad,
            "formatter": _settings(axis.get_major_formatter(), _FORMATTER),
            "locator": _settings(axis.get_major_locator(), _LOCATOR),
        }
        _defaults[f"label_{name}"] = _text_style(axis.label, label=True)


def _text_style(text, label: bool = False) -> tuple:
    """What a title or label has that `describe` does not carry over: it must be the default. (An axis places its
    label itself when it is drawn, so a label's position is no choice of the student's.)"""
    placed = () if label else tuple(text.get_position())
    return (
        text.get_fontfamily(),
        text.get_fontstyle(),
        text.get_fontvariant(),
        text.get_stretch(),
        text.get_rotation(),
        text.get_horizontalalignment(),
        text.get_verticalalignment(),
        placed,
        text.get_alpha(),
        text.get_bbox_patch() is None,
        text.get_usetex(),
    )


def _legend_style(legend) -> tuple:
    """What a legend has that `describe` does not carry over (its place, font size, columns and frame are carried)."""
    frame = legend.get_frame()
    return (
        legend.shadow,
        legend.markerscale,
        legend._mode,
        legend.handlelength,
        legend.handletextpad,
        legend.labelspacing,
        legend.borderpad,
        legend.columnspacing,
        legend.borderaxespad,
        legend.numpoints,
        legend._alignment,
        tuple(frame.get_facecolor()),
        tuple(frame.get_edgecolor()),
        frame.get_alpha(),
        type(frame.get_boxstyle()).__name__,
        frame.get_linewidth(),
        legend.get_visible(),
        tuple(sorted({(t.get_color(), str(t.get_fontweight())) for t in legend.texts})),
    )


def _axes_style(axes) -> tuple:
    """What an axes has that `describe` does not carry over."""
    return (
        axes.get_frame_on(),
        axes.get_box_aspect(),
        axes.get_axisbelow(),
        axes.xaxis.get_visible(),
        axes.yaxis.get_visible(),
        axes.xaxis._autolabelpos,
        axes.yaxis._autolabelpos,
        axes.xaxis.label.get_position()[0],
        axes.yaxis.label.get_position()[1],
        tuple(axes.titleOffsetTrans.get_matrix().ravel()),
        tuple(
            (
                name,
                spine.get_position(),
                tuple(spine.get_edgecolor()),
                spine.get_linewidth(),
                spine.get_linestyle(),
                spine.get_visible(),
            )
            for name, spine in sorted(axes.spines.items())
        ),
    )


def _figure_style(figure) -> tuple:
    return (
        tuple(figure.patch.get_facecolor()),
        tuple(figure.patch.get_edgecolor()),
        figure.patch.get_linewidth(),
        figure.patch.get_visible(),
    )


def describe(figure) -> dict | None:
    """The figure as a spec, or None when it holds anything a spec cannot say exactly, or anything the trusted side
    would refuse (an honest figure must never end the run as a protocol error): the sandbox then draws it itself."""
    try:
        spec = _figure(figure)
        if spec is not None:
            spec = json.loads(json.dumps(spec, allow_nan=False))  # as it travels: plain JSON values only
            figure_spec(spec, [values_allowed(1)])
        return spec
    except (Exception, ProtocolError):  # noqa: BLE001  (whatever the student did to it: the sandbox draws it as it is)
        return None


def _figure(figure) -> dict | None:
    if not _defaults or dict(matplotlib.rcParams) != _defaults["rc"] or type(figure) is not Figure:
        return None
    suptitle = figure._suptitle
    if (
        figure.texts != ([suptitle] if suptitle is not None else [])
        or figure.lines
        or figure.patches
        or figure.images
        or figure.legends
        or figure.artists
        or figure.subfigs
        or figure._supxlabel
        or figure._supylabel
        or not isinstance(figure.get_layout_engine(), (type(None), PlaceHolderLayoutEngine))
    ):
        return None
    # a Line2D's xy data is an (n, 2) array
    if sum(len(cast("np.ndarray", line.get_xydata())) for axes in figure.axes for line in axes.lines) > MAX_POINTS:
        return None
    if _figure_style(figure) != _defaults["figure"]:
        return None
    axes = [_axes(a) for a in figure.axes]
    if any(a is None for a in axes):
        return None
    title = _text(suptitle, "suptitle") if suptitle is not None else None
    if suptitle is not None and title is None:
        return None
    return {"size": [float(v) for v in figure.get_size_inches()], "suptitle": title, "axes": axes}


def _text(text, role: str) -> list | None:
    if _text_style(text, label=role.startswith("label")) != _defaults[role]:
        return None
    weight = text.get_fontweight()
    return [
        text.get_text(),
        float(text.get_fontsize()),
        int(weight) if isinstance(weight, int) else str(weight),
        list(to_rgba(text.get_color())),
    ]


def _axis(axis, name: str, scale: str) -> dict | None:
    defaults = _defaults[name]
    extra = {k: v for k, v in axis._major_tick_kw.items() if defaults["tick"].get(k, object()) != v}
    if (
        scale != "linear"
        or set(extra) - {"gridOn", *GRID_KEYS}
        or axis._minor_tick_kw != defaults["minor"]
        or type(axis.get_major_locator()) is not AutoLocator
        or type(axis.get_major_formatter()) is not ScalarFormatter
        or type(axis.get_minor_locator()) is not NullLocator
        or _settings(axis.get_major_formatter(), _FORMATTER) != defaults["formatter"]
        or _settings(axis.get_major_locator(), _LOCATOR) != defaults["locator"]
        or axis.labelpad != defaults["labelpad"]
        or axis.get_converter() is not None
    ):
        return None
    grid = {
        k: (list(to_rgba(v)) if k == "grid_color" else v if k == "grid_linestyle" else float(v))
        for k, v in extra.items()
        if k in GRID_KEYS
    }
    if grid.get("grid_linestyle", "-") not in LINESTYLES:
        return None
    label = _text(axis.label, f"label_{name}")
    return (
        None
        if label is None
        else {"grid": bool(axis._major_tick_kw.get("gridOn", False)), "grid_style": grid, "label": label}
    )


def _axes(axes) -> dict | None:
    if (
        type(axes) is not Axes
        or axes.name != "rectilinear"
        or not axes.get_visible()
        or not axes.axison
        or axes.child_axes
        or axes.containers
        or len(axes._twinned_axes.get_siblings(axes)) != 1
        or axes._left_title.get_text()
        or axes._right_title.get_text()
        or len(axes.get_shared_x_axes().get_siblings(axes)) != 1
        or len(axes.get_shared_y_axes().get_siblings(axes)) != 1
        or axes.get_aspect() != "auto"
        or any(type(child) is not Line2D for child in axes._children)
        or axes.get_facecolor() != to_rgba(matplotlib.rcParams["axes.facecolor"])
        or _axes_style(axes) != _defaults["axes"]
    ):
        return None
    x, y, title = (
        _axis(axes.xaxis, "x", axes.get_xscale()),
        _axis(axes.yaxis, "y", axes.get_yscale()),
        _text(axes.title, "title"),
    )
    lines = [_line(line, axes) for line in axes.lines]
    legend = _legend(axes) if axes.get_legend() is not None else None
    if x is None or y is None or title is None or any(line is None for line in lines) or legend is False:
        return None
    return {
        "position": [float(v) for v in axes.get_position(original=True).bounds],
        "title": title,
        "x": x,
        "y": y,
        "xlim": [float(v) for v in axes.get_xlim()],
        "ylim": [float(v) for v in axes.get_ylim()],
        "lines": lines,
        "legend": legend,
    }


def _legend(axes) -> dict | bool:
    legend = axes.get_legend()
    labels = [line.get_label() for line in axes.lines if not line.get_label().startswith("_")]
    if (
        [t.get_text() for t in legend.texts] != labels
        or legend._bbox_to_anchor is not None
        or legend.get_title().get_text()
        or not isinstance(legend._loc, int)
        or legend.get_draggable()
        or _legend_style(legend) != _defaults["legend"]
        or [h.get_label() for h in legend.legend_handles] != labels
    ):
        return False
    return {
        "loc": legend._loc,
        "fontsize": float(legend._fontsize),
        "ncols": int(legend._ncols),
        "frameon": bool(legend.get_frame_on()),
    }


def _line(line, axes) -> dict | None:
    rc = matplotlib.rcParams
    if (
        type(line) is not Line2D
        or line.get_transform() != axes.transData
        or not line.get_clip_on()
        or line.get_clip_path() is not None
        or line.get_drawstyle() != "default"
        or line.get_markevery() is not None
        or line.get_path_effects()
        or line.get_sketch_params() is not None
        or line.get_snap() is not None
        or line.get_rasterized()
        or line.get_antialiased() != rc["lines.antialiased"]
        or line.get_fillstyle() != "full"
        or line.get_gapcolor() is not None
        or line.get_solid_capstyle() != rc["lines.solid_capstyle"]
        or line.get_dash_capstyle() != rc["lines.dash_capstyle"]
        or line.get_solid_joinstyle() != rc["lines.solid_joinstyle"]
        or line.get_dash_joinstyle() != rc["lines.dash_joinstyle"]
        or not isinstance(line.get_marker(), str)
        or line.get_marker() not in MARKERS
    ):
        return None
    offset, dashes = line._unscaled_dash_pattern
    xy = cast("np.ndarray", line.get_xydata())  # an (n, 2) array
    return {
        "x": [_plain(v) for v in xy[:, 0].tolist()],
        "y": [_plain(v) for v in xy[:, 1].tolist()],
        "color": list(to_rgba(line.get_color())),
        "alpha": None if line.get_alpha() is None else float(cast(float, line.get_alpha())),
        "linewidth": float(line.get_linewidth()),
        "dashes": None
        if line.get_linestyle() in ("None", " ", "")
        else [float(offset), [float(d) for d in dashes or ()]],
        "marker": line.get_marker(),
        "markersize": float(line.get_markersize()),
        "markeredgewidth": float(line.get_markeredgewidth()),
        "markerfacecolor": list(to_rgba(line.get_markerfacecolor())),
        "markeredgecolor": list(to_rgba(line.get_markeredgecolor())),
        "label": "_" if cast(str, line.get_label()).startswith("_") else line.get_label(),
        "zorder": float(line.get_zorder()),
        "visible": bool(line.get_visible()),
    }


def _plain(value: float) -> float | None:
    return value if math.isfinite(value) else None


# ---- the figures sandbox ----------------------------------------------------------------------


def draw(spec: dict) -> bytes:
    """The PNG of a spec (validated by the trusted side), drawn as the cells sandbox would have drawn the figure."""
    figure = Figure(figsize=spec["size"])
    FigureCanvasAgg(figure)
    if spec["suptitle"] is not None:
        text, size, weight, color = spec["suptitle"]
        figure.suptitle(text, fontsize=size, fontweight=weight, color=color)
    for part in spec["axes"]:
        axes = figure.add_axes(part["position"])
        for line in part["lines"]:
            dashes = line["dashes"]
            style = "None" if dashes is None else "-" if not dashes[1] else (dashes[0], tuple(dashes[1]))
            axes.plot(
                _nan(line["x"]),
                _nan(line["y"]),
                color=line["color"],
                alpha=line["alpha"],
                linewidth=line["linewidth"],
                linestyle=style,
                marker=line["marker"],
                markersize=line["markersize"],
                markeredgewidth=line["markeredgewidth"],
                markerfacecolor=line["markerfacecolor"],
                markeredgecolor=line["markeredgecolor"],
                label=line["label"],
                zorder=line["zorder"],
                visible=line["visible"],
            )
        axes.set_xlim(part["xlim"])
        axes.set_ylim(part["ylim"])
        text, size, weight, color = part["title"]
        axes.set_title(text, fontsize=size, fontweight=weight, color=color)
        for axis, which, setter in ((part["x"], "x", axes.set_xlabel), (part["y"], "y", axes.set_ylabel)):
            text, size, weight, color = axis["label"]
            setter(text, fontsize=size, fontweight=weight, color=color)
            if axis["grid"]:
                axes.grid(
                    True,
                    axis=cast('Literal["x", "y"]', which),
                    **{k[len("grid_") :]: v for k, v in axis["grid_style"].items()},
                )
        if part["legend"] is not None:
            legend = part["legend"]
            axes.legend(
                loc=legend["loc"], fontsize=legend["fontsize"], ncols=legend["ncols"], frameon=legend["frameon"]
            )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _nan(values: list) -> list[float]:
    return [math.nan if v is None else v for v in values]
