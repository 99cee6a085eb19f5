"""Range text: one canonical spelling, npm's meaning kept, and parsing in linear time."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import nodesemver
import pytest
from hypothesis import given
from hypothesis import strategies as st

from umr.errors import RefError, UmrError, VersionError
from umr.spec import Range, Ref, Version
from umr.spec.rangetext import MAX_RANGE, canonical_range

OPS = ["", "<", "<=", ">", ">=", "=", "~", "~>", "^"]


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        (">=  1.0.0    <2", ">=1.0.0 <2"),
        ("~ 1.2", "~1.2"),
        ("^\t1.x", "^1.x"),
        ("v1.2.3", "1.2.3"),
        ("1.2.3   -   2", "1.2.3 - 2"),
        ("1 ||   2 ||3", "1 || 2 || 3"),
        ("1 ||", "1 || *"),
        ("~>1.2", "~>1.2"),
        ("1.2.3-rc.1+b.5", "1.2.3-rc.1+b.5"),
    ],
)
def test_canonical_spelling(text: str, canonical: str) -> None:
    assert canonical_range(text) == canonical


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("^^1", "'^^1' is not a comparator"),
        ("1 ||| 2", "'|' is not a comparator"),
        ("<=>1", "'<=>1' is not a comparator"),
        (">= <1", "operator '>=' is followed by '<1'"),
        ("1.0.0 -", "a hyphen range is 'LOW - HIGH'"),
        ("^1 - 2", "each end of a hyphen range is a plain version"),
        (">=", "operator '>=' has no version after it"),
        ("1.0.0 !", "'!' is not part of the range grammar"),
        ("1.0.0\u00a0<2", "'\\xa0' is not part of the range grammar"),
    ],
)
def test_refusals_say_why(text: str, why: str) -> None:
    with pytest.raises(VersionError, match="is not a version range") as err:
        Range.parse(text)
    assert why in err.value.message


def test_length_cap() -> None:
    with pytest.raises(VersionError, match="too long"):
        Range.parse("1" * (MAX_RANGE + 1))
    with pytest.raises(VersionError, match=f"the limit is {MAX_RANGE}"):
        canonical_range(" " * (MAX_RANGE + 1))


# -- npm's meaning is kept: the canonical text means what the raw text meant to node-semver --

_xr = st.one_of(st.integers(0, 4).map(str), st.sampled_from(["x", "*"]))
_partial = st.builds(
    lambda parts, pre: ".".join(parts) + (f"-{pre}" if pre and len(parts) == 3 else ""),
    st.lists(_xr, min_size=1, max_size=3),
    st.sampled_from(["", "rc.1", "alpha", "0"]),
)
_space = st.sampled_from(["", " ", "  ", "\t"])
_comparator = st.builds(
    lambda op, gap, p: f"{op}{gap if op else ''}{p}", st.sampled_from(OPS), _space, _partial
)
_simple = st.lists(_comparator, min_size=1, max_size=3).map(" ".join)
_hyphen = st.builds(lambda a, b: f"{a} - {b}", _partial, _partial)
_ranges = st.lists(st.one_of(_simple, _hyphen), min_size=1, max_size=3).map(" || ".join)
_versions = st.builds(
    lambda a, b, c, pre: f"{a}.{b}.{c}" + (f"-{pre}" if pre else ""),
    st.integers(0, 5),
    st.integers(0, 5),
    st.integers(0, 5),
    st.sampled_from(["", "rc.1", "alpha", "0", "rc.2"]),
)


@given(_ranges, st.lists(_versions, min_size=1, max_size=8))
def test_meaning_matches_node_semver_on_the_raw_text(text: str, versions: list[str]) -> None:
    try:
        raw = nodesemver.make_range(text, loose=False)
    except ValueError:
        with pytest.raises(VersionError):
            Range.parse(text)
        return
    rng = Range.parse(text)
    for v in versions:
        assert (Version.parse(v) in rng) is bool(raw.test(v)), (text, v)


# -- linear time: adversarial strings under the cap cost what a plain range of that length does --

_N = MAX_RANGE - 12


def _adversarial() -> list[str]:
    ws = " " * _N
    cases = [
        f"1.0.0 -{ws}!",  # the hyphen trim (about 8 s in node-semver 0.9.1)
        f"1.0.0{ws}-{ws[:20]}!",
        f"1.0.0 ||{ws}!",
        f"1.0.0{ws}||{ws[:20]}",
        f"{ws}1.0.0{ws[:10]}!",
    ]
    cases += [f"{op}{ws}1.0.0 !" for op in OPS if op]  # whitespace after every operator
    cases += [f"{op}1.0.0{ws}!" for op in OPS if op]
    cases += [("1.0.0 " + "\t" * 40) * 5 + "!", "1 - " * 60, "||" * 120, "~" * 250, "1." * 120]
    return [c[:MAX_RANGE] for c in cases]


def _plain() -> list[str]:
    # valid ranges of the full length: the linear baseline (many comparators to evaluate)
    parts = [">=1.0.0 <2.0.0", "^1.2.3", "~1.2 >=1.2.1", "1.x", "1.2.3 - 2.3.4", "<=3 >1"]
    out = []
    for i in range(6):
        text = parts[i]
        while len(text) + 20 < MAX_RANGE:
            text += " || " + parts[(len(text) + i) % len(parts)]
        out.append(text)
    return out


def _cost(parse: Callable[[str], object], text: str) -> float:
    """The least time of a few parses of ``text`` with every cache cleared."""
    best = float("inf")
    for _ in range(3):
        Range.parse.cache_clear()
        Ref.parse.cache_clear()
        from umr.spec import versions

        versions._compile.cache_clear()
        start = time.perf_counter()
        with contextlib.suppress(UmrError):
            parse(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("kind", ["range", "ref"])
def test_adversarial_ranges_cost_no_more_than_a_plain_one(kind: str) -> None:
    # Not a speed test: a generous ratio to a linear baseline of the same length. Before the
    # lexer, the worst case here was more than 10,000 times the baseline.
    parse: Callable[[str], object] = (
        Range.parse if kind == "range" else (lambda s: Ref.parse("model-x@" + s))
    )
    baseline = max(_cost(parse, t) for t in _plain())
    worst = max(_adversarial(), key=lambda t: _cost(parse, t))
    assert _cost(parse, worst) <= 25 * baseline + 0.005, repr(worst)


def test_ref_length_cap_comes_first() -> None:
    from umr.spec.refs import MAX_REF

    with pytest.raises(RefError, match=f"the limit is {MAX_REF}"):
        Ref.parse("a" * 50 + "-1.0.0" * 200, legacy=True)
