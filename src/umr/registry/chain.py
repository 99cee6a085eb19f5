"""A record source that asks several sources in turn (the workspace, then the registry)."""

from __future__ import annotations

from umr.errors import NotFoundError
from umr.spec import Record, RecordSource, Version


class ChainSource:
    """Versions are the union of the sources'; ``get`` asks each source in order."""

    def __init__(self, *sources: RecordSource) -> None:
        self.sources = sources

    def describe(self) -> str:
        return " or ".join(s.describe() for s in self.sources)

    def versions(self, name: str) -> list[Version]:
        return sorted({v for s in self.sources for v in s.versions(name)})

    def get(self, name: str, version: Version) -> Record:
        for source in self.sources:
            if version in source.versions(name):
                return source.get(name, version)
        raise NotFoundError(f"{name}@{version} is not in {self.describe()}")
