"""Canonical JSON and its digest: what the registry stores and signs off on."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(data: Any) -> str:
    """Sorted keys, no insignificant whitespace, UTF-8 text (not ASCII-escaped)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def pretty_json(data: Any) -> str:
    """Indented JSON for people and documents (key order kept, UTF-8 text), newline-ended."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def digest(data: Any) -> str:
    """sha256 hex digest of :func:`canonical_json`."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()
