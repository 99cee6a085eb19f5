"""The identifiers published records answer to (their ``aliases`` and ``hf://`` artifacts).

Read straight from the stored record JSON of every version that has any, in one query; a
scan builds its lookup from this. A table of alias keys maintained at publish time would let a
registry of millions of records answer one key without reading them all (not needed for the
few thousand records a registry holds today).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, or_, select

from umr.registry import tables as t
from umr.spec.aliases import record_keys
from umr.spec.versions import Version


@dataclass(frozen=True, slots=True, kw_only=True)
class AliasRow:
    name: str
    version: Version
    kind: str
    yanked: bool
    keys: tuple[str, ...]


def alias_rows(conn: Connection) -> list[AliasRow]:
    """Every published version that names an alias or an ``hf://`` artifact, with its keys."""
    r = t.records
    query = select(r.c.name, r.c.version, r.c.kind, r.c.yanked, r.c.record_json).where(
        or_(r.c.record_json.contains('"aliases"'), r.c.record_json.contains('"hf://'))
    )
    out = []
    for name, version, kind, yanked, text in conn.execute(query):
        data = json.loads(text)
        keys = record_keys(
            data.get("aliases") or (), (a["uri"] for a in data.get("artifacts") or ())
        )
        if keys:
            out.append(
                AliasRow(
                    name=name,
                    version=Version.parse(version),
                    kind=kind,
                    yanked=bool(yanked),
                    keys=tuple(keys),
                )
            )
    return out
