"""Turn what a user typed (a file path or ``name@range``) into a record."""

from __future__ import annotations

from pathlib import Path

from umr.spec.load import load_record
from umr.spec.record import Record
from umr.spec.refs import Ref
from umr.spec.source import MemorySource, RecordSource, find


def is_path(text: str) -> bool:
    return text.endswith((".yaml", ".yml", ".json")) or "/" in text or Path(text).is_file()


def lookup(text: str, source: RecordSource) -> tuple[Record, RecordSource]:
    """The record ``text`` names, and a source in which its refs resolve.

    A path loads that file (its base and upstream resolve against ``source``); anything else
    is a ref resolved against ``source``.
    """
    if is_path(text):
        record = load_record(text)
        return record, MemorySource([record], fallback=source)
    return find(source, Ref.parse(text)), source
