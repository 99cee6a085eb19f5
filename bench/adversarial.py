"""Adversarial inputs: the worst time per input class (ranges, refs, YAML, JSON bodies).

Each class is a set of hostile inputs at or just past the limits (whitespace runs and hyphens
in ranges, long legacy refs, alias bombs and deep nesting in YAML, huge, deep and slow JSON
bodies against a real server), beside a plain input of the same size. Every input is timed
best-of-``--repeat`` with the parse caches cleared; the table prints the worst hostile input of
each class, its time, and the plain input's time.

    .venv/bin/python bench/adversarial.py
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import platform
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from umr.errors import UmrError
from umr.spec import Range, Ref, versions
from umr.spec.load import load_record_text
from umr.spec.rangetext import MAX_RANGE

Case = tuple[str, Callable[[], object]]


def _timed(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        Range.parse.cache_clear()
        Ref.parse.cache_clear()
        versions._compile.cache_clear()
        start = time.perf_counter()
        with contextlib.suppress(UmrError, ValueError):
            fn()
        best = min(best, time.perf_counter() - start)
    return best


def range_cases() -> tuple[list[Case], Case]:
    ws = " " * (MAX_RANGE - 12)
    texts = [f"1.0.0 -{ws}!", f"1.0.0 ||{ws}!", f"{ws}1.0.0{ws[:10]}!", "||" * 120, "1 - " * 60]
    texts += [f"{op}{ws}1.0.0 !" for op in ("<", "<=", ">", ">=", "=", "~", "~>", "^")]
    texts += [f"{op}1.0.0{ws}!" for op in ("<", ">=", "~", "^")]
    plain = " || ".join(["^1.2.3", ">=1.0.0 <2.0.0", "1.2.3 - 2.3.4", "~1.2"] * 6)[:MAX_RANGE]
    return (
        [(repr(t[:24]) + "...", lambda t=t: Range.parse(t[:MAX_RANGE])) for t in texts],
        ("plain range, " + str(len(plain)) + " chars", lambda: Range.parse(plain)),
    )


def ref_cases() -> tuple[list[Case], Case]:
    texts = [
        ("legacy dash, many versions", "a" * 90 + "-1.0.0" * 44, True),
        ("legacy op + whitespace", "model>=" + " " * 240 + "1", False),
        ("@ + hyphen whitespace", "model@1.0.0 -" + " " * 240 + "!", False),
        ("over the cap", "m@" + "1" * 100_000, False),
    ]
    plain = "model-x@" + " || ".join(["^1.2.3", ">=1.0.0 <2.0.0"] * 12)[:MAX_RANGE]
    return (
        [(label, lambda t=t, leg=leg: Ref.parse(t, legacy=leg)) for label, t, leg in texts],
        ("plain ref, " + str(len(plain)) + " chars", lambda: Ref.parse(plain)),
    )


def yaml_cases() -> tuple[list[Case], Case]:
    head = "umr: 1\nname: x\nversion: 1.0.0\nkind: model\n"
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)},"
        f" *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)},"
        f" *{chr(97 + i)}]\n"
        for i in range(8)
    )
    texts = [
        ("alias bomb (9^9 values)", head + "extensions:\n  x:\n" + _indent(laughs, 4)),
        ("nesting 10,000 deep", head + "extensions: {x: " + "[" * 10_000 + "]" * 10_000 + "}\n"),
        ("4 MiB + 1 of text", head + "summary: " + "a" * (4 * 1024 * 1024) + "\n"),
        (
            "100,000 keys",
            head + "extensions:\n  x:\n" + "".join(f"    k{i}: 1\n" for i in range(100_000)),
        ),
    ]
    plain = head + "summary: " + "a" * (1024 * 1024) + "\n"
    return (
        [(label, lambda t=t: load_record_text(t, source="<bench>")) for label, t in texts],
        ("plain record, 1 MiB summary", lambda: load_record_text(plain, source="<bench>")),
    )


def _indent(text: str, n: int) -> str:
    return "".join(" " * n + line + "\n" for line in text.splitlines())


class _Server:
    def __init__(self, app: Any) -> None:
        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.srv = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error")
        )
        self.thread = threading.Thread(target=self.srv.run, daemon=True)
        self.thread.start()
        while not self.srv.started:
            time.sleep(0.05)

    def post(self, headers: dict[str, str], body: bytes, *, announce: int | None = None) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.putrequest("POST", "/api/records")
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(announce if announce is not None else len(body)))
        conn.endheaders()
        try:
            if body:
                conn.send(body)
            return conn.getresponse().status
        except (ConnectionResetError, BrokenPipeError):
            return 0  # answered and closed before the whole body was sent: refused early
        finally:
            conn.close()

    def stop(self) -> None:
        self.srv.should_exit = True
        self.thread.join(10)


def json_cases(server: _Server, token: str) -> tuple[list[Case], Case]:
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    anon = {"Content-Type": "application/json"}
    record = {"umr": 1, "name": "bench-x", "version": "1.0.0", "kind": "dataset"}
    big = json.dumps({**record, "summary": "a" * (7 * 1024 * 1024)}).encode()
    deep = b'{"umr": 1, "extensions": {"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    many = json.dumps([{**record, "version": f"1.0.{i}"} for i in range(1000)]).encode()
    cases: list[Case] = [
        ("100 MB announced, no token", lambda: server.post(anon, b"", announce=100_000_000)),
        ("100 MB announced, token", lambda: server.post(auth, b"", announce=100_000_000)),
        ("7 MiB summary, no token", lambda: server.post(anon, big)),
        ("7 MiB summary, token", lambda: server.post(auth, big)),
        ("nesting 100,000 deep, token", lambda: server.post(auth, deep)),
        ("1,000 records, no token", lambda: server.post(anon, many)),
    ]
    small = json.dumps({**record, "version": "0.0.1"}).encode()
    return cases, ("one small record, token", lambda: server.post(auth, small))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(
        f"# {platform.node()} {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}"
    )
    print(f"{'class':<12} {'worst input':<32} {'worst ms':>10} {'plain input':<32} {'plain ms':>9}")
    classes: dict[str, tuple[list[Case], Case]] = {
        "ranges": range_cases(),
        "refs": ref_cases(),
        "yaml": yaml_cases(),
    }
    from umr.registry import Registry
    from umr.registry.tokens import TokenStore
    from umr.web.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'registry.db'}"
        Registry(url).close()
        app = create_app(url, cache_bytes=0)
        token, _ = TokenStore(app.state.registry.engine).create(["publish:*"], "bench")
        server = _Server(app)
        try:
            classes["json bodies"] = json_cases(server, token)
            for name, (cases, (plain_label, plain)) in classes.items():
                times = [(label, _timed(fn, args.repeat)) for label, fn in cases]
                label, worst = max(times, key=lambda x: x[1])
                base = _timed(plain, args.repeat)
                print(
                    f"{name:<12} {label:<32} {worst * 1000:>10.2f} {plain_label:<32} "
                    f"{base * 1000:>9.2f}"
                )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
