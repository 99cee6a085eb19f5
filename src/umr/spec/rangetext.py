"""The range grammar's lexer: npm range text to one canonical spelling, in linear time.

``node-semver`` (which gives ranges their npm semantics) trims whitespace with regular
expressions that backtrack cubically on long whitespace runs: ``1.0.0 -`` followed by a few
hundred spaces and ``!`` took seconds (docs/benchmarks.md, "Adversarial inputs"). Every range
is therefore checked and respelled here first, with ``str.split`` and regular expressions
whose quantifiers are possessive (they never give back what they matched, so each character
is looked at a bounded number of times), and ``node-semver`` only ever sees the canonical
spelling: single spaces, operators joined to their versions, no ``v`` prefixes. The text a
record stores is not changed (digests stay as they were).

Grammar (npm's, strict): alternatives joined by ``||``; each is empty (any version), a hyphen
range ``PARTIAL - PARTIAL``, or comparators separated by whitespace, each an optional
operator (``<``, ``<=``, ``>``, ``>=``, ``=``, ``~``, ``~>``, ``^``; whitespace may follow it)
and a partial version (``1``, ``1.2``, ``1.2.x``, ``*``, ``1.2.3-rc.1+b5``), optionally with a
leading ``v``.
"""

from __future__ import annotations

import re

from umr.errors import VersionError

MAX_RANGE = 256  # characters of range text after stripping
_ALPHABET = re.compile(r"[0-9A-Za-z.+\-*<>=~^| \t\n\r]*+")
_OPS = ("<=", ">=", "~>", "<", ">", "=", "~", "^")
_XR = r"(?:[xX*]|0|[1-9][0-9]*+)"
_PARTS = r"[0-9A-Za-z-]++(?:\.[0-9A-Za-z-]++)*+"
_PARTIAL = rf"{_XR}(?:\.{_XR}(?:\.{_XR}(?:-{_PARTS})?+(?:\+{_PARTS})?+)?+)?+"
_COMPARATOR = re.compile(rf"(?P<op><=|>=|~>|<|>|=|~|\^)?+v?+(?P<partial>{_PARTIAL})")
_BARE = re.compile(rf"v?+(?P<partial>{_PARTIAL})")
_EXPECTED = (
    "expected npm range syntax such as '1.2.3', '^1.2', '~1.2.3', '>=1.0.0 <2.0.0', '1.x', "
    "'*' or 'A || B'"
)


def _bad(text: str, why: str) -> VersionError:
    return VersionError(f"{text[:80]!r} is not a version range ({why}); {_EXPECTED}")


def canonical_range(text: str) -> str:
    """The canonical spelling of range ``text`` (already stripped), or VersionError.

    Linear in ``len(text)``, which must be at most :data:`MAX_RANGE`."""
    if len(text) > MAX_RANGE:
        raise VersionError(
            f"version range {text[:80]!r}... is {len(text)} characters; the limit is {MAX_RANGE}"
        )
    if _ALPHABET.fullmatch(text) is None:
        bad = next(c for c in text if _ALPHABET.fullmatch(c) is None)
        raise _bad(text, f"{bad!r} is not part of the range grammar")
    return " || ".join(_alternative(text, alt.split()) for alt in text.split("||"))


def _alternative(text: str, words: list[str]) -> str:
    if not words:
        return "*"  # an empty alternative admits every release, as in npm
    if "-" in words:
        if len(words) != 3 or words[1] != "-":
            raise _bad(text, "a hyphen range is 'LOW - HIGH' on its own between '||'")
        low, high = (_BARE.fullmatch(w) for w in (words[0], words[2]))
        if low is None or high is None:
            raise _bad(text, "each end of a hyphen range is a plain version such as 1.2")
        return f"{low['partial']} - {high['partial']}"
    out: list[str] = []
    pending = ""
    for word in words:
        if word in _OPS:  # an operator followed by whitespace: it joins the next word
            if pending:
                raise _bad(text, f"operator {pending!r} is followed by {word!r}")
            pending = word
            continue
        if pending and word[0] in "<>=~^":
            raise _bad(text, f"operator {pending!r} is followed by {word!r}")
        m = _COMPARATOR.fullmatch(pending + word)
        if m is None:
            raise _bad(text, f"{(pending + word)[:40]!r} is not a comparator")
        out.append((m["op"] or "") + m["partial"])
        pending = ""
    if pending:
        raise _bad(text, f"operator {pending!r} has no version after it")
    return " ".join(out)
