"""A cheap, repeated read of the registry's change counter (``tables.changes``).

:meth:`Registry.changes` reads the counter like any other query: a pooled connection, a
transaction around one SELECT, about ten times the cost of the SELECT itself. The web
server's response cache reads it on every request it might answer from memory, so it keeps a
connection of its own, out of the pool, in autocommit mode: each read is one statement,
which on its own sees one committed state of the database on both backends.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from sqlalchemy import Engine

log = logging.getLogger("umr.registry")

_SQL = "SELECT n FROM umr_changes WHERE id = 1"


class ChangeCounter:
    """Reads the change counter on a dedicated connection, opened on first use and reopened
    after a failure. Not thread-safe: give each thread (or event loop) its own."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Any = None

    def read(self) -> int | None:
        """The counter, or None when the database cannot be read right now (the caller then
        does without whatever it would have keyed on it)."""
        try:
            if self._conn is None:
                self._conn = self._open()
            cur = self._conn.cursor()
            try:
                cur.execute(_SQL)
                row = cur.fetchone()
            finally:
                cur.close()
        except Exception as exc:  # any driver error: drop the connection, try again next time
            log.warning("cannot read the registry's change counter: %s", exc)
            self.close()
            return None
        return None if row is None else int(row[0])

    def _open(self) -> Any:
        proxy = self.engine.raw_connection()
        try:
            if self.engine.dialect.name == "postgresql":
                conn: Any = proxy.driver_connection
                conn.rollback()  # a pooled connection may be in a transaction (the pre-ping's)
                conn.autocommit = True
            # SQLite connections are in autocommit mode already (db._sqlite_connect)
        except BaseException:
            proxy.close()
            raise
        proxy.detach()  # ours alone: never handed back to the pool in autocommit mode
        return proxy

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):  # closing a broken connection may fail too
                self._conn.close()
            self._conn = None
