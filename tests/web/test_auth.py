"""Writes need a bearer token whose scope covers every name; each write is logged."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import sqlalchemy as sa

NEW = {
    "umr": 1,
    "name": "acme-tiny",
    "version": "1.0.0",
    "kind": "model",
    "title": "Acme Tiny",
    "upstream": [{"ref": "base-7b@^1", "relation": "distilled_from"}],
}
ADVISORY = {
    "id": "TEST-2024-0009",
    "summary": "Bench QA leaks answers",
    "severity": "medium",
    "published": "2024-02-01",
    "affected": [{"name": "bench-qa", "versions": "*"}],
}


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


WRITES = [
    ("post", "/api/records", NEW),
    ("post", "/api/records/acme-chat/1.0.0/yank", {"reason": "superseded"}),
    ("post", "/api/advisories", ADVISORY),
    ("post", "/api/advisories/TEST-2023-0001/fix", {"name": "corpus-x", "version": "2.0.0"}),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_no_token_is_401(client: Any, method: str, path: str, body: Any) -> None:
    r = client.request(method, path, json=body)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json()["error"]["type"] == "unauthorized"


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
@pytest.mark.parametrize(
    "forged",
    [
        "umr_0123456789abcdef_" + "A" * 43,
        "Basic dXNlcjpwYXNz",
        "umr_../../etc/passwd",
        "",
        "x" * 5000,
    ],
)
def test_forged_token_is_401(client: Any, method: str, path: str, body: Any, forged: str) -> None:
    r = client.request(method, path, json=body, headers=auth(forged))
    assert r.status_code == 401


def test_tampered_real_token_is_401(fresh: Any, make_token: Any) -> None:
    real = make_token(fresh, "publish:*")
    tampered = real[:-1] + ("A" if real[-1] != "A" else "B")
    assert fresh.post("/api/records", json=NEW, headers=auth(tampered)).status_code == 401
    other_id = "umr_" + "f" * 16 + real[20:]
    assert fresh.post("/api/records", json=NEW, headers=auth(other_id)).status_code == 401


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_other_scope_is_403(fresh: Any, make_token: Any, method: str, path: str, body: Any) -> None:
    t = make_token(fresh, "publish:other-*", "advisory:other-*")
    r = fresh.request(method, path, json=body, headers=auth(t))
    assert r.status_code == 403
    assert "may not" in r.json()["error"]["message"]


def test_publish_with_scope_then_visible_and_logged(fresh: Any, make_token: Any) -> None:
    t = make_token(fresh, "publish:acme-*", label="acme CI")
    r = fresh.post("/api/records", json=NEW, headers=auth(t))
    assert r.status_code == 201, r.text
    assert r.json()["published"] == ["acme-tiny@1.0.0"]
    again = fresh.post("/api/records", json={"records": [NEW]}, headers=auth(t))
    assert again.status_code == 200 and again.json()["unchanged"] == ["acme-tiny@1.0.0"]
    changed = {**NEW, "title": "Different"}
    conflict = fresh.post("/api/records", json=[changed], headers=auth(t))
    assert conflict.status_code == 409
    assert fresh.get("/records/acme-tiny/1.0.0").status_code == 200
    (entry,) = fresh.app.state.tokens.writes()
    assert entry["label"] == "acme CI" and entry["action"] == "publish"
    assert entry["target"] == "acme-tiny@1.0.0" and entry["at"]


def test_batch_with_one_name_out_of_scope_publishes_nothing(fresh: Any, make_token: Any) -> None:
    t = make_token(fresh, "publish:acme-*")
    other = {**NEW, "name": "foundation-x"}
    assert fresh.post("/api/records", json=[NEW, other], headers=auth(t)).status_code == 403
    assert fresh.get("/api/records/acme-tiny").status_code == 404


def test_invalid_record_is_422_with_problems(fresh: Any, make_token: Any) -> None:
    t = make_token(fresh, "publish:*")
    bad = {**NEW, "kind": "robot", "surprise": 1}
    r = fresh.post("/api/records", json=bad, headers=auth(t))
    assert r.status_code == 422
    paths = {p["path"] for p in r.json()["error"]["problems"]}
    assert {"kind", "surprise"} <= {p.split("[")[0] for p in paths}


def test_yank(fresh: Any, make_token: Any) -> None:
    t = make_token(fresh, "publish:acme-chat")
    r = fresh.post("/api/records/acme-chat/1.1.0/yank", json={"reason": "bad"}, headers=auth(t))
    assert r.status_code == 200
    assert fresh.get("/api/records/acme-chat").json()["latest"] == "1.0.0"
    page = fresh.get("/records/acme-chat/1.1.0")
    assert page.status_code == 200 and "yanked" in page.text
    empty = fresh.post("/api/records/acme-chat/1.0.0/yank", json={}, headers=auth(t))
    assert empty.status_code == 422


def test_advisory_add_and_fix(fresh: Any, make_token: Any) -> None:
    t = make_token(fresh, "advisory:*")
    assert fresh.post("/api/advisories", json=ADVISORY, headers=auth(t)).status_code == 201
    report = fresh.get("/api/records/acme-chat/1.1.0/audit").json()
    assert "TEST-2024-0009" in {f["advisory"]["id"] for f in report["findings"]}
    bad = fresh.post("/api/advisories", json={**ADVISORY, "severity": "dire"}, headers=auth(t))
    assert bad.status_code == 422
    # bench-qa@1.0.0 is itself affected: not a fix unless forced, with a reason that is kept
    refused = fresh.post(
        "/api/advisories/TEST-2024-0009/fix",
        json={"name": "bench-qa", "version": "1.0.0"},
        headers=auth(t),
    )
    assert refused.status_code == 409 and "not a fix" in refused.json()["error"]["message"]
    fix = fresh.post(
        "/api/advisories/TEST-2024-0009/fix",
        json={"name": "bench-qa", "version": "1.0.0", "force": True, "reason": "re-scored"},
        headers=auth(t),
    )
    assert fix.status_code == 200
    assert [w["action"] for w in fresh.app.state.tokens.writes()] == [
        "advisory fix",
        "advisory add",
    ]
    # the same fix again changes nothing, and logs nothing
    again = fresh.post(
        "/api/advisories/TEST-2024-0009/fix",
        json={"name": "bench-qa", "version": "1.0.0", "force": True, "reason": "re-scored"},
        headers=auth(t),
    )
    assert again.status_code == 200 and len(fresh.app.state.tokens.writes()) == 2


def test_tokens_are_stored_hashed(fresh: Any, make_token: Any) -> None:
    text = make_token(fresh, "publish:x")
    store = fresh.app.state.tokens
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("select id, digest, scopes from umr_web_tokens")).all()
    ((_, digest, scopes),) = rows
    secret = text.split("_", 2)[2]
    assert digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(rows) and scopes == "publish:x"


def test_bad_scopes_are_refused(fresh: Any) -> None:
    from umr.errors import AuthError

    for scope in ("publish", "delete:*", "publish:../x", "publish:A*"):
        with pytest.raises(AuthError, match="ACTION:GLOB"):
            fresh.app.state.tokens.create([scope])


def test_revoked_token_is_401(fresh: Any, make_token: Any) -> None:
    text = make_token(fresh, "publish:*")
    fresh.app.state.tokens.revoke(text.split("_")[1])
    assert fresh.post("/api/records", json=NEW, headers=auth(text)).status_code == 401


@pytest.mark.postgres
def test_server_processes_starting_at_once_all_start(pg_server: Any) -> None:
    # PostgreSQL fails one of two concurrent CREATE TABLEs of one name: the token tables are
    # created by the registry's migrations, under their lock, so a multi-worker server's
    # processes all start
    import threading

    from umr.registry import Registry
    from umr.registry.tokens import TokenStore

    def start(url: str, barrier: threading.Barrier, failed: list[BaseException]) -> None:
        barrier.wait()
        try:
            with Registry(url) as reg:
                TokenStore.for_registry(reg).listing()
        except Exception as exc:
            failed.append(exc)

    for _ in range(3):
        url = pg_server.create_database()
        barrier = threading.Barrier(4)
        failed: list[BaseException] = []
        threads = [threading.Thread(target=start, args=(url, barrier, failed)) for _ in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert failed == []


def test_an_artifact_link_that_attacks_is_refused_naming_the_field(
    fresh: Any, make_token: Any
) -> None:
    t = make_token(fresh, "publish:*")
    for uri in ("javascript://alert(1)", "data://text/html,x", "vbscript://x"):
        bad = {**NEW, "artifacts": [{"uri": "hf://a/b"}, {"uri": uri}]}
        r = fresh.post("/api/records", json=bad, headers=auth(t))
        assert r.status_code == 422
        (problem,) = r.json()["error"]["problems"]
        assert problem["path"] == "artifacts[1].uri" and "may use only https" in problem["message"]


def test_an_owner_cannot_silence_an_advisory_over_http(fresh: Any, make_token: Any) -> None:
    """A token with only ``publish:`` scope on the affected name cannot force its affected
    version fixed; an advisory body's fixed entries meet the rules of ``/fix``."""
    author = make_token(fresh, "advisory:*")
    assert fresh.post("/api/advisories", json=ADVISORY, headers=auth(author)).status_code == 201
    owner = make_token(fresh, "publish:bench-qa")
    forced = {"name": "bench-qa", "version": "1.0.0", "force": True, "reason": "we say so"}
    r = fresh.post("/api/advisories/TEST-2024-0009/fix", json=forced, headers=auth(owner))
    assert r.status_code == 403 and "never an affected one" in r.json()["error"]["message"]
    assert not fresh.get("/api/records/acme-chat/1.1.0/audit").json()["ok"]
    for version, status in (("7.0.0", 404), ("1.0.0", 409)):
        body = {**ADVISORY, "fixed": [{"name": "bench-qa", "version": version}]}
        r = fresh.post("/api/advisories", json=body, headers=auth(author))
        assert r.status_code == status, r.text
    assert fresh.get("/api/advisories/TEST-2024-0009").json()["advisory"].get("fixed") in (
        None,
        [],
    )
