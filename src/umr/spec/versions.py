"""SemVer 2.0.0 versions and npm-style ranges.

:class:`Version` is our own small immutable type (parsing is strict SemVer 2.0.0, ordering is
SemVer precedence with build metadata as a final tie-break so that the order is total). Range
semantics are npm's, delegated to the ``node-semver`` package (a port of npm's ``semver``), and
pinned by the table of npm's documented cases in ``tests/spec/test_versions.py``. Range text is
checked and respelled by :mod:`umr.spec.rangetext` in linear time before ``node-semver`` sees it
(its own whitespace handling backtracks cubically).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import nodesemver

from umr.errors import VersionError
from umr.spec.rangetext import MAX_RANGE, canonical_range

# The regular expression recommended by semver.org, split for reading.
SEMVER_PATTERN = (
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
_SEMVER = re.compile(SEMVER_PATTERN)
_MAX_TEXT = 256


def _ident(part: str) -> int | str:
    return int(part) if part.isdigit() else part


@functools.total_ordering
@dataclass(frozen=True, slots=True)
class Version:
    """A SemVer 2.0.0 version. Compare with ``<``; ``str()`` gives the canonical text."""

    major: int
    minor: int
    patch: int
    prerelease: tuple[int | str, ...] = ()
    build: tuple[str, ...] = ()
    _key: tuple[object, ...] = field(default=(), repr=False, compare=False, hash=False)

    @staticmethod
    @functools.lru_cache(maxsize=65536)
    def parse(text: str) -> Version:
        """Parse strict SemVer 2.0.0 text (no leading ``v``, no leading zeros)."""
        if not isinstance(text, str):
            raise VersionError(f"version must be a string like '1.2.3', got {text!r}")
        m = _SEMVER.fullmatch(text) if len(text) <= _MAX_TEXT else None
        if m is None:
            raise VersionError(
                f"{text[:80]!r} is not a SemVer 2.0.0 version; expected MAJOR.MINOR.PATCH "
                "such as '1.2.3', '1.0.0-rc.1' or '2.1.0+build.5'"
            )
        pre = tuple(_ident(p) for p in m.group(4).split(".")) if m.group(4) else ()
        build = tuple(m.group(5).split(".")) if m.group(5) else ()
        return Version(int(m.group(1)), int(m.group(2)), int(m.group(3)), pre, build)

    def __post_init__(self) -> None:
        # Precedence key: a release sorts after its prereleases; numeric identifiers sort
        # before alphanumeric ones; build metadata breaks ties only (SemVer 2.0.0 section 11).
        pre_key: tuple[object, ...] = (
            tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in self.prerelease),
        )
        rel = (1,) if not self.prerelease else (0,)
        key = (self.major, self.minor, self.patch, rel, *pre_key, self.build)
        object.__setattr__(self, "_key", key)

    @property
    def is_prerelease(self) -> bool:
        return bool(self.prerelease)

    def precedence_key(self) -> tuple[object, ...]:
        """The SemVer precedence key, without build metadata."""
        return self._key[:-1]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key < other._key

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(str(p) for p in self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    def bump(self, part: str) -> Version:
        """The next release for ``part`` in ``major``, ``minor``, ``patch``."""
        if part == "major":
            return Version(self.major + 1, 0, 0)
        if part == "minor":
            return Version(self.major, self.minor + 1, 0)
        if part == "patch":
            if self.prerelease:
                return Version(self.major, self.minor, self.patch)
            return Version(self.major, self.minor, self.patch + 1)
        raise ValueError(f"part must be major, minor or patch, got {part!r}")


_LEGACY_OPS = {"==": "="}


@dataclass(frozen=True, slots=True)
class Range:
    """An npm range such as ``^1.2``, ``>=1.0.0 <2``, ``1.x || 3.0.0``; ``*`` is any release."""

    text: str

    @staticmethod
    @functools.lru_cache(maxsize=16384)
    def parse(text: str) -> Range:
        if not isinstance(text, str):
            raise VersionError(f"version range must be a string like '^1.2', got {text!r}")
        norm = text.strip()
        for old, new in _LEGACY_OPS.items():
            norm = norm.replace(old, new)
        if norm in ("", "latest"):
            norm = "*"
        if len(norm) > MAX_RANGE or "\x00" in norm:
            raise VersionError(f"version range {text[:80]!r}... is too long or has a NUL byte")
        try:
            _compile(norm)  # cached: the first match reuses it
        except VersionError:
            raise
        except (ValueError, TypeError) as exc:
            raise VersionError(
                f"{text!r} is not a version range ({exc}); expected npm range syntax such as "
                "'1.2.3', '^1.2', '~1.2.3', '>=1.0.0 <2.0.0', '1.x', '*' or 'A || B'"
            ) from None
        return Range(norm)

    def __contains__(self, version: object) -> bool:
        if not isinstance(version, Version):
            return False
        return _test(self.text, str(version))

    def max_satisfying(self, versions: Iterable[Version]) -> Version | None:
        """The highest version in ``versions`` that this range admits, or None."""
        best: Version | None = None
        for v in versions:
            if (best is None or best < v) and v in self:
                best = v
        return best

    def exact(self) -> Version | None:
        """The single version this range names (``1.2.3`` or ``=1.2.3``), else None."""
        text = self.text[1:] if self.text.startswith("=") else self.text
        try:
            return Version.parse(text.strip())
        except VersionError:
            return None

    def __str__(self) -> str:
        return self.text


@functools.lru_cache(maxsize=16384)
def _compile(text: str) -> nodesemver.Range:
    return nodesemver.make_range(canonical_range(text), loose=False)


@functools.lru_cache(maxsize=262144)
def _test(range_text: str, version_text: str) -> bool:
    return bool(_compile(range_text).test(version_text))


def parse_version(text: str) -> Version:
    return Version.parse(text)


def parse_range(text: str) -> Range:
    return Range.parse(text)
