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
from umr.spec.names import name_key, new_name_problems


def registered(conn: Connection, names: Iterable[str]) -> tuple[set[str], dict[str, str]]:
    """Which of ``names`` are registered, and the registered name of each key that one of
    the others reads as (key -> name): what :func:`new_name_problems` compares against."""
    wanted = sorted(set(names))
    known: set[str] = set()
    for part in chunked(wanted):
        known |= set(conn.execute(select(t.names.c.name).where(t.names.c.name.in_(part))).scalars())
    keys = sorted({name_key(n) for n in wanted if n not in known})
    taken: dict[str, str] = {}
    for part in chunked(keys):
        rows = conn.execute(
            select(t.names.c.skeleton, t.names.c.name).where(t.names.c.skeleton.in_(part))
        )
        taken.update({key: name for key, name in rows})
    return known, taken


def new_name_keys(conn: Connection, entries: Iterable[Any]) -> dict[str, str]:
    """The key of each name in ``entries`` (publish entries: ``record``, ``marks``,
    ``source``) that is not registered yet; RecordError naming every refused one."""
    first: dict[str, Any] = {}
    for e in entries:
        first.setdefault(e.record.name, e)
    known, taken = registered(conn, first)
    problems: list[Problem] = []
    for name, why in new_name_problems(first, known, taken).items():
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
    return {n: name_key(n) for n in sorted(first) if n not in known}
