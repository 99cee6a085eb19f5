"""The demo registry, published for real once per session with `umr demo load`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from umr.cli import app
from umr.registry import Registry


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of a SQLite registry loaded with the demo records and advisories."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'registry.db'}"
    result = CliRunner().invoke(app, ["--registry", url, "demo", "load"])
    assert result.exit_code == 0, result.output
    assert "265 record(s) published" in result.stdout
    again = CliRunner().invoke(app, ["--registry", url, "demo", "load"])
    assert "0 record(s) published, 265 unchanged" in again.stdout  # idempotent
    return url


@pytest.fixture(scope="session")
def demo(registry: str) -> Iterator[Registry]:
    with Registry(registry) as reg:
        yield reg
