"""New names at publish time: no served suffix, no trailing punctuation, no look-alike.

A name is new when the registry has no row for it yet. Its key (:func:`umr.spec.names.name_key`)
must differ from every registered name's key and from the other new names' keys in the batch;
the unique index on ``names.skeleton`` holds that even when two writers race (the loser's retry
then meets the winner's row and is refused here).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from umr.errors import Problem, RecordError
from umr.registry import tables as t
from umr.registry._sql import chunked
from umr.spec.names import check_new_name, name_key


def new_name_keys(conn: Connection, entries: Iterable[Any]) -> dict[str, str]:
    """The key of each name in ``entries`` (publish entries: ``record``, ``marks``,
    ``source``) that is not registered yet; RecordError naming every refused one."""
    first: dict[str, Any] = {}
    for e in entries:
        first.setdefault(e.record.name, e)
    known: set[str] = set()
    for part in chunked(sorted(first)):
        known |= set(conn.execute(select(t.names.c.name).where(t.names.c.name.in_(part))).scalars())
    new = {n: name_key(n) for n in sorted(first) if n not in known}
    taken: dict[str, str] = {}
    for part in chunked(sorted(set(new.values()))):
        rows = conn.execute(
            select(t.names.c.skeleton, t.names.c.name).where(t.names.c.skeleton.in_(part))
        )
        taken.update({key: name for key, name in rows})
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for name, key in new.items():
        why = check_new_name(name)
        other = taken.get(key) or seen.get(key)
        if why is None and other is not None:
            why = (
                f"name {name!r} reads like {other!r}, which is "
                f"{'registered' if key in taken else 'also in this batch'} (both read as "
                f"{key!r}: '-', '_' and '.' are one separator, and 1/l, 0/o, rn/m look alike)"
            )
        seen.setdefault(key, name)
        if why is not None:
            e = first[name]
            problems.append(
                e.marks.locate(("name",), why)
                if e.marks is not None
                else Problem(source=e.source, path="name", message=why)
            )
    if problems:
        raise RecordError(
            problems,
            hint="pick a name that reads as itself, e.g. add the publisher: 'acme-llama-2-7b'",
        )
    return new
