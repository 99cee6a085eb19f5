"""Tokens live in the registry's migrations: expiry, last use, revocation, and a write's log
entry committed in the write's own transaction."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from registry._helpers import rec
from umr.errors import AuthError, ForbiddenError, NotFoundError, RegistryError
from umr.registry import Registry
from umr.registry.schema import LATEST, current_version
from umr.registry.tokens import TokenStore, parse_expiry


def test_tables_come_with_the_migrations(reg: Registry) -> None:
    with reg.engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
        assert current_version(conn) == LATEST
    assert {"umr_web_tokens", "umr_web_writes", "advisory_revisions"} <= names


def test_expiry_last_use_and_revocation(reg: Registry) -> None:
    store = TokenStore.for_registry(reg)
    text, token = store.create(["publish:acme-*"], "ci", expires=parse_expiry("2h"))
    (info,) = store.listing()
    assert info.state() == "active" and info.last_used is None
    assert store.verify(text).id == token.id
    (info,) = store.listing()
    assert info.last_used is not None  # noted on use
    later = dt.datetime.fromisoformat(info.expires or "") + dt.timedelta(seconds=1)
    assert info.state(now=later) == "expired"
    old, _ = store.create(["publish:x"], expires=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    with pytest.raises(AuthError, match="expired at"):
        store.verify(old)
    assert store.revoke(token.id).state() == "revoked"
    with pytest.raises(AuthError, match="not valid"):
        store.verify(text)
    with pytest.raises(NotFoundError, match="no token 'ffffffffffffffff'") as err:
        store.revoke("f" * 16)
    assert err.value.hint == "list them with 'umr token list'"


@pytest.mark.parametrize("text", ["soon", "0d", "1y", "2001-01-01", "90 d", "", " "])
def test_bad_expiry(text: str) -> None:
    with pytest.raises(AuthError, match="expir"):
        parse_expiry(text)


def test_a_write_and_its_log_entry_commit_together(reg: Registry) -> None:
    store = TokenStore.for_registry(reg)
    _, token = store.create(["publish:acme-*"], "ci")
    reg.publish([rec("acme-a@1.0.0")], actor=token)
    assert [(w["action"], w["target"]) for w in store.writes()] == [("publish", "acme-a@1.0.0")]
    with pytest.raises(ForbiddenError, match="may not publish other-b"):
        reg.publish([rec("acme-b@1.0.0"), rec("other-b@1.0.0")], actor=token)
    assert reg.versions("acme-b") == []
    # a log that cannot be written fails the write itself: no record without its log entry
    with reg.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE umr_web_writes RENAME TO umr_web_writes_gone"))
    with pytest.raises(RegistryError):
        reg.publish([rec("acme-c@1.0.0")], actor=token)
    with reg.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE umr_web_writes_gone RENAME TO umr_web_writes"))
    assert reg.versions("acme-c") == []
    reg.yank("acme-a@1.0.0", "bad weights", actor=token)
    assert store.writes()[0]["action"] == "yank" and store.writes()[0]["detail"] == "bad weights"
