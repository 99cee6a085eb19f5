"""Fuzz the JSON API with bad and good bodies and addresses: no answer is a 500, and a record
the API accepts renders on its page and in every format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fuzz._run import Counter, examples, run
from fuzz._seeds import JSON_SEEDS
from fuzz._strategies import _json_text, json_documents, text, trees, valid_records
from support import need_module

FORMATS = ("html", "markdown", "latex", "svg", "cyclonedx", "spdx", "json", "yaml", "pdf")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str]]]:
    need_module("fastapi", "server")
    from fastapi.testclient import TestClient

    from umr.web.app import create_app

    url = f"sqlite:///{Path(tmp_path_factory.mktemp('api')) / 'registry.db'}"
    app = create_app(url, cache_bytes=0)
    token, _ = app.state.tokens.create(["publish:*", "advisory:*"], "fuzz")
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    with TestClient(app, raise_server_exceptions=False) as client:
        for name in ("up-a", "up-b", "up-base"):
            body = {"umr": 1, "name": name, "version": "1.0.0", "kind": "dataset"}
            assert client.post("/api/records", json=body, headers=headers).status_code == 201
        yield client, headers


def _valid_json(draw_record: dict[str, Any]) -> str:
    return json.dumps(draw_record, ensure_ascii=False)


bodies = st.one_of(json_documents(), valid_records().map(_valid_json), text(200))


def test_publish_bodies(api: tuple[Any, dict[str, str]]) -> None:
    client, headers = api
    count = Counter("api-publish")

    @settings(max_examples=examples(60, 300))
    @given(bodies)
    @example(JSON_SEEDS[0])
    @example(JSON_SEEDS[2])
    @example(JSON_SEEDS[4])
    def prop(body: str) -> None:
        with count:
            answer = client.post(
                "/api/records", content=body.encode("utf-8", "surrogatepass"), headers=headers
            )
            assert answer.status_code < 500, answer.text
            if answer.status_code >= 400:
                assert answer.json()["error"]["type"] != "internal"
                return
            count.stats["accepted"] = count.stats.get("accepted", 0) + 1
            (rid,) = answer.json()["published"] or answer.json()["unchanged"]
            name, version = rid.split("@")
            assert client.get(f"/records/{name}/{version}").status_code == 200
            for fmt in FORMATS:
                got = client.get(f"/api/records/{name}/{version}.{fmt}")
                assert got.status_code == 200, (fmt, got.text[:500])

    run("api-publish", prop)


advisories = st.fixed_dictionaries(
    {
        "id": st.one_of(st.from_regex(r"FUZZ-[0-9]{1,6}", fullmatch=True), text(12)),
        "summary": text(60),
        "severity": st.one_of(st.sampled_from(["low", "medium", "high", "critical"]), text(6)),
        "affected": st.one_of(
            st.just([{"name": "up-a", "versions": "*"}]),
            st.lists(st.fixed_dictionaries({"name": text(8), "versions": text(8)}), max_size=2),
        ),
    },
    optional={"details": text(100), "published": text(12), "references": trees(6)},
)


def test_advisory_bodies(api: tuple[Any, dict[str, str]]) -> None:
    client, headers = api
    count = Counter("api-advisory")

    @settings(max_examples=examples(60, 300))
    @given(st.one_of(advisories.map(_json_text), json_documents()))
    @example(
        json.dumps(
            {
                "id": "FUZZ-1",
                "summary": "Leaks \ufffe answers",
                "severity": "low",
                "affected": [{"name": "up-a", "versions": "*"}],
            },
            ensure_ascii=False,
        )
    )
    def prop(body: str) -> None:
        with count:
            answer = client.post(
                "/api/advisories", content=body.encode("utf-8", "surrogatepass"), headers=headers
            )
            assert answer.status_code < 500, answer.text
            if answer.status_code == 201:
                ET.fromstring(client.get("/feed.atom").content)  # the feed stays XML

    run("api-advisory", prop)


segments = st.one_of(text(20), st.sampled_from(["up-a", "1.0.0", "^1", "*", "..", "%00"]))


def test_read_addresses(api: tuple[Any, dict[str, str]]) -> None:
    client, _ = api
    count = Counter("api-read")

    @settings(max_examples=examples(50, 500))
    @given(segments, segments, st.sampled_from(["", ".json", ".html", ".pdf", ".nope"]))
    @example("nobody", "1.0.0", "")
    def prop(a: str, b: str, suffix: str) -> None:
        # percent-encoded UTF-8 bytes, lone surrogates included (the server must cope)
        qa, qb = (quote(s.encode("utf-8", "surrogatepass"), safe="") for s in (a, b))
        with count:
            for path in (
                f"/api/records/{qa}",
                f"/api/records/{qa}/{qb}{suffix}",
                f"/api/records/{qa}/{qb}/lineage",
                f"/api/records/{qa}/{qb}/audit",
                f"/api/impact/{qa}?range={qb}",
                f"/api/search?q={qa}&kind={qb}",
                f"/records/{qa}/{qb}",
                f"/search?q={qa}",
            ):
                answer = client.get(path)
                assert answer.status_code < 500, (path, answer.text[:300])

    run("api-read", prop)
