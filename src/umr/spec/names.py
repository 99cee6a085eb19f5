"""Record names: slugs, never paths, and never look-alikes of one another.

Two names are the same name to a reader when their keys (:func:`name_key`) are equal: ``-``,
``_`` and ``.`` runs fold to one ``-`` (as PyPI normalizes project names), and characters
that read alike map to one skeleton character. The table is the part of Unicode's
confusables data (UTS #39, ``confusables.txt``) that falls inside the name alphabet, with case
folded: ``1`` reads as ``l``, ``0`` as ``o`` (via ``O``), and ``m`` as ``rn``. Names that differ
in anything else stay distinct: ``llama-2-7b`` and ``llama-2-70b``, ``bloom`` and ``bloomz``,
``clip`` and ``plip``, timm's ``resnet50.a1_in1k`` and ``resnet50.a2_in1k``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping

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


_SEPARATORS = re.compile(r"[-_.]+")
_SKELETON = str.maketrans({"1": "l", "0": "o"})
# Suffixes the web server, the static site and the downloads serve a name's files under: a name
# ending in one would be mistaken for (or overwrite) another name's file.
SERVED_SUFFIXES = (
    ".json",
    ".atom",
    ".html",
    ".htm",
    ".xml",
    ".yaml",
    ".yml",
    ".md",
    ".tex",
    ".pdf",
    ".svg",
    ".js",
    ".css",
    ".txt",
    ".csv",
)


def name_key(name: str) -> str:
    """What a reader takes ``name`` for: separators folded, look-alike characters mapped."""
    return _SEPARATORS.sub("-", name).translate(_SKELETON).replace("m", "rn")


def check_new_name(name: str) -> str | None:
    """Why ``name`` may not be registered as a new name (None if it may): it ends in
    punctuation or in a served file suffix. Names already registered keep working."""
    if name[-1] in "-_.":
        return f"name {name!r} ends in {name[-1]!r}; a name ends in a letter or digit"
    suffix = next((s for s in SERVED_SUFFIXES if name.endswith(s)), None)
    if suffix is not None:
        return (
            f"name {name!r} ends in {suffix!r}, a suffix the registry serves files under; "
            "it would be mistaken for another name's file"
        )
    return None


def new_name_problems(
    names: Iterable[str],
    registered: Collection[str] = frozenset(),
    taken: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Why each new name may not be registered, by name: the one name check of ``publish``,
    ``validate`` and the importers. A name in ``registered`` is not new and passes. A new one
    is refused by :func:`check_new_name`, or when its :func:`name_key` is the key of a
    registered name (``taken``: key -> that name) or of an earlier new name of ``names``."""
    taken = taken or {}
    problems: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name in sorted(set(names) - set(registered)):
        key = name_key(name)
        why = check_new_name(name)
        other = taken.get(key) or seen.get(key)
        if why is None and other is not None:
            why = (
                f"name {name!r} reads like {other!r}, which is "
                f"{'registered' if key in taken else 'also in this batch'} (both read as "
                f"{key!r}: '-', '_' and '.' are one separator, and 1/l, 0/o, rn/m look alike)"
            )
        seen.setdefault(key, name)
        if why is not None:
            problems[name] = why
    return problems
