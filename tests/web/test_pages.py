"""Every page renders from the real registry, and its JSON twin returns the data behind it."""

from __future__ import annotations

from typing import Any

import pytest
from markupsafe import escape

PAGES = [
    ("/", "acme-chat-q4"),
    ("/records", "acme-chat"),
    ("/records?kind=dataset", "corpus-x"),
    ("/records/acme-chat", "1.1.0"),
    ("/records/acme-chat/1.1.0", "Acme Chat"),
    ("/records/acme-chat/diff/1.0.0/1.1.0", "minor"),
    ("/search?q=chat", "acme-chat"),
    ("/search?q=&kind=dataset", "corpus-x"),
    ("/advisories", "TEST-2023-0001"),
    ("/advisories/TEST-2023-0001", "acme-chat"),
]


@pytest.mark.parametrize(("path", "text"), PAGES)
def test_page_renders(client: Any, path: str, text: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert text in r.text
    assert "content-security-policy" in r.headers
    assert "access-control-allow-origin" not in r.headers


@pytest.mark.parametrize(("path", "text"), PAGES)
def test_json_twin(client: Any, path: str, text: str) -> None:
    base, _, query = path.partition("?")
    twin = "/index.json" if base == "/" else f"{base}.json"
    a = client.get(twin + (f"?{query}" if query else ""))
    b = client.get(path + ("&" if query else "?") + "format=json")
    assert a.status_code == b.status_code == 200
    assert a.headers["content-type"] == "application/json"
    assert a.json() == b.json()
    assert text in a.text


# The documented /api/ reads: each answers what its page's .json twin does.
API_READS = [
    "/api/records?kind=dataset",
    "/api/records/acme-chat",
    "/api/search?q=chat",
    "/api/search?q=&kind=model&sort=name",
    "/api/advisories",
    "/api/advisories?name=base-7b",
    "/api/advisories/TEST-2023-0001",
]


@pytest.mark.parametrize("api", API_READS)
def test_api_reads_are_the_pages_data(client: Any, api: str) -> None:
    base, _, query = api.removeprefix("/api").partition("?")
    a, b = client.get(api), client.get(f"{base}.json" + (f"?{query}" if query else ""))
    assert a.status_code == b.status_code == 200, a.text
    assert a.headers["content-type"] == b.headers["content-type"] == "application/json"
    assert a.json() == b.json()


def test_one_view_function_per_page_and_alias(app: Any) -> None:
    """Each page is declared once: its HTML, its ``.json`` twin and its /api/ alias (if any)
    are one route or one function, and the aliases are in the API description."""
    from fastapi.routing import APIRoute

    from umr.web import pages

    routes = [r for r in pages.router.routes if isinstance(r, APIRoute)]
    by_path = {r.path: r for r in routes}
    for api in API_READS:
        api_path = api.split("?")[0].replace("acme-chat", "{name}")
        api_path = api_path.replace("TEST-2023-0001", "{advisory_id}")
        route = by_path[api_path]
        assert route.include_in_schema
        twins = [r for r in routes if r.endpoint is route.endpoint]
        assert len(twins) == 2, [r.path for r in twins]  # the page (with .json) and the alias
        assert api_path in app.openapi()["paths"]
    endpoints = [r.endpoint for r in routes if not r.path.startswith("/api/")]
    assert [e for e in endpoints if endpoints.count(e) > 1] == [pages.home, pages.home]


def test_record_page_shows_everything(client: Any) -> None:
    html = client.get("/records/acme-chat/1.1.0").text
    data = client.get("/records/acme-chat/1.1.0.json").json()
    # provenance: publisher inherited from base? no: acme-chat sets its own; license inherited
    assert any(f["path"] == "license.id" and f["source"] == "base-7b@1.0.0" for f in data["fields"])
    assert "from <a" in html and "base-7b@1.0.0" in html
    # lineage up and down, as a graph and as links
    assert {h["name"] for h in data["upstream"]} >= {"base-7b", "corpus-x", "bench-qa"}
    assert [h["name"] for h in data["downstream"]] == ["acme-chat-q4"]
    assert "<svg" in html and "finetuned_from" in html
    assert 'class="lineage-link" href="/records/base-7b/1.0.0"' in html
    # audit: the corpus advisory reaches through base-7b
    assert [f["advisory"]["id"] for f in data["audit"]["findings"]] == ["TEST-2023-0001"]
    assert "TEST-2023-0001" in html
    # evaluations, risks, versions, downloads in every format
    assert "bench-qa@1" in html and "accuracy" in html and "privacy" in html
    assert [v["version"] for v in data["versions"]] == ["1.1.0", "1.0.0"]
    from umr.formats import available

    assert {d["name"] for d in data["downloads"]} == set(available())
    for name in available():
        assert f'href="/api/records/acme-chat/1.1.0.{name}"' in html


def test_transparency_score_on_page(client: Any) -> None:
    data = client.get("/records/base-7b/1.0.0.json").json()
    card = data["scorecards"][0]
    assert card["score"] == 2 and card["unsupported"] >= 0
    assert "fmti-2023: 2/" in client.get("/records/base-7b/1.0.0").text


def test_search_filters(client: Any) -> None:
    def names(query: str) -> set[str]:
        return {h["name"] for h in client.get(f"/search.json?{query}").json()["hits"]}

    assert names("q=acme") >= {"acme-chat", "acme-chat-q4"}
    assert names("q=&kind=dataset") == {"corpus-x", "bench-qa"}
    assert names("q=&publisher=acme+corp") == {"acme-chat", "acme-chat-q4"}
    assert names("q=&relation=quantized_from") == {"acme-chat-q4"}
    reached = names("q=&advisory=yes")
    assert {"acme-chat", "base-7b", "evil"} <= reached
    assert not {"bench-qa", "corpus-x"} & reached  # corpus-x's latest (2.0.0) is the fix
    assert {"bench-qa", "corpus-x"} <= names("q=&advisory=no")
    assert names("q=acme&advisory=") == names("q=acme&advisory=any") == names("q=acme")
    assert names("q=&advisory=on") == names("q=&advisory=TRUE") == reached


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("advisory=maybe", "advisory='maybe' is not understood; use advisory=yes"),
        ("kind=weights", "kind 'weights' is not one of"),
        ("relation=copied_from", "relation 'copied_from' is not one of"),
    ],
)
def test_search_refuses_filters_it_does_not_understand(client: Any, query: str, says: str) -> None:
    for path in ("/search.json", "/api/search"):
        r = client.get(f"{path}?q=acme&{query}")
        assert r.status_code == 422, (path, r.text)
        assert says in r.json()["error"]["message"]
    page = client.get(f"/search?q=acme&{query}")
    assert page.status_code == 422 and str(escape(says)) in page.text


def test_unknown_addresses_and_methods_say_where_to_look(client: Any) -> None:
    err = client.get("/no/such/page", headers={"accept": "application/json"}).json()["error"]
    assert "/api/docs" in err["hint"] and "/search" in err["hint"]
    r = client.delete("/api/search")
    assert r.status_code == 405 and "/api/docs" in r.json()["error"]["hint"]
    assert r.headers["allow"] == "GET"


def test_browsing_an_unknown_kind_is_refused_like_the_api(client: Any) -> None:
    for path in (
        "/records?kind=weights",
        "/records.json?kind=weights",
        "/api/records?kind=weights",
    ):
        assert client.get(path).status_code == 422, path


def test_diff_form_redirects_to_the_diff_page(client: Any) -> None:
    r = client.get("/records/acme-chat/diff?from=1.0.0&to=1.1.0", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/records/acme-chat/diff/1.0.0/1.1.0"
    changes = client.get(r.headers["location"] + ".json").json()["changes"]
    assert {c["path"] for c in changes} >= {"summary", "risks"}


def test_advisory_page_lists_reached_records(client: Any) -> None:
    data = client.get("/advisories/TEST-2023-0001.json").json()
    reached = {f"{h['name']}@{h['version']}" for h in data["reached"]}
    assert {"base-7b@1.0.0", "acme-chat@1.1.0", "acme-chat-q4@1.0.0"} <= reached


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/records/nope", 404),
        ("/records/nope/1.0.0", 404),
        ("/records/acme-chat/9.9.9", 404),
        ("/records/acme-chat/not-a-version", 400),
        ("/records/Bad..Name", 400),
        ("/advisories/NOPE-1", 404),
        ("/no/such/page", 404),
    ],
)
def test_one_error_page_and_one_error_shape(client: Any, path: str, status: int) -> None:
    html = client.get(path)
    assert html.status_code == status
    assert html.headers["content-type"].startswith("text/html")
    assert f"<h1>{status}:" in html.text
    js = client.get(path, headers={"accept": "application/json"})
    assert js.status_code == status
    err = js.json()["error"]
    assert err["status"] == status and err["message"]


def test_static_files_and_no_external_requests(client: Any) -> None:
    assert client.get("/static/umr.css").status_code == 200
    assert client.get("/static/umr.js").status_code == 200
    html = client.get("/records/acme-chat/1.1.0").text
    assert 'src="http' not in html and 'href="//' not in html
    assert 'rel="stylesheet" href="/static/umr.css"' in html


def test_record_page_caps_downstream_nearest_first(uncached: Any, monkeypatch: Any) -> None:
    from umr.web import views

    client = uncached
    full = client.get("/api/records/base-7b/1.0.0/lineage?direction=down").json()["hits"]
    assert len(full) >= 2 and max(h["depth"] for h in full) >= 2
    page = client.get("/records/base-7b/1.0.0.json").json()
    assert [h["name"] for h in page["downstream"]] == [h["name"] for h in full]
    assert page["extras"]["downstream_truncated"] is False
    monkeypatch.setattr(views, "PAGE_DOWNSTREAM", 1)
    page = client.get("/records/base-7b/1.0.0.json").json()
    assert [h["name"] for h in page["downstream"]] == [full[0]["name"]]
    assert page["extras"]["downstream_truncated"] is True
    html = client.get("/records/base-7b/1.0.0").text
    assert "the nearest 1 shown" in html and "lineage?direction=down</code> lists them all" in html


@pytest.mark.parametrize(
    "path",
    [
        "/records/acme-chat/1.1.0",
        "/search?q=chat&advisory=yes",
        "/api/records/acme-chat/1.1.0/lineage",
        "/records/acme-chat/feed.atom",
    ],
)
def test_a_request_reads_in_one_transaction(uncached: Any, path: str) -> None:
    from sqlalchemy import event

    client = uncached
    engine = client.app.state.registry.engine
    begins: list[object] = []

    def count(conn: Any) -> None:
        begins.append(conn)

    event.listen(engine, "begin", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "begin", count)
    assert len(begins) == 1, f"{path} opened {len(begins)} transactions"


def test_record_page_shows_aliases_and_a_month_date(client: Any) -> None:
    html = client.get("/records/base-7b/1.0.0").text
    assert "<dt>Also known as</dt><dd><code>hf:foundation/base-7b</code>, " in html
    assert "<dt>Released</dt><dd>2023-01" in html
    data = client.get("/records/base-7b/1.0.0.json").json()
    assert data["record"]["aliases"] == ["hf:foundation/base-7b", "hf:foundation/base-7b-old-name"]


def test_typos_get_suggestions(client: Any) -> None:
    r = client.get("/records/corpusx", headers={"accept": "application/json"})
    assert r.status_code == 404
    assert "did you mean 'corpus-x'?" in r.json()["error"]["message"]
    assert "did you mean" in client.get("/records/corpusx").text
    data = client.get("/search.json?q=corpux").json()
    assert data["count"] == 0 and data["suggestions"] == ["corpus-x"]
    assert 'href="/records/corpus-x"' in client.get("/search?q=corpux").text


def test_versions_are_marked_and_withdrawn_versions_say_so(client: Any) -> None:
    listing = client.get("/records/corpus-x.json").json()
    marks = {v["version"]: v["marks"] for v in listing["versions"]}
    assert marks == {
        "2.0.0": ["latest", "fixed for TEST-2023-0001"],
        "1.0.0": ["affected by TEST-2023-0001", "superseded by corpus-x@2.0.0"],
    }
    assert "affected: TEST-2023-0001" in client.get("/records/corpus-x").text
    old = client.get("/records/corpus-x/1.0.0").text
    assert "Withdrawn:" in old and "superseded by" in old
    assert "Withdrawn:" not in client.get("/records/corpus-x/2.0.0").text


def test_impact_page_groups_filters_and_pages(client: Any) -> None:
    data = client.get("/impact/corpus-x.json?range=<2").json()
    assert data["versions"] == ["1.0.0"] and data["total"] == data["direct"] + data["transitive"]
    assert data["kinds"] == {"model": data["total"]}
    names = {r["name"] for r in data["records"]}
    assert {"base-7b", "acme-chat", "acme-chat-q4"} <= names
    direct = client.get("/impact/corpus-x.json?range=<2&scope=direct").json()
    assert direct["matching"] == data["direct"]
    assert all(r["depth"] == 1 for r in direct["records"])
    far = next(r for r in data["records"] if r["name"] == "acme-chat-q4")
    assert far["path_text"].startswith("acme-chat-q4@1.0.0 -quantized_from-> ")
    assert far["path_text"].endswith(" corpus-x@1.0.0")  # record first, back to corpus-x
    assert client.get("/impact/corpus-x.json?kind=dataset").json()["records"] == []
    assert client.get("/impact/corpus-x.json?scope=sideways").status_code == 422
    html = client.get("/impact/corpus-x?range=<2").text
    assert "acme-chat-q4" in html and 'name="scope"' in html and "through 2 records" in html
    assert client.get("/impact/nope").status_code == 404


def test_record_page_marks_inherited_text(tmp_path: Any) -> None:
    from fastapi.testclient import TestClient

    from umr.registry import Registry
    from umr.spec import Record
    from umr.web.app import create_app

    url = f"sqlite:///{tmp_path / 'r.db'}"
    with Registry(url) as reg:
        base = {"umr": 1, "name": "sd", "version": "1.0.0", "kind": "model"}
        reg.publish(
            [
                Record.from_dict(base | {"description": "Released by Runway in 2022."}),
                Record.from_dict(
                    {
                        "umr": 1,
                        "name": "lora",
                        "version": "1.0.0",
                        "kind": "model",
                        "inherits": "sd@1",
                        "upstream": [{"ref": "sd@1", "relation": "adapter_of"}],
                    }
                ),
            ]
        )
    with TestClient(create_app(url)) as c:
        html = c.get("/records/lora/1.0.0").text
        description = html.split('id="description"', 1)[1].split("</section>", 1)[0]
        assert "Inherited from" in description and 'href="/records/sd/1.0.0"' in description
        assert "Released by Runway" in description
        own = c.get("/records/sd/1.0.0").text.split('id="description"', 1)[1]
        assert "Inherited from" not in own.split("</section>", 1)[0]


def test_audit_on_the_record_page_names_each_record_of_the_route(client: Any) -> None:
    audit = client.get("/records/acme-chat-q4/1.0.0").text.split('id="audit"', 1)[1]
    audit = audit.split("</section>", 1)[0]
    for ref in ("acme-chat-q4@1.0.0", "corpus-x@1.0.0"):
        name, version = ref.split("@")
        assert f'href="/records/{name}/{version}"' in audit, ref
    assert "Fixed in" in audit and 'href="/records/corpus-x/2.0.0"' in audit


def test_lists_carry_advisory_badges_and_sort(client: Any) -> None:
    hits = client.get("/search.json?q=acme").json()["hits"]
    marked = {h["name"]: [a["id"] for a in h["advisories"]] for h in hits}
    assert marked["acme-chat-q4"] == ["TEST-2023-0001"]
    first = client.get("/search.json?q=a&sort=advisories").json()["hits"]
    reached = [bool(h["advisories"]) for h in first]
    assert reached == sorted(reached, reverse=True) and reached[0]
    by_name = [h["name"] for h in client.get("/search.json?q=a&sort=name").json()["hits"]]
    assert by_name == sorted(by_name)
    assert client.get("/search.json?q=a&sort=sideways").status_code == 422
    rows = client.get("/records.json").json()["records"]
    assert any(r["advisories"] for r in rows) and all("advisories" in r for r in rows)
    assert 'href="/advisories/TEST-2023-0001"' in client.get("/records").text
