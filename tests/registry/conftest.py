"""Registry fixtures: every test that takes ``url`` or ``reg`` runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from registry._helpers import rec
from support.postgres import PostgresServer, postgres_server
from umr.registry import Registry


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.db'}"
    server: PostgresServer = request.getfixturevalue("pg_server")
    return server.create_database()


@pytest.fixture
def reg(url: str) -> Iterator[Registry]:
    with Registry(url) as registry:
        yield registry


@pytest.fixture
def chain(reg: Registry) -> Registry:
    """corpus-x@2.0.0 <- llama-2-7b@1.0.0 <- acme-chat@1.1.0 (+ an eval set and a family)."""
    reg.publish(
        [
            rec("corpus-x@2.0.0", "dataset", title="Corpus X", summary="A web crawl corpus"),
            rec("mt-bench@1.0.0", "dataset", title="MT-Bench"),
            rec("llama-2@1.0.0", "family", title="Llama 2"),
            rec(
                "llama-2-7b@1.0.0",
                title="Llama 2 7B",
                publisher="Meta",
                license={"id": "llama2"},
                upstream=[("corpus-x@^2", "trained_on"), ("llama-2@1", "member_of")],
            ),
            rec(
                "acme-chat@1.1.0",
                title="Acme Chat",
                inherits="llama-2-7b@^1",
                upstream=[("llama-2-7b@^1", "finetuned_from"), ("mt-bench@1", "evaluated_on")],
            ),
        ]
    )
    return reg
