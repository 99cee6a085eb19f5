"""What every format renders: a resolved record with its lineage, audit and scorecards.

Built by :func:`build_context` either from a file or workspace (lineage = the record's own
upstream edges, no audit) or from a registry (full lineage in both directions and the audit).
Lineage hits and the audit are plain dicts in the registry's ``to_dict()`` shapes, so a context
can also be built by hand (tests, the web app) with :func:`make_context`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from umr.errors import UmrError
from umr.spec.inherit import Resolved, Resolver
from umr.spec.record import SEVERITIES, Record
from umr.spec.transparency import Scorecard, scorecards

SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES, start=1)}


@dataclass(frozen=True, kw_only=True)
class Node:
    id: str  # name@version (or name@range when the range did not resolve)
    name: str
    version: str
    kind: str | None = None
    title: str | None = None
    role: str = "upstream"  # self | upstream | downstream
    depth: int = 0
    severity: str | None = None  # highest advisory severity that matched this node


@dataclass(frozen=True, kw_only=True)
class Edge:
    source: str  # the upstream node (the base, the dataset)
    target: str  # the record that derives from it
    relation: str
    flagged: bool = False  # carries an advisory finding


@dataclass(frozen=True, kw_only=True)
class Graph:
    nodes: dict[str, Node]
    edges: tuple[Edge, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": [vars(n) for n in self.nodes.values()],
            "edges": [vars(e) for e in self.edges],
        }


@dataclass(frozen=True, kw_only=True)
class FieldRow:
    path: str  # dotted path of one resolved leaf
    source: str  # name@version that supplied it
    inherited: bool


@dataclass(frozen=True, kw_only=True)
class RenderContext:
    """A resolved record plus everything around it that a page or a document shows."""

    resolved: Resolved
    upstream: tuple[dict[str, Any], ...] = ()  # LineageHit.to_dict() shapes
    downstream: tuple[dict[str, Any], ...] = ()
    audit: dict[str, Any] | None = None  # AuditReport.to_dict() shape; None when not audited
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
    def findings(self) -> list[dict[str, Any]]:
        return list((self.audit or {}).get("findings") or [])

    def graph(self) -> Graph:
        """The lineage around the record: nodes and edges from every hit's path. Built once
        per context (a record page reads it three times: the SVG, its size, the JSON)."""
        return self._graph

    @functools.cached_property
    def _graph(self) -> Graph:
        rec = self.record
        nodes: dict[str, Node] = {
            self.id: Node(
                id=self.id,
                name=rec.name,
                version=str(rec.version),
                kind=rec.kind,
                title=rec.title,
                role="self",
            )
        }
        edges: dict[tuple[str, str, str], Edge] = {}
        for role, hits in (("upstream", self.upstream), ("downstream", self.downstream)):
            for hit in hits:
                nid = f"{hit['name']}@{hit['version']}"
                if nid not in nodes:
                    nodes[nid] = Node(
                        id=nid,
                        name=hit["name"],
                        version=str(hit["version"]),
                        kind=hit.get("kind"),
                        title=hit.get("title"),
                        role=role,
                        depth=int(hit.get("depth") or 0),
                    )
                for step in hit.get("path") or ():
                    for end in (step["from"], step["to"]):
                        if end not in nodes:
                            name, _, version = end.partition("@")
                            nodes[end] = Node(id=end, name=name, version=version, role=role)
                    key = (step["to"], step["from"], step["relation"])
                    edges.setdefault(
                        key, Edge(source=step["to"], target=step["from"], relation=step["relation"])
                    )
        flagged_edges: set[tuple[str, str, str]] = set()
        worst: dict[str, str] = {}
        for finding in self.findings:
            sev = str(finding.get("severity") or finding.get("advisory", {}).get("severity", ""))
            at = str(finding.get("record", ""))
            if at and SEVERITY_RANK.get(sev, 0) >= SEVERITY_RANK.get(worst.get(at, ""), 0):
                worst[at] = sev
            for step in finding.get("path") or ():
                flagged_edges.add((step["to"], step["from"], step["relation"]))
        for nid, sev in worst.items():
            if nid in nodes:
                n = nodes[nid]
                nodes[nid] = Node(**{**vars(n), "severity": sev})
        return Graph(
            nodes=nodes,
            edges=tuple(
                Edge(**{**vars(e), "flagged": k in flagged_edges}) for k, e in edges.items()
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """Everything a template needs, as plain data (the web app's JSON twin uses it)."""
        return {
            "record": self.data,
            "inherited": self.resolved.inherited(),
            "chain": list(self.resolved.chain),
            "upstream": list(self.upstream),
            "downstream": list(self.downstream),
            "audit": self.audit,
            "scorecards": [s.to_dict() for s in self.scorecards],
            "extras": dict(self.extras),
        }


def make_context(
    resolved: Resolved,
    *,
    upstream: Iterable[Mapping[str, Any]] = (),
    downstream: Iterable[Mapping[str, Any]] = (),
    audit: Mapping[str, Any] | None = None,
    extras: Mapping[str, Any] | None = None,
) -> RenderContext:
    """A context from parts in the registry's dict shapes; scorecards are computed here."""
    return RenderContext(
        resolved=resolved,
        upstream=tuple(dict(h) for h in upstream),
        downstream=tuple(dict(h) for h in downstream),
        audit=dict(audit) if audit is not None else None,
        scorecards=tuple(scorecards(resolved.own)),
        extras=dict(extras or {}),
    )


def _edge_hits(record: Record, source: Any) -> list[dict[str, Any]]:
    """Depth-1 lineage hits from the record's own upstream edges, resolved where possible."""
    from umr.spec.source import find

    hits = []
    for edge in record.edges():
        name, version, kind, title = edge.ref.name, edge.ref.range.text, None, None
        try:
            target = find(source, edge.ref)
            version, kind, title = str(target.version), target.kind, target.title
        except UmrError:
            pass
        hits.append(
            {
                "name": name,
                "version": version,
                "kind": kind,
                "title": title,
                "depth": 1,
                "relation": edge.relation.value,
                "path": [
                    {"from": record.id, "relation": edge.relation.value, "to": f"{name}@{version}"}
                ],
            }
        )
    return hits


def build_context(ref_or_path: str, source: Any) -> RenderContext:
    """The render context for a file path or a ref.

    With a registry (an object with ``resolve``, ``lineage`` and ``audit``) and a ref, the
    context carries the full lineage both ways and the audit. Otherwise (a file, or a workspace
    source) the lineage is the record's own upstream edges and there is no audit.
    """
    from umr.spec.lookup import is_path, lookup

    registry = all(hasattr(source, a) for a in ("resolve", "lineage", "audit"))
    if registry and not is_path(ref_or_path):
        resolved: Resolved = source.resolve(ref_or_path)
        exact = resolved.chain[0]
        return make_context(
            resolved,
            upstream=[h.to_dict() for h in source.lineage(exact, direction="up")],
            downstream=[h.to_dict() for h in source.lineage(exact, direction="down")],
            audit=source.audit(exact).to_dict(),
            extras={"mode": "registry"},
        )
    record, where = lookup(ref_or_path, source)
    resolved = Resolver(where).resolve(record)
    return make_context(resolved, upstream=_edge_hits(record, where), extras={"mode": "file"})


__all__ = ["Edge", "FieldRow", "Graph", "Node", "RenderContext", "build_context", "make_context"]
