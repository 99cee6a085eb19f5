"""The lineage graph's typed values: what the registry answers and what renderers read.

Records are nodes, named ``name@version``. A locked edge points from the derived record to the
record it derives from: ``src`` ``relation`` ``dst``, as written in ``src``'s ``upstream`` (or
``inherits``). Paths read the same way everywhere, record first: the most derived record, then
each edge towards the source (``sd@1 -trained_on-> laion-aesthetics@1 -derived_from-> ...``),
whether the walk went up from the record or down from the source.

A walk answers with :class:`LineageHit`\\ s, each linked to the hit one step nearer the start
(a parent pointer): a walk of N records holds N hits however deep it goes, and a path is read
from the links only when asked. An audit answers with an :class:`AuditReport` of
:class:`Finding`\\ s, one per advisory, each with the number of routes that carry it, a page of
those routes (shortest first) and the next step that clears it. Renderers ask for these
through :class:`RenderSource`; ``to_dict()`` is for JSON out, never the contract inside.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol, runtime_checkable

from umr.spec.record import SEVERITIES
from umr.spec.versions import Version

if TYPE_CHECKING:
    from umr.spec.inherit import Resolved

Direction = Literal["up", "down"]
Role = Literal["self", "upstream", "downstream"]
INHERITS = "inherits"  # the relation of an ``inherits`` edge: drawn, but never a route
RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True, kw_only=True, slots=True)
class Edge:
    """One locked edge: ``src`` (the derived record) ``relation`` ``dst`` (its source)."""

    src: str
    relation: str
    dst: str
    uncertain: bool = False  # the record says its sources do not settle this edge
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"from": self.src, "relation": self.relation, "to": self.dst}
        if self.uncertain:
            out["uncertain"] = True
        if self.note:
            out["note"] = self.note
        return out

    def text(self) -> str:
        return f"{self.src} -{self.relation}-> {self.dst}"


# A hit is a named tuple, not a frozen dataclass: an impact builds one per downstream record
# (100,000 and more), and a frozen dataclass sets each field through object.__setattr__, about
# twice the cost of building a tuple (docs/decisions.md, Registry).
class LineageHit(NamedTuple):
    """A record in a lineage closure, linked to the hit one step nearer the start.

    ``via`` is the record that the hit's edge joins it to, one step nearer the start, and
    ``prev`` that record's hit (None when ``via`` is a start). Following ``prev`` gives the
    shortest path, which :attr:`path` reads record first."""

    name: str
    version: Version
    kind: str
    title: str | None
    depth: int
    relation: str  # relation of the edge between this record and ``via``
    id: str  # name@version
    via: str  # the neighbour one step nearer the start
    prev: LineageHit | None
    upward: bool  # walked up (edges point away from the start) or down (towards it)
    uncertain: bool = False  # the edge between this record and ``via`` is uncertain

    @property
    def edge(self) -> Edge:
        """The edge between this record and ``via``, as locked."""
        if self.upward:
            return Edge(src=self.via, relation=self.relation, dst=self.id, uncertain=self.uncertain)
        return Edge(src=self.id, relation=self.relation, dst=self.via, uncertain=self.uncertain)

    @property
    def path(self) -> tuple[Edge, ...]:
        """The shortest path between the start and this record, record first: from the start
        outward when walked up, from this record to the start when walked down."""
        steps: list[Edge] = []
        hit: LineageHit | None = self
        while hit is not None:
            steps.append(hit.edge)
            hit = hit.prev
        if self.upward:
            steps.reverse()
        return tuple(steps)

    @property
    def start(self) -> str:
        """The start record this hit was reached from."""
        hit = self
        while hit.prev is not None:
            hit = hit.prev
        return hit.via

    def __repr__(self) -> str:  # not the default: that would print the whole chain of prevs
        return (
            f"LineageHit({self.id!r}, kind={self.kind!r}, depth={self.depth}, "
            f"relation={self.relation!r}, via={self.via!r})"
        )

    def to_dict(self, *, paths: bool = False) -> dict[str, Any]:
        """The hit for JSON. ``via`` is the parent pointer (follow it to the start for the
        path); ``paths`` adds the path itself, which costs its depth per hit."""
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "version": str(self.version),
            "kind": self.kind,
            "title": self.title,
            "depth": self.depth,
            "relation": self.relation,
            "via": self.via,
            "uncertain": self.uncertain,
        }
        if paths:
            out["path"] = [e.to_dict() for e in self.path]
        return out


@dataclass(frozen=True, kw_only=True, slots=True)
class Node:
    """A record drawn in a lineage graph."""

    id: str  # name@version (name@range in a file's own lineage, when the range did not resolve)
    name: str
    version: str
    kind: str | None = None
    title: str | None = None
    role: Role = "upstream"
    depth: int = 0
    severity: str | None = None  # the highest severity of a finding that reaches this record

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "kind": self.kind,
            "title": self.title,
            "role": self.role,
            "depth": self.depth,
            "severity": self.severity,
        }


@dataclass(frozen=True, kw_only=True)
class Graph:
    """A record, the records around it, and every locked edge among them."""

    nodes: Mapping[str, Node]
    edges: tuple[Edge, ...]
    flagged: frozenset[tuple[str, str]] = frozenset()  # (src, dst) of edges on a finding's route

    def is_flagged(self, edge: Edge) -> bool:
        return (edge.src, edge.dst) in self.flagged

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": [n.to_dict() for n in self.nodes.values()],
            "edges": [e.to_dict() | {"flagged": self.is_flagged(e)} for e in self.edges],
        }

    @classmethod
    def build(
        cls,
        subject: Node,
        *,
        upstream: Iterable[LineageHit] = (),
        downstream: Iterable[LineageHit] = (),
        edges: Iterable[Edge] = (),
        extra: Iterable[Node] = (),
        audit: AuditReport | None = None,
    ) -> Graph:
        """The graph of ``subject``, the hits' records and ``extra`` nodes, with those of
        ``edges`` whose both ends are among them; the records and edges that findings reach
        marked."""
        nodes: dict[str, Node] = {subject.id: replace(subject, role="self")}
        for role, hits in (("upstream", upstream), ("downstream", downstream)):
            for h in hits:
                nodes.setdefault(
                    h.id,
                    Node(
                        id=h.id,
                        name=h.name,
                        version=str(h.version),
                        kind=h.kind,
                        title=h.title,
                        role=role,  # type: ignore[arg-type]
                        depth=h.depth,
                    ),
                )
        for n in extra:
            nodes.setdefault(n.id, n)
        kept: dict[tuple[str, str, str], Edge] = {}
        for e in edges:
            if e.src in nodes and e.dst in nodes:
                kept.setdefault((e.src, e.relation, e.dst), e)
        flagged: set[tuple[str, str]] = set()
        if audit is not None:
            worst: dict[str, str] = {}
            for f in audit.findings:
                flagged.update((e.src, e.dst) for e in f.edges)
                for rid in f.affected:
                    if RANK[f.severity] > RANK.get(worst.get(rid, ""), -1):
                        worst[rid] = f.severity
            for rid, sev in worst.items():
                if rid in nodes:
                    nodes[rid] = replace(nodes[rid], severity=sev)
        return cls(nodes=nodes, edges=tuple(kept.values()), flagged=frozenset(flagged))


@dataclass(frozen=True, kw_only=True, slots=True)
class AdvisoryInfo:
    """What a finding says of its advisory."""

    id: str
    summary: str
    severity: str
    details: str | None = None
    published: str | None = None
    affected: tuple[tuple[str, str], ...] = ()  # (name, range)
    fixed: tuple[str, ...] = ()  # name@version
    references: tuple[tuple[str, str | None], ...] = ()  # (url, title)
    modified: str | None = None  # when the advisory last changed (UTC ISO 8601)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "summary": self.summary,
            "details": self.details,
            "severity": self.severity,
            "published": self.published,
            "affected": [{"name": n, "versions": r} for n, r in self.affected],
            "fixed": [
                {"name": n, "version": v} for n, _, v in (f.partition("@") for f in self.fixed)
            ],
            "references": [{"url": u, "title": t} for u, t in self.references],
            "modified": self.modified,
        }


FixKind = Literal["upgrade", "rebuild", "none"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Fix:
    """The next step that clears a finding, computed from the registry.

    ``upgrade``: a published version of the audited record that the advisory does not reach
    (``ref``); ``rebuild``: a version that the advisory names fixed of a record on the routes
    (``ref``), to rebuild on and publish as a new version; ``none``: no fix is published."""

    kind: FixKind
    ref: str | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "ref": self.ref, "text": self.text}


Route = tuple[Edge, ...]  # record first: from the audited record to an affected one


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One advisory reaching one audited record: through how many routes, a page of them
    (shortest first), and what to do. A route is a node-distinct path over typed relations
    (``inherits`` is not one) that avoids every version the advisory names fixed."""

    advisory: AdvisoryInfo
    record: str  # the audited record
    affected: tuple[str, ...]  # the affected records the routes end at, name@version
    severity: str
    routes: int  # how many routes carry the advisory (certain and uncertain)
    certain: int  # how many of them have no uncertain edge
    paths: tuple[Route, ...] = ()  # routes offset .. offset + len(paths), shortest first
    offset: int = 0
    edges: tuple[Edge, ...] = ()  # every edge that lies on some route
    fix: Fix | None = None
    reason: str | None = None  # on a cleared finding: why the advisory no longer reaches it

    @property
    def possible(self) -> bool:
        """Every route passes through an uncertain edge: the advisory may reach the record."""
        return self.routes > 0 and self.certain == 0

    @property
    def path(self) -> Route:
        """The shortest route (empty when the audited record is itself affected)."""
        return self.paths[0] if self.paths and self.offset == 0 else ()

    @property
    def notes(self) -> tuple[str, ...]:
        """The notes of the uncertain edges on the routes."""
        return tuple(
            dict.fromkeys(f"{e.text()}: {e.note}" for e in self.edges if e.uncertain and e.note)
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "advisory": self.advisory.to_dict(),
            "record": self.record,
            "affected": list(self.affected),
            "severity": self.severity,
            "possible": self.possible,
            "routes": self.routes,
            "certain_routes": self.certain,
            "offset": self.offset,
            "paths": [[e.to_dict() for e in p] for p in self.paths],
            "edges": [e.to_dict() for e in self.edges],
            "fix": self.fix.to_dict() if self.fix else None,
        }
        if self.reason is not None:
            out["reason"] = self.reason
        return out

    def lines(self) -> list[str]:
        """The finding as text, one fact a line, each route in full (record first)."""
        a = self.advisory
        head = f"{a.id} {self.severity}" + (" (possible)" if self.possible else "")
        out = [f"{head}: {a.summary}"]
        if self.reason is not None:
            out.append(f"  cleared: {self.reason}")
            return out
        out.append(f"  affected: {', '.join(self.affected)}")
        if a.fixed:
            out.append(f"  fixed in: {', '.join(a.fixed)}")
        noun = "route" if self.routes == 1 else "routes"
        if self.offset == 0 and len(self.paths) == 1:
            out.append(
                f"  {self.routes:,} {noun}" + ("; the shortest:" if self.routes > 1 else ":")
            )
        elif self.paths:
            last = self.offset + len(self.paths)
            out.append(f"  {self.routes:,} {noun}; {self.offset + 1} to {last}, shortest first:")
        else:
            out.append(f"  {self.routes:,} {noun}; none from {self.offset + 1}")
        for p in self.paths:
            out.append(f"    {path_text(p, start=self.record, elide=False)}")
        out += [f"  uncertain: {n}" for n in self.notes]
        if self.fix is not None:
            out.append(f"  next: {self.fix.text}")
        return out


@dataclass(frozen=True, kw_only=True)
class AuditReport:
    """Every advisory that reaches ``record``, and those that a fixed version clears."""

    record: str
    findings: tuple[Finding, ...] = ()
    cleared: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.findings

    def counted(self, include_uncertain: bool = False) -> list[Finding]:
        """The findings that count towards ``--fail-on``: possible ones only if asked."""
        return [f for f in self.findings if include_uncertain or not f.possible]

    def worst(self, include_uncertain: bool = True) -> str | None:
        """The highest severity among the findings, or None."""
        found = self.counted(include_uncertain)
        return max((f.severity for f in found), key=RANK.__getitem__, default=None)

    def fails(self, threshold: str, include_uncertain: bool = False) -> bool:
        """Whether a finding is at or above ``threshold`` (low, medium, high, critical)."""
        return any(RANK[f.severity] >= RANK[threshold] for f in self.counted(include_uncertain))

    def summary(self) -> str:
        """``2 critical, 1 high in 5 routes`` (``; 1 possible`` when some are uncertain)."""
        return summary_line(self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "ok": self.ok,
            "summary": self.summary(),
            "findings": [f.to_dict() for f in self.findings],
            "cleared": [f.to_dict() for f in self.cleared],
        }

    def text(self) -> str:
        lines = [line for f in (*self.findings, *self.cleared) for line in f.lines()]
        lines.append(f"{self.record}: {self.summary()}")
        return "\n".join(lines)


def summary_line(findings: Sequence[Finding]) -> str:
    """The npm-audit-like summary of findings (of one record or several)."""
    sure = [f for f in findings if not f.possible]
    maybe = [f for f in findings if f.possible]
    if not findings:
        return "no known advisory reaches it"
    parts = []
    if sure:
        counts = {s: sum(f.severity == s for f in sure) for s in reversed(SEVERITIES)}
        routes = sum(f.routes for f in sure)
        tally = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        parts.append(f"{tally} in {routes:,} route{'' if routes == 1 else 's'}")
    if maybe:
        parts.append(f"{len(maybe)} possible (through an uncertain edge)")
    return "; ".join(parts)


ELIDE_AFTER = 12  # steps of a path printed in full; longer ones show their two ends


def path_text(path: Sequence[Edge], *, start: str | None = None, elide: bool = True) -> str:
    """``a@1 -finetuned_from-> b@2 -trained_on-> c@3``, record first; an uncertain step reads
    ``-trained_on?->``. With ``elide``, a path longer than ``ELIDE_AFTER`` steps shows its first
    and last few with the count between, so printing a path per record of a deep chain stays
    linear. An empty path is ``start`` alone (the record is itself affected)."""
    if not path:
        return f"{start} (itself affected)" if start else ""
    shown: list[Edge | int] = list(path)
    if elide and len(path) > ELIDE_AFTER:
        half = ELIDE_AFTER // 2
        shown = [*path[:half], len(path) - 2 * half, *path[-half:]]
    return _steps_text(shown)


def hit_paths(found: Iterable[LineageHit]) -> Iterator[str]:
    """:func:`path_text` of each hit's path, elided, in time linear in the hits: a long path's
    end nearest the start is shared with its ``prev`` and read from a memo instead of walking
    the whole chain again for every hit of a deep walk."""
    half = ELIDE_AFTER // 2
    far: dict[str, tuple[Edge, ...]] = {}  # hit id -> the half steps nearest the start

    def start_end(hit: LineageHit) -> tuple[Edge, ...]:
        chain: list[LineageHit] = []
        h: LineageHit | None = hit
        while h is not None and h.id not in far and h.depth > half:
            chain.append(h)
            h = h.prev
        if h is not None and h.id not in far:  # depth <= half: its path is short
            far[h.id] = h.path
        for c in reversed(chain):
            far[c.id] = far[c.prev.id] if c.prev is not None else (c.edge,)
        return far[hit.id]

    for hit in found:
        if hit.depth <= ELIDE_AFTER:
            yield path_text(hit.path)
            continue
        near: list[Edge] = []
        h: LineageHit | None = hit
        while h is not None and len(near) < half:
            near.append(h.edge)
            h = h.prev
        tail = start_end(hit)
        rest = hit.depth - len(near) - len(tail)
        if hit.upward:  # record first is the start first
            steps: list[Edge | int] = [*tail, rest, *reversed(near)]
        else:
            steps = [*near, rest, *tail]
        yield _steps_text(steps)


def _steps_text(steps: Sequence[Edge | int]) -> str:
    first = next(s for s in steps if isinstance(s, Edge))
    parts = [first.src]
    for step in steps:
        if isinstance(step, int):
            parts.append(f"... {step:,} more steps ...")
        else:
            mark = "?" if step.uncertain else ""
            parts.append(f"-{step.relation}{mark}-> {step.dst}")
    return " ".join(parts)


@runtime_checkable
class RenderSource(Protocol):
    """What a renderer may ask of a registry for a published record."""

    def resolve(self, ref: str) -> Resolved: ...

    def lineage(
        self,
        ref: str,
        direction: Direction = "up",
        relations: Sequence[str] | None = None,
        depth: int | None = None,
    ) -> list[LineageHit]: ...

    def edges_among(self, ids: Collection[str]) -> list[Edge]: ...

    def audit(self, ref: str) -> AuditReport: ...


__all__ = [
    "INHERITS",
    "AdvisoryInfo",
    "AuditReport",
    "Direction",
    "Edge",
    "Finding",
    "Fix",
    "Graph",
    "LineageHit",
    "Node",
    "RenderSource",
    "Route",
    "path_text",
    "summary_line",
]
