"""The cross-record checks of a batch: the one validation path of ``validate`` and ``publish``.

A batch passes when every ref (``inherits`` and each upstream edge) matches a version in the
source (the batch itself first, then the workspace or registry behind it), no ref leads back to
its own record through the batch (a lineage cycle, a self edge included), and every record
resolves: its ``inherits`` chain ends within :data:`~umr.spec.limits.MAX_INHERITS` steps and
the merged record is valid. ``umr validate`` runs exactly these checks over the files it reads,
and publishing runs them over the records it is about to store, so the two give one verdict.
"""

from __future__ import annotations

import graphlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from umr.errors import Problem, UmrError
from umr.spec.inherit import Resolved, Resolver
from umr.spec.record import Record
from umr.spec.refs import Ref
from umr.spec.source import RecordSource, find
from umr.spec.yamlio import Path

Locate = Callable[[Record, Path, str], Problem]  # (record, field path, message) -> Problem
Lock = tuple[int, str, Ref, str]  # position (-1: inherits), relation, ref as written, target id


def refs_of(record: Record) -> list[tuple[int, str, Ref]]:
    """(position, relation, ref): position -1 is ``inherits``, else the upstream index."""
    out: list[tuple[int, str, Ref]] = []
    if record.inherits is not None:
        out.append((-1, "inherits", record.inherits))
    out.extend((i, str(e.relation), e.ref) for i, e in enumerate(record.edges()))
    return out


def ref_path(pos: int) -> Path:
    return ("inherits",) if pos < 0 else ("upstream", pos, "ref")


@dataclass
class BatchCheck:
    """Run :meth:`lock`, then :meth:`resolve` (publishing primes the resolver in between);
    ``problems`` lists everything found, each located by ``locate``."""

    source: RecordSource
    locate: Locate
    problems: list[Problem] = field(default_factory=list)
    locks: dict[str, list[Lock]] = field(default_factory=dict)  # record id -> its refs' targets
    order: list[str] = field(default_factory=list)  # record ids, each after what it refers to
    resolved: dict[str, Resolved] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)  # ids of the records with a problem
    _skip: set[str] = field(default_factory=set)  # records not to resolve: already reported

    def _report(self, record: Record, path: Path, message: str) -> None:
        self.failed.add(record.id)
        self.problems.append(self.locate(record, path, message))

    def lock(self, records: Sequence[Record]) -> None:
        """Find each ref's target (the highest matching version), then look for cycles."""
        ids = {r.id for r in records}
        graph: dict[str, dict[str, int]] = {}  # id -> target in the batch -> ref position
        for record in records:
            rid = record.id
            self.locks[rid] = []
            graph[rid] = {}
            for pos, relation, ref in refs_of(record):
                try:
                    target = find(self.source, ref).id
                except UmrError as exc:
                    message = exc.message
                    if pos < 0:
                        message = f"{rid} inherits {str(ref)!r}: {message}"
                        self._skip.add(rid)
                    self._report(record, ref_path(pos), message)
                    continue
                self.locks[rid].append((pos, relation, ref, target))
                if target in ids:
                    graph[rid].setdefault(target, pos)
        try:
            self.order = list(graphlib.TopologicalSorter(graph).static_order())
        except graphlib.CycleError:
            self._report_cycles(graph, {r.id: r for r in records})

    def _report_cycles(self, graph: dict[str, dict[str, int]], by_id: dict[str, Record]) -> None:
        """Report every record whose refs lead back to itself: those on the cycle shown get
        it from their own point of view; the others in the same knot name where they join
        it. Linear in the batch (one pass for the knots, one walk per knot)."""
        for knot in strongly_connected(graph):
            members = set(knot)
            if len(knot) == 1 and knot[0] not in graph[knot[0]]:
                continue
            cycle = _a_cycle(graph, members)
            on_cycle = dict(itertools.pairwise(cycle))
            what = "inheritance" if all(graph[a][b] < 0 for a, b in on_cycle.items()) else "lineage"
            for member in sorted(knot):
                self._skip.add(member)
                if member in on_cycle:
                    i = cycle.index(member)
                    rotated = [*cycle[i:-1], *cycle[:i], member]
                    nxt, message = on_cycle[member], f"{what} cycle: {_show(rotated)}"
                else:
                    nxt = min(t for t in graph[member] if t in members)
                    message = (
                        f"lineage cycle: {nxt} leads back to {member} through the cycle "
                        f"{_show(cycle)}"
                    )
                self._report(by_id[member], ref_path(graph[member][nxt]), message)

    def resolve(self, records: Sequence[Record], resolver: Resolver) -> None:
        """Resolve each record not already reported: the chain's depth, the merged record."""
        for record in records:
            if record.id in self._skip:
                continue
            try:
                resolved = resolver.resolve(record)
                _ = resolved.record  # validates the merged record
            except UmrError as exc:
                self._report(record, ("inherits",), exc.message)
                continue
            self.resolved[record.id] = resolved

    @property
    def ok(self) -> bool:
        return not self.problems


def _show(chain: list[str]) -> str:
    if len(chain) > 8:
        chain = [*chain[:4], "...", *chain[-3:]]
    return " -> ".join(chain)


def _a_cycle(graph: dict[str, dict[str, int]], members: set[str]) -> list[str]:
    """A cycle ``[a, ..., a]`` within ``members``, a knot in which every member has a
    successor (itself, for a self edge)."""
    path = [min(members)]
    seen = {path[0]: 0}
    while True:
        nxt = min(t for t in graph[path[-1]] if t in members)
        if nxt in seen:
            return [*path[seen[nxt] :], nxt]
        seen[nxt] = len(path)
        path.append(nxt)


def strongly_connected(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of ``graph`` (Tarjan's algorithm, without
    recursion): nodes that each reach the others. Successors outside ``graph`` are ignored."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(graph[root]))]
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in graph:
                    continue
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph[nxt])))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    out.append(component)
    return out
