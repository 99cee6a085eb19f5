"""Versioned migrations: a ``umr_schema`` table holds the version the database is at.

Each migration is a function of (connection, dialect name); they run in order, in one locked
transaction, when a registry is opened. See docs/decisions.md for why not Alembic.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import Connection, Engine, MetaData, bindparam, inspect, select, update

from umr.errors import RegistryError
from umr.registry import tables
from umr.registry._sql import publisher_key
from umr.registry.db import display_url, transaction

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
    keys = [{"nid": nid, "key": publisher_key(pub)} for nid, pub in rows if pub]
    if keys:
        conn.execute(
            update(tables.names)
            .where(tables.names.c.id == bindparam("nid"))
            .values(publisher_key=bindparam("key")),
            keys,
        )


def _v4(conn: Connection, dialect: str) -> None:
    # SQLite search: FTS5 prefix indexes for 2- to 5-character prefixes. Every query word is a
    # prefix query; without them FTS5 merges the doclists of every term with that prefix into
    # memory, so "model 1234" read the whole doclist of "model" (44 ms against 2.8 ms on a
    # million names) and the window's cutoff query read all matches of a common word.
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


def _v6(conn: Connection, dialect: str) -> None:
    # edges.uncertain and edges.note: the upstream entry's own, so that an audit can call a
    # finding "possible" and show why without reading records; the covering indexes gain
    # ``uncertain`` so the walks still read edges from the index alone.
    have = {c["name"] for c in inspect(conn).get_columns("edges")}
    if "uncertain" not in have:
        conn.exec_driver_sql(
            "ALTER TABLE edges ADD COLUMN uncertain BOOLEAN NOT NULL DEFAULT FALSE"
        )
    if "note" not in have:
        conn.exec_driver_sql("ALTER TABLE edges ADD COLUMN note TEXT")
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


MIGRATIONS: list[Callable[[Connection, str], None]] = [_v1, _v2, _v3, _v4, _v5, _v6]
LATEST = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    if not inspect(conn).has_table("umr_schema"):
        return 0
    return int(conn.execute(select(tables.schema_version.c.version)).scalar() or 0)


def create_tables(engine: Engine, metadata: MetaData) -> None:
    """Create the tables of ``metadata`` that do not exist yet (tables kept outside the
    registry's migrations, such as the web server's tokens). Safe when several processes start
    at once: on PostgreSQL two concurrent ``CREATE TABLE`` of one name fail one of them, so the
    creation holds the migration lock (SQLite's write transaction serializes it already)."""
    with engine.connect() as conn:
        existing = set(inspect(conn).get_table_names())
    if all(name in existing for name in metadata.tables):
        return

    def run(conn: Connection) -> None:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
        metadata.create_all(conn, checkfirst=True)

    transaction(engine, run)


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
