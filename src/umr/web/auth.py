"""Who may write: a bearer token (401 without a valid one). Whether its scope covers the write
(403 otherwise) is checked by the registry, in the write's own transaction."""

from __future__ import annotations

from fastapi import Request

from umr.errors import AuthError
from umr.registry.tokens import Token, TokenStore
from umr.web.guard import TOKEN_KEY


def store(request: Request) -> TokenStore:
    tokens: TokenStore = request.app.state.tokens
    return tokens


def bearer(request: Request) -> Token:
    """FastAPI dependency: the verified token of the request (AuthError, 401, otherwise).
    :class:`umr.web.guard.RequestGuard` verifies it before the body is read and hands it on."""
    checked = request.scope.get("state", {}).get(TOKEN_KEY)
    if isinstance(checked, Token):
        return checked
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise AuthError(
            "this write needs a bearer token (Authorization: Bearer umr_...)",
            hint="create one with 'umr token create --scope publish:NAME*'",
        )
    return store(request).verify(value)
