"""Inheritance: a record merged over its resolved base, with field provenance.

Mappings merge key by key, recursively; scalars and lists replace; an explicit ``null`` removes
the key. Some fields are never inherited (identity, lineage, artifacts, transparency, risks).
Every resolved leaf remembers the ``name@version`` that supplied it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from umr.errors import CycleError, NotFoundError, RecordError
from umr.spec.limits import MAX_INHERITS
from umr.spec.record import FIELDS, Record
from umr.spec.source import RecordSource, find
from umr.spec.yamlio import Path, format_path

NEVER_INHERITED = frozenset(
    {
        "umr",
        "name",
        "version",
        "kind",
        "inherits",
        "upstream",
        "artifacts",
        "transparency",
        "risks",
        "aliases",  # an identifier names one model or dataset, not the ones built on it
    }
)
MAX_CHAIN = MAX_INHERITS  # `inherits` edges from a record to the root of its chain


@dataclass(frozen=True)
class Resolved:
    """A record with its base's fields filled in, and where each leaf came from.

    ``data`` and ``provenance`` are shared with cached bases and other resolutions of the
    same record: read them, never mutate them (``to_dict()`` gives a fresh copy). ``record``
    and ``provenance`` are computed on first use.
    """

    data: dict[str, Any]  # resolved plain data, nulls removed
    own: Record  # the record as written
    chain: tuple[str, ...]  # own id first, then each base in turn
    layers: tuple[dict[str, Any], ...]  # each chain member's own data, same order
    cell: _Provenance | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def record(self) -> Record:
        """The resolved record, validated."""
        return Record.from_dict(self.data)

    def to_dict(self) -> dict[str, Any]:
        return self.record.to_dict()

    @functools.cached_property
    def provenance(self) -> dict[Path, str]:
        """Leaf path -> ``name@version`` of the nearest chain member that sets it."""
        if self.cell is not None:
            return self.cell.value()
        return walk_provenance(self.data, self.chain, self.layers)

    def source_of(self, path: Path) -> str | None:
        """Who supplied the leaf at ``path`` (or, for a mapping, its first leaf)."""
        prov = self.provenance
        if path in prov:
            return prov[path]
        for p, who in prov.items():
            if p[: len(path)] == path:
                return who
        return None

    def leaves(self, prefix: Path = ()) -> list[tuple[str, str]]:
        """(dotted path, supplier) for every leaf under ``prefix``."""
        n = len(prefix)
        return [(format_path(p), who) for p, who in self.provenance.items() if p[:n] == prefix]

    def inherited(self) -> dict[str, str]:
        """Dotted path -> supplier, for the leaves that came from a base."""
        me = self.chain[0]
        return {format_path(p): who for p, who in self.provenance.items() if who != me}


def walk_provenance(
    data: dict[str, Any], chain: tuple[str, ...], layers: tuple[dict[str, Any], ...]
) -> dict[Path, str]:
    """Provenance by walking the chain for every leaf: O(leaves x depth). The reference
    definition, used where a record's bases were not resolved here (see ``_Provenance``)."""
    out: dict[Path, str] = {}
    for path in _leaf_paths(data, ()):
        if path[0] in NEVER_INHERITED:
            out[path] = chain[0]
            continue
        for who, layer in zip(chain, layers, strict=True):
            if _has(layer, path):
                out[path] = who
                break
    return out


class _Provenance:
    """One chain member's provenance, built from its base's: a leaf the member's own layer
    sets is its own, any other leaf is where the base got it (the merge copied it unchanged),
    so a chain costs O(leaves) per member instead of O(leaves x depth) per record. Computed
    on first use and shared by every record that inherits this member. Leaf paths are
    interned in ``paths`` (one table per Resolver): records of one shape share their path
    tuples instead of each holding its own."""

    __slots__ = ("_value", "base", "data", "layer", "paths", "who")

    def __init__(
        self,
        who: str,
        data: dict[str, Any],
        layer: dict[str, Any],
        base: _Provenance | None,
        paths: dict[Path, Path],
    ) -> None:
        self.who, self.data, self.layer, self.base, self.paths = who, data, layer, base, paths
        self._value: dict[Path, str] | None = None

    def value(self) -> dict[Path, str]:
        if self._value is None:
            base = self.base.value() if self.base is not None else None
            me, layer = self.who, self.layer
            out: dict[Path, str] = {}
            intern = self.paths.setdefault
            for leaf in _leaf_paths(self.data, ()):
                path = intern(leaf, leaf)
                if base is None or path[0] in NEVER_INHERITED or _has(layer, path):
                    out[path] = me
                else:
                    out[path] = base[path]
            self._value = out
        return self._value


def _leaf_paths(value: Any, path: Path) -> list[Path]:
    """Every path under ``path`` that ends at a non-mapping or an empty mapping, in order."""
    out: list[Path] = []
    _collect_leaves(value, path, out)
    return out


def _collect_leaves(value: Any, path: Path, out: list[Path]) -> None:
    # One list filled by a module-level recursion: no list per level to concatenate, and no
    # nested function (which would make a reference cycle per call).
    if isinstance(value, dict) and value:
        for key, child in value.items():
            _collect_leaves(child, (*path, key), out)
    else:
        out.append(path)


def _has(layer: dict[str, Any], path: Path) -> bool:
    node: Any = layer
    for part in path:
        if not isinstance(node, dict) or node.get(part) is None:
            return False
        node = node[part]
    return True


def _strip_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    return value


def _merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in child.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = _strip_nulls(value)
    return out


# (resolved data, chain, layers, provenance cell or None where the bases' layers are unknown)
_State = tuple[dict[str, Any], tuple[str, ...], tuple[dict[str, Any], ...], "_Provenance | None"]


class Resolver:
    """Resolves records against a source, caching each resolved base."""

    def __init__(self, source: RecordSource) -> None:
        self.source = source
        self._cache: dict[str, _State] = {}
        self._paths: dict[Path, Path] = {}  # interned leaf paths, see _Provenance

    def resolve(self, record: Record) -> Resolved:
        data, chain, layers, cell = self._resolve_data(record)
        return Resolved(data=data, own=record, chain=chain, layers=layers, cell=cell)

    def resolve_all(self, records: Iterable[Record]) -> list[Resolved]:
        """Resolve a batch, each with its resolved record validated and its provenance
        computed."""
        out = [self.resolve(r) for r in records]
        for r in out:
            _ = r.record, r.provenance
        return out

    def _resolve_data(self, record: Record) -> _State:
        # Walk up the inherits chain iteratively (bounded), then fold back down. The depth
        # rule counts the whole chain, a cached base's included, so a record's verdict never
        # depends on which other records were resolved first.
        pending: list[Record] = []
        seen: list[str] = []
        current: Record | None = record
        state: _State | None = None
        while current is not None:
            if current is not record and current.id in self._cache:
                state = self._cache[current.id]
                break
            if current.id in seen:
                cycle = [*seen[seen.index(current.id) :], current.id]
                raise CycleError(cycle, hint="remove one 'inherits:' so the chain ends")
            if len(seen) > MAX_CHAIN:  # one more base would be edge MAX_CHAIN + 1
                raise _too_deep([*seen, current.id])
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
        if state is not None and len(pending) + len(state[1]) - 1 > MAX_CHAIN:
            raise _too_deep([*seen, *state[1]])
        for rec in reversed(pending):
            own = rec.to_dict()
            if state is None:
                data = _strip_nulls(own)
                state = (data, (rec.id,), (own,), _Provenance(rec.id, data, own, None, self._paths))
            else:
                base_data, base_chain, base_layers, base_cell = state
                inheritable = {k: v for k, v in base_data.items() if k not in NEVER_INHERITED}
                data = _order_like(_merge(inheritable, own), own)
                cell = (
                    None
                    if base_cell is None
                    else _Provenance(rec.id, data, own, base_cell, self._paths)
                )
                state = (data, (rec.id, *base_chain), (own, *base_layers), cell)
            self._cache[rec.id] = state
        assert state is not None
        return state


def _too_deep(chain: list[str]) -> RecordError:
    shown = " -> ".join([*chain[:3], "...", chain[-1]]) if len(chain) > 5 else " -> ".join(chain)
    return RecordError(
        f"{chain[0]} is more than {MAX_CHAIN} 'inherits' steps from the root of its chain "
        f"({shown})",
        hint=f"inherit from a record nearer the root: a chain holds at most {MAX_CHAIN} "
        "'inherits' steps (see docs/guide/records.md#inheritance)",
    )


_FIELD_ORDER = {k: i for i, k in enumerate(FIELDS)}


def _order_like(data: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """Identity fields first, then the record's own keys in its order, then inherited ones."""
    order = [k for k in FIELDS[:4] if k in data]
    order += [k for k in own if k in data and k not in order]
    order += sorted((k for k in data if k not in order), key=_FIELD_ORDER.__getitem__)
    return {k: data[k] for k in order}


def resolve(record: Record, source: RecordSource) -> Resolved:
    """Resolve one record against ``source`` (see :class:`Resolver` to resolve many)."""
    return Resolver(source).resolve(record)
