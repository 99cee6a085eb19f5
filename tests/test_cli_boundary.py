"""The CLI's error boundary and its reading of the current folder.

- Hostile input files fail with a located message and exit status 1 or 2, never a crash (run
  as real processes, so a segfault would show as one) and never a traceback.
- The current folder is read as a workspace only when it holds ``.umr/`` (or is named); a
  hostile file there changes neither the exit status nor the output of any command, and when
  the folder is read the file is skipped with a warning on stderr.
- An unexpected fault prints one line and a hint, exit status 70; ``--debug`` shows it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from umr.cli import INTERNAL_ERROR, app

NESTED = "umr: 1\nname: d\nversion: 1.0.0\nkind: model\nextensions:\n  x: " + "[" * 25_000
RECORD = "umr: 1\nname: {name}\nversion: 1.0.0\nkind: model\ntitle: {name}\n"


def _umr(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UMR_REGISTRY": f"sqlite:///{cwd / 'registry.db'}"}
    return subprocess.run(
        [sys.executable, "-m", "umr", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_nested_brackets_fail_cleanly_in_every_command_that_reads_them(tmp_path: Path) -> None:
    (tmp_path / "nested.yaml").write_text(NESTED)
    (tmp_path / "README.md").write_text("---\n" + NESTED.replace("umr: 1\n", "") + "\n---\n")
    runs = [
        _umr(tmp_path, "validate", "nested.yaml"),
        _umr(tmp_path, "publish", "nested.yaml"),
        _umr(tmp_path, "show", "nested.yaml"),
        _umr(tmp_path, "import", "hf-card", "README.md", "-w", "out"),
    ]
    for run in runs:
        assert run.returncode in (1, 2), (run.args, run.returncode, run.stderr)
        assert "nested deeper than 64 levels" in run.stderr
        assert "Traceback" not in run.stderr


def _hostile_files(folder: Path) -> None:
    """Files that look like records and break in every way we know of."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nested.yaml").write_text(NESTED)
    laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, cur in zip("abcdefghi", "bcdefghij", strict=True):
        laughs.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    (folder / "laughs.yaml").write_text("umr: 1\n" + "\n".join(laughs) + "\n")
    (folder / "latin1.yaml").write_bytes(b"umr: 1\nname: caf\xe9\n")
    (folder / "huge.yaml").write_text("umr: 1\n# " + "x" * (5 * 1024 * 1024) + "\n")
    (folder / "bigint.yaml").write_text("umr: 1\nx: " + "9" * 5000 + "\n")
    (folder / "typekey.yaml").write_text("umr: 1\nname: t\nversion: 1.0.0\nkind: model\nstr: 1\n")
    (folder / "wide.yaml").write_text("umr: 1\nx: [" + "0," * 200_000 + "0]\n")
    (folder / "folder.yaml").mkdir()
    os.mkfifo(folder / "pipe.yaml")  # opening it would wait forever
    (folder / "loop.yaml").symlink_to(folder / "loop.yaml")
    (folder / "dangling.yaml").symlink_to(folder / "nowhere.yaml")


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A registry with records, input files elsewhere, and three current folders: clean,
    hostile, and hostile marked as a workspace."""
    root = tmp_path_factory.mktemp("places")
    inputs = root / "inputs"
    inputs.mkdir()
    for name in ("alpha", "beta"):
        (inputs / f"{name}.yaml").write_text(RECORD.format(name=name))
    (inputs / "gamma.yaml").write_text(
        RECORD.format(name="gamma") + "upstream:\n  - {ref: alpha@^1, relation: finetuned_from}\n"
    )
    registry = f"sqlite:///{root / 'registry.db'}"
    result = CliRunner().invoke(app, ["--registry", registry, "publish", str(inputs)])
    assert result.exit_code == 0, result.output
    clean = root / "clean"
    clean.mkdir()
    hostile = root / "hostile"
    _hostile_files(hostile)
    marked = root / "marked"
    _hostile_files(marked)
    (marked / ".umr").mkdir()
    return {"inputs": inputs, "clean": clean, "hostile": hostile, "marked": marked, "url": root}


def _commands(places: dict[str, Path]) -> list[list[str]]:
    inputs = places["inputs"]
    return [
        ["validate", str(inputs / "gamma.yaml")],
        ["show", "gamma@^1", "--resolved"],
        ["show", str(inputs / "gamma.yaml")],
        ["explain", "gamma", "title"],
        ["diff", "alpha@1.0.0", str(inputs / "beta.yaml")],
        ["lineage", "gamma"],
        ["impact", "alpha"],
        ["audit", "gamma"],
        ["search", "gamma"],
        ["render", "gamma@1.0.0", "--format", "json"],
        ["show", "nobody"],
        ["render", "nobody", "--format", "json"],
    ]


@pytest.mark.parametrize("where", ["hostile", "marked"])
def test_a_hostile_current_folder_changes_no_outcome(
    places: dict[str, Path], where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = f"sqlite:///{places['url'] / 'registry.db'}"
    runner = CliRunner()
    for command in _commands(places):
        outcomes = []
        for folder in ("clean", where):
            monkeypatch.chdir(places[folder])
            result = runner.invoke(app, ["--registry", registry, *command])
            assert result.exception is None or isinstance(result.exception, SystemExit)
            outcomes.append((result.exit_code, result.stdout))
            assert "Traceback" not in result.stderr
        assert outcomes[0] == outcomes[1], command
        assert outcomes[0][0] in (0, 2), (command, outcomes[0])


def test_a_marked_folder_is_read_and_its_bad_files_are_warned_about(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = f"sqlite:///{places['url'] / 'registry.db'}"
    monkeypatch.chdir(places["marked"])
    result = CliRunner().invoke(app, ["--registry", registry, "show", "nobody"])
    assert result.exit_code == 2
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert any("nested.yaml:6:" in w and "nested deeper than 64" in w for w in warnings)
    assert any("laughs.yaml" in w and "alias bomb" in w for w in warnings)
    assert any("latin1.yaml:2: not UTF-8" in w for w in warnings)
    assert any("huge.yaml: file is" in w for w in warnings)
    monkeypatch.chdir(places["hostile"])  # not marked: not read, so nothing to warn about
    result = CliRunner().invoke(app, ["--registry", registry, "show", "nobody"])
    assert result.exit_code == 2 and "warning:" not in result.stderr


def test_the_current_folder_is_a_workspace_only_when_marked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "delta.yaml").write_text(RECORD.format(name="delta"))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    unmarked = runner.invoke(app, ["show", "delta"])  # not a workspace: not read
    assert unmarked.exit_code == 2 and "the current folder has no .umr/" in unmarked.stderr
    assert runner.invoke(app, ["-w", ".", "show", "delta"]).exit_code == 0  # named
    monkeypatch.setenv("UMR_WORKSPACE", ".")
    assert runner.invoke(app, ["show", "delta"]).exit_code == 0
    monkeypatch.delenv("UMR_WORKSPACE")
    (tmp_path / ".umr").mkdir()
    assert runner.invoke(app, ["show", "delta"]).exit_code == 0  # marked


def test_init_marks_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(tmp_path / "new")]).exit_code == 0
    monkeypatch.chdir(tmp_path / "new")
    assert runner.invoke(app, ["show", "my-model"]).exit_code == 0


def test_an_unexpected_fault_is_one_line_unless_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import umr.spec.schema

    def broken() -> str:
        raise RuntimeError("the schema went missing")

    monkeypatch.setattr(umr.spec.schema, "json_schema_text", broken)
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == INTERNAL_ERROR
    assert result.stderr.splitlines() == [
        "error: umr failed unexpectedly (RuntimeError: the schema went missing)",
        "hint: this is a fault in umr, not in your input: run the command again with --debug "
        "to see where, and report it",
    ]
    debug = CliRunner().invoke(app, ["--debug", "schema"])
    assert isinstance(debug.exception, RuntimeError)


def test_a_failing_renderer_names_the_record_and_the_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import umr.formats as formats

    def broken(ctx: object) -> bytes:
        raise KeyError("no such template field")

    formats.available()  # built-ins first, so the plug-in is added beside them
    monkeypatch.setitem(
        formats._FORMATS,
        "broken",
        formats.Format(
            name="broken", render=broken, media_type="text/plain", suffix=".txt", description="x"
        ),
    )
    record = tmp_path / "x.yaml"
    record.write_text(RECORD.format(name="xray"))
    result = CliRunner().invoke(app, ["render", str(record), "--format", "broken"])
    assert result.exit_code == INTERNAL_ERROR
    assert result.stderr.startswith(
        "error: xray@1.0.0: the 'broken' renderer failed (KeyError: 'no such template field')"
    )
    assert "not in the record" in result.stderr and "Traceback" not in result.stderr
