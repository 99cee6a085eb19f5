"""Record and advisory builders for the registry tests."""

from __future__ import annotations

from typing import Any

from umr.spec import Record


def rec(ident: str, kind: str = "model", **fields: Any) -> Record:
    """``rec("a@1.0.0", upstream=[("b@^1", "trained_on")], title="A")``; an upstream entry may
    also be a mapping (``{"ref": ..., "relation": ..., "uncertain": True}``)."""
    name, _, version = ident.partition("@")
    data: dict[str, Any] = {"umr": 1, "name": name, "version": version or "1.0.0", "kind": kind}
    ups = fields.pop("upstream", None)
    if ups:
        data["upstream"] = [
            u if isinstance(u, dict) else {"ref": u[0], "relation": u[1]} for u in ups
        ]
    data.update(fields)
    return Record.from_dict(data)


def advisory(
    ident: str, name: str, versions: str = "*", severity: str = "high", **extra: Any
) -> dict[str, Any]:
    return {
        "id": ident,
        "summary": f"{name} is bad",
        "severity": severity,
        "published": "2024-01-02",
        "affected": [{"name": name, "versions": versions}],
        **extra,
    }
