"""What every format renders: a resolved record with its lineage, audit and scorecards.

Built by :func:`build_context` either from a file or workspace (lineage = the record's own
upstream edges, no audit) or from a registry (full lineage in both directions, every locked
edge among those records, and the audit). Its parts are the typed values of :mod:`umr.graph`;
a context can also be built from parts (tests, the web app) with :func:`make_context`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from umr.errors import UmrError
from umr.graph import AuditReport, Edge, Finding, Graph, LineageHit, Node, RenderSource
from umr.spec.inherit import Resolved, Resolver
from umr.spec.record import SEVERITIES, Record
from umr.spec.transparency import Scorecard, scorecards

SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES, start=1)}


@dataclass(frozen=True, kw_only=True)
class FieldRow:
    path: str  # dotted path of one resolved leaf
    source: str  # name@version that supplied it
    inherited: bool


@dataclass(frozen=True, kw_only=True)
class RenderContext:
    """A resolved record plus everything around it that a page or a document shows."""

    resolved: Resolved
    upstream: tuple[LineageHit, ...] = ()
    downstream: tuple[LineageHit, ...] = ()
    edges: tuple[Edge, ...] = ()  # every locked edge among the record and its hits' records
    unresolved: tuple[Node, ...] = ()  # a file's refs that match no record (drawn, not hits)
    audit: AuditReport | None = None  # None when not audited
    scorecards: tuple[Scorecard, ...] = ()
    extras: Mapping[str, Any] = field(default_factory=dict)

    @property
    def record(self) -> Record:
        return self.resolved.record

    @property
    def id(self) -> str:
        return self.resolved.chain[0]

    @property
    def data(self) -> dict[str, Any]:
        """The resolved record as plain data (a fresh copy)."""
        return self.resolved.to_dict()

    def origin(self, path: str | Sequence[str]) -> str | None:
        """Which base record supplied ``path`` (a field or dotted path); None if its own."""
        parts = tuple(path.split(".")) if isinstance(path, str) else tuple(path)
        who = self.resolved.source_of(parts)
        return who if who is not None and who != self.id else None

    def fields(self) -> list[FieldRow]:
        me = self.id
        return [FieldRow(path=p, source=w, inherited=w != me) for p, w in self.resolved.leaves()]

    @property
    def findings(self) -> list[Finding]:
        """The audit's findings, worst first (none when not audited)."""
        return list(self.audit.findings) if self.audit is not None else []

    def graph(self) -> Graph:
        """The lineage around the record: its records and every locked edge among them. Built
        once per context (a record page reads it three times: the SVG, its size, the JSON)."""
        return self._graph

    @functools.cached_property
    def _graph(self) -> Graph:
        rec = self.record
        subject = Node(
            id=self.id, name=rec.name, version=str(rec.version), kind=rec.kind, title=rec.title
        )
        return Graph.build(
            subject,
            upstream=self.upstream,
            downstream=self.downstream,
            edges=self.edges,
            extra=self.unresolved,
            audit=self.audit,
        )

    def to_dict(self) -> dict[str, Any]:
        """Everything a template needs, as plain data (the web app's JSON twin uses it). Hits
        carry their parent pointer (``via``), not their paths: linear at any depth."""
        return {
            "record": self.data,
            "inherited": self.resolved.inherited(),
            "chain": list(self.resolved.chain),
            "upstream": [h.to_dict() for h in self.upstream],
            "downstream": [h.to_dict() for h in self.downstream],
            "audit": self.audit.to_dict() if self.audit is not None else None,
            "scorecards": [s.to_dict() for s in self.scorecards],
            "extras": dict(self.extras),
        }


def make_context(
    resolved: Resolved,
    *,
    upstream: Iterable[LineageHit] = (),
    downstream: Iterable[LineageHit] = (),
    edges: Iterable[Edge] = (),
    unresolved: Iterable[Node] = (),
    audit: AuditReport | None = None,
    extras: Mapping[str, Any] | None = None,
) -> RenderContext:
    """A context from its parts; scorecards are computed here."""
    return RenderContext(
        resolved=resolved,
        upstream=tuple(upstream),
        downstream=tuple(downstream),
        edges=tuple(edges),
        unresolved=tuple(unresolved),
        audit=audit,
        scorecards=tuple(scorecards(resolved.own)),
        extras=dict(extras or {}),
    )


def _own_lineage(record: Record, source: Any) -> tuple[list[LineageHit], list[Edge], list[Node]]:
    """A file's lineage: its own upstream edges as depth-1 hits where the ref resolves, and
    as drawn-only nodes where it does not."""
    from umr.spec.source import find

    found: list[LineageHit] = []
    edges: list[Edge] = []
    missing: list[Node] = []
    for edge in record.edges():
        relation = edge.relation.value
        try:
            target = find(source, edge.ref)
        except UmrError:
            dst = f"{edge.ref.name}@{edge.ref.range.text}"
            missing.append(Node(id=dst, name=edge.ref.name, version=edge.ref.range.text))
        else:
            dst = target.id
            found.append(
                LineageHit(
                    name=target.name,
                    version=target.version,
                    kind=target.kind,
                    title=target.title,
                    depth=1,
                    relation=relation,
                    id=dst,
                    via=record.id,
                    prev=None,
                    upward=True,
                    uncertain=bool(edge.uncertain),
                )
            )
        edges.append(
            Edge(
                src=record.id,
                relation=relation,
                dst=dst,
                uncertain=bool(edge.uncertain),
                note=edge.note,
            )
        )
    return found, edges, missing


def build_context(ref_or_path: str, source: Any) -> RenderContext:
    """The render context for a file path or a ref.

    With a registry (a :class:`umr.graph.RenderSource`) and a ref, the context carries the full
    lineage both ways, every locked edge among those records, and the audit. Otherwise (a
    file, or a workspace source) the lineage is the record's own upstream edges and there is
    no audit.
    """
    from umr.spec.lookup import is_path, lookup

    if isinstance(source, RenderSource) and not is_path(ref_or_path):
        resolved: Resolved = source.resolve(ref_or_path)
        return registry_context(source, resolved)
    record, where = lookup(ref_or_path, source)
    resolved = Resolver(where).resolve(record)
    hits, edges, missing = _own_lineage(record, where)
    return make_context(
        resolved, upstream=hits, edges=edges, unresolved=missing, extras={"mode": "file"}
    )


def registry_context(
    source: RenderSource,
    resolved: Resolved,
    *,
    downstream: Sequence[LineageHit] | None = None,
    extras: Mapping[str, Any] | None = None,
) -> RenderContext:
    """The context of a published record: ``downstream`` when given (a page shows the
    nearest), else the whole downstream closure."""
    exact = resolved.chain[0]
    up = source.lineage(exact, direction="up")
    down = source.lineage(exact, direction="down") if downstream is None else list(downstream)
    return make_context(
        resolved,
        upstream=up,
        downstream=down,
        edges=source.edges_among([exact, *(h.id for h in up), *(h.id for h in down)]),
        audit=source.audit(exact),
        extras={"mode": "registry", **(extras or {})},
    )


__all__ = [
    "FieldRow",
    "RenderContext",
    "build_context",
    "make_context",
    "registry_context",
]
