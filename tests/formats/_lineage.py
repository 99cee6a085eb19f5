"""The format tests' lineage: the fixture workspace published into a real SQLite registry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from umr.registry import Registry
from umr.spec import Record

FIXTURES = Path(__file__).parent / "fixtures"
RECORDS = FIXTURES / "records"

# the cleaned re-release (no edge to 2.1.0: nothing of it is carried over)
FIXED_BOOKS = Record.from_dict(
    {
        "umr": 1,
        "name": "book-corpus",
        "version": "3.0.0",
        "kind": "dataset",
        "title": "Book Corpus (cleaned)",
        "summary": "Books with permission only.",
    }
)

ADVISORY = {
    "id": "UMR-TEST-0001",
    "summary": "Book Corpus holds <b>copyrighted</b> books scraped without permission",
    "details": "Found in 2024.",
    "severity": "high",
    "published": "2024-05-01",
    "affected": [{"name": "book-corpus", "versions": "<3.0.0"}],
    "fixed": [{"name": "book-corpus", "version": "3.0.0"}],
    "references": [{"url": "https://example.org/advisory", "title": "Advisory text"}],
}


def published(
    folder: Path, root: Path = RECORDS, advisories: list[dict[str, Any]] | None = None
) -> Registry:
    """A SQLite registry in ``folder`` with every record of ``root`` published and
    ``advisories`` added (by default :data:`ADVISORY` for the fixture records, none for other
    roots). The caller closes it."""
    reg = Registry(f"sqlite:///{folder / 'registry.db'}")
    reg.publish([root])
    if advisories is None:
        advisories = [ADVISORY] if root == RECORDS else []
        if root == RECORDS:  # the version ADVISORY names fixed: a fixed entry is published
            reg.publish([FIXED_BOOKS])
    for a in advisories:
        reg.add_advisory(a)
    return reg
