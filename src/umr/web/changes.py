"""A cheap, repeated read of the registry's change counter (``tables.changes``).

:meth:`Registry.changes` reads the counter like any other query: a pooled connection, a
transaction around one SELECT. The web server's response cache reads it on every request it
might answer from memory, from its event loop, so :func:`change_counter` gives it a reader
with a connection of its own, opened outside the pool (a busy pool never makes it wait) in
autocommit mode: each read is one statement, which on its own sees one committed state of the
database. Every wait is bounded (a 50 ms SQLite busy timeout; on PostgreSQL a connect timeout,
a statement timeout and TCP keepalives), and after a failure the reader answers None without
trying again for ``RETRY_S`` seconds, so a database that is down costs one bounded wait per
interval, not one per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from sqlalchemy import Engine

from umr.registry.db import display_url

log = logging.getLogger("umr.web")

_SQL = "SELECT n FROM umr_changes WHERE id = 1"
RETRY_S = 5.0
SQLITE_BUSY_S = 0.05  # a WAL reader waits only for recovery or a non-WAL writer
PG_OPTIONS = {
    "connect_timeout": 2,
    "options": "-c statement_timeout=1000 -c lock_timeout=1000",
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 2,
    "keepalives_count": 2,
}


def change_counter(engine: Engine) -> ChangeCounter:
    """The reader for ``engine``'s backend."""
    if engine.dialect.name == "postgresql":
        return PostgresChangeCounter(engine)
    return ChangeCounter(engine)


class ChangeCounter:
    """Reads the counter on a dedicated connection, opened on first use and reopened after a
    failure: on SQLite, a local read of microseconds, made in place. Give each event loop its
    own (the PostgreSQL reader starts afresh when it finds itself on another one)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Any = None
        self._retry_at = 0.0

    async def read(self) -> int | None:
        """The counter, or None when the database cannot be read right now (the caller then
        does without whatever it would have keyed on it)."""
        return await self._once()

    async def _once(self) -> int | None:
        if self._conn is None and time.monotonic() < self._retry_at:
            return None
        try:
            row = await self._query()
        except Exception as exc:  # any driver error: drop the connection, try again later
            self.close()
            self._retry_at = time.monotonic() + RETRY_S
            log.warning(
                "%s: cannot read the change counter (%s); answering without the "
                "response cache for %g s",
                display_url(str(self.engine.url)),
                exc,
                RETRY_S,
            )
            return None
        return None if row is None else int(row[0])

    async def _query(self) -> Any:
        if self._conn is None:
            dialect = self.engine.dialect
            cargs, cparams = dialect.create_connect_args(self.engine.url)
            # autocommit (no BEGIN from the driver), and a short wait when busy
            self._conn = dialect.loaded_dbapi.connect(
                *cargs, **{**cparams, "timeout": SQLITE_BUSY_S, "isolation_level": None}
            )
        cur = self._conn.cursor()
        try:
            cur.execute(_SQL)
            return cur.fetchone()
        finally:
            cur.close()

    def close(self) -> None:
        """Close the connection at once (no await: its event loop may be gone)."""
        if self._conn is not None:
            with contextlib.suppress(Exception):  # closing a broken connection may fail too
                self._close(self._conn)
            self._conn = None

    @staticmethod
    def _close(conn: Any) -> None:
        conn.close()


class PostgresChangeCounter(ChangeCounter):
    """The counter on PostgreSQL, read on an async connection (a round trip must not hold up
    the event loop), with reads shared.

    A read answers only the requests that arrived before it began (a write that committed
    earlier is then in what it sees). So while one read is in flight, the requests arriving
    meanwhile wait together for one more read, begun when the first ends: at most two reads
    at a time whatever the load, and a round trip to the server is not paid per request."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._inflight: asyncio.Future[int | None] | None = None
        self._queued: asyncio.Future[int | None] | None = None
        self._task: asyncio.Task[None] | None = None

    async def read(self) -> int | None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new loop: nothing of the old one can be awaited here
            self.close()
            self._loop, self._inflight, self._queued = loop, None, None
        if self._inflight is None:
            future = self._inflight = loop.create_future()
            self._task = loop.create_task(self._run(future))  # held: the loop keeps weak refs
        else:  # begun before this request arrived: wait for the next read
            if self._queued is None:
                self._queued = loop.create_future()
            future = self._queued
        return await asyncio.shield(future)

    async def _run(self, future: asyncio.Future[int | None]) -> None:
        while True:
            future.set_result(await self._once())
            if self._queued is None:
                self._inflight = None
                return
            future, self._inflight, self._queued = self._queued, self._queued, None

    async def _query(self) -> Any:
        if self._conn is None:
            import psycopg

            _, cparams = self.engine.dialect.create_connect_args(self.engine.url)
            self._conn = await psycopg.AsyncConnection.connect(
                **{**cparams, **PG_OPTIONS}, autocommit=True
            )
        cur = await self._conn.execute(_SQL)
        return await cur.fetchone()

    @staticmethod
    def _close(conn: Any) -> None:
        conn.pgconn.finish()  # synchronous: the connection's loop may be gone
