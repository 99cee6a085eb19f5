"""The cyclic GC is process-wide: library calls leave it alone; the CLI pauses it around a
whole command (except serve and unlearn), and the bench scripts around what they time."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from click.testing import CliRunner

from umr.cli import app

RECORDS = (
    "umr: 1\nname: base-m\nversion: 1.0.0\nkind: model\n",
    "umr: 1\nname: child-m\nversion: 1.0.0\nkind: model\ninherits: base-m@^1\n"
    "upstream: [{ref: base-m@^1, relation: finetuned_from}]\n",
)


@pytest.fixture
def disables(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = gc.disable

    def disable() -> None:
        calls.append("disable")
        real()

    monkeypatch.setattr(gc, "disable", disable)
    return calls


def test_library_calls_leave_the_collector_running(tmp_path: Path, disables: list[str]) -> None:
    from umr.registry import Registry
    from umr.spec.check import validate_paths

    for i, text in enumerate(RECORDS):
        (tmp_path / f"r{i}.yaml").write_text(text)
    assert validate_paths([tmp_path]).ok
    with Registry(f"sqlite:///{tmp_path / 'r.db'}") as reg:
        reg.publish([tmp_path])
        assert [h.id for h in reg.lineage("child-m@1.0.0")] == ["base-m@1.0.0"]
        assert len(reg.impact("base-m")) == 1
        reg.resolve("child-m@1.0.0")
        reg.audit("child-m@1.0.0")
    assert disables == [] and gc.isenabled()


def test_a_command_runs_in_one_pause_and_restores_the_collector(
    tmp_path: Path, disables: list[str]
) -> None:
    (tmp_path / "r.yaml").write_text(RECORDS[0])
    result = CliRunner().invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert disables == ["disable"] and gc.isenabled()
    result = CliRunner().invoke(app, ["unlearn", "--help"])
    assert result.exit_code == 0 and disables == ["disable"]  # unlearn keeps it running


def test_pauses_overlap_and_restore_the_collector() -> None:
    from umr._gc import gc_paused

    assert gc.isenabled()
    first, second = gc_paused(), gc_paused()
    first.__enter__()
    second.__enter__()  # a second thread pausing while the first is paused
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the second is still inside its pause
    second.__exit__(None, None, None)
    assert gc.isenabled()
