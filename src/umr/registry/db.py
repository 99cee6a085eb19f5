"""Opening a registry database: engines, SQLite pragmas, write transactions with retries.

SQLite runs in WAL mode; write transactions start with ``BEGIN IMMEDIATE`` so that concurrent
writers queue at the start instead of failing on lock upgrade. Transient failures (a busy
SQLite file, a PostgreSQL serialization failure, deadlock or lock wait, and the unique-key
race of two writers creating one name) are retried with jittered backoff, so many processes may
publish into one registry at once.

Every wait has one overall deadline, :func:`lock_timeout` (``UMR_LOCK_TIMEOUT``, default 60 s):
a SQLite attempt waits for the lock at most :data:`ATTEMPT_S` (its busy timeout), and attempts
are retried until the deadline; a PostgreSQL lock wait is bounded by the deadline itself
(``lock_timeout``). A writer that holds the lock for longer makes the others fail with a
message that says so, instead of waiting without end.
"""

from __future__ import annotations

import functools
import os
import random
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from umr.errors import RegistryError, require

T = TypeVar("T")

DEFAULT_LOCK_TIMEOUT_S = 60.0
ATTEMPT_S = 2.0  # one SQLite attempt's busy timeout; attempts repeat until the deadline
# serialization failure, deadlock, lock wait timed out (lock_timeout)
_TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03"}
# Unique keys whose violation is the race of two writers creating the same row at once: the
# retry then sees the other's row (same content: a no-op; a different one: a clear refusal).
# Any other unique violation is a plain error and is not retried.
RACE_CONSTRAINTS = frozenset(
    {
        "names_name_key",  # two publishes of a new name
        "uq_names_skeleton",  # two publishes of look-alike new names
        "uq_records_name_version",  # two publishes of one name@version
        "advisories_pkey",  # two writers creating one advisory id
        "uq_advisory_revisions",  # two changes to one advisory at once
    }
)


# Each engine's overall deadline (make_engine), read by transaction().
_DEADLINES: weakref.WeakKeyDictionary[Engine, float] = weakref.WeakKeyDictionary()


def lock_timeout() -> float:
    """Seconds a write waits for the database in all (``UMR_LOCK_TIMEOUT``, default 60)."""
    raw = os.environ.get("UMR_LOCK_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86400:
        raise RegistryError(
            f"UMR_LOCK_TIMEOUT={raw!r} is not a number of seconds between 0 and 86400",
            hint="set it to the seconds a write may wait for the database, e.g. 60",
        )
    return value


def normalize_url(url: str) -> str:
    """Accept ``sqlite:///path``, a bare file path, and ``postgresql://`` (psycopg 3)."""
    if "://" not in url:
        url = f"sqlite:///{Path(url).resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    return url


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def sqlite_path(url: str) -> Path | None:
    """The database file of a ``sqlite:///`` URL (None for PostgreSQL or memory)."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def make_engine(url: str, *, timeout: float | None = None) -> Engine:
    """An engine for ``url`` whose writes wait at most ``timeout`` seconds in all for the
    database (default :func:`lock_timeout`)."""
    url = normalize_url(url)
    deadline = timeout if timeout is not None else lock_timeout()
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise RegistryError(
            f"registry URL {url!r} does not parse",
            hint="use sqlite:///PATH or postgresql://USER@HOST:PORT/DB",
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        mmap = mmap_bytes()  # read once per engine, so a bad value fails here, not per connect
        busy = min(ATTEMPT_S, deadline)
        engine = create_engine(url, connect_args={"timeout": busy})
        event.listen(engine, "connect", functools.partial(_sqlite_connect, mmap=mmap, busy=busy))
        event.listen(engine, "begin", _sqlite_begin)
        _DEADLINES[engine] = deadline
        return engine
    if backend == "postgresql":
        require("psycopg", "postgres")
        engine = create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"options": f"-c lock_timeout={int(deadline * 1000)}"},
        )
        _DEADLINES[engine] = deadline
        return engine
    raise RegistryError(
        f"unsupported registry backend {backend!r} in {display_url(url)!r}",
        hint="use sqlite:///PATH or postgresql://USER@HOST:PORT/DB",
    )


def mmap_bytes() -> int:
    """Bytes of the SQLite file to read through a memory map: ``UMR_SQLITE_MMAP``, default 4 GiB
    (SQLite clamps it to its compile-time maximum). 0 turns the map off, for a registry on a
    network filesystem, where SQLite advises against it."""
    raw = os.environ.get("UMR_SQLITE_MMAP", "").strip()
    if not raw:
        return 1 << 32
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise RegistryError(
            f"UMR_SQLITE_MMAP={raw!r} is not a number of bytes",
            hint="set it to a whole number of bytes such as 1073741824, or 0 to turn the map off",
        )
    return value


def _sqlite_connect(dbapi_connection: Any, _record: Any, *, mmap: int, busy: float) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_begin)
    cur = dbapi_connection.cursor()
    cur.execute(f"PRAGMA busy_timeout = {int(busy * 1000)}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash never corrupts
    cur.execute("PRAGMA foreign_keys = ON")
    # Read through a memory map (up to SQLite's build limit, 2 GiB here): a large lineage or
    # impact reads records scattered over the whole file, and the map shares the OS page cache
    # instead of copying each page into this connection's 2 MB cache (bench/registry_ab.py
    # with and without UMR_SQLITE_MMAP=0; see docs/benchmarks.md).
    cur.execute(f"PRAGMA mmap_size = {mmap}")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    write = conn.get_execution_options().get("umr_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def is_transient(exc: BaseException) -> bool:
    """A failure worth retrying: a busy/locked SQLite file, a PostgreSQL conflict or lock
    wait, or the unique-key race of :data:`RACE_CONSTRAINTS` (no other unique violation)."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _TRANSIENT_SQLSTATES:
        return True
    if sqlstate == "23505":
        diag = getattr(orig, "diag", None)
        return getattr(diag, "constraint_name", None) in RACE_CONSTRAINTS
    text = str(orig).lower()
    return "database is locked" in text or "database is busy" in text


def repeatable_read(conn: Connection) -> None:
    """Make the next transaction on ``conn`` read one state of the database throughout; call
    before ``begin()``. PostgreSQL otherwise takes a fresh snapshot per statement (READ
    COMMITTED); psycopg then begins with ``BEGIN ISOLATION LEVEL REPEATABLE READ`` (no extra
    round trip, unlike a ``SET TRANSACTION`` statement: bench/pg_isolation.py;
    docs/benchmarks.md, "Making a read transaction REPEATABLE READ on PostgreSQL"), and the
    pool resets the level when the connection goes back. A SQLite read transaction holds one
    state already."""
    if conn.dialect.name == "postgresql":
        conn.execution_options(isolation_level="REPEATABLE READ")


def transaction(
    engine: Engine, fn: Callable[[Connection], T], *, write: bool = True, consistent: bool = False
) -> T:
    """Run ``fn`` in one transaction, retrying the whole of it on transient failures.

    ``consistent`` makes every statement see one state of the database
    (:func:`repeatable_read`)."""
    limit = _DEADLINES.get(engine, DEFAULT_LOCK_TIMEOUT_S)
    deadline = time.monotonic() + limit
    delay = 0.01
    while True:
        try:
            with engine.connect() as conn:
                conn.execution_options(umr_write=write)
                if consistent:
                    repeatable_read(conn)
                with conn.begin():
                    return fn(conn)
        except DBAPIError as exc:
            where = f"registry {display_url(str(engine.url))!r}"
            if not is_transient(exc):
                raise RegistryError(
                    f"{where}: {exc.orig}",
                    hint="check that the database is reachable and writable",
                ) from exc
            pause = delay * (0.5 + random.random())
            if time.monotonic() + pause >= deadline:
                raise RegistryError(
                    f"{where} stayed busy for {limit:g} s (another writer holds its lock): "
                    f"{exc.orig}",
                    hint="retry when the other write is done, find the process that holds the "
                    "database open in a long transaction, or raise UMR_LOCK_TIMEOUT (seconds)",
                ) from exc
            time.sleep(pause)
            delay = min(delay * 2, 1.0)
