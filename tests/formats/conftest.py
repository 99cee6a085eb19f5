"""Shared fixtures: the 10-record lineage workspace and contexts built from it."""

from __future__ import annotations

import pytest

from formats._lineage import RECORDS, FakeRegistry
from umr.formats.context import RenderContext, build_context
from umr.spec import Workspace


@pytest.fixture(scope="session")
def registry() -> FakeRegistry:
    return FakeRegistry()


@pytest.fixture(scope="session")
def ctx(registry: FakeRegistry) -> RenderContext:
    """chat-7b@1.1.0 with its full 10-node lineage and one advisory finding."""
    return build_context("chat-7b", registry)


@pytest.fixture(scope="session")
def file_ctx() -> RenderContext:
    return build_context(str(RECORDS / "chat-7b.yaml"), Workspace(RECORDS))
