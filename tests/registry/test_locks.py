"""Lock waits are bounded by one deadline; only the unique-key race is retried."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from registry._helpers import rec
from umr.errors import RegistryError
from umr.registry import Registry
from umr.registry.db import transaction


def _publish_in_thread(url: str) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with Registry(url, lock_timeout=1.0) as reg:
                reg.publish([rec("late@1.0.0")])
        except BaseException as exc:  # handed to the test
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, errors


@contextlib.contextmanager
def _held(url: str) -> Iterator[None]:
    """Another writer holding the write lock (SQLite) or the change counter's row lock."""
    if url.startswith("sqlite"):
        raw = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        raw.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            raw.close()
        return
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn, conn.begin() as tx:
            conn.execute(sa.text("UPDATE umr_changes SET n = n + 1"))
            yield
            tx.rollback()
    finally:
        engine.dispose()


def test_a_held_lock_fails_the_write_at_the_deadline(url: str) -> None:
    Registry(url).close()  # migrated before the lock is taken
    with _held(url):
        thread, errors = _publish_in_thread(url)
        # 1 s deadline: the write gives up long before this generous liveness bound (before the
        # deadline, 30 attempts of 60 s each: about 30 minutes)
        thread.join(timeout=60)
        assert not thread.is_alive(), "the write still waits past its deadline"
    (err,) = errors
    assert isinstance(err, RegistryError)
    assert "stayed busy for 1 s" in err.message
    assert err.hint is not None and "UMR_LOCK_TIMEOUT" in err.hint
    with Registry(url) as reg:  # nothing half-written, and the registry works again
        assert reg.versions("late") == []
        reg.publish([rec("late@1.0.0")])


def test_bad_lock_timeout_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("UMR_LOCK_TIMEOUT", "soon")
    with pytest.raises(RegistryError, match="UMR_LOCK_TIMEOUT='soon' is not a number"):
        Registry(f"sqlite:///{tmp_path / 'r.db'}")


def test_only_the_race_unique_violation_is_retried(url: str) -> None:
    with Registry(url) as reg:
        reg.publish([rec("taken@1.0.0")])
        calls = {"other": 0, "race": 0}

        def other(conn: sa.Connection) -> None:
            # a unique key that is no race: the same token id twice is a plain error
            calls["other"] += 1
            conn.execute(sa.text("CREATE TABLE IF NOT EXISTS t_once (k TEXT UNIQUE)"))
            conn.execute(sa.text("INSERT INTO t_once VALUES ('a'), ('a')"))

        with pytest.raises(RegistryError, match=r"(?i)unique"):
            transaction(reg.engine, other)
        assert calls["other"] == 1

        def race(conn: sa.Connection) -> None:
            # the first attempt meets another writer's new name; the retry sees it and moves on
            calls["race"] += 1
            if calls["race"] == 1:
                conn.execute(sa.text("INSERT INTO names (name) VALUES ('taken')"))

        if reg.dialect == "postgresql":  # SQLite writers never race: BEGIN IMMEDIATE
            transaction(reg.engine, race)
            assert calls["race"] == 2
