"""Test inputs: the standard matrix every exercise gets, plus its own edge cases.

Inputs are seeded, so every run and every student sees the same values.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, cast

import torch


class Sampler(Protocol):
    """Draws seeded values of a shape and dtype. `interval`'s samplers carry `span` and `typical`, `labels`'s carry
    `labels` (read only where the sampler is known to be one of those)."""

    span: tuple[float, float]
    typical: float
    labels: tuple[float, ...]

    def __call__(self, gen: torch.Generator, shape: tuple[int, ...], dtype: torch.dtype, /) -> torch.Tensor: ...


def interval(low: float, high: float) -> Sampler:
    """Uniform real values in [low, high]."""

    def sample(gen: torch.Generator, shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
        return low + (high - low) * torch.rand(shape, generator=gen, dtype=dtype)

    sampler = cast(Sampler, sample)  # the same function, with its marks
    sampler.span = (low, high)
    sampler.typical = (low + high) / 2
    return sampler


def labels() -> Sampler:
    """Binary labels 0.0 and 1.0."""

    def sample(gen: torch.Generator, shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
        return torch.randint(0, 2, shape, generator=gen).to(dtype)

    sampler = cast(Sampler, sample)  # the same function, with its mark
    sampler.labels = (0.0, 1.0)
    return sampler


@dataclass(frozen=True)
class Edge:
    """A named edge case: one list of values per argument, tried in float32 and float64."""

    name: str
    values: tuple[list[float], ...]
    hint: str = ""


@dataclass(frozen=True)
class Case:
    """One call of the student's function: its arguments and what the case is worth."""

    name: str
    args: tuple[torch.Tensor, ...]
    group: str  # "typical" or "edge"
    hint: str = ""
    weight: float = 1.0

    @property
    def single_value(self) -> bool:
        """One value cannot tell a formula from a coincidence (ReLU′ = 0 is right at any x < 0)."""
        return self.args[0].numel() == 1


# (name, shape, dtype) of the standard matrix; each is drawn from the exercise's samplers.
STANDARD_SHAPES: tuple[tuple[str, tuple[int, ...], torch.dtype], ...] = (
    ("typical values, float32, 1-d", (8,), torch.float32),
    ("typical values, float64, 1-d", (8,), torch.float64),
    ("0-d tensor", (), torch.float32),
    ("batch, 2-d (3×4), float64", (3, 4), torch.float64),
    ("seeded random, float32, 64 values", (64,), torch.float32),
)
EDGE_DTYPES = (torch.float32, torch.float64)


PLOT_POINTS = 201


def plot_series(samplers: tuple[Sampler, ...]) -> tuple[float | None, ...]:
    """One curve per label when the second argument is a label (None: a single curve)."""
    return getattr(samplers[1], "labels", (None,)) if len(samplers) > 1 else (None,)


def plot_case(samplers: tuple[Sampler, ...]) -> Case:
    """A dense grid over the first argument's range, for the feedback plot: one curve for each label when the
    second argument is a label, any other argument held at its typical value. Observed like any case, never scored."""
    low, high = samplers[0].span
    grid = torch.linspace(low, high, PLOT_POINTS, dtype=torch.float64)
    series = plot_series(samplers)
    args = [grid.repeat(len(series))]
    for index, sampler in enumerate(samplers[1:], start=1):
        if index == 1 and series != (None,):
            # series is the labels here, never None
            args.append(torch.cat([torch.full((PLOT_POINTS,), cast(float, label)) for label in series]).double())
        else:
            args.append(torch.full_like(args[0], sampler.typical))
    return Case("plot", tuple(args), "plot", weight=0.0)


def seed_for(name: str) -> int:
    return zlib.crc32(name.encode())


Keep = Callable[[tuple[torch.Tensor, ...]], torch.Tensor]
"""which elements of drawn arguments are fit to be typical values (a boolean mask)"""


def _draw(
    gen: torch.Generator, samplers: tuple[Sampler, ...], shape: tuple[int, ...], dtype: torch.dtype, keep: Keep | None
) -> tuple[torch.Tensor, ...]:
    """Arguments of `shape` whose every element `keep` accepts, drawn in batches from the seeded generator."""
    if keep is None:
        return tuple(sample(gen, shape, dtype) for sample in samplers)
    wanted = max(1, int(torch.Size(shape).numel()))
    chosen: list[list[torch.Tensor]] = [[] for _ in samplers]
    found = 0
    for _ in range(100):
        drawn = tuple(sample(gen, (4 * wanted + 16,), dtype) for sample in samplers)
        mask = keep(drawn)
        for kept, values in zip(chosen, drawn):
            kept.append(values[mask])
        found += int(mask.sum())
        if found >= wanted:
            return tuple(torch.cat(kept)[:wanted].reshape(shape) for kept in chosen)
    raise ValueError(f"the typical ranges hardly ever give values the exercise accepts ({found} of {wanted})")


def build_cases(
    name: str, samplers: tuple[Sampler, ...], edges: tuple[Edge, ...], keep: Keep | None = None
) -> tuple[Case, ...]:
    gen = torch.Generator().manual_seed(seed_for(name))
    cases = [
        Case(label, _draw(gen, samplers, shape, dtype, keep), "typical") for label, shape, dtype in STANDARD_SHAPES
    ]
    for edge in edges:
        for dtype in EDGE_DTYPES:
            args = tuple(torch.tensor(values, dtype=dtype) for values in edge.values)
            label = f"{edge.name}, {str(dtype).removeprefix('torch.')}"
            cases.append(Case(label, args, "edge", hint=edge.hint))
    return tuple(cases)
