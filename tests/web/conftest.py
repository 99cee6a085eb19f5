"""A real SQLite registry with the fixture records published, the app over it, and tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support import need_module

FIXTURES = Path(__file__).parent / "fixtures"


def make_registry(url: str) -> Any:
    from umr.registry import Registry

    registry = Registry(url)
    registry.publish([FIXTURES / "records"])
    for path in sorted((FIXTURES / "advisories").glob("*.yaml")):
        registry.add_advisory(path)
    return registry


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A throwaway PostgreSQL server for the web tests that run on both backends."""
    from support.postgres import postgres_server

    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def registry_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    need_module("fastapi", "server")
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'registry.db'}"
    make_registry(url).close()
    return url


@pytest.fixture(scope="session")
def app(registry_url: str) -> Any:
    from umr.web.app import create_app

    return create_app(registry_url)


@pytest.fixture(scope="session")
def client(app: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def uncached(registry_url: str) -> Iterator[Any]:
    """A client of an app without the response cache, for tests that look inside a request
    (or change the code behind a page) and so must not be answered from memory."""
    from fastapi.testclient import TestClient

    from umr.web.app import create_app

    with TestClient(create_app(registry_url, cache_bytes=0)) as c:
        yield c


@pytest.fixture()
def fresh(tmp_path: Path) -> Iterator[Any]:
    """A client over a registry of its own, for tests that write."""
    from fastapi.testclient import TestClient

    from umr.web.app import create_app

    url = f"sqlite:///{tmp_path / 'registry.db'}"
    make_registry(url).close()
    with TestClient(create_app(url)) as c:
        yield c


@pytest.fixture()
def make_token() -> Any:
    """``make_token(client, *scopes)`` -> the text of a new token with those scopes."""

    def make(client: Any, *scopes: str, label: str = "test") -> str:
        text, _ = client.app.state.tokens.create(list(scopes), label)
        return str(text)

    return make
