"""Students' figures drawn once per class: a spec that says the figure exactly, checked on the trusted side,
drawn where no student code ran, and kept by its content."""

from __future__ import annotations

import io
import json
import math

import matplotlib
import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
import torch

from autograder.sandbox import Sandbox, figures, read_figures
from autograder.sandbox.protocol import ProtocolError
from autograder.sandbox.read_figures import FIGURE, NOT_DRAWN, draw_figures, figure_spec, rounded, spec_key

# the release's plot helper
HELPER = nbformat.read("release/derivatives/derivatives.ipynb", as_version=4).cells[1].source
DESCRIBED = {
    "the release's helper, one axes": HELPER + "\nx = torch.linspace(-3, 3, 100)\nplot_with_derivative(x, [('f(x)', "
    "lambda x: 3*x**3 - 2*x**2 + 5*x - 4), (\"f'(x)\", lambda x: 9*x**2 - 4*x + 5)], 'Random Function and "
    "its Derivative')",
    "the release's helper, separate axes": HELPER + "\np = torch.linspace(0.01, 0.99, 100)\nplot_with_derivative(p, "
    "[('L', lambda p: -torch.log(p)), ('dL', lambda p: -1/p)], 'BCE (y=1)', separate=True)",
    "styles, markers, limits": "x = np.linspace(-2, 2, 50)\nplt.figure(figsize=(8, 4))\nplt.plot(x, x**2, 'r--o', "
    "label='sq', markersize=3)\nplt.plot(x, np.sin(x), color='#123456', linewidth=3, alpha=0.5)\nplt.xlabel('x'); "
    "plt.ylabel('y', fontsize=14)\nplt.title('T', fontweight='bold'); plt.legend(loc='upper left'); plt.grid(True, "
    "alpha=0.3, linestyle=':')\nplt.xlim(-1, 3)",
    "a grid of axes, tight layout": "fig, ax = plt.subplots(2, 2)\nfor i, a in enumerate(ax.flat):\n    a.plot([1, 2, "
    "3], [i, i*2, 1], ':')\n    a.set_title(str(i))\nplt.tight_layout()",
    "not finite values, one grid": "plt.plot([0, 1, 2, 3], [1, float('nan'), 3, float('inf')]); plt.grid(axis='y')",
    "large values, mathtext": "x = np.linspace(0, 1, 100); plt.plot(x, 1e7 * x); plt.title(r'$\\sigma(x)$'); "
    "plt.suptitle('all')",
}
DRAWN_IN_THE_SANDBOX = {
    "scatter": "plt.scatter([1, 2], [3, 4])",
    "a line across the axes": "plt.plot([1, 2], [3, 4]); plt.axhline(0)",
    "a log scale": "plt.semilogy([1, 2], [3, 4])",
    "a style": "plt.style.use('ggplot'); plt.plot([1, 2], [3, 4])",
    "text": "plt.plot([1, 2], [3, 4]); plt.text(1, 3, 'hi')",
    "chosen ticks": "plt.plot([1, 2], [3, 4]); plt.xticks([1, 1.5, 2])",
    "a filled area": "plt.plot([1, 2], [3, 4]); plt.fill_between([1, 2], [3, 4], alpha=0.2)",
    "twin axes": "fig, ax = plt.subplots(); ax.plot([1, 2], [3, 4]); ax.twinx().plot([1, 2], [4, 3], 'r')",
    "a legend of other labels": "plt.plot([1, 2], [3, 4], label='a'); plt.legend(['b'])",
    "an image": "plt.imshow(np.eye(3))",
    "bars": "plt.bar([1, 2], [3, 4])",
    "a label's own font": "plt.plot([1, 2], [3, 4]); plt.xlabel('x', fontfamily='monospace')",
    "more points than a spec carries": f"plt.plot(np.arange({figures.MAX_POINTS + 1}), "
    f"np.arange({figures.MAX_POINTS + 1}))",
    "no frame": "plt.plot([1, 2], [3, 4]); plt.gca().set_frame_on(False)",
    "a square box": "plt.plot([1, 2], [3, 4]); plt.gca().set_box_aspect(1)",
    "spines through zero": "plt.plot([-1, 2], [-3, 4]); plt.gca().spines['left'].set_position('zero')",
    "a coloured spine": "plt.plot([1, 2], [3, 4]); plt.gca().spines['left'].set_color('red')",
    "a hidden axis": "plt.plot([1, 2], [3, 4]); plt.gca().xaxis.set_visible(False)",
    "a legend with a shadow": "plt.plot([1, 2], [3, 4], label='a'); plt.legend(shadow=True)",
    "a legend in reverse": "plt.plot([1, 2], [3, 4], label='a'); plt.plot([1, 2], [4, 3], label='b'); "
    "plt.legend(reverse=True)",
    "a title further up": "plt.plot([1, 2], [3, 4]); plt.title('t', pad=20)",
    "a label placed by hand": "plt.plot([1, 2], [3, 4]); plt.xlabel('x'); plt.gca().xaxis.set_label_coords(0.1, -0.1)",
    "a label at one end": "plt.plot([1, 2], [3, 4]); plt.xlabel('x', loc='right')",
    "a figure with an edge": "plt.figure(edgecolor='red', linewidth=3); plt.plot([1, 2], [3, 4])",
}
UNUSUAL_BUT_HONEST = {  # each is either described and drawn the same, or drawn in the sandbox: never refused
    "an empty figure": "plt.figure(figsize=(8, 4))",
    "twenty axes": "fig, axes = plt.subplots(4, 5)\nfor a in axes.flat:\n    a.plot([1, 2], [3, 4])",
    "a hundred lines": "x = np.linspace(0, 1, 20)\nplt.plot(x, np.outer(x, np.arange(100)))",
    "a numeric font weight": "plt.plot([1, 2], [3, 4]); plt.title('t', fontweight=700)",
    "values past 1e300": "x = np.linspace(0, 709, 50); plt.plot(x, np.exp(x))",
    "a very wide figure": "plt.figure(figsize=(45, 4)); plt.plot([1, 2], [3, 4])",
    "thick lines, big markers": "plt.plot([1, 2], [3, 4], linewidth=60, marker='o', markersize=150)",
    "twelve legend columns": "for i in range(12):\n    plt.plot([1, 2], [i, i], label=str(i))\nplt.legend(ncols=12)",
    "an odd dash pattern": "plt.plot([1, 2], [3, 4], linestyle=(0, (5, 1, 1)))",
    "a grid width as text": "plt.plot([1, 2], [3, 4]); plt.grid(True, linewidth='2')",
    "a float32 alpha": "plt.plot([1, 2], [3, 4], alpha=np.float32(0.5))",
    "a long title": "plt.plot([1, 2], [3, 4]); plt.title('t' * 500)",
}


@pytest.mark.slow
@pytest.mark.parametrize("name", UNUSUAL_BUT_HONEST)
def test_an_unusual_figure_is_never_sent_as_a_spec_the_trusted_side_refuses(name):
    for figure in made_by(UNUSUAL_BUT_HONEST[name]):
        spec = figures.describe(figure)
        if spec is not None:
            figure_spec(json.loads(json.dumps(spec)), [read_figures.values_allowed(16)])
            assert figures.draw(spec) == png(figure), name


@pytest.fixture(autouse=True)
def clean_pyplot():
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        figures.remember_defaults()
        plt.close("all")
        yield
        plt.close("all")


def made_by(code: str):
    plt.close("all")
    namespace = {"torch": torch, "plt": plt, "np": np}
    show, plt.show = plt.show, lambda *args, **kwargs: None
    try:
        exec(code, namespace)
    finally:
        plt.show = show
    return [plt.figure(number) for number in plt.get_fignums()]


def png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=figures.DPI)
    return buffer.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("name", DESCRIBED)
def test_a_described_figure_is_drawn_again_to_the_same_bytes(name):
    made = made_by(DESCRIBED[name])
    assert made
    for figure in made:
        spec = figures.describe(figure)
        assert spec is not None, name
        assert figures.draw(json.loads(json.dumps(spec))) == png(figure), name  # through JSON, as it travels


@pytest.mark.slow
@pytest.mark.parametrize("name", DRAWN_IN_THE_SANDBOX)
def test_a_figure_a_spec_cannot_say_exactly_is_not_described(name):
    made = made_by(DRAWN_IN_THE_SANDBOX[name])
    assert made and all(figures.describe(figure) is None for figure in made), name


@pytest.mark.slow
def test_a_spec_that_left_out_a_grid_would_draw_differently():
    """The byte comparison above can fail: the same spec without its grid is another picture."""
    (figure,) = made_by(DESCRIBED["not finite values, one grid"])
    spec = figures.describe(figure)
    spec["axes"][0]["y"]["grid"] = False
    assert figures.draw(spec) != png(figure)


def spec_of(code: str) -> dict:
    (figure,) = made_by(code)
    return json.loads(json.dumps(figures.describe(figure)))


def checked(value, budget: int = read_figures.values_allowed(16)) -> dict:
    return rounded(figure_spec(value, [budget]))


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda s: s.update(axes=[]), "figure"),
        (lambda s: s.update(size=[1e6, 1]), "number"),
        (lambda s: s["axes"][0]["lines"][0].update(y=["1"] * len(s["axes"][0]["lines"][0]["y"])), "number"),
        (lambda s: s["axes"][0]["lines"][0].update(y=[math.nan] * len(s["axes"][0]["lines"][0]["y"])), "number"),
        (lambda s: s["axes"][0]["lines"][0].update(y=[1.0]), "line"),
        (lambda s: s["axes"][0]["lines"][0].update(marker="$\\frac{a}{b}$"), "line"),
        (lambda s: s["axes"][0]["lines"][0].update(dashes=[0, [-1.0, 1.0]]), "number"),
        (lambda s: s["axes"][0]["lines"][0].update(color=[2, 0, 0, 1]), "number"),
        (lambda s: s["axes"][0]["x"]["grid_style"].update(grid_zorder=3), "grid style"),
        (lambda s: s["axes"][0].update(legend={"loc": 99, "fontsize": 10.0, "ncols": 1, "frameon": True}), "integer"),
        (lambda s: s["axes"][0].update(xlim=[1.0, 1.0]), "limits"),
        (lambda s: s["axes"][0]["title"].__setitem__(2, "<script>"), "font weight"),
        (lambda s: s["axes"].extend([s["axes"][0]] * read_figures.MAX_AXES), "figure"),
        (lambda s: s["axes"][0]["title"].__setitem__(0, "t" * 301), "too long"),
    ],
)
def test_every_field_of_a_spec_is_checked(change, problem):
    spec = spec_of("plt.plot([1, 2, 3], [3, 1, 2], label='a'); plt.legend()")
    checked(spec)  # as sent, it passes
    change(spec)
    with pytest.raises(ProtocolError, match=problem):
        checked(spec)


def test_a_submissions_specs_share_one_budget_of_points():
    spec = spec_of("plt.plot(range(100), range(100))")
    budget = [250]
    figure_spec(spec, budget)
    with pytest.raises(ProtocolError, match="too many points"):
        figure_spec(spec, budget)


def test_values_that_differ_below_a_pixel_make_one_spec_and_visible_differences_another():
    x = torch.linspace(-8, 8, 200)
    exact = torch.sigmoid(x) * (1 - torch.sigmoid(x))
    other_form = torch.exp(-x) / (1 + torch.exp(-x)) ** 2  # the same function, other last bits
    assert not torch.equal(exact, other_form)
    keys = [
        spec_key(checked(spec_of(f"plt.plot({x.tolist()}, {y.tolist()})"))) for y in (exact, other_form, exact * 1.001)
    ]
    assert keys[0] == keys[1] != keys[2]


def test_rounding_moves_no_point_by_more_than_a_quarter_of_a_pixel():
    generator = np.random.default_rng(0)
    for scale in (1e-6, 1.0, 3e4):
        y = (generator.standard_normal(300) * scale).tolist()
        spec = spec_of(f"plt.figure(figsize=(5, 3)); plt.plot({list(range(300))}, {y})")
        axes = checked(spec)["axes"][0]
        pixel = (axes["ylim"][1] - axes["ylim"][0]) / (axes["position"][3] * 3 * figures.DPI)
        moved = max(abs(a - b) for a, b in zip(axes["lines"][0]["y"], y))
        assert 0 < moved <= read_figures.PIXEL_FRACTION * pixel * 1.0001, scale


@pytest.mark.parametrize("value", [1e300, -1e300, 1e-300, 0.0, None])
def test_rounding_takes_any_checked_value(value):
    spec = spec_of("plt.plot([1, 2, 3], [3, 1, 2])")
    spec["axes"][0]["lines"][0]["y"][1] = value
    spec["axes"][0]["ylim"] = [-1e300, 1e300] if value != 1e-300 else [0.0, 1e-300]
    assert checked(spec)["axes"][0]["lines"][0]["y"][1] == value or value not in (None, 1e300, -1e300)


def pending(spec: dict) -> dict:
    return {"output_type": "display_data", "data": {"text/plain": "<Figure>"}, "metadata": {}, FIGURE: spec}


def test_each_distinct_spec_is_drawn_once_and_every_figure_gets_its_own_specs_image():
    read_figures._images.clear()
    one, two = checked(spec_of("plt.plot([1, 2], [3, 4])")), checked(spec_of("plt.plot([1, 2], [4, 3])"))
    drawn: list[str] = []

    def draw(specs):
        drawn.extend(spec_key(s) for s in specs)
        return [f"image of {spec_key(s)}" for s in specs]

    for outputs in ({0: [pending(one)]}, {3: [pending(two), pending(one)]}, {1: [pending(one)], 2: [pending(two)]}):
        draw_figures(outputs, draw)
        for output in (o for cell in outputs.values() for o in cell):
            assert FIGURE not in output
            assert output["data"]["image/png"] in (f"image of {spec_key(one)}", f"image of {spec_key(two)}")
    assert sorted(drawn) == sorted([spec_key(one), spec_key(two)])
    outputs = {0: [pending(one)], 1: [pending(two)]}
    draw_figures(outputs, draw)
    assert [outputs[i][0]["data"]["image/png"] for i in (0, 1)] == [
        f"image of {spec_key(one)}",
        f"image of {spec_key(two)}",
    ]


def test_a_figure_that_could_not_be_drawn_says_so_and_is_tried_again_next_time():
    read_figures._images.clear()
    spec, calls = checked(spec_of("plt.plot([1, 2], [3, 4])")), []

    def fails(specs):
        calls.append(len(specs))
        return [None] * len(specs)

    for _ in range(2):
        outputs = {0: [pending(spec)]}
        draw_figures(outputs, fails)
        assert outputs[0][0]["data"] == {"text/plain": NOT_DRAWN}
    assert calls == [1, 1]


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as box:
        yield box


@pytest.mark.slow
def test_a_students_figure_reaches_the_notebook_as_the_png_their_figure_makes(sandbox):
    code = (
        "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [3, 1, 2], 'g-', "
        "label='mine')\nplt.legend()\nplt.title('T')\nplt.show()"
    )
    read_figures._images.clear()
    for _ in range(2):  # drawn in a figures sandbox, then taken from what was kept
        run = sandbox.run([(0, code)], [])
        images = [o["data"]["image/png"] for o in run.outputs[0] if "image/png" in o.get("data", {})]
        assert len(images) == 1
    (expected,) = made_by(code.replace("plt.show()", ""))
    import base64

    assert base64.b64decode(images[0]) == png(expected)


@pytest.mark.slow
def test_a_title_matplotlib_cannot_draw_costs_that_figure_only(sandbox):
    read_figures._images.clear()
    code = (
        "import matplotlib.pyplot as plt\nplt.plot([1, 2], [3, 4])\nplt.title(r'$\\frac{$')\nplt.show()\n"
        "plt.plot([1, 2], [4, 3])\nplt.show()\nprint('after')"
    )
    run = sandbox.run([(0, code)], [])
    kinds = [(o["output_type"], sorted(o.get("data", {}))) for o in run.outputs[0]]
    assert run.fault is None
    assert run.outputs[0][0]["data"] == {"text/plain": NOT_DRAWN}
    assert ("display_data", ["image/png", "text/plain"]) in kinds and run.outputs[0][-1]["text"] == "after\n"
