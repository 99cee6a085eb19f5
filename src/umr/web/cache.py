"""A response cache in front of the app, emptied whenever the registry changes.

Every answer the cache keeps is a function of the registry's contents, of the public origin
its absolute links are built from (:func:`umr.web.guard.public_origin`: the configured base URL,
or the request's one ``Host``; the cache and the link builder read that same value, and a
request with two ``Host`` headers never gets here) and of the path and query (``Accept``
changes only error answers, which are never kept). Writes bump a counter in the
database (``umr_changes``, see :mod:`umr.web.changes`) in the same transaction as the
write; before answering a GET from memory the cache reads the counter (one indexed single-row
SELECT on a connection of its own) and drops everything when it moved. A publish from the
CLI, another server process or the API is therefore seen by the very next request.

What is kept: answers with status 200 to GET requests that carry no credentials, cookies,
ranges or conditions, outside ``/static/`` (which answers conditional requests itself), and
that set no cookie. Each process holds its own cache, bounded in bytes (bodies, keys and
headers) and evicting the least recently used. The answers to the requests it considers say
``X-UMR-Cache: hit`` or ``miss``; the others (and every request while the counter cannot be
read) go to the app untouched.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from umr.web.guard import public_origin

# Requests with any of these are answered by the app: they may change what the answer is.
_BYPASS_HEADERS = frozenset(
    {
        b"authorization",
        b"cookie",
        b"range",
        b"if-none-match",
        b"if-modified-since",
        b"if-match",
        b"if-unmodified-since",
        b"if-range",
    }
)

DEFAULT_BYTES = 64 * 1024 * 1024
MAX_KEY = 2048  # bytes of origin, path and query; longer addresses are answered afresh
ENTRY_OVERHEAD = 256  # bytes an entry costs besides its body, key and headers (estimated)

Key = tuple[str, bytes, bytes]  # public origin, path, query string


class ResponseCache:
    """ASGI middleware: answers repeated GETs from memory until the registry changes.

    ``counter`` resolves to the registry's change counter, or None when it cannot be read
    (then every request goes to the app). ``max_bytes`` bounds what the entries hold (bodies,
    keys, headers); one entry may take at most an eighth of it."""

    def __init__(
        self,
        app: ASGIApp,
        counter: Callable[[], Awaitable[int | None]],
        max_bytes: int = DEFAULT_BYTES,
        base_url: str | None = None,
    ) -> None:
        self.app = app
        self.base_url = base_url
        self.counter = counter
        self.max_bytes = max_bytes
        self.max_item = max_bytes // 8
        # key: (status, headers, body, bytes the entry is counted as)
        self._entries: OrderedDict[Key, tuple[int, list[tuple[bytes, bytes]], bytes, int]] = (
            OrderedDict()
        )
        self._size = 0
        self._generation: int | None = None

    @property
    def size(self) -> int:
        """Bytes held now: bodies, keys, headers and a fixed overhead per entry."""
        return self._size

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self._size = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self._key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        generation = await self.counter()
        if generation is None:  # cannot tell whether the registry changed: answer afresh
            await self.app(scope, receive, send)
            return
        if generation != self._generation:
            self.clear()
            self._generation = generation
        kept = self._entries.get(key)
        if kept is not None:
            self._entries.move_to_end(key)
            status, headers, body, _ = kept
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [*headers, (b"x-umr-cache", b"hit")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, self._recorder(key, generation, send))

    def _key(self, scope: Scope) -> Key | None:
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        path: str = scope["path"]
        if path.startswith("/static/"):
            return None
        for name, _ in scope["headers"]:
            if name in _BYPASS_HEADERS:
                return None
        key = (
            public_origin(scope, self.base_url),
            scope.get("raw_path") or path.encode(),
            scope["query_string"],
        )
        if sum(len(part) for part in key) > MAX_KEY:
            return None
        return key

    def _recorder(self, key: Key, generation: int, send: Send) -> Send:
        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        size = 0

        async def record(message: Message) -> None:
            nonlocal size
            if message["type"] == "http.response.start":
                start.update(message)
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"x-umr-cache", b"miss")],
                }
            elif message["type"] == "http.response.body" and start.get("status") == 200:
                body = message.get("body", b"")
                size += len(body)
                if size <= self.max_item:
                    chunks.append(body)
                    if not message.get("more_body", False):
                        self._keep(key, generation, start, b"".join(chunks))
                else:
                    chunks.clear()  # too big to keep: hold none of it
            await send(message)

        return record

    def _keep(self, key: Key, generation: int, start: dict[str, Any], body: bytes) -> None:
        headers: list[tuple[bytes, bytes]] = start.get("headers", [])
        if any(k.lower() == b"set-cookie" for k, _ in headers):
            return  # an answer that sets a cookie is someone's, not everyone's
        if generation != self._generation:
            return  # the registry changed while this answer was made; a newer one is cached
        cost = (
            len(body)
            + sum(len(part) for part in key)
            + sum(len(k) + len(v) for k, v in headers)
            + ENTRY_OVERHEAD
        )
        if cost > self.max_item:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._size -= old[3]
        self._entries[key] = (start["status"], headers, body, cost)
        self._size += cost
        while self._size > self.max_bytes:
            _, (_, _, _, dropped) = self._entries.popitem(last=False)
            self._size -= dropped
