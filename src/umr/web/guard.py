"""Limits before work: the outermost layer of the app, in front of the cache and the routes.

- A request with more than one ``Host`` header is refused (400): the cache and the links it
  builds must read one value (:func:`public_origin`).
- A write (a request that a write route of the API answers) is refused with 401 unless its
  bearer token verifies, before a byte of its body is read; the verified token is handed on in
  the request scope, so the route does not verify it twice.
- A body is read here, up to ``max_body`` bytes: a ``Content-Length`` above it is refused with
  413 before reading, a chunked body is cut off with 413 as soon as it passes it, and a body
  that takes longer than ``body_timeout`` seconds to arrive is refused with 408. The route then
  reads the buffered body, so no parser ever sees more than the limit.

Pure ASGI, so a refused request costs no routing, no dependency resolution and no parse.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from umr.errors import AuthError, UmrError

log = logging.getLogger("umr.web")
DEFAULT_MAX_BODY = 8 * 1024 * 1024  # bytes; a batch of 1,000 typical records fits
DEFAULT_BODY_TIMEOUT = 30.0  # seconds for a whole body to arrive
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_KEY = "umr_token"  # where the verified token travels in scope["state"]


def public_origin(scope: Scope, base_url: str | None) -> str:
    """``scheme://host`` plus the root path that absolute links are built from, and that the
    response cache keys on: the configured public base URL when there is one, else the
    request's own (single) ``Host``."""
    if base_url:
        return base_url.rstrip("/")
    host = next((v for k, v in scope["headers"] if k == b"host"), b"").decode("latin-1")
    if not host and scope.get("server"):
        server_host, port = scope["server"]
        host = f"{server_host}:{port}"
    return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}"


class _Refused(Exception):
    def __init__(self, status: int, kind: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.status, self.kind, self.message, self.hint = status, kind, message, hint


def write_routes(routes: Any) -> Callable[[str, str], bool]:
    """Whether (method, path) is answered by one of ``routes`` that takes a method other than
    GET, HEAD and OPTIONS (the app's writes, which all need a token)."""
    patterns = [
        (frozenset(r.methods) - _READS, r.path_regex)
        for r in routes
        if getattr(r, "methods", None) and frozenset(r.methods) - _READS
    ]

    def writes(method: str, path: str) -> bool:
        return any(method in methods and rx.match(path) for methods, rx in patterns)

    return writes


class RequestGuard:
    """ASGI middleware enforcing the limits above. ``verify(text)`` checks a bearer token
    (blocking; run in a worker thread) and raises AuthError when it is not valid; ``writes``
    says which requests are writes (:func:`write_routes`)."""

    def __init__(
        self,
        app: ASGIApp,
        verify: Callable[[str], Any],
        writes: Callable[[str, str], bool],
        max_body: int = DEFAULT_MAX_BODY,
        body_timeout: float = DEFAULT_BODY_TIMEOUT,
    ) -> None:
        self.app = app
        self.verify = verify
        self.writes = writes  # (method, path) -> whether a write route answers it
        self.max_body = max_body
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            hosts = sum(1 for k, _ in scope["headers"] if k == b"host")
            if hosts > 1:
                raise _Refused(
                    400,
                    "bad_request",
                    f"the request has {hosts} Host headers; send exactly one",
                    "a proxy that adds a Host header must replace the client's, not append",
                )
            if scope["method"] in _READS:
                await self.app(scope, receive, send)
                return
            if self.writes(scope["method"], scope["path"]):
                token = await self._token(scope)
                scope.setdefault("state", {})[TOKEN_KEY] = token
            body = await self._body(scope, receive)
        except _Refused as refused:
            await _answer(send, refused)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _token(self, scope: Scope) -> Any:
        header = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
        scheme, _, value = header.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise _Refused(
                401,
                "unauthorized",
                "this write needs a bearer token (Authorization: Bearer umr_...)",
                "create one with 'umr token create --scope publish:NAME*'",
            )
        try:
            return await anyio.to_thread.run_sync(self.verify, value)
        except AuthError as exc:
            raise _Refused(401, "unauthorized", exc.message, exc.hint) from None
        except UmrError as exc:  # the token store cannot be read
            log.error("token store unreadable: %s", exc.message)  # may name server files
            raise _Refused(
                503, "unavailable", "the registry cannot answer now; see the server log", None
            ) from None

    async def _body(self, scope: Scope, receive: Receive) -> bytes:
        limit = self.max_body
        length = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if length is not None and (not length.isdigit() or int(length) > limit):
            raise _Refused(413, "too_large", *_too_large(limit, length.decode("latin-1")))
        chunks: list[bytes] = []
        size = 0
        try:
            with anyio.fail_after(self.body_timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        break
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        raise _Refused(413, "too_large", *_too_large(limit, None))
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            raise _Refused(
                408,
                "timeout",
                f"the request body did not arrive within {self.body_timeout:g} s",
                "send the whole body at once; large batches can be split",
            ) from None
        return b"".join(chunks)


def _too_large(limit: int, length: str | None) -> tuple[str, str]:
    said = f" (Content-Length {length})" if length is not None else ""
    return (
        f"the request body is larger than this server's limit of {limit:,} bytes{said}",
        "split the batch into smaller requests, or ask the operator to raise "
        "'umr serve --max-body-mb'",
    )


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: only a disconnect can come

    return replay


async def _answer(send: Send, refused: _Refused) -> None:
    body = json.dumps(
        {
            "error": {
                "status": refused.status,
                "type": refused.kind,
                "message": refused.message,
                "hint": refused.hint,
                "problems": [],
            }
        }
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"connection", b"close"),
    ]
    if refused.status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": refused.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
