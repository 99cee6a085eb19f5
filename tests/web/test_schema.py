"""schemathesis against /openapi.json: no 5xx, and every response matches its schema
(status code, content type, body). Examples are bounded so this runs in seconds."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from support import need_module

CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
EXAMPLES = 15


def test_api_conforms_to_its_schema(app: Any) -> None:
    need_module("schemathesis", "dev")
    import schemathesis
    from schemathesis import checks

    selected = [getattr(checks, name) for name in CHECK_NAMES]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 15
    failures: list[str] = []
    for op in operations:

        @given(case=op.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(checks=selected)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{op.label}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_openapi_describes_the_api(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/records",
        "/api/records/{name}",
        "/api/records/{name}/{version}",
        "/api/records/{name}/{version}.{format}",
        "/api/records/{name}/{version}/lineage",
        "/api/records/{name}/{version}/audit",
        "/api/impact/{name}",
        "/api/search",
        "/api/advisories",
        "/api/advisories/{advisory_id}",
    } <= paths
    assert all(p.startswith("/api/") for p in paths)


@pytest.mark.parametrize("path", ["/api/records", "/api/search", "/api/advisories"])
def test_error_responses_are_documented(client: Any, path: str) -> None:
    spec = client.get("/openapi.json").json()
    ops = spec["paths"][path]
    for op in ops.values():
        assert {"400", "404", "422"} <= set(op["responses"])


@pytest.mark.parametrize(
    ("template", "url"),
    [
        ("/api/records/{name}", "/api/records/corpus-x"),
        ("/api/records/{name}/{version}/lineage", "/api/records/acme-chat/1.1.0/lineage"),
        (
            "/api/records/{name}/{version}/lineage",
            "/api/records/corpus-x/1.0.0/lineage?direction=down&paths=true",
        ),
        ("/api/records/{name}/{version}/audit", "/api/records/acme-chat-q4/1.0.0/audit"),
        ("/api/records/{name}/{version}/audit", "/api/records/corpus-x/2.0.0/audit"),
        ("/api/impact/{name}", "/api/impact/corpus-x?range=<2&limit=2"),
        ("/api/advisories/{advisory_id}", "/api/advisories/TEST-2023-0001"),
    ],
)
def test_answers_match_the_response_schemas(client: Any, template: str, url: str) -> None:
    """/openapi.json describes what these routes answer, and real answers match it."""
    need_module("jsonschema", "dev")
    import jsonschema

    spec = client.get("/openapi.json").json()
    schema = spec["paths"][template]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    assert schema["required"]  # a real description, not an empty object
    answer = client.get(url)
    assert answer.status_code == 200, answer.text
    jsonschema.validate(answer.json(), schema)
