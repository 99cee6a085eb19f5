"""Hosts, cache keys and limits before work, through a real server (uvicorn on 127.0.0.1)
spoken to with raw sockets, so that nothing in between tidies the requests."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web.conftest import make_registry

MAX_BODY = 64 * 1024


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, app: Any) -> None:
        import uvicorn

        self.app = app
        self.port = _free_port()
        self.srv = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.srv.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.srv.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)

    def raw(self, head: str, body: bytes = b"", *, wait: float = 15.0) -> tuple[int, bytes]:
        """Send ``head`` (request line and headers, CRLF-joined by us) and ``body``; return
        the status and the response body."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=wait) as sock:
            sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
            return _read(sock)

    def stop(self) -> None:
        self.srv.should_exit = True
        self.thread.join(10)


def _read(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before a response: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        None,
    )
    while length is not None and len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(head.split(b" ", 2)[1]), body


def _app(tmp_path: Path, **options: Any) -> Any:
    from umr.web.app import create_app

    url = f"sqlite:///{tmp_path / 'registry.db'}"
    make_registry(url).close()
    return create_app(url, max_body=MAX_BODY, body_timeout=1.0, **options)


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[Server]:
    s = Server(_app(tmp_path))
    yield s
    s.stop()


def _token(server: Server, *scopes: str) -> str:
    text, _ = server.app.state.tokens.create(list(scopes), "test")
    return str(text)


def test_two_host_headers_are_refused(server: Server) -> None:
    status, body = server.raw(
        "GET /feed.atom HTTP/1.1\nHost: evil.example\nHost: 127.0.0.1\nConnection: close\n"
    )
    assert status == 400
    assert json.loads(body)["error"]["message"] == (
        "the request has 2 Host headers; send exactly one"
    )
    # the feed that later subscribers get links to this server only
    status, body = server.raw("GET /feed.atom HTTP/1.1\nHost: 127.0.0.1\nConnection: close\n")
    assert status == 200 and b"evil.example" not in body


def test_a_forged_host_never_reaches_another_client(server: Server) -> None:
    for _ in range(2):  # the second one would be a cache hit
        status, body = server.raw(
            "GET /feed.atom HTTP/1.1\nHost: evil.example\nConnection: close\n"
        )
        assert status == 200 and b"http://evil.example/advisories/" in body
    status, body = server.raw("GET /feed.atom HTTP/1.1\nHost: 127.0.0.1\nConnection: close\n")
    assert status == 200 and b"evil.example" not in body
    assert b"http://127.0.0.1/advisories/" in body


def test_a_base_url_makes_every_link(tmp_path: Path) -> None:
    s = Server(_app(tmp_path, base_url="https://models.example.org/"))
    try:
        for host in ("evil.example", "127.0.0.1"):
            status, body = s.raw(f"GET /feed.atom HTTP/1.1\nHost: {host}\nConnection: close\n")
            assert status == 200 and b"evil.example" not in body
            assert b"https://models.example.org/advisories/" in body
    finally:
        s.stop()
    from umr.errors import UmrError

    with pytest.raises(UmrError, match="is not an http"):
        _app(tmp_path / "x", base_url="javascript://x")


def test_the_token_is_checked_before_the_body_is_read(server: Server) -> None:
    # 100 MB announced, none sent: the answer comes without waiting for a byte of it
    status, body = server.raw(
        "POST /api/records HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\n"
        "Content-Length: 100000000\n",
        wait=10,
    )
    assert status == 401 and json.loads(body)["error"]["type"] == "unauthorized"
    status, _ = server.raw(
        "POST /api/records HTTP/1.1\nHost: 127.0.0.1\nAuthorization: Bearer umr_x\n"
        "Content-Length: 100000000\n",
        wait=10,
    )
    assert status == 401


def test_a_body_over_the_limit_is_refused_before_it_is_read(server: Server) -> None:
    token = _token(server, "publish:*")
    head = (
        f"POST /api/records HTTP/1.1\nHost: 127.0.0.1\nAuthorization: Bearer {token}\n"
        "Content-Type: application/json\n"
    )
    status, body = server.raw(head + f"Content-Length: {MAX_BODY + 1}\n", wait=10)
    assert status == 413
    assert f"limit of {MAX_BODY:,} bytes" in json.loads(body)["error"]["message"]
    # chunked: cut off as soon as it passes the limit
    chunk = b"x" * 8192
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(10)) + b"0\r\n\r\n"
    status, _ = server.raw(head + "Transfer-Encoding: chunked\n", chunks, wait=10)
    assert status == 413
    # a body within the limit still works, chunked or not
    record = json.dumps({"umr": 1, "name": "small", "version": "1.0.0", "kind": "dataset"})
    data = record.encode()
    status, body = server.raw(head + f"Content-Length: {len(data)}\n", data)
    assert status == 201, body
    one = b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data)
    status, body = server.raw(head + "Transfer-Encoding: chunked\n", one)
    assert status == 200 and json.loads(body)["unchanged"] == ["small@1.0.0"]


def test_a_slow_body_times_out(server: Server) -> None:
    token = _token(server, "publish:*")
    status, body = server.raw(
        f"POST /api/records HTTP/1.1\nHost: 127.0.0.1\nAuthorization: Bearer {token}\n"
        "Content-Length: 100\n",
        b'{"umr": 1',  # then nothing
        wait=15,
    )
    assert status == 408 and "within 1 s" in json.loads(body)["error"]["message"]


def test_a_narrow_token_cannot_silence_an_advisory_over_http(server: Server) -> None:
    token = _token(server, "advisory:acme-*", "publish:acme-*")
    hijack = json.dumps(
        {
            "id": "TEST-2023-0001",
            "summary": "nothing to see",
            "severity": "low",
            "affected": [{"name": "acme-chat", "versions": "*"}],
        }
    ).encode()
    status, body = server.raw(
        f"POST /api/advisories HTTP/1.1\nHost: 127.0.0.1\nAuthorization: Bearer {token}\n"
        f"Content-Type: application/json\nContent-Length: {len(hijack)}\nConnection: close\n",
        hijack,
    )
    assert status == 403 and "corpus-x" in json.loads(body)["error"]["message"]
    status, body = server.raw(
        "GET /api/advisories/TEST-2023-0001/history HTTP/1.1\nHost: 127.0.0.1\nConnection: close\n"
    )
    assert status == 200 and [r["action"] for r in json.loads(body)["revisions"]] == ["create"]
