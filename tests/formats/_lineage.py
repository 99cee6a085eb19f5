"""A stand-in registry over a workspace, in the registry's contract shapes (until/besides the
real one): ``resolve``, ``lineage(ref, direction)`` hits and ``audit(ref)`` reports."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from umr.spec import Range, Record, Ref, Resolved, Version, Workspace, find, resolve

FIXTURES = Path(__file__).parent / "fixtures"
RECORDS = FIXTURES / "records"

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


@dataclass
class Hit:
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return self.data


@dataclass
class Report:
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return self.data


class FakeRegistry:
    """Resolves refs, walks lineage both ways (BFS, shortest paths) and audits, in memory."""

    def __init__(self, root: Path = RECORDS, advisories: list[dict[str, Any]] | None = None):
        self.ws = Workspace(root)
        self.advisories = [ADVISORY] if advisories is None else advisories

    # RecordSource
    def versions(self, name: str) -> list[Version]:
        return self.ws.versions(name)

    def get(self, name: str, version: Version) -> Record:
        return self.ws.get(name, version)

    def describe(self) -> str:
        return "fake registry"

    def resolve(self, ref: str) -> Resolved:
        return resolve(find(self.ws, Ref.parse(ref)), self.ws)

    def _edges(self) -> list[tuple[Record, str, Record]]:
        return [
            (r, e.relation.value, find(self.ws, e.ref))
            for r in self.ws.records()
            for e in r.edges()
        ]

    def lineage(
        self, ref: str, direction: str = "up", relations: Any = None, depth: Any = None
    ) -> list[Hit]:
        start = find(self.ws, Ref.parse(ref))
        edges = self._edges()
        seen: dict[str, list[dict[str, str]]] = {start.id: []}
        queue = deque([start])
        hits = []
        while queue:
            rec = queue.popleft()
            nxt = (
                [
                    (t, rel, {"from": rec.id, "relation": rel, "to": t.id})
                    for s, rel, t in edges
                    if s.id == rec.id
                ]
                if direction == "up"
                else [
                    (s, rel, {"from": s.id, "relation": rel, "to": rec.id})
                    for s, rel, t in edges
                    if t.id == rec.id
                ]
            )
            for other, rel, step in nxt:
                if other.id in seen:
                    continue
                path = [*seen[rec.id], step]
                seen[other.id] = path
                queue.append(other)
                hits.append(
                    Hit(
                        {
                            "name": other.name,
                            "version": str(other.version),
                            "kind": other.kind,
                            "title": other.title,
                            "depth": len(path),
                            "relation": rel,
                            "path": path,
                        }
                    )
                )
        return hits

    def audit(self, ref: str) -> Report:
        start = find(self.ws, Ref.parse(ref))
        closure = {start.id: []} | {
            f"{h.data['name']}@{h.data['version']}": h.data["path"] for h in self.lineage(ref, "up")
        }
        findings = []
        for adv in self.advisories:
            for rid, path in closure.items():
                name, _, ver = rid.partition("@")
                if any(
                    a["name"] == name and Version.parse(ver) in Range.parse(a["versions"])  # type: ignore[index]
                    for a in adv["affected"]
                ):
                    findings.append(
                        {"advisory": adv, "record": rid, "path": path, "severity": adv["severity"]}
                    )
        return Report({"record": start.id, "findings": findings, "cleared": [], "ok": not findings})
