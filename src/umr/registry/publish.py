"""Publishing a batch of records in one transaction: validate, order, lock, resolve, store.

Every upstream ref and the ``inherits`` ref is locked to the highest published, not yanked
version that satisfies it (records of the same batch count as published). Records of a batch
are stored in dependency order; a lineage cycle among them is refused. A published
``name@version`` is immutable: the same digest again is a no-op, other content a conflict.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from umr.errors import ConflictError, NotFoundError, Problem, RecordError
from umr.registry import tables as t
from umr.registry._sql import chunked, insert_ignore, refresh_latest
from umr.registry.naming import new_name_keys
from umr.spec import Record, Resolver, Version, canonical_json, diff, digest
from umr.spec.batch import BatchCheck, Lock, refs_of
from umr.spec.check import collect_files
from umr.spec.load import load_record_text, read_text
from umr.spec.source import MemorySource
from umr.spec.yamlio import Marks

Item = Record | Path | str


@dataclass
class PublishResult:
    """What one ``publish`` call did: ids newly stored, and ids already stored identically."""

    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, list[str]]:
        return {"published": list(self.published), "unchanged": list(self.unchanged)}

    def text(self) -> str:
        lines = [f"published {i}" for i in self.published]
        lines += [f"unchanged {i}" for i in self.unchanged]
        lines.append(f"{len(self.published)} published, {len(self.unchanged)} unchanged")
        return "\n".join(lines)


@dataclass
class _Entry:
    record: Record
    marks: Marks | None
    source: str
    own: dict[str, Any]
    json: str
    digest: str


def load_items(items: Iterable[Item]) -> list[_Entry]:
    """Turn records, files, folders and YAML text into entries; every problem at once."""
    problems: list[Problem] = []
    entries: list[_Entry] = []
    for item in items:
        try:
            entries.extend(_load(item))
        except RecordError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RecordError(problems, hint="fix these files; nothing was published")
    return entries


def _load(item: Item) -> list[_Entry]:
    if isinstance(item, Record):
        return [_entry(item, None, "<record>")]
    if isinstance(item, str) and ("\n" in item or item.lstrip().startswith("umr:")):
        record, marks = load_record_text(item)
        return [_entry(record, marks, "<string>")]
    out = []
    for path in collect_files([Path(item)]):
        if not path.exists():
            raise RecordError([Problem(source=str(path), message="no such file or folder")])
        record, marks = load_record_text(read_text(path), source=str(path))
        out.append(_entry(record, marks, str(path)))
    return out


def _entry(record: Record, marks: Marks | None, source: str) -> _Entry:
    own = record.to_dict()
    text = canonical_json(own)
    return _Entry(record, marks, source, own, text, digest(own))


def _problem(entry: _Entry, path: tuple[str | int, ...], message: str) -> Problem:
    if entry.marks is not None:
        return entry.marks.locate(path, message)
    from umr.spec.yamlio import format_path

    return Problem(
        source=entry.source, path=format_path(path), message=f"{entry.record.id}: {message}"
    )


class _TxSource:
    """Published, not yanked records as seen inside the publishing transaction."""

    def __init__(self, conn: Connection, label: str) -> None:
        self.conn = conn
        self.label = label
        self.ids: dict[str, dict[Version, int]] = {}
        self._records: dict[int, Record] = {}

    def prefetch(self, names: Iterable[str]) -> None:
        missing = sorted({n for n in names if n not in self.ids})
        for n in missing:
            self.ids[n] = {}
        for part in chunked(missing):
            rows = self.conn.execute(
                select(t.records.c.id, t.records.c.name, t.records.c.version).where(
                    t.records.c.name.in_(part), t.records.c.yanked.is_(False)
                )
            )
            for rid, name, version in rows:
                self.ids[name][Version.parse(version)] = rid

    def describe(self) -> str:
        return f"the published, not yanked versions in {self.label}"

    def versions(self, name: str) -> list[Version]:
        self.prefetch([name])
        return sorted(self.ids[name])

    def get(self, name: str, version: Version) -> Record:
        self.prefetch([name])
        rid = self.ids[name].get(version)
        if rid is None:
            raise NotFoundError(f"{name}@{version} is not in {self.label}")
        if rid not in self._records:
            row = self.conn.execute(
                select(t.records.c.record_json, t.records.c.key_order).where(t.records.c.id == rid)
            ).one()
            self._records[rid] = record_from_row(row.record_json, row.key_order)
        return self._records[rid]


def record_from_row(record_json: str, key_order: str) -> Record:
    data = json.loads(record_json)
    order = json.loads(key_order)
    return Record.from_dict({k: data[k] for k in order if k in data})


def publish_batch(conn: Connection, entries: Sequence[_Entry], label: str) -> PublishResult:
    """Store ``entries`` in the open transaction ``conn`` (see the module docstring)."""
    result = PublishResult()
    batch = _dedupe(entries)
    names = sorted({e.record.name for e in batch.values()})
    _lock_names(conn, names, new_name_keys(conn, batch.values()))
    todo = _skip_published(conn, batch, result)
    if not todo:
        return result
    source = _TxSource(conn, label)
    ref_names = {ref.name for e in todo.values() for _, _, ref in refs_of(e.record)}
    source.prefetch(ref_names | set(names))
    records = [e.record for e in todo.values()]
    batch_source = MemorySource(records, fallback=source, label="this batch")
    # The checks `umr validate` runs, so the two agree (umr.spec.batch).
    check = BatchCheck(batch_source, lambda r, path, message: _problem(todo[r.id], path, message))
    check.lock(records)
    check.resolve(records, _prime(conn, Resolver(batch_source), check.locks, todo))
    if check.problems:
        raise RecordError(
            check.problems,
            hint="publish the upstream records first (or in the same batch), or fix the refs; "
            "nothing was published",
        )
    locks, order = check.locks, check.order
    now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    rows = []
    for rid in order:
        e = todo[rid]
        resolved = check.resolved[rid]
        data = resolved.data
        rows.append(
            {
                "name": e.record.name,
                "version": str(e.record.version),
                "kind": e.record.kind,
                "title": data.get("title"),
                "summary": data.get("summary"),
                "publisher": data.get("publisher"),
                "digest": e.digest,
                "record_json": e.json,
                "key_order": json.dumps(list(e.own)),
                "resolved_json": canonical_json(data),
                "chain": json.dumps(list(resolved.chain)),
                "published_at": now,
                "yanked": False,
            }
        )
    new_ids = _insert_records(conn, rows)
    ids = dict(zip(order, new_ids, strict=True))
    edge_rows = []
    for rid in order:
        upstream = todo[rid].record.edges()
        for pos, relation, ref, target in locks[rid]:
            dst = ids.get(target) or _registry_id(source, target)
            entry = upstream[pos] if pos >= 0 else None
            edge_rows.append(
                {
                    "src_id": ids[rid],
                    "pos": pos,
                    "relation": relation,
                    "ref": str(ref),
                    "dst_id": dst,
                    "uncertain": bool(entry is not None and entry.uncertain),
                    "note": entry.note if entry is not None else None,
                }
            )
    if edge_rows:
        conn.execute(t.edges.insert(), edge_rows)
    refresh_latest(conn, names)
    result.published.extend(order)
    return result


def _insert_records(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    stmt = t.records.insert().returning(t.records.c.id, sort_by_parameter_order=True)
    out: list[int] = []
    for part in chunked(rows, 1000):
        out.extend(r[0] for r in conn.execute(stmt, part))
    return out


def _registry_id(source: _TxSource, target: str) -> int:
    name, _, version = target.partition("@")
    return source.ids[name][Version.parse(version)]


def _dedupe(entries: Sequence[_Entry]) -> dict[str, _Entry]:
    batch: dict[str, _Entry] = {}
    for e in entries:
        other = batch.get(e.record.id)
        if other is None:
            batch[e.record.id] = e
        elif other.digest != e.digest:
            raise ConflictError(
                f"{e.record.id} appears twice in this batch with different content "
                f"({other.source} and {e.source}):\n{_diff_text(other.record, e.record)}",
                hint="keep one of them, or give the other a new version",
            )
    return batch


def _lock_names(conn: Connection, names: list[str], keys: dict[str, str]) -> None:
    """Create the names' rows (new ones with their keys) and, on PostgreSQL, lock them
    (sorted, so no deadlock)."""
    insert_ignore(
        conn, t.names, [{"name": n, "skeleton": keys[n]} for n in names if n in keys], "name"
    )
    if conn.dialect.name == "postgresql":
        for part in chunked(names):
            conn.execute(
                select(t.names.c.id)
                .where(t.names.c.name.in_(part))
                .order_by(t.names.c.name)
                .with_for_update()
            ).all()


def _skip_published(
    conn: Connection, batch: dict[str, _Entry], result: PublishResult
) -> dict[str, _Entry]:
    by_name: dict[str, list[_Entry]] = {}
    for e in batch.values():
        by_name.setdefault(e.record.name, []).append(e)
    # Digests only: the stored JSON is read just for a conflict, to show the diff.
    stored: dict[str, tuple[str, str, str]] = {}  # id -> (digest, name, stored version text)
    for part in chunked(sorted(by_name)):
        rows = conn.execute(
            select(t.records.c.name, t.records.c.version, t.records.c.digest).where(
                t.records.c.name.in_(part)
            )
        )
        for name, version, dig in rows:
            stored[f"{name}@{Version.parse(version)}"] = (dig, name, version)
    todo: dict[str, _Entry] = {}
    for rid, e in batch.items():
        if rid not in stored:
            todo[rid] = e
        elif stored[rid][0] == e.digest:
            result.unchanged.append(rid)
        else:
            dig, name, version = stored[rid]
            row = conn.execute(
                select(t.records.c.record_json, t.records.c.key_order).where(
                    t.records.c.name == name, t.records.c.version == version
                )
            ).one()
            old = record_from_row(row.record_json, row.key_order)
            raise ConflictError(
                f"{e.source}: {rid} is already published with different content "
                f"(sha256 {dig[:12]}..., this file {e.digest[:12]}...):\n"
                f"{_diff_text(old, e.record)}",
                hint=f"published versions are immutable: run 'umr bump {e.source} --write' "
                "and publish the new version",
            )
    return todo


def _diff_text(old: Record, new: Record) -> str:
    return "\n".join(f"  {c}" for c in diff(old, new)) or "  (no field-level change)"


def _prime(
    conn: Connection, resolver: Resolver, locks: dict[str, list[Lock]], todo: dict[str, _Entry]
) -> Resolver:
    """Seed the resolver with the stored resolution of each registry base, so a base resolves
    through its own locked chain, not through whatever is latest now."""
    bases = {
        target
        for ls in locks.values()
        for pos, _, _, target in ls
        if pos < 0 and target not in todo
    }
    for base in sorted(bases):
        name, _, version = base.partition("@")
        row = conn.execute(
            select(t.records.c.resolved_json, t.records.c.chain).where(
                t.records.c.name == name, t.records.c.version == version
            )
        ).one()
        chain = tuple(json.loads(row.chain))
        # Layers serve provenance only, which publishing never asks for (no cell: were it
        # asked for, it would be walked over these empty layers, not built from a base's).
        resolver._cache[base] = (
            json.loads(row.resolved_json),
            chain,
            tuple({} for _ in chain),
            None,
        )
    return resolver
