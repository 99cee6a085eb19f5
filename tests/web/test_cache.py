"""The response cache: repeated reads come from memory, and any write, from any process, is seen
by the very next request. Real registries (SQLite, and PostgreSQL where marked), the real app."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from support import need_module
from web.conftest import make_registry

NEW_VERSION = """umr: 1
name: acme-chat
version: 1.2.0
kind: model
title: Acme Chat
upstream:
  - {ref: base-7b@^1, relation: finetuned_from}
"""


def _client(url: str, **kwargs: Any) -> Any:
    from fastapi.testclient import TestClient

    from umr.web.app import create_app

    return TestClient(create_app(url, **kwargs))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    need_module("fastapi", "server")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'registry.db'}"
        make_registry(url).close()
        yield url
        return
    url = request.getfixturevalue("pg_server").create_database()
    make_registry(url).close()
    yield url


def _versions(client: Any) -> tuple[list[str], str]:
    r = client.get("/api/records/acme-chat")
    assert r.status_code == 200, r.text
    return [v["version"] for v in r.json()["versions"]], r.headers["x-umr-cache"]


def test_a_write_from_anywhere_is_seen_by_the_next_request(url: str, tmp_path: Path) -> None:
    from umr.registry import Registry

    with _client(url) as client:
        engine = client.app.state.registry.engine
        first, said = _versions(client)
        assert said == "miss" and "1.2.0" not in first
        begins: list[object] = []
        event.listen(engine, "begin", lambda conn: begins.append(conn))
        assert _versions(client) == (first, "hit")
        assert begins == []  # answered without a query of the app's

        # a publish from another process, through the CLI
        path = tmp_path / "new.yaml"
        path.write_text(NEW_VERSION)
        done = subprocess.run(
            [sys.executable, "-m", "umr", "--registry", url, "publish", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        after, said = _versions(client)
        assert said == "miss" and "1.2.0" in after and begins

        # a yank and an advisory from another connection, as another server process would
        audit = "/api/records/acme-chat/1.2.0/audit"

        def advisories(r: Any) -> set[str]:
            return {f["advisory"]["id"] for f in r.json()["findings"]}

        assert "CACHE-1" not in advisories(client.get(audit))
        assert client.get(audit).headers["x-umr-cache"] == "hit"
        with Registry(url) as other:
            other.add_advisory(
                {
                    "id": "CACHE-1",
                    "summary": "Bad base",
                    "severity": "high",
                    "affected": [{"name": "base-7b", "versions": "*"}],
                    "published": "2026-12-01",
                }
            )
            r = client.get(audit)
            assert r.headers["x-umr-cache"] == "miss"
            assert "CACHE-1" in advisories(r)
            other.yank("acme-chat@1.2.0", "bad")
        r = client.get("/api/records/acme-chat")
        assert r.headers["x-umr-cache"] == "miss"
        assert next(v for v in r.json()["versions"] if v["version"] == "1.2.0")["yanked"]


def test_writes_through_the_api_empty_the_cache(fresh: Any, make_token: Any) -> None:
    page = "/records/acme-chat/1.1.0"
    assert fresh.get(page).headers["x-umr-cache"] == "miss"
    assert fresh.get(page).headers["x-umr-cache"] == "hit"
    token = make_token(fresh, "publish:acme-*")
    r = fresh.post(
        "/api/records/acme-chat/1.1.0/yank",
        json={"reason": "bad"},
        headers={"authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text
    again = fresh.get(page)
    assert again.headers["x-umr-cache"] == "miss" and "yanked" in again.text


def test_what_is_not_kept(fresh: Any, tmp_path: Path) -> None:
    from umr.registry import Registry

    # a 404 is answered afresh: the record may be published next
    missing = "/api/records/newcomer"
    assert fresh.get(missing).status_code == 404
    assert fresh.get(missing).headers["x-umr-cache"] == "miss"
    with Registry(fresh.app.state.registry.url) as other:
        other.publish(["umr: 1\nname: newcomer\nversion: 1.0.0\nkind: dataset\n"])
    assert fresh.get(missing).status_code == 200
    # credentials, conditions and static files bypass the cache altogether
    page = "/records/acme-chat/1.1.0"
    fresh.get(page)
    for headers in ({"authorization": "Bearer x"}, {"if-none-match": '"x"'}, {"range": "0-1"}):
        r = fresh.get(page, headers=headers)
        assert r.status_code == 200 and "x-umr-cache" not in r.headers, headers
    assert "x-umr-cache" not in fresh.get("/static/umr.css").headers
    # the key holds the query string, but not Accept (only error answers depend on it)
    assert fresh.get("/search?q=chat").headers["x-umr-cache"] == "miss"
    assert fresh.get("/search?q=base").headers["x-umr-cache"] == "miss"
    assert fresh.get("/search?q=chat").headers["x-umr-cache"] == "hit"
    assert fresh.get(page, headers={"accept": "text/html"}).headers["x-umr-cache"] == "hit"
    # an address too long to be worth a key is answered afresh
    r = fresh.get(f"/api/formats?junk={'x' * 3000}")
    assert r.status_code == 200 and "x-umr-cache" not in r.headers


def test_the_host_a_client_names_is_its_own_key(fresh: Any) -> None:
    # the Atom feeds write absolute links from the request's scheme and host: one client's
    # Host header must never reach another client's feed
    evil = fresh.get("/feed.atom", headers={"host": "evil.example"})
    assert evil.headers["x-umr-cache"] == "miss" and "http://evil.example/" in evil.text
    mine = fresh.get("/feed.atom")
    assert mine.headers["x-umr-cache"] == "miss" and "evil.example" not in mine.text
    assert fresh.get("/feed.atom").headers["x-umr-cache"] == "hit"
    secure = fresh.get("https://testserver/feed.atom")
    assert secure.headers["x-umr-cache"] == "miss" and "https://testserver/" in secure.text


def _cache_of(app: Any) -> Any:
    from umr.web.cache import ResponseCache

    layer = app.middleware_stack
    while not isinstance(layer, ResponseCache):
        layer = layer.app
    return layer


def test_the_cache_keeps_to_its_bytes_and_drops_the_least_recently_used(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    make_registry(url).close()
    pages = [
        "/records/acme-chat/1.1.0",
        "/records/base-7b/1.0.0",
        "/records/corpus-x/1.0.0",
        "/records/bench-qa/1.0.0",
        "/records/acme-chat/1.0.0",
    ]
    sizes = []
    with _client(url, cache_bytes=1 << 30) as probe:  # what each page costs the cache
        cache = _cache_of(probe.app)
        for p in pages:
            before = cache.size
            body = probe.get(p).content
            sizes.append(cache.size - before)
            assert sizes[-1] > len(body) + len(p)  # the key and headers count too
    budget = sum(sizes[:3]) + 1  # the first three fit, a fourth does not
    with _client(url, cache_bytes=budget) as client:
        cache = _cache_of(client.app)
        assert cache.max_item == budget // 8 < min(sizes)
        client.get(pages[0])
        assert client.get(pages[0]).headers["x-umr-cache"] == "miss"  # over an eighth: not kept
        cache.max_item = budget  # let whole pages in, to test the eviction order
        for p in pages[:3]:
            assert client.get(p).headers["x-umr-cache"] == "miss"
        assert client.get(pages[0]).headers["x-umr-cache"] == "hit"  # now the most recent
        assert len(cache) == 3 and cache.size == sum(sizes[:3])
        client.get(pages[3])
        assert cache.size <= budget and len(cache) < 4
        assert client.get(pages[0]).headers["x-umr-cache"] == "hit"
        assert client.get(pages[1]).headers["x-umr-cache"] == "miss"  # least recently used


def test_no_cache_when_the_counter_cannot_be_read() -> None:
    need_module("psycopg", "postgres")
    from sqlalchemy import create_engine

    from umr.web.cache import ResponseCache
    from umr.web.changes import change_counter

    nowhere = change_counter(create_engine("postgresql+psycopg://umr@127.0.0.1:1/none"))
    tries: list[int] = []
    real_query = nowhere._query

    async def counted_query() -> Any:
        tries.append(1)
        return await real_query()

    nowhere._query = counted_query  # type: ignore[method-assign]

    async def read_twice() -> list[int | None]:
        return [await nowhere.read(), await nowhere.read()]

    # a refused connection: no number, no exception, and no new try for a while
    assert asyncio.run(read_twice()) == [None, None] and len(tries) == 1
    nowhere._retry_at = 0.0  # the wait is over
    assert asyncio.run(nowhere.read()) is None and len(tries) == 2
    nowhere._retry_at = 0.0
    calls: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"fresh"})

    cache = ResponseCache(app, counter=nowhere.read)
    sent = asyncio.run(_get_twice(cache, "/x"))
    assert calls == ["/x", "/x"]
    assert all(b"x-umr-cache" not in dict(m.get("headers", [])) for m in sent)


def test_an_answer_made_across_a_write_is_not_kept() -> None:
    from umr.web.cache import ResponseCache

    counter = {"n": 1}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/slow":  # a write commits while this answer is being made ...
            counter["n"] = 2
            await cache(_scope("/other"), _receive, _collector([]))  # ... and a request sees it
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"answer"})

    async def current() -> int:
        return counter["n"]

    cache = ResponseCache(app, counter=current)
    asyncio.run(cache(_scope("/slow"), _receive, _collector([])))
    assert len(cache) == 1  # /other, made after the write; /slow began before it
    sent: list[Any] = []
    asyncio.run(cache(_scope("/slow"), _receive, _collector(sent)))
    asyncio.run(cache(_scope("/other"), _receive, _collector(sent)))
    said = [dict(m["headers"])[b"x-umr-cache"] for m in sent if "headers" in m]
    assert said == [b"miss", b"hit"]


async def _get_twice(cache: Any, path: str) -> list[Any]:
    sent: list[Any] = []
    for _ in range(2):
        await cache(_scope(path), _receive, _collector(sent))
    return sent


def _scope(path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [],
    }


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


def _collector(sent: list[Any]) -> Any:
    async def send(message: Any) -> None:
        sent.append(message)

    return send


@pytest.mark.postgres
def test_postgresql_reads_are_shared_but_never_older_than_the_request(pg_server: Any) -> None:
    from umr.registry import Registry
    from umr.web.changes import PostgresChangeCounter

    url = pg_server.create_database()
    with Registry(url) as reg:
        counter = PostgresChangeCounter(reg.engine)
        queries: list[int] = []
        real = counter._once

        async def slow_once() -> int | None:
            value = await real()  # the value is read here ...
            queries.append(value or 0)
            await asyncio.sleep(0.05)  # ... and handed out only later
            return value

        counter._once = slow_once  # type: ignore[method-assign]

        async def scenario() -> tuple[list[int | None], int | None, int | None]:
            first = asyncio.ensure_future(counter.read())
            while not queries:  # that read has begun: its value is read, not yet handed out
                await asyncio.sleep(0.001)
            reg.publish(["umr: 1\nname: late\nversion: 1.0.0\nkind: dataset\n"])  # a write ...
            after = await asyncio.gather(*(counter.read() for _ in range(50)))  # ... then 50
            return after, await first, await counter.read()

        before = reg.changes()
        after, first, last = asyncio.run(scenario())
        assert first == before  # the read begun before the write
        assert set(after) == {before + 1}  # every request after it sees it
        assert last == before + 1
        assert len(queries) == 3  # 52 reads, 3 round trips: the first, the 50 shared, the last
        # a second event loop (another test client, say) starts afresh and still reads
        assert asyncio.run(counter.read()) == before + 1
        counter.close()
