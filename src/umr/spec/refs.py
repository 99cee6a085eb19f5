"""Refs: ``name@range`` pointers from one record to versions of another."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from umr.errors import RefError, UmrError
from umr.spec.names import check_name
from umr.spec.rangetext import MAX_RANGE
from umr.spec.versions import SEMVER_PATTERN, Range

MAX_REF = 100 + 1 + MAX_RANGE  # a name, '@', a range

# The reference UMR format wrote constraints straight after the name: name>=1.0.0, name==1.0.0.
_LEGACY_OP = re.compile(r"(?P<name>[^<>=!~^\s]+)\s*(?P<range>(?:==|>=|<=|>|<|=).+)")
_LEGACY_DASH = re.compile(rf"(?P<name>.+?)-(?P<version>{SEMVER_PATTERN})")


@dataclass(frozen=True, slots=True)
class Ref:
    """A name and a version range; a bare name means the highest release."""

    name: str
    range: Range

    @staticmethod
    @functools.lru_cache(maxsize=65536)
    def parse(text: str, *, legacy: bool = False) -> Ref:
        """Parse ``name@range`` or ``name`` (and ``name>=1.0.0`` / ``name==1.0.0`` forms).

        With ``legacy=True`` the reference format's ``name-1.0.0`` (an exact version after
        the last dash) is accepted too; it is ambiguous with plain names, so only importers
        ask for it.
        """
        if not isinstance(text, str):
            raise RefError(f"ref must be a string like 'llama-2-7b@^1.2', got {text!r}")
        raw = text.strip()
        if len(raw) > MAX_REF:  # before any pattern looks at it
            raise RefError(
                f"ref {raw[:60]!r}... is {len(raw)} characters; the limit is {MAX_REF}",
                hint="a ref is NAME@RANGE: a name of at most 100 characters and a short range",
            )
        name, rng = raw, "*"
        if "@" in raw:
            name, _, rng = raw.partition("@")
        elif m := _LEGACY_OP.fullmatch(raw):
            name, rng = m.group("name"), m.group("range")
        elif legacy and (m := _LEGACY_DASH.fullmatch(raw)):
            name, rng = m.group("name"), "=" + m.group("version")
        try:
            return Ref(check_name(name), Range.parse(rng))
        except UmrError as exc:
            raise RefError(
                f"ref {text!r}: {exc.message}",
                hint=exc.hint or "write refs as NAME@RANGE, e.g. 'llama-2-7b@^1.2' or 'clip'",
            ) from None

    def __str__(self) -> str:
        return self.name if self.range.text == "*" else f"{self.name}@{self.range.text}"
