"""Golden files: every text format of chat-7b@1.1.0 with its 10-node lineage and audit.

Regenerate with ``UMR_REGEN_GOLDEN=1 pytest tests/formats/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from umr.formats import available, get, render
from umr.formats.context import RenderContext

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("UMR_REGEN_GOLDEN") == "1"
BINARY = {"pdf"}


@pytest.mark.parametrize("name", [n for n in available() if n not in BINARY])
def test_matches_golden_file(ctx: RenderContext, name: str) -> None:
    expected = GOLDEN / f"chat-7b{get(name).suffix}"
    actual = render(name, ctx)
    if REGEN or not expected.exists():
        expected.write_bytes(actual)
        if not REGEN:
            pytest.fail(f"wrote missing golden file {expected.name}; review and commit it")
    assert actual.decode() == expected.read_text(encoding="utf-8")


def test_rendering_is_deterministic(ctx: RenderContext) -> None:
    for name in available():
        if name not in BINARY:
            assert render(name, ctx) == render(name, ctx), name
