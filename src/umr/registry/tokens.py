"""Write tokens, stored hashed, and the log of every write made with one.

A token reads ``umr_<id>_<secret>``. Only ``sha256(secret)`` is stored; verification looks the
row up by ``id`` and compares digests in constant time. Scopes are ``ACTION:GLOB`` where ACTION
is ``publish`` (publish and yank), ``advisory`` (add, change, fix and withdraw advisories) or
``*``, and GLOB matches record names (``publish:acme-*``). A token may expire; its last use is
kept to the minute. Both tables are part of the registry's migrations
(:mod:`umr.registry.schema`), and a write's log entry is committed in the write's own
transaction (:func:`log_writes`, called by :class:`umr.registry.Registry`).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import getpass
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from umr.errors import AuthError, ForbiddenError, NotFoundError
from umr.registry import tables as t
from umr.registry.db import transaction

_SCOPE = re.compile(r"(?P<action>publish|advisory|\*):(?P<glob>[a-z0-9._*?-]{1,100})")
_TOKEN = re.compile(r"umr_(?P<id>[0-9a-f]{16})_(?P<secret>[A-Za-z0-9_-]{20,100})")
_SPAN = re.compile(r"(?P<n>[1-9][0-9]{0,4})(?P<unit>[hdw])")
_UNITS = {"h": dt.timedelta(hours=1), "d": dt.timedelta(days=1), "w": dt.timedelta(weeks=1)}
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_used is written at most once a minute


def check_scope(scope: str) -> str:
    if not _SCOPE.fullmatch(scope):
        raise AuthError(
            f"scope {scope!r} is not ACTION:GLOB with ACTION publish, advisory or *",
            hint="e.g. --scope 'publish:acme-*' or --scope 'advisory:*'",
        )
    return scope


def parse_expiry(text: str, now: dt.datetime | None = None) -> dt.datetime:
    """``90d``, ``12h``, ``2w`` from now, or a date ``2027-01-31`` (its start, UTC)."""
    now = now or _now()
    if m := _SPAN.fullmatch(text.strip()):
        return now + int(m["n"]) * _UNITS[m["unit"]]
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise AuthError(
            f"expiry {text!r} is neither a span such as 90d, 12h or 2w nor a date YYYY-MM-DD",
            hint="e.g. --expires 90d",
        ) from None
    when = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    if when <= now:
        raise AuthError(f"expiry {text!r} is in the past", hint="e.g. --expires 90d")
    return when


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True, kw_only=True)
class Token:
    """Who writes (a verified token, or the local user) and what they may write."""

    id: str
    label: str
    scopes: tuple[str, ...]

    @classmethod
    def local(cls) -> Token:
        """The person at this machine, writing straight to the database: every scope."""
        try:
            user = getpass.getuser()
        except (OSError, KeyError):  # no user name in this environment
            user = "unknown"
        return cls(id="local", label=user, scopes=("*:*",))

    @property
    def is_local(self) -> bool:
        return self.id == "local"

    def allows(self, action: str, name: str) -> bool:
        for scope in self.scopes:
            act, _, glob = scope.partition(":")
            if act in (action, "*") and fnmatch.fnmatchcase(name, glob):
                return True
        return False

    def describe(self) -> str:
        """How revisions and messages name this writer."""
        if self.is_local:
            return f"local {self.label}"
        return f"token {self.id}" + (f" ({self.label})" if self.label else "")


def authorize(token: Token, action: str, names: Iterable[str], why: str = "") -> None:
    """Raise ForbiddenError unless ``token`` may do ``action`` to every one of ``names``."""
    refused = sorted({n for n in names if not token.allows(action, n)})
    if refused:
        raise ForbiddenError(
            f"token {token.id} ({' '.join(token.scopes)}) may not {action} "
            f"{', '.join(refused)}{why}",
            hint=f"use a token with scope '{action}:{refused[0]}' or a glob covering it",
        )


@dataclass(frozen=True, kw_only=True)
class TokenInfo:
    """A stored token as ``umr token list`` shows it (never its secret)."""

    id: str
    label: str
    scopes: tuple[str, ...]
    created: str
    expires: str | None
    last_used: str | None
    revoked: str | None

    def state(self, now: dt.datetime | None = None) -> str:
        if self.revoked:
            return "revoked"
        if self.expires and dt.datetime.fromisoformat(self.expires) <= (now or _now()):
            return "expired"
        return "active"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "scopes": list(self.scopes),
            "created": self.created,
            "expires": self.expires,
            "last_used": self.last_used,
            "revoked": self.revoked,
            "state": self.state(),
        }


def log_writes(conn: sa.Connection, token: Token, entries: Iterable[tuple[str, str, str]]) -> None:
    """Log writes (action, target, detail) by ``token`` in the caller's transaction; local
    writes, made by whoever can open the database file, are not logged."""
    if token.is_local:
        return
    at = _stamp(_now())
    rows = [
        {
            "at": at,
            "token": token.id,
            "label": token.label,
            "action": action,
            "target": target,
            "detail": detail[:2000],
        }
        for action, target, detail in entries
    ]
    if rows:
        conn.execute(t.write_log.insert(), rows)


class TokenStore:
    """Tokens and the write log, in the registry's database."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @classmethod
    def for_registry(cls, registry: Any) -> TokenStore:
        return cls(registry.engine)

    def create(
        self, scopes: list[str], label: str = "", expires: dt.datetime | None = None
    ) -> tuple[str, Token]:
        """A new token; the returned text is the only time the secret exists in clear."""
        if not scopes:
            raise AuthError("a token needs at least one scope", hint="add --scope 'publish:NAME*'")
        scopes = [check_scope(s) for s in scopes]
        tid, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        row = {
            "id": tid,
            "digest": _digest(secret),
            "scopes": " ".join(scopes),
            "label": label,
            "created": _stamp(_now()),
            "expires": _stamp(expires) if expires else None,
        }
        transaction(self.engine, lambda c: c.execute(t.tokens.insert().values(**row)))
        return f"umr_{tid}_{secret}", Token(id=tid, label=label, scopes=tuple(scopes))

    def verify(self, text: str) -> Token:
        """The token ``text`` names; AuthError (401) if malformed, unknown, wrong, revoked or
        expired. Its last use is noted (at most once a minute)."""
        m = _TOKEN.fullmatch(text.strip())
        row = None
        if m:
            with self.engine.connect() as conn:
                row = conn.execute(
                    sa.select(t.tokens).where(t.tokens.c.id == m.group("id"))
                ).first()
        # Compare even when the row is missing, so timing does not tell ids apart.
        expected = row.digest if row is not None else "0" * 64
        given = _digest(m.group("secret")) if m else "1" * 64
        if not hmac.compare_digest(expected, given) or row is None or row.revoked:
            raise AuthError(
                "the bearer token is not valid",
                hint="create one with 'umr token create --scope ...'",
            )
        now = _now()
        if row.expires and dt.datetime.fromisoformat(row.expires) <= now:
            raise AuthError(
                f"the bearer token {row.id} expired at {row.expires}",
                hint="create a new one with 'umr token create --scope ... --expires 90d'",
            )
        if row.last_used is None or dt.datetime.fromisoformat(row.last_used) + TOUCH_EVERY <= now:
            touch = t.tokens.update().where(t.tokens.c.id == row.id).values(last_used=_stamp(now))
            transaction(self.engine, lambda c: c.execute(touch))
        return Token(id=row.id, label=row.label, scopes=tuple(row.scopes.split()))

    def listing(self) -> list[TokenInfo]:
        """Every token, newest first (revoked and expired ones too)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.tokens).order_by(t.tokens.c.created.desc(), t.tokens.c.id)
            ).all()
        return [
            TokenInfo(
                id=r.id,
                label=r.label,
                scopes=tuple(r.scopes.split()),
                created=r.created,
                expires=r.expires,
                last_used=r.last_used,
                revoked=r.revoked,
            )
            for r in rows
        ]

    def revoke(self, token_id: str) -> TokenInfo:
        """Revoke a token by id (its first 16 hex digits); revoking twice keeps the first time."""
        stamp = _stamp(_now())

        def run(conn: sa.Connection) -> bool:
            known = conn.execute(sa.select(t.tokens.c.id).where(t.tokens.c.id == token_id))
            if known.first() is None:
                return False
            conn.execute(
                t.tokens.update()
                .where(t.tokens.c.id == token_id, t.tokens.c.revoked.is_(None))
                .values(revoked=stamp)
            )
            return True

        if not transaction(self.engine, run):
            raise NotFoundError(
                f"no token {token_id!r} in this registry", hint="list them with 'umr token list'"
            )
        return next(i for i in self.listing() if i.id == token_id)

    def writes(self, limit: int = 100) -> list[dict[str, Any]]:
        """The most recent writes made with tokens, newest first."""
        with self.engine.connect() as conn:
            rows = (
                conn.execute(sa.select(t.write_log).order_by(t.write_log.c.seq.desc()).limit(limit))
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]
