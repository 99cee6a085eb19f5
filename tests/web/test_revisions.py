"""Advisory history and withdrawal through the API, the page and the feeds."""

from __future__ import annotations

from typing import Any

from web.test_auth import auth

ADVISORY = {
    "id": "TEST-2024-0010",
    "summary": "Corpus X 2 mislabels",
    "severity": "low",
    "published": "2024-03-01",
    "affected": [{"name": "corpus-x", "versions": "*"}],
}


def test_history_withdraw_page_and_feeds(fresh: Any, make_token: Any) -> None:
    author = make_token(fresh, "advisory:corpus-*", label="corpus team")
    narrow = make_token(fresh, "advisory:acme-*", "publish:acme-*")
    assert fresh.post("/api/advisories", json=ADVISORY, headers=auth(author)).status_code == 201
    # a narrow token cannot replace it with one affecting only its own record
    hijack = {**ADVISORY, "affected": [{"name": "acme-chat", "versions": "*"}]}
    r = fresh.post("/api/advisories", json=hijack, headers=auth(narrow))
    assert r.status_code == 403 and "corpus-x" in r.json()["error"]["message"]
    changed = {**ADVISORY, "severity": "high"}
    assert fresh.post("/api/advisories", json=changed, headers=auth(author)).status_code == 201
    history = fresh.get("/api/advisories/TEST-2024-0010/history").json()
    assert [(r["rev"], r["action"], r["changed"]) for r in history["revisions"]] == [
        (1, "create", ["id", "summary", "severity", "published", "affected"]),
        (2, "modify", ["severity"]),
    ]
    assert history["revisions"][1]["actor"].endswith("(corpus team)")
    page = fresh.get("/advisories/TEST-2024-0010")
    assert "Modified" in page.text and "Revisions" in page.text
    no_reason = fresh.post("/api/advisories/TEST-2024-0010/withdraw", json={}, headers=auth(author))
    assert no_reason.status_code == 422
    forbidden = fresh.post(
        "/api/advisories/TEST-2024-0010/withdraw", json={"reason": "x"}, headers=auth(narrow)
    )
    assert forbidden.status_code == 403
    done = fresh.post(
        "/api/advisories/TEST-2024-0010/withdraw",
        json={"reason": "labels were re-checked"},
        headers=auth(author),
    )
    assert done.status_code == 200 and done.json()["reason"] == "labels were re-checked"
    page = fresh.get("/advisories/TEST-2024-0010")
    assert "withdrawn" in page.text and "labels were re-checked" in page.text
    listing = fresh.get("/advisories")
    assert "withdrawn" in listing.text
    feed = fresh.get("/feed.atom").text
    assert "[withdrawn] [high] TEST-2024-0010" in feed and "labels were re-checked" in feed
    record_feed = fresh.get("/records/acme-chat/feed.atom").text
    assert "[withdrawn] [high] TEST-2024-0010" in record_feed
    audit = fresh.get("/api/records/acme-chat/1.1.0/audit").json()
    assert "TEST-2024-0010" not in {f["advisory"]["id"] for f in audit["findings"]}
    actions = [w["action"] for w in fresh.app.state.tokens.writes()]
    assert actions == ["advisory withdraw", "advisory add", "advisory add"]
