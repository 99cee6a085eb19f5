"""Shared fixtures: the 10-record lineage workspace, published into a real SQLite registry,
and contexts built from it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from formats._lineage import RECORDS, published
from umr.formats.context import RenderContext, build_context
from umr.registry import Registry
from umr.spec import Workspace


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with published(tmp_path_factory.mktemp("formats-registry")) as reg:
        yield reg


@pytest.fixture(scope="session")
def ctx(registry: Registry) -> RenderContext:
    """chat-7b@1.1.0 with its full 10-node lineage and one advisory finding."""
    return build_context("chat-7b", registry)


@pytest.fixture(scope="session")
def file_ctx() -> RenderContext:
    return build_context(str(RECORDS / "chat-7b.yaml"), Workspace(RECORDS))
