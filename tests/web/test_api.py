"""The JSON API against a real registry: reads, formats, errors, and path traversal."""

from __future__ import annotations

from typing import Any

import pytest


def test_records_and_versions(client: Any) -> None:
    names = {r["name"] for r in client.get("/api/records").json()["records"]}
    assert names == {"acme-chat", "acme-chat-q4", "base-7b", "bench-qa", "corpus-x", "evil"}
    kinds = {r["kind"] for r in client.get("/api/records?kind=dataset").json()["records"]}
    assert kinds == {"dataset"}
    v = client.get("/api/records/corpus-x").json()
    assert v["latest"] == "2.0.0"
    assert [x["version"] for x in v["versions"]] == ["2.0.0", "1.0.0"]


def test_resolved_record_with_provenance(client: Any) -> None:
    r = client.get("/api/records/acme-chat/1.0.0").json()
    assert r["id"] == "acme-chat@1.0.0"
    assert r["chain"] == ["acme-chat@1.0.0", "base-7b@1.0.0"]
    assert r["record"]["license"]["id"] == "apache-2.0"
    assert r["inherited"]["license.id"] == "base-7b@1.0.0"
    assert r["provenance"]["title"] == "acme-chat@1.0.0"


def test_lineage_both_ways_with_relation_filter(client: Any) -> None:
    up = client.get("/api/records/acme-chat/1.1.0/lineage?direction=up").json()["hits"]
    assert {(h["name"], h["version"]) for h in up} >= {("base-7b", "1.0.0"), ("corpus-x", "1.0.0")}
    corpus = next(h for h in up if h["name"] == "corpus-x")
    assert "path" not in corpus and corpus["via"] == "base-7b@1.0.0"  # the parent pointer
    with_paths = client.get("/api/records/acme-chat/1.1.0/lineage?paths=true").json()["hits"]
    corpus = next(h for h in with_paths if h["name"] == "corpus-x")
    assert [s["relation"] for s in corpus["path"]] == ["finetuned_from", "trained_on"]
    assert corpus["path"][0]["from"] == "acme-chat@1.1.0"  # record first
    only = client.get("/api/records/acme-chat/1.1.0/lineage?relation=evaluated_on").json()["hits"]
    assert [h["name"] for h in only] == ["bench-qa"]
    down = client.get("/api/records/base-7b/1.0.0/lineage?direction=down").json()["hits"]
    assert {h["name"] for h in down} >= {"acme-chat", "acme-chat-q4", "evil"}
    assert client.get("/api/records/base-7b/1.0.0/lineage?direction=sideways").status_code == 422
    assert client.get("/api/records/base-7b/1.0.0/lineage?relation=bogus").status_code == 422


def test_audit_and_impact(client: Any) -> None:
    report = client.get("/api/records/acme-chat-q4/1.0.0/audit").json()
    assert not report["ok"]
    (finding,) = report["findings"]
    assert finding["advisory"]["id"] == "TEST-2023-0001"
    assert [s["to"] for s in finding["paths"][0]][-1] == "corpus-x@1.0.0"
    assert finding["routes"] >= 1 and finding["fix"]["kind"] in ("upgrade", "rebuild", "none")
    assert client.get("/api/records/corpus-x/2.0.0/audit").json()["ok"]
    # route offsets are bounded: answered at once, naming the limit
    far = client.get("/api/records/acme-chat-q4/1.0.0/audit?offset=1000000000000")
    assert far.status_code == 422 and "10000" in far.json()["error"]["message"]
    past = client.get("/api/records/acme-chat-q4/1.0.0/audit?offset=10000").json()
    assert past["findings"][0]["paths"] == []  # past the last route: an empty page
    impact = client.get("/api/impact/corpus-x?range=<2&paths=true").json()
    assert impact["versions"] == ["1.0.0"] and impact["total"] == len(impact["hits"])
    hits = impact["hits"]
    assert {h["name"] for h in hits} >= {"base-7b", "acme-chat", "acme-chat-q4"}
    for h in hits:  # record first: from the downstream record to corpus-x
        assert h["path"][0]["from"] == h["id"] and h["path"][-1]["to"] == "corpus-x@1.0.0"


def test_cli_and_api_answer_with_the_same_keys(client: Any, registry_url: str) -> None:
    import json

    from click.testing import CliRunner

    from umr.cli import app

    def cli(*args: str) -> Any:
        out = CliRunner().invoke(app, ["--registry", registry_url, *args, "--format", "json"])
        return json.loads(out.stdout)

    for cli_answer, api_answer in (
        (cli("impact", "corpus-x@<2"), client.get("/api/impact/corpus-x?range=<2").json()),
        (
            cli("lineage", "acme-chat@1.1.0"),
            client.get("/api/records/acme-chat/1.1.0/lineage").json(),
        ),
        (cli("audit", "acme-chat-q4"), client.get("/api/records/acme-chat-q4/1.0.0/audit").json()),
    ):
        paging = {"offset", "limit", "next"}
        assert set(cli_answer) == set(api_answer) - paging
        for key in ("hits", "findings"):
            for a, b in zip(cli_answer.get(key, []), api_answer.get(key, []), strict=True):
                assert a == b


def test_deep_chains_answer_in_linear_pages(tmp_path: Any, monkeypatch: Any) -> None:
    """A 2,000-deep chain: lineage and impact answers are paged, each hit names its parent
    instead of carrying its path, so a page's size does not grow with the depth; with paths,
    and on the advisory page, a page ends when its paths reach PATH_STEPS edges, and only the
    page's paths are built."""
    from fastapi.testclient import TestClient

    from umr.graph import LineageHit
    from umr.registry import Registry
    from umr.spec import Record
    from umr.web.app import create_app
    from umr.web.views import PATH_STEPS

    url = f"sqlite:///{tmp_path / 'deep.db'}"
    with Registry(url) as reg:
        rows = [Record.from_dict({"umr": 1, "name": "d", "version": "1.0.0", "kind": "dataset"})]
        for i in range(1, 2001):
            up = f"m{i - 1}@1" if i > 1 else "d@1"
            rows.append(
                Record.from_dict(
                    {
                        "umr": 1,
                        "name": f"m{i}",
                        "version": "1.0.0",
                        "kind": "model",
                        "upstream": [{"ref": up, "relation": "finetuned_from"}],
                    }
                )
            )
        reg.publish(rows)
        reg.add_advisory(
            {
                "id": "DEEP-1",
                "summary": "s",
                "severity": "high",
                "affected": [{"name": "d", "versions": "*"}],
            }
        )
    built = []
    to_dict = LineageHit.to_dict

    def counting(self: LineageHit, *, paths: bool = False) -> dict[str, Any]:
        built.append(paths)
        return to_dict(self, paths=paths)

    monkeypatch.setattr(LineageHit, "to_dict", counting)
    with TestClient(create_app(url)) as deep:
        r = deep.get("/api/records/m2000/1.0.0/lineage")
        body = r.json()
        assert body["total"] == 2000 and len(body["hits"]) == 1000 and body["next"] == 1000
        assert len(r.content) < 300_000
        rest = deep.get("/api/records/m2000/1.0.0/lineage?offset=1000").json()
        assert len(rest["hits"]) == 1000 and rest["next"] is None
        assert rest["hits"][-1]["id"] == "d@1.0.0"
        impact = deep.get("/api/impact/d?limit=2000")
        assert impact.json()["total"] == 2000 and len(impact.content) < 600_000
        for path, query in (
            ("/api/impact/d", "paths=true&limit=10000"),
            ("/api/records/m2000/1.0.0/lineage", "paths=true&limit=10000"),
            ("/api/advisories/DEEP-1", "limit=10000"),
            ("/api/advisories/DEEP-1", "offset=1500"),
        ):
            seen: list[str] = []
            offset = 1500 if "offset" in query else 0
            for _ in range(3):  # the first pages; each ends when its paths reach PATH_STEPS
                built.clear()
                r = deep.get(f"{path}?{query.replace('offset=1500', '')}&offset={offset}")
                body = r.json()
                hits = body.get("hits", body.get("reached"))
                steps = [len(h["path"]) for h in hits]
                assert steps == [h["depth"] for h in hits]  # every path whole
                assert sum(steps) <= PATH_STEPS + 2000 and len(r.content) < 1_000_000, path
                assert len(built) <= len(hits)  # paths built for the page only
                assert body["next"] == offset + len(hits) < body["total"]
                seen += [h["id"] for h in hits]
                offset = body["next"]
            assert len(seen) == len(set(seen))


def test_search_and_advisories(client: Any) -> None:
    hits = client.get("/api/search?q=quantization").json()["hits"]
    assert hits[0]["name"] == "acme-chat-q4"
    assert client.get("/api/search?q=x&kind=robot").status_code == 422
    advs = client.get("/api/advisories").json()["advisories"]
    assert [a["id"] for a in advs] == ["TEST-2023-0001"]
    assert client.get("/api/advisories?name=bench-qa").json()["advisories"] == []
    one = client.get("/api/advisories/TEST-2023-0001").json()
    assert one["advisory"]["fixed"] == [{"name": "corpus-x", "version": "2.0.0"}]


def test_stats_recent_formats(client: Any) -> None:
    assert client.get("/api/stats").json()["records"] == 8
    assert len(client.get("/api/recent?limit=3").json()["records"]) == 3
    from umr.formats import available

    assert [f["name"] for f in client.get("/api/formats").json()["formats"]] == available()


def test_every_advertised_suffix_renders(client: Any) -> None:
    """What /api/formats advertises, the render route serves: by name and by suffix."""
    for f in client.get("/api/formats").json()["formats"]:
        by_suffix = client.get(f"/api/records/acme-chat/1.0.0{f['suffix']}")
        by_name = client.get(f"/api/records/acme-chat/1.0.0.{f['name']}")
        assert by_suffix.status_code == by_name.status_code == 200, (f, by_suffix.text[:200])
        assert by_suffix.headers["content-type"] == by_name.headers["content-type"]
        assert by_suffix.headers["content-type"].startswith(f["media_type"].split(";")[0])
    bad = client.get("/api/records/acme-chat/1.0.0.docx")
    assert bad.status_code == 404 and "cyclonedx (.cdx.json)" in bad.json()["error"]["message"]


def _formats() -> list[str]:
    from umr.formats import available

    return available()


@pytest.mark.parametrize("fmt", _formats())
def test_every_format(client: Any, fmt: str) -> None:
    from umr.formats import get

    r = client.get(f"/api/records/acme-chat/1.1.0.{fmt}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == get(fmt).media_type.split(";")[0]
    assert get(fmt).suffix in r.headers["content-disposition"]
    assert "sandbox" in r.headers["content-security-policy"]
    assert len(r.content) > 100


def test_prerelease_version_is_not_mistaken_for_a_format(fresh: Any, make_token: Any) -> None:
    t = make_token(fresh, "publish:*")
    rec = {"umr": 1, "name": "pre", "version": "1.0.0-rc.beta", "kind": "dataset"}
    assert (
        fresh.post("/api/records", json=rec, headers={"authorization": f"Bearer {t}"}).status_code
        == 201
    )
    assert fresh.get("/api/records/pre/1.0.0-rc.beta").json()["id"] == "pre@1.0.0-rc.beta"
    assert fresh.get("/api/records/pre/1.0.0-rc.beta.json").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/records/..%2F..%2Fetc%2Fpasswd",
        "/api/records/%2e%2e/1.0.0",
        "/api/records/..%5C..%5Cwindows/1.0.0",
        "/api/records/acme-chat/..%2F..%2F1.0.0",
        "/api/records/acme-chat/1.1.0.%2e%2e%2fpdf",
        "/api/records/acme-chat/1.1.0.exe",
        "/api/records/acme-chat/1.1.0...",
        "/api/records/acme-chat/1.1.0./etc/passwd",
        "/api/records/acme-chat/..%00/audit",
        "/records/..%2F..%2Fetc%2Fpasswd/1.0.0",
        "/static/..%2F..%2F..%2Fetc%2Fpasswd",
        "/static/../app.py",
        "/advisories/..%2F..%2Fetc%2Fpasswd",
    ],
)
def test_path_traversal_is_refused(client: Any, path: str) -> None:
    r = client.get(path)
    assert 400 <= r.status_code < 500, (path, r.status_code)
    assert "root:" not in r.text and "create_app" not in r.text


def test_error_shape_is_one(client: Any) -> None:
    for path, status in [
        ("/api/records/nope", 404),
        ("/api/records/acme-chat/x.y", 400),
        ("/api/records/acme-chat/1.1.0.nope", 404),
        ("/api/search?limit=0", 422),
    ]:
        r = client.get(path)
        assert r.status_code == status, path
        assert set(r.json()) == {"error"}
        assert set(r.json()["error"]) == {"status", "type", "message", "hint", "problems"}


def test_cors_is_closed(client: Any) -> None:
    r = client.options(
        "/api/records",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in r.headers
    r = client.get("/api/records", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
