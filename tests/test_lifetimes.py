"""Every registry a command or the web app opens is closed when the command or the app ends:
one helper opens it, and the command's (or the app's lifespan's) end closes it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from support import need_module
from umr.cli import app
from umr.registry import Registry

RECORD = "umr: 1\nname: lone-model\nversion: 1.0.0\nkind: model\ntitle: Lone\n"


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Each Registry opened while the test runs, with whether it was closed."""
    found: list[Any] = []
    init, close = Registry.__init__, Registry.close

    def tracked_init(self: Registry, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self._test_closed = False  # type: ignore[attr-defined]
        found.append(self)

    def tracked_close(self: Registry) -> None:
        self._test_closed = True  # type: ignore[attr-defined]
        close(self)

    monkeypatch.setattr(Registry, "__init__", tracked_init)
    monkeypatch.setattr(Registry, "close", tracked_close)
    yield found


def test_every_command_closes_the_registries_it_opens(tmp_path: Path, opened: list[Any]) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    (tmp_path / "m.yaml").write_text(RECORD)

    def umr(*args: str) -> None:
        result = CliRunner().invoke(app, ["--registry", url, *args])
        assert result.exit_code == 0, result.output

    umr("publish", str(tmp_path / "m.yaml"))
    umr("render", "lone-model@1.0.0", "--format", "json")
    umr("show", "lone-model@1.0.0")
    umr("bump", str(tmp_path / "m.yaml"))
    umr("token", "create", "--scope", "publish:*")
    umr("versions", "lone-model")
    assert len(opened) >= 6
    assert [r.url for r in opened if not r._test_closed] == []


def test_site_closes_the_registry_it_opens(tmp_path: Path, opened: list[Any]) -> None:
    need_module("fastapi", "server")  # the site renders the server's pages
    url = f"sqlite:///{tmp_path / 'r.db'}"
    (tmp_path / "m.yaml").write_text(RECORD)
    for args in (["publish", str(tmp_path / "m.yaml")], ["site", str(tmp_path / "site")]):
        result = CliRunner().invoke(app, ["--registry", url, *args])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "index.html").exists()
    assert opened and [r.url for r in opened if not r._test_closed] == []


def test_the_app_opens_one_registry_and_closes_it_with_its_lifespan(
    tmp_path: Path, opened: list[Any]
) -> None:
    need_module("fastapi", "server")
    from fastapi.testclient import TestClient

    from umr.web.app import create_app

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    web = create_app(url, demo=True)
    (registry,) = opened  # the demo is loaded through the app's own registry
    assert registry._test_closed is False and registry.names()
    with TestClient(web) as client:
        assert client.get("/api/stats").status_code == 200
        assert not registry._test_closed
    assert registry._test_closed
