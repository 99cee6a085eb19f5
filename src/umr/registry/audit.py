"""Audit and impact: which advisories reach a record through its locked upstream closure.

A record is affected when an advisory's ``affected`` range matches a record in its upstream
closure (itself included). A lineage that passes through a version named in the advisory's
``fixed`` list is cleared: the fix (a retrained or unlearned version) stands between the audited
record and the affected data. Cleared findings are reported apart, with the reason.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from umr.registry import advisories as adv
from umr.registry import tables as t
from umr.registry.advisories import RANK, Advisory
from umr.registry.lineage import Edge, Node, closure, path_text
from umr.spec import Version


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One advisory reaching one record of the closure, and the chain of edges that carries it."""

    advisory: Advisory
    record: str  # the affected name@version
    path: tuple[Edge, ...]  # from the audited record to the affected one; () if itself
    severity: str
    reason: str | None = None  # set on cleared findings: which fixed version cleared it

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "advisory": self.advisory.to_dict(),
            "record": self.record,
            "path": [e.to_dict() for e in self.path],
            "severity": self.severity,
        }
        if self.reason is not None:
            out["reason"] = self.reason
        return out

    def text(self, start: str) -> str:
        line = f"{path_text(start, self.path)} [{self.advisory.id} {self.severity}]"
        return line + (f" cleared: {self.reason}" if self.reason else "")


@dataclass
class AuditReport:
    record: str
    findings: list[Finding] = field(default_factory=list)
    cleared: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def worst(self) -> str | None:
        """The highest severity among the findings, or None."""
        return max((f.severity for f in self.findings), key=RANK.__getitem__, default=None)

    def fails(self, threshold: str) -> bool:
        """Whether a finding is at or above ``threshold`` (low, medium, high, critical)."""
        return any(RANK[f.severity] >= RANK[threshold] for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "findings": [f.to_dict() for f in self.findings],
            "ok": self.ok,
            "cleared": [f.to_dict() for f in self.cleared],
        }

    def text(self) -> str:
        lines = [f.text(self.record) for f in self.findings]
        lines += [f.text(self.record) for f in self.cleared]
        if self.findings:
            lines.append(
                f"{len(self.findings)} finding(s) for {self.record}; worst: {self.worst()}"
            )
        else:
            lines.append(f"no known advisory reaches {self.record}")
        return "\n".join(lines)


def _order(f: Finding) -> tuple[Any, ...]:
    return (-RANK[f.severity], f.advisory.id, len(f.path), f.record)


def audit(conn: Connection, start: int) -> AuditReport:
    nodes, parents = closure(conn, [start], "up")
    root = nodes[start]
    report = AuditReport(record=root.ref)
    advisories = adv.for_names(conn, sorted({n.name for n in nodes.values()}))
    if not advisories:
        return report
    paths = _shortest(nodes, parents)
    by_ref = {n.ref: n for n in nodes.values()}
    graph: dict[int, list[tuple[int, str]]] | None = None
    for a in advisories:
        hit = [n for n in nodes.values() if a.affects(n.name, Version.parse(n.version))]
        if not hit:
            continue
        fixes = [by_ref[f] for f in sorted(a.fixed_ids()) if f in by_ref]
        avoiding: dict[int, tuple[Edge, ...]] | None = None
        if fixes:
            graph = graph if graph is not None else _edges(conn, nodes)
            avoiding = _bfs(nodes, graph, start, {n.id for n in fixes})
        for n in hit:
            if avoiding is None or n.id in avoiding:
                path = paths[n.id] if avoiding is None else avoiding[n.id]
                report.findings.append(
                    Finding(advisory=a, record=n.ref, path=path, severity=a.severity)
                )
            else:
                on_path = [
                    f.ref for f in fixes if any(f.ref in (e.src, e.dst) for e in paths[n.id])
                ]
                named = ", ".join(on_path or [f.ref for f in fixes])
                reason = (
                    f"every path from {root.ref} to {n.ref} passes through {named}, "
                    f"which {a.id} names as fixed"
                )
                report.cleared.append(
                    Finding(
                        advisory=a,
                        record=n.ref,
                        path=paths[n.id],
                        severity=a.severity,
                        reason=reason,
                    )
                )
    report.findings.sort(key=_order)
    report.cleared.sort(key=_order)
    return report


def _shortest(
    nodes: dict[int, Node], parents: dict[int, tuple[int, str]]
) -> dict[int, tuple[Edge, ...]]:
    paths: dict[int, tuple[Edge, ...]] = {}
    for n in sorted(nodes.values(), key=lambda n: n.depth):
        if n.id not in parents:
            paths[n.id] = ()
        else:
            parent, relation = parents[n.id]
            paths[n.id] = (*paths[parent], Edge(nodes[parent].ref, relation, n.ref))
    return paths


def _edges(conn: Connection, nodes: dict[int, Node]) -> dict[int, list[tuple[int, str]]]:
    graph: dict[int, list[tuple[int, str]]] = {}
    ids = sorted(nodes)
    for i in range(0, len(ids), 500):
        rows = conn.execute(
            select(t.edges.c.src_id, t.edges.c.dst_id, t.edges.c.relation)
            .where(t.edges.c.src_id.in_(ids[i : i + 500]))
            .order_by(t.edges.c.src_id, t.edges.c.relation == "inherits", t.edges.c.dst_id)
        )
        for src, dst, relation in rows:
            graph.setdefault(src, []).append((dst, relation))
    return graph


def _bfs(
    nodes: dict[int, Node], graph: dict[int, list[tuple[int, str]]], start: int, blocked: set[int]
) -> dict[int, tuple[Edge, ...]]:
    """Shortest paths from ``start`` that never pass through a ``blocked`` record."""
    if start in blocked:
        return {}
    paths: dict[int, tuple[Edge, ...]] = {start: ()}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for dst, relation in graph.get(here, []):
            if dst in paths or dst in blocked or dst not in nodes:
                continue
            paths[dst] = (*paths[here], Edge(nodes[here].ref, relation, nodes[dst].ref))
            queue.append(dst)
    return paths
