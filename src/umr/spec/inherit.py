"""Inheritance: a record merged over its resolved base, with field provenance.

Mappings merge key by key, recursively; scalars and lists replace; an explicit ``null`` removes
the key. Some fields are never inherited (identity, lineage, artifacts, transparency, risks).
Every resolved leaf remembers the ``name@version`` that supplied it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from umr.errors import CycleError, NotFoundError
from umr.spec.record import Record
from umr.spec.source import RecordSource, find
from umr.spec.yamlio import Path, format_path

NEVER_INHERITED = frozenset(
    {"umr", "name", "version", "kind", "inherits", "upstream", "artifacts", "transparency", "risks"}
)
MAX_CHAIN = 64


@dataclass(frozen=True)
class Resolved:
    """A record with its base's fields filled in, and where each leaf came from."""

    record: Record  # the resolved record (no nulls left)
    own: Record  # the record as written
    provenance: Mapping[Path, str]  # leaf path -> "name@version"
    chain: tuple[str, ...]  # own id first, then each base in turn

    def to_dict(self) -> dict[str, Any]:
        return self.record.to_dict()

    def source_of(self, path: Path) -> str | None:
        """Who supplied the leaf at ``path`` (or, for a mapping, its first leaf)."""
        if path in self.provenance:
            return self.provenance[path]
        for p, who in self.provenance.items():
            if p[: len(path)] == path:
                return who
        return None

    def leaves(self, prefix: Path = ()) -> list[tuple[str, str]]:
        """(dotted path, supplier) for every leaf under ``prefix``."""
        return [
            (format_path(p), who)
            for p, who in self.provenance.items()
            if p[: len(prefix)] == prefix
        ]

    def inherited(self) -> dict[str, str]:
        """Dotted path -> supplier, for the leaves that came from a base."""
        me = self.chain[0]
        return {format_path(p): who for p, who in self.provenance.items() if who != me}


def _strip_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    return value


def _mark(prov: dict[Path, str], path: Path, value: Any, who: str) -> None:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            _mark(prov, (*path, k), v, who)
    else:
        prov[path] = who


def _drop(prov: dict[Path, str], path: Path, old: Any) -> None:
    if isinstance(old, dict) and old:
        n = len(path)
        for p in [p for p in prov if p[:n] == path]:
            del prov[p]
    else:
        prov.pop(path, None)


def _merge(
    base: dict[str, Any], child: dict[str, Any], prov: dict[Path, str], who: str, prefix: Path
) -> dict[str, Any]:
    out = dict(base)
    for key, value in child.items():
        path = (*prefix, key)
        old = out.get(key)
        if value is None:
            if key in out:
                _drop(prov, path, old)
                del out[key]
        elif isinstance(value, dict) and isinstance(old, dict):
            out[key] = _merge(old, value, prov, who, path)
        else:
            if key in out:
                _drop(prov, path, old)
            out[key] = _strip_nulls(value)
            _mark(prov, path, out[key], who)
    return out


class Resolver:
    """Resolves records against a source, caching each resolved base."""

    def __init__(self, source: RecordSource) -> None:
        self.source = source
        self._cache: dict[str, tuple[dict[str, Any], dict[Path, str], tuple[str, ...]]] = {}

    def resolve(self, record: Record) -> Resolved:
        data, prov, chain = self._resolve_data(record)
        return Resolved(
            record=Record.from_dict(data), own=record, provenance=dict(prov), chain=chain
        )

    def _resolve_data(
        self, record: Record
    ) -> tuple[dict[str, Any], dict[Path, str], tuple[str, ...]]:
        # Walk up the inherits chain iteratively (bounded), then fold back down.
        pending: list[Record] = []
        seen: list[str] = []
        current: Record | None = record
        base_state = None
        while current is not None:
            if current.id in self._cache and current is not record:
                base_state = self._cache[current.id]
                break
            if current.id in seen:
                cycle = [*seen[seen.index(current.id) :], current.id]
                raise CycleError(cycle, hint="remove one 'inherits:' so the chain ends")
            if len(seen) >= MAX_CHAIN:
                raise CycleError(
                    [*seen[:3], "...", seen[-1]],
                    what=f"inheritance deeper than {MAX_CHAIN} levels (likely a",
                )
            seen.append(current.id)
            pending.append(current)
            if current.inherits is None:
                current = None
            else:
                try:
                    current = find(self.source, current.inherits)
                except NotFoundError as exc:
                    raise NotFoundError(
                        f"{current.id} inherits {str(current.inherits)!r}: {exc.message}",
                        hint=exc.hint,
                    ) from None
        for rec in reversed(pending):
            own = rec.to_dict()
            if base_state is None:
                data = _strip_nulls(own)
                prov: dict[Path, str] = {}
                _mark(prov, (), data, rec.id)
                chain: tuple[str, ...] = (rec.id,)
            else:
                base_data, base_prov, base_chain = base_state
                inheritable = {k: v for k, v in base_data.items() if k not in NEVER_INHERITED}
                prov = {p: w for p, w in base_prov.items() if p[0] not in NEVER_INHERITED}
                data = _merge(inheritable, own, prov, rec.id, ())
                data = _order_like(data, own)
                chain = (rec.id, *base_chain)
            base_state = (data, prov, chain)
            self._cache[rec.id] = base_state
        assert base_state is not None
        return base_state


def _order_like(data: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """Identity fields first, then the record's own keys in its order, then inherited ones."""
    from umr.spec.record import FIELDS

    order = [k for k in FIELDS[:4] if k in data]
    order += [k for k in own if k in data and k not in order]
    order += [k for k in FIELDS if k in data and k not in order]
    return {k: data[k] for k in order}


def resolve(record: Record, source: RecordSource) -> Resolved:
    """Resolve one record against ``source`` (see :class:`Resolver` to resolve many)."""
    return Resolver(source).resolve(record)
