"""A tiny in-memory audit over the demo workspace, used until the registry lands.

Walks every upstream edge (all relations) from a record, resolving each ref to the highest
matching version in the workspace, and returns the path that first reaches each record.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

import yaml

from umr.spec import Range, Version, Workspace, find
from umr.spec.refs import Ref

Path_ = tuple[tuple[str, str], ...]  # ((relation, "name@version"), ...)


def upstream_paths(ws: Workspace, name: str, version: str) -> dict[str, Path_]:
    """``name@version`` of every record in the upstream closure -> shortest edge path."""
    start = ws.get(name, Version.parse(version))
    seen: dict[str, Path_] = {start.id: ()}
    queue = deque([start])
    while queue:
        record = queue.popleft()
        for edge in record.edges():
            target = find(ws, edge.ref)
            if target.id not in seen:
                seen[target.id] = seen[record.id] + ((str(edge.relation.value), target.id),)
                queue.append(target)
    return seen


def load_advisories(folder: Path) -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text()) for p in sorted(folder.glob("*.yaml"))]


def reaches(advisory: dict[str, Any], closure: dict[str, Path_]) -> list[str]:
    """Closure members (``name@version``) that the advisory's affected ranges match."""
    hits = []
    for rid in closure:
        name, _, ver = rid.partition("@")
        for aff in advisory["affected"]:
            if aff["name"] == name and Version.parse(ver) in Range.parse(aff["versions"]):
                hits.append(rid)
    return hits


def parse_ref(text: str) -> Ref:
    return Ref.parse(text)
