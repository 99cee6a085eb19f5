"""The SemVer rule for records: what each kind of change asks for."""

from __future__ import annotations

from typing import Any

import pytest

from umr.spec import Record, Version, bump_level, diff, next_version

BASE: dict[str, Any] = {
    "umr": 1,
    "name": "m",
    "version": "1.4.2",
    "kind": "model",
    "title": "M",
    "summary": "s",
    "license": {"id": "mit"},
    "upstream": [{"ref": "d@^1", "relation": "trained_on"}],
    "artifacts": [{"uri": "hf://a/b", "sha256": "0" * 64}],
    "evaluations": [{"benchmark": "b", "metric": "acc", "value": 0.5}],
}


def changed(**edits: Any) -> Record:
    data = {**BASE, **edits}
    return Record.from_dict({k: v for k, v in data.items() if v is not ...})


@pytest.mark.parametrize(
    ("edits", "level"),
    [
        ({"summary": "better words"}, "patch"),
        ({"title": "M v2"}, "patch"),
        ({"tags": ["new"]}, "minor"),
        (
            {"evaluations": [*BASE["evaluations"], {"benchmark": "c", "metric": "f1", "value": 1}]},
            "minor",
        ),
        ({"evaluations": [{"benchmark": "b", "metric": "acc", "value": 0.55}]}, "minor"),
        ({"license": {"id": "apache-2.0"}}, "major"),
        ({"upstream": [{"ref": "d@^2", "relation": "trained_on"}]}, "major"),
        ({"inherits": "base"}, "major"),
        ({"artifacts": [{"uri": "hf://a/b", "sha256": "1" * 64}]}, "major"),
        ({"artifacts": [*BASE["artifacts"], {"uri": "hf://a/c"}]}, "minor"),
        ({"kind": "system"}, "major"),
        ({"summary": ...}, "major"),
        ({}, None),
    ],
)
def test_bump_levels(edits: dict[str, Any], level: str | None) -> None:
    changes = diff(Record.from_dict(BASE), changed(**edits))
    assert bump_level(changes) == level
    expected = {None: None, "patch": "1.4.3", "minor": "1.5.0", "major": "2.0.0"}[level]
    got = next_version(Version.parse("1.4.2"), changes)
    assert (str(got) if got else None) == expected
