"""Versioned migrations: a ``umr_schema`` table holds the version the database is at.

Each migration is a function of (connection, dialect name); they run in order, in one locked
transaction, when a registry is opened. See docs/decisions.md for why not Alembic.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from sqlalchemy import Connection, Engine, bindparam, inspect, select, update

from umr.errors import RegistryError
from umr.registry import tables
from umr.registry._sql import publisher_key
from umr.registry.db import display_url, transaction
from umr.spec.names import name_key

log = logging.getLogger("umr.registry")

_LOCK_KEY = 0x756D72  # "umr": PostgreSQL advisory lock held while migrating


def _v1(conn: Connection, dialect: str) -> None:
    tables.metadata.create_all(conn, checkfirst=True)
    if dialect == "sqlite":
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS names_fts USING "
            "fts5(name, title, summary, publisher, tokenize='unicode61')"
        )
    else:
        conn.exec_driver_sql("ALTER TABLE names ADD COLUMN IF NOT EXISTS tsv tsvector")
        conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_names_tsv ON names USING gin(tsv)")


def _v2(conn: Connection, dialect: str) -> None:
    # Edge indexes that cover the lineage walk (relation included), replacing (src, dst) ones.
    for old in ("ix_edges_src", "ix_edges_dst"):
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {old}")
    for name, cols in (("src", "src_id, dst_id"), ("dst", "dst_id, src_id")):
        conn.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS ix_edges_{name}_rel ON edges ({cols}, relation)"
        )


def _v3(conn: Connection, dialect: str) -> None:
    # names.publisher_key: the latest version's publisher, case-folded in Python, for the
    # search filter (SQLite's lower() folds ASCII only; PostgreSQL's depends on the locale).
    if "publisher_key" not in {c["name"] for c in inspect(conn).get_columns("names")}:
        conn.exec_driver_sql("ALTER TABLE names ADD COLUMN publisher_key TEXT")
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_names_publisher_key ON names (publisher_key)"
    )
    rows = conn.execute(
        select(tables.names.c.id, tables.records.c.publisher).join(
            tables.records, tables.records.c.id == tables.names.c.latest_id
        )
    ).all()
    _set_names(conn, "publisher_key", [(nid, publisher_key(pub)) for nid, pub in rows if pub])


def _set_names(conn: Connection, column: str, values: list[tuple[int, str | None]]) -> None:
    """Set ``names.<column>`` row by row: (names.id, value) pairs, in one executemany."""
    if values:
        conn.execute(
            update(tables.names)
            .where(tables.names.c.id == bindparam("nid"))
            .values({column: bindparam("value")}),
            [{"nid": nid, "value": value} for nid, value in values],
        )


def _v4(conn: Connection, dialect: str) -> None:
    # SQLite search: FTS5 prefix indexes for 2- to 5-character prefixes. Every query word is a
    # prefix query; without them FTS5 merges the doclists of every term with that prefix into
    # memory, so "model 1234" read the whole doclist of "model" and the window's cutoff query
    # read all matches of a common word (docs/benchmarks.md, "FTS5 prefix indexes").
    if dialect != "sqlite":
        return
    conn.exec_driver_sql(
        "CREATE VIRTUAL TABLE names_fts_v4 USING fts5(name, title, summary, publisher, "
        "tokenize='unicode61', prefix='2 3 4 5')"
    )
    conn.exec_driver_sql(
        "INSERT INTO names_fts_v4(rowid, name, title, summary, publisher) "
        "SELECT rowid, name, title, summary, publisher FROM names_fts"
    )
    conn.exec_driver_sql("DROP TABLE names_fts")
    conn.exec_driver_sql("ALTER TABLE names_fts_v4 RENAME TO names_fts")


def _v5(conn: Connection, dialect: str) -> None:
    # The change counter (tables.changes): one row, bumped by every write.
    tables.changes.create(conn, checkfirst=True)
    if conn.execute(select(tables.changes.c.n)).first() is None:
        conn.execute(tables.changes.insert().values(id=1, n=0))


def _add_columns(conn: Connection, table: str, columns: dict[str, str]) -> None:
    have = {c["name"] for c in inspect(conn).get_columns(table)}
    for name, sql_type in columns.items():
        if name not in have:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {name} {sql_type}")


def _v6(conn: Connection, dialect: str) -> None:
    # Tokens and the write log join the migrations (the web server created them on its own
    # before), with expiry and last use.
    tables.tokens.create(conn, checkfirst=True)
    tables.write_log.create(conn, checkfirst=True)
    _add_columns(conn, "umr_web_tokens", {"expires": "VARCHAR(32)", "last_used": "VARCHAR(32)"})


def _v7(conn: Connection, dialect: str) -> None:
    # Advisory revisions: every advisory so far becomes revision 1 of itself.
    tables.advisory_revisions.create(conn, checkfirst=True)
    _add_columns(
        conn,
        "advisories",
        {"modified": "VARCHAR(32)", "withdrawn": "VARCHAR(32)", "withdrawn_reason": "TEXT"},
    )
    a, r = tables.advisories, tables.advisory_revisions
    kept = select(r.c.advisory_id)
    rows = conn.execute(
        select(a.c.id, a.c.added_at, a.c.data_json).where(a.c.id.not_in(kept))
    ).all()
    if rows:
        conn.execute(
            r.insert(),
            [
                {
                    "advisory_id": aid,
                    "rev": 1,
                    "at": at,
                    "actor": "unknown (added before revisions were kept)",
                    "action": "create",
                    "changed": "[]",
                    "reason": None,
                    "data_json": data,
                }
                for aid, at, data in rows
            ],
        )


def _v8(conn: Connection, dialect: str) -> None:
    # Name skeletons (umr.spec.names.name_key), unique: no new name may read like another.
    # Look-alikes registered before the rule keep working; the first registered keeps the key,
    # the later ones get none (and are logged).
    _add_columns(conn, "names", {"skeleton": "VARCHAR(200)"})
    rows = conn.execute(
        select(tables.names.c.id, tables.names.c.name)
        .where(tables.names.c.skeleton.is_(None))
        .order_by(tables.names.c.id)
    ).all()
    taken = set(conn.execute(select(tables.names.c.skeleton)).scalars()) - {None}
    keys: list[tuple[int, str | None]] = []
    for nid, name in rows:
        key = name_key(name)
        if key in taken:
            log.warning("name %r reads like an earlier name (key %r); it keeps working", name, key)
            continue
        taken.add(key)
        keys.append((nid, key))
    _set_names(conn, "skeleton", keys)
    conn.exec_driver_sql("CREATE UNIQUE INDEX IF NOT EXISTS uq_names_skeleton ON names (skeleton)")


def _v9(conn: Connection, dialect: str) -> None:
    # edges.uncertain and edges.note: the upstream entry's own, so that an audit can call a
    # finding "possible" and show why without reading records; the covering indexes gain
    # ``uncertain`` so the walks still read edges from the index alone.
    _add_columns(conn, "edges", {"uncertain": "BOOLEAN NOT NULL DEFAULT FALSE", "note": "TEXT"})
    for name, cols in (("src", "src_id, dst_id"), ("dst", "dst_id, src_id")):
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS ix_edges_{name}_rel")
        conn.exec_driver_sql(
            f"CREATE INDEX ix_edges_{name}_rel ON edges ({cols}, relation, uncertain)"
        )
    # canonical JSON has no spaces: only records that may set either key are read
    rows = conn.execute(
        select(tables.records.c.id, tables.records.c.record_json).where(
            tables.records.c.record_json.like('%"uncertain":%')
            | tables.records.c.record_json.like('%"note":%')
        )
    ).all()
    updates = [
        {"sid": rid, "p": pos, "u": bool(entry.get("uncertain")), "n": entry.get("note")}
        for rid, data in rows
        for pos, entry in enumerate(json.loads(data).get("upstream") or ())
        if entry.get("uncertain") or entry.get("note")
    ]
    if updates:
        e = tables.edges
        conn.execute(
            update(e)
            .where(e.c.src_id == bindparam("sid"), e.c.pos == bindparam("p"))
            .values(uncertain=bindparam("u"), note=bindparam("n")),
            updates,
        )


MIGRATIONS: list[Callable[[Connection, str], None]] = [
    _v1,
    _v2,
    _v3,
    _v4,
    _v5,
    _v6,
    _v7,
    _v8,
    _v9,
]
LATEST = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    if not inspect(conn).has_table("umr_schema"):
        return 0
    return int(conn.execute(select(tables.schema_version.c.version)).scalar() or 0)


def migrate(engine: Engine) -> int:
    """Bring the database to the latest schema; returns the version it is at."""
    with engine.connect() as conn:
        if current_version(conn) == LATEST:
            return LATEST

    def run(conn: Connection) -> int:
        dialect = conn.dialect.name
        if dialect == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
        at = current_version(conn)
        if at > LATEST:
            raise RegistryError(
                f"registry {display_url(str(engine.url))!r} is at schema version {at}; "
                f"this umr knows up to {LATEST}",
                hint="upgrade umr: pip install -U umr",
            )
        for version in range(at, LATEST):
            MIGRATIONS[version](conn, dialect)
        # a migration may change what answers show: caches keyed on the counter start afresh
        conn.execute(tables.changes.update().values(n=tables.changes.c.n + 1))
        conn.execute(tables.schema_version.delete())
        conn.execute(tables.schema_version.insert().values(version=LATEST))
        return LATEST

    return transaction(engine, run)
