"""Small SQL helpers shared by the registry modules."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, bindparam, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from umr.registry import tables as t
from umr.spec import Version

T = TypeVar("T")


def chunked(items: Sequence[T], size: int = 500) -> Iterator[Sequence[T]]:
    """Slices of at most ``size`` items (SQLite bounds the number of bound parameters)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def insert_ignore(conn: Connection, table: Table, rows: list[dict[str, Any]], key: str) -> None:
    """INSERT ... ON CONFLICT (key) DO NOTHING, on SQLite and PostgreSQL."""
    if not rows:
        return
    ins: Any = pg_insert(table) if conn.dialect.name == "postgresql" else sqlite_insert(table)
    for part in chunked(rows):
        conn.execute(ins.on_conflict_do_nothing(index_elements=[key]), list(part))


def fts_text(value: str | None) -> str:
    """Text for the full-text index: words only, so both dialects tokenize alike."""
    return re.sub(r"[\W_]+", " ", value or "").strip()


def publisher_key(publisher: str | None) -> str | None:
    """What the publisher filter compares: Unicode case folding (``STRASSE`` matches
    ``Straße``), done in Python so SQLite and PostgreSQL agree whatever their locale."""
    return " ".join(publisher.casefold().split()) if publisher else None


def refresh_latest(conn: Connection, names: Sequence[str]) -> None:
    """Point each name at its highest non-yanked version, and reindex the ones that moved."""
    rows: dict[str, list[Any]] = {n: [] for n in names}
    current: dict[str, tuple[int, int | None]] = {}
    for part in chunked(list(names)):
        for row in conn.execute(
            select(
                t.records.c.id,
                t.records.c.name,
                t.records.c.version,
                t.records.c.kind,
                t.records.c.title,
                t.records.c.summary,
                t.records.c.publisher,
            ).where(t.records.c.name.in_(part), t.records.c.yanked.is_(False))
        ):
            rows[row.name].append(row)
        for nid, name, latest in conn.execute(
            select(t.names.c.id, t.names.c.name, t.names.c.latest_id).where(
                t.names.c.name.in_(part)
            )
        ):
            current[name] = (nid, latest)
    changed = []
    for name, versions in rows.items():
        nid, latest = current[name]
        best = max(versions, key=lambda r: Version.parse(r.version), default=None)
        if (best.id if best else None) != latest:
            changed.append((nid, name, best))
    if not changed:
        return
    pointers = [
        {
            "nid": nid,
            "latest_id": b.id if b else None,
            "kind": b.kind if b else None,
            "publisher_key": publisher_key(b.publisher if b else None),
        }
        for nid, _, b in changed
    ]
    if conn.dialect.name == "sqlite":
        conn.execute(update(t.names).where(t.names.c.id == bindparam("nid")), pointers)
        conn.execute(
            text("DELETE FROM names_fts WHERE rowid = :nid"), [{"nid": c[0]} for c in changed]
        )
        docs = [_doc(nid, name, b) for nid, name, b in changed if b is not None]
        if docs:
            conn.execute(
                text(
                    "INSERT INTO names_fts(rowid, name, title, summary, publisher) "
                    "VALUES (:nid, :name, :title, :summary, :publisher)"
                ),
                docs,
            )
    else:
        # One UPDATE per name for the pointer and the search vector: each row version written
        # on PostgreSQL costs a heap tuple and GIN entries, so write it once, not twice.
        conn.execute(
            text(
                "UPDATE names SET latest_id = :latest_id, kind = :kind, "
                "publisher_key = :publisher_key, tsv = "
                "setweight(to_tsvector('simple', :name), 'A') || "
                "setweight(to_tsvector('simple', :title), 'B') || "
                "setweight(to_tsvector('simple', :publisher), 'C') || "
                "setweight(to_tsvector('simple', :summary), 'D') WHERE id = :nid"
            ),
            [
                row | _doc(nid, name, b)
                for row, (nid, name, b) in zip(pointers, changed, strict=True)
            ],
        )


def _doc(nid: int, name: str, row: Any) -> dict[str, Any]:
    return {
        "nid": nid,
        "name": fts_text(name),
        "title": fts_text(row.title if row else ""),
        "summary": fts_text(row.summary if row else ""),
        "publisher": fts_text(row.publisher if row else ""),
    }
