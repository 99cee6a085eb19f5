"""Who may write: a bearer token (401 without a valid one) whose scope covers every name the
write touches (403 otherwise)."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import Request

from umr.errors import AuthError
from umr.web.tokens import Token, TokenStore


class Forbidden(AuthError):
    """A valid token whose scopes do not cover the write (HTTP 403)."""


def store(request: Request) -> TokenStore:
    tokens: TokenStore = request.app.state.tokens
    return tokens


def bearer(request: Request) -> Token:
    """FastAPI dependency: the verified token of the request (AuthError, 401, otherwise)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise AuthError(
            "this write needs a bearer token (Authorization: Bearer umr_...)",
            hint="create one with 'umr token create --scope publish:NAME*'",
        )
    return store(request).verify(value)


def authorize(token: Token, action: str, names: Iterable[str]) -> None:
    """Raise Forbidden unless ``token`` may do ``action`` to every one of ``names``."""
    refused = sorted({n for n in names if not token.allows(action, n)})
    if refused:
        raise Forbidden(
            f"token {token.id} ({' '.join(token.scopes)}) may not {action} {', '.join(refused)}",
            hint=f"use a token with scope '{action}:{refused[0]}' or a glob covering it",
        )
