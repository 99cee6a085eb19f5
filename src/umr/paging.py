"""Paging limits shared by the registry, the web API and the command line (a module without
imports, so that the command line can name them without loading the registry)."""

MAX_ROUTE_OFFSET = 10_000  # routes an audit page may skip (see umr.registry.routes)
