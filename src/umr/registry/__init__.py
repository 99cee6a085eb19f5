"""The registry: published records in SQL (SQLite or PostgreSQL), locked lineage both ways,
advisories, audit, impact and search. Start with :class:`Registry`."""

from umr.graph import AuditReport, Edge, Finding, LineageHit
from umr.registry.advisories import Advisory, load_advisory
from umr.registry.chain import ChainSource
from umr.registry.publish import PublishResult
from umr.registry.search import SearchHit
from umr.registry.store import Lock, Registry

__all__ = [
    "Advisory",
    "AuditReport",
    "ChainSource",
    "Edge",
    "Finding",
    "LineageHit",
    "Lock",
    "PublishResult",
    "Registry",
    "SearchHit",
    "load_advisory",
]
