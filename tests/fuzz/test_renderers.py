"""Fuzz every renderer with any valid record: each format returns its bytes for a record that
inherits, has upstream edges and any extensions, and the structured ones parse."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz._run import Counter, examples, run
from fuzz._strategies import valid_records
from umr.formats import available, render
from umr.formats.context import build_context
from umr.spec import parse_record
from umr.spec.source import MemorySource

FORMATS = available()
_COUNTERS = {name: Counter(f"render-{name}") for name in FORMATS}


def _base(data: dict[str, Any]) -> dict[str, Any]:
    """An upstream or base record: version 1.0.0, no refs of its own."""
    return {k: v for k, v in data.items() if k not in ("inherits", "upstream")} | {
        "version": "1.0.0"
    }


@st.composite
def families(draw: st.DrawFn) -> list[dict[str, Any]]:
    main = draw(valid_records())
    others = [_base(draw(valid_records(name=n))) for n in ("up-a", "up-b", "up-base")]
    return [main, *others]


def _check(fmt: str, body: bytes) -> None:
    assert isinstance(body, bytes) and body, fmt
    if fmt in ("json", "cyclonedx", "spdx"):
        json.loads(body)
    elif fmt == "svg":
        ET.fromstring(body)
    elif fmt != "pdf":
        body.decode("utf-8")  # text formats are UTF-8 (a surrogate would fail here)


def test_every_renderer_renders_any_valid_record() -> None:
    @settings(max_examples=examples(60, 100))
    @given(families())
    def prop(family: list[dict[str, Any]]) -> None:
        records = [parse_record(data, source="<fuzz>") for data in family]
        main = records[0]
        ctx = build_context(f"{main.name}@={main.version}", MemorySource(records))
        for fmt in FORMATS:
            with _COUNTERS[fmt]:
                _check(fmt, render(fmt, ctx))

    run("renderers", prop)
