"""Write tokens, stored hashed, and the log of every write, in the registry's database.

A token reads ``umr_<id>_<secret>``. Only ``sha256(secret)`` is stored; verification looks the
row up by ``id`` and compares digests in constant time. Scopes are ``ACTION:GLOB`` where ACTION
is ``publish`` (publish and yank), ``advisory`` (add and fix advisories) or ``*``, and GLOB
matches record names (``publish:acme-*``).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from umr.errors import AuthError
from umr.registry.schema import create_tables

_SCOPE = re.compile(r"(?P<action>publish|advisory|\*):(?P<glob>[a-z0-9._*?-]{1,100})")
_TOKEN = re.compile(r"umr_(?P<id>[0-9a-f]{16})_(?P<secret>[A-Za-z0-9_-]{20,100})")

metadata = sa.MetaData()
tokens_table = sa.Table(
    "umr_web_tokens",
    metadata,
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("scopes", sa.Text, nullable=False),  # space-separated
    sa.Column("label", sa.Text, nullable=False, default=""),
    sa.Column("created", sa.String(32), nullable=False),
    sa.Column("revoked", sa.String(32), nullable=True),
)
writes_table = sa.Table(
    "umr_web_writes",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("token", sa.String(16), nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("detail", sa.Text, nullable=False, default=""),
)


def check_scope(scope: str) -> str:
    if not _SCOPE.fullmatch(scope):
        raise AuthError(
            f"scope {scope!r} is not ACTION:GLOB with ACTION publish, advisory or *",
            hint="e.g. --scope 'publish:acme-*' or --scope 'advisory:*'",
        )
    return scope


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True, kw_only=True)
class Token:
    """A verified token: who (id and label) and what it may write."""

    id: str
    label: str
    scopes: tuple[str, ...]

    def allows(self, action: str, name: str) -> bool:
        for scope in self.scopes:
            act, _, glob = scope.partition(":")
            if act in (action, "*") and fnmatch.fnmatchcase(name, glob):
                return True
        return False


class TokenStore:
    """Tokens and the write log, in two tables of the registry's database."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        create_tables(engine, metadata)  # safe when several server processes start at once

    @classmethod
    def for_registry(cls, registry: Any, url: str) -> TokenStore:
        engine = getattr(registry, "engine", None)
        return cls(engine if isinstance(engine, sa.Engine) else sa.create_engine(url))

    def create(self, scopes: list[str], label: str = "") -> tuple[str, Token]:
        """A new token; the returned text is the only time the secret exists in clear."""
        if not scopes:
            raise AuthError("a token needs at least one scope", hint="add --scope 'publish:NAME*'")
        scopes = [check_scope(s) for s in scopes]
        tid, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        self._write(
            tokens_table.insert().values(
                id=tid, digest=_digest(secret), scopes=" ".join(scopes), label=label, created=_now()
            )
        )
        return f"umr_{tid}_{secret}", Token(id=tid, label=label, scopes=tuple(scopes))

    def verify(self, text: str) -> Token:
        """The token ``text`` names; AuthError (401) if malformed, unknown, wrong or revoked."""
        m = _TOKEN.fullmatch(text.strip())
        row = None
        if m:
            with self.engine.connect() as conn:
                row = conn.execute(
                    sa.select(tokens_table).where(tokens_table.c.id == m.group("id"))
                ).first()
        # Compare even when the row is missing, so timing does not tell ids apart.
        expected = row.digest if row is not None else "0" * 64
        given = _digest(m.group("secret")) if m else "1" * 64
        if not hmac.compare_digest(expected, given) or row is None or row.revoked:
            raise AuthError(
                "the bearer token is not valid",
                hint="create one with 'umr token create --scope ...'",
            )
        return Token(id=row.id, label=row.label, scopes=tuple(row.scopes.split()))

    def revoke(self, token_id: str) -> bool:
        done = self._write(
            tokens_table.update().where(tokens_table.c.id == token_id).values(revoked=_now())
        )
        return bool(done)

    def log(self, token: Token, action: str, target: str, detail: str = "") -> None:
        """Record one write: who (token id and label), what, when."""
        self._write(
            writes_table.insert().values(
                at=_now(),
                token=token.id,
                label=token.label,
                action=action,
                target=target,
                detail=detail[:2000],
            )
        )

    def _write(self, statement: Any) -> int:
        """Run one write in its own transaction, retried like the registry's own writes."""
        from umr.registry.db import transaction

        return int(transaction(self.engine, lambda conn: conn.execute(statement).rowcount))

    def writes(self, limit: int = 100) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    sa.select(writes_table).order_by(writes_table.c.seq.desc()).limit(limit)
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]
