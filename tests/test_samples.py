"""The bundled samples follow the committed release: regenerating them changes nothing."""

from __future__ import annotations

import importlib.util

from .conftest import ROOT


def test_the_committed_samples_are_current(tmp_path):
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "samples" / "make_samples.py")
    make_samples = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_samples)
    committed = ROOT / "samples" / "submitted"
    for path in make_samples.build(tmp_path):
        relative = path.relative_to(tmp_path)
        assert (committed / relative).read_bytes() == path.read_bytes(), (
            f"{relative} is stale: run python samples/make_samples.py"
        )
    assert sorted(p.relative_to(committed) for p in committed.rglob("*.ipynb")) == sorted(
        p.relative_to(tmp_path) for p in tmp_path.rglob("*.ipynb")
    )
