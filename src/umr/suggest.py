"""Did you mean: the known words nearest an unknown one, by a normalized edit distance.

Names are compared folded (case, and the ``-_.`` separators dropped, so ``laion5b`` meets
``laion-5b`` at distance 0); the distance is an edit distance (a swap of two neighbours counts
one) over the longer word's length, and a word is suggested when it is within a quarter of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

CUTOFF = 0.25  # normalized distance at or under which a known word is suggested
_SEPARATORS = re.compile(r"[-_.\s]")


def fold(word: str) -> str:
    return _SEPARATORS.sub("", word.casefold())


def distance(a: str, b: str) -> int:
    """Edit distance: insertions, deletions, substitutions and swaps of two neighbours (the
    optimal string alignment form of Damerau-Levenshtein), row by row."""
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        before, previous = previous, current
    return previous[-1]


def nearest(word: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """Up to ``limit`` of ``known`` nearest ``word`` (itself excluded), nearest first."""
    w = fold(word)
    scored = []
    for k in set(known):
        if k == word:
            continue
        f = fold(k)
        longest = max(len(w), len(f), 1)
        if abs(len(w) - len(f)) / longest > CUTOFF:
            continue  # cannot be near enough: skip the quadratic part
        d = distance(w, f) / longest
        if d <= CUTOFF:
            scored.append((d, k))
    return [k for _, k in sorted(scored)[:limit]]


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``"did you mean 'a' or 'b'?"``, or an empty string when nothing is near."""
    near = nearest(word, known)
    if not near:
        return ""
    quoted = [repr(n) for n in near]
    listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    return f"did you mean {listed}?"
