"""Fixture files: every valid record round-trips; every invalid input fails with its message.

Each ``invalid/<case>`` (a file, or a folder of files for cross-record rules) sits beside
``<case>.expected``: the exact problem lines ``umr validate`` prints, with paths relative to
the invalid/ folder. Regenerate with ``UMR_REGEN_GOLDEN=1 pytest tests/spec/test_fixtures.py``
and read the diff before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from umr.spec import Workspace, dump_yaml, load_record, load_yaml, parse_record, resolve
from umr.spec.check import validate_paths

HERE = Path(__file__).resolve().parent.parent / "fixtures" / "records"
VALID = sorted((HERE / "valid").glob("*.yaml"))
INVALID = sorted(p for p in (HERE / "invalid").iterdir() if p.suffix != ".expected")
REGEN = os.environ.get("UMR_REGEN_GOLDEN") == "1"


def test_fixture_counts() -> None:
    assert len(VALID) >= 8
    assert len(INVALID) >= 30


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_round_trip(path: Path) -> None:
    record = load_record(path)
    dumped = dump_yaml(record.to_dict())
    again = parse_record(load_yaml(dumped)[0])
    assert again == record
    assert again.to_dict() == record.to_dict()
    assert list(again.to_dict()) == list(load_yaml(path.read_text(encoding="utf-8"))[0])


def test_valid_folder_validates_and_resolves() -> None:
    report = validate_paths([HERE / "valid"])
    assert [str(p) for p in report.problems] == []
    assert len(report.records) == len(VALID)
    ws = Workspace(HERE / "valid")
    for record in ws.records():
        resolved = resolve(record, ws)
        assert resolved.record.id == record.id  # validates the merged record
        assert set(resolved.provenance.values()) <= {record.id, *resolved.chain}


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_invalid_fixture_message(case: Path) -> None:
    report = validate_paths([case])
    assert not report.ok, f"{case.name} should be invalid"
    base = str(HERE / "invalid") + os.sep
    got = "\n".join(str(p).replace(base, "") for p in report.problems) + "\n"
    expected_file = case.with_name(case.name + ".expected")
    if REGEN or not expected_file.exists():
        expected_file.write_text(got, encoding="utf-8")
        if not REGEN:
            pytest.fail(f"wrote missing {expected_file.name}; review it and commit")
    assert got == expected_file.read_text(encoding="utf-8")
