"""Record names: slugs, never paths."""

from __future__ import annotations

import re

from umr.errors import RefError

NAME_PATTERN = r"[a-z0-9][a-z0-9._-]{0,99}"
_NAME = re.compile(NAME_PATTERN)
_GRAMMAR = "a slug [a-z0-9][a-z0-9._-]{0,99}: lower-case letters, digits, '.', '_', '-'"


def check_name(value: object) -> str:
    """Return ``value`` if it is a valid record name, else raise RefError saying why."""
    # The pattern already excludes NUL, '/', '\\', '~' and more than 100 characters; only
    # '..' needs its own look. The checks below exist to say precisely what is wrong.
    if type(value) is str and _NAME.fullmatch(value) and ".." not in value:
        return value
    if not isinstance(value, str):
        raise RefError(f"name must be a string, got {value!r}; expected {_GRAMMAR}")
    if "\x00" in value:
        raise RefError(f"name {value!r} contains a NUL byte; expected {_GRAMMAR}")
    if "/" in value or "\\" in value or value.startswith("~") or ".." in value:
        raise RefError(
            f"name {value!r} looks like a path; names are never paths, expected {_GRAMMAR}",
            hint="use a plain slug such as 'acme-chat-7b'",
        )
    if len(value) > 100:
        raise RefError(f"name {value[:40]!r}... is {len(value)} characters; the limit is 100")
    if not _NAME.fullmatch(value):
        suggestion = re.sub(r"[^a-z0-9._-]+", "-", value.lower()).strip("-._")[:100]
        hint = f"try {suggestion!r}" if suggestion and _NAME.fullmatch(suggestion) else None
        raise RefError(f"name {value!r} is not {_GRAMMAR}", hint=hint)
    return value


def normalize_name(value: str) -> str:
    """Best-effort slug for an outside name (importers); raises RefError if nothing is left."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", value.strip().lower())
    slug = re.sub(r"\.{2,}", ".", slug).strip("-._")[:100]
    return check_name(slug)
