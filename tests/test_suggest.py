"""Did you mean: a normalized edit distance that finds typos and leaves close names alone."""

from __future__ import annotations

import pytest

from umr.suggest import did_you_mean, distance, nearest


@pytest.mark.parametrize(
    ("a", "b", "d"),
    [
        ("", "", 0),
        ("abc", "abc", 0),
        ("abc", "", 3),
        ("kitten", "sitting", 3),
        ("titel", "title", 1),
    ],
)
def test_distance(a: str, b: str, d: int) -> None:
    assert distance(a, b) == d == distance(b, a)


NAMES = ["laion-5b", "laion-400m", "llama-2-7b", "llama-2-70b", "bloom", "bloomz", "clip", "plip"]


@pytest.mark.parametrize(
    ("typo", "want"),
    [
        ("laion5b", ["laion-5b"]),
        ("LAION_5B", ["laion-5b"]),
        ("lama-2-7b", ["llama-2-7b", "llama-2-70b"]),
        ("blom", ["bloom"]),
        ("stable-diffusion", []),
        ("x", []),
    ],
)
def test_nearest(typo: str, want: list[str]) -> None:
    assert nearest(typo, NAMES) == want


def test_the_word_itself_is_not_suggested() -> None:
    assert "clip" not in nearest("clip", NAMES)  # callers ask only for unknown words
    assert did_you_mean("bloom", NAMES) == "did you mean 'bloomz'?"
    assert did_you_mean("lama-2-7b", NAMES) == "did you mean 'llama-2-7b' or 'llama-2-70b'?"
    assert did_you_mean("zzz", NAMES) == ""
