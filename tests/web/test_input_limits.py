"""Request bodies meet the record files' limits and text policy, and error answers speak in the
API's terms: a stable code, the field, a hint; never a server path or a Python class name."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest

CODES = {
    "invalid",
    "not_found",
    "bad_request",
    "unauthorized",
    "forbidden",
    "conflict",
    "too_large",
}
INTERNALS = ("Error:", "Error'", "Exception", "Traceback", "sqlite", ".db", "/tmp", "site-packages")


def record(**fields: Any) -> dict[str, Any]:
    return {"umr": 1, "name": "probe", "version": "1.0.0", "kind": "model", **fields}


def post(client: Any, make_token: Any, path: str, body: str) -> Any:
    token = make_token(client, "publish:*", "advisory:*")
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    return client.post(path, content=body.encode("utf-8", "surrogatepass"), headers=headers)


def assert_public(answer: Any) -> dict[str, Any]:
    error: dict[str, Any] = answer.json()["error"]
    assert error["type"] in CODES
    text = answer.text
    assert not any(word in text for word in INTERNALS), text
    return error


DEEP = '{"umr": 1, "name": "probe", "version": "1.0.0", "kind": "model", "extensions": {"x": '
BAD_BODIES = [
    (
        json.dumps(record(evaluations=[{"benchmark": "b", "metric": "m", "value": "v"}])).replace(
            '"v"', "NaN"
        ),
        "evaluations[0].value",
        "'NaN' is not a finite number",
    ),
    (
        json.dumps(record(extensions={"lab": {"x": 1}})).replace("1}", "Infinity}"),
        "extensions.lab.x",
        "'Infinity' is not a finite number",
    ),
    # a body may nest two levels more than a record ({"records": [...]} around each)
    (DEEP + "[" * 900 + "]" * 900 + "}}", "", "nested deeper than 66 levels"),
    (json.dumps(record(title="a\u202eb")), "title", "bidirectional control U+202E"),
    ('{"umr": 1, "name": "probe", "title": "\\ud800"}', "title", "lone surrogate"),
    (
        json.dumps(record(artifacts=[{"uri": "https://x.org/w", "size": 10**4000}])),
        "artifacts[0].size",
        "number of 4,001 characters",
    ),
    ('{"umr": 1, "umr": 1}', "umr", "duplicate key 'umr'"),
    (json.dumps(record(**{"str": 1})), "str", "unknown field 'str'"),  # a pydantic type name
    (json.dumps(record(**{"a[b": 1})), "a[b", "unknown field 'a[b'"),
]


@pytest.mark.parametrize(("body", "path", "message"), BAD_BODIES)
def test_bad_record_bodies_are_422_naming_the_field(
    fresh: Any, make_token: Any, body: str, path: str, message: str
) -> None:
    answer = post(fresh, make_token, "/api/records", body)
    assert answer.status_code == 422
    error = assert_public(answer)
    (problem,) = error["problems"]
    assert problem["path"] == path and message in problem["message"]
    assert problem["source"] in ("<body>", "<body>[0]")
    assert fresh.get("/api/records/probe").status_code == 404  # nothing stored


def test_a_body_over_the_size_limit_is_refused(fresh: Any, make_token: Any) -> None:
    body = json.dumps(record(description="x" * (10 * 1024 * 1024)))
    answer = post(fresh, make_token, "/api/records", body)
    assert answer.status_code in (413, 422)  # refused by size, whichever layer sees it first
    assert_public(answer)
    assert fresh.get("/api/records/probe").status_code == 404


def test_syntax_errors_are_located(fresh: Any, make_token: Any) -> None:
    answer = post(fresh, make_token, "/api/records", '{"umr": 1,\n "name" "x"}')
    assert answer.status_code == 422
    (problem,) = assert_public(answer)["problems"]
    assert (problem["line"], problem["column"]) == (2, 9)


def test_a_noncharacter_in_an_advisory_never_reaches_the_feed(fresh: Any, make_token: Any) -> None:
    advisory = {
        "id": "TEST-2024-0100",
        "summary": "Leaks \ufffe answers",
        "severity": "low",
        "affected": [{"name": "bench-qa", "versions": "*"}],
    }
    answer = post(fresh, make_token, "/api/advisories", json.dumps(advisory, ensure_ascii=False))
    assert answer.status_code == 422
    (problem,) = assert_public(answer)["problems"]
    assert problem["path"] == "summary" and "noncharacter U+FFFE" in problem["message"]
    ET.fromstring(fresh.get("/feed.atom").content)  # still well-formed XML


def test_an_odd_unlearning_section_still_renders(fresh: Any, make_token: Any) -> None:
    body = record(extensions={"unlearning": {"forget": {"sha256": 12345, "size": "many"}}})
    assert post(fresh, make_token, "/api/records", json.dumps(body)).status_code == 201
    for path in ("/records/probe/1.0.0", "/api/records/probe/1.0.0.html"):
        answer = fresh.get(path)
        assert answer.status_code == 200, path
        assert "an unstated number of" in answer.text


@pytest.mark.parametrize(
    "path",
    [
        "/api/impact/nobody",
        "/api/records/nobody/1.0.0",
        "/api/records/nobody/1.0.0/lineage",
        "/api/records/base-7b/9.9.9/audit",
        "/api/records/base-7b/not-a-version",
        "/api/impact/base-7b?range=%3E%3E%3E1",
        "/api/records/base-7b/1.0.0.nope",
        "/api/search?kind=robot",
        "/api/records/UPPER",
    ],
)
def test_error_answers_name_no_server_internals(client: Any, path: str) -> None:
    answer = client.get(path)
    assert 400 <= answer.status_code < 500
    assert_public(answer)


def test_a_failing_renderer_is_a_logged_500_that_names_nothing_inside(
    uncached: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import umr.formats as formats

    def broken(ctx: object) -> bytes:
        raise KeyError("no such template field")

    formats.available()
    monkeypatch.setitem(
        formats._FORMATS,
        "broken",
        formats.Format(
            name="broken", render=broken, media_type="text/plain", suffix=".txt", description="x"
        ),
    )
    answer = uncached.get("/api/records/base-7b/1.0.0.broken")
    assert answer.status_code == 500
    assert answer.json()["error"] == {
        "status": 500,
        "type": "internal",
        "message": "internal error; see the server log",
        "hint": None,
        "problems": [],
    }
    assert "the 'broken' renderer failed (KeyError" in caplog.text  # the log has it all


def test_a_batch_body_holds_each_record_to_the_record_limits(fresh: Any, make_token: Any) -> None:
    def nested(depth: int) -> Any:
        value: Any = "leaf"
        for _ in range(depth):
            value = [value]
        return value

    # 63 levels under 'extensions.x' is the deepest a record file may go; two more levels of
    # '{"records": [...]}' around it are the batch's, not the record's
    deepest = record(name="deepest", extensions={"x": nested(62)})
    answer = post(fresh, make_token, "/api/records", json.dumps({"records": [deepest]}))
    assert answer.status_code == 201, answer.text
    too_deep = record(name="too-deep", extensions={"x": nested(63)})
    answer = post(fresh, make_token, "/api/records", json.dumps(too_deep))  # the body allows it
    assert answer.status_code == 422
    (problem,) = assert_public(answer)["problems"]
    assert problem["source"] == "<body>[0]" and "nested deeper than 64" in problem["message"]
