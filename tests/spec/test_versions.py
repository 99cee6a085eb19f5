"""Versions and ranges: npm's documented cases, and properties of ordering and matching."""

from __future__ import annotations

import nodesemver
import pytest
from hypothesis import given
from hypothesis import strategies as st

from umr.errors import VersionError
from umr.spec import Range, Ref, Version

# (range, version, satisfies?) -- from the range grammar section of npm's semver documentation.
NPM_CASES = [
    (">=1.2.7", "1.2.7", True),
    (">=1.2.7", "2.5.3", True),
    (">=1.2.7", "1.2.6", False),
    (">=1.2.7 <1.3.0", "1.2.99", True),
    (">=1.2.7 <1.3.0", "1.3.0", False),
    ("1.2.7 || >=1.2.9 <2.0.0", "1.2.7", True),
    ("1.2.7 || >=1.2.9 <2.0.0", "1.4.6", True),
    ("1.2.7 || >=1.2.9 <2.0.0", "1.2.8", False),
    ("1.2.7 || >=1.2.9 <2.0.0", "2.0.0", False),
    (">1.2.3-alpha.3", "1.2.3-alpha.7", True),
    (">1.2.3-alpha.3", "3.4.5", True),
    (">1.2.3-alpha.3", "3.4.5-alpha.9", False),
    ("1.2.3 - 2.3.4", "2.3.4", True),
    ("1.2.3 - 2.3.4", "2.3.5", False),
    ("1.2 - 2.3.4", "1.2.0", True),
    ("1.2.3 - 2.3", "2.3.9", True),
    ("1.2.3 - 2.3", "2.4.0", False),
    ("1.2.3 - 2", "2.9.9", True),
    ("1.2.3 - 2", "3.0.0", False),
    ("1.2.0 - 1.10.0", "1.9.0", True),
    ("1.2.0 - 1.10.0", "1.10.1", False),
    ("*", "0.0.0", True),
    ("*", "1.0.0-rc.1", False),
    ("", "3.2.1", True),
    ("1.x", "1.9.9", True),
    ("1.x", "2.0.0", False),
    ("1.2.x", "1.2.9", True),
    ("1.2.x", "1.3.0", False),
    ("1", "1.5.0", True),
    ("1.2", "1.2.7", True),
    ("1.2", "1.3.0", False),
    ("~1.2.3", "1.2.9", True),
    ("~1.2.3", "1.3.0", False),
    ("~1.2", "1.2.0", True),
    ("~1", "1.9.0", True),
    ("~1", "2.0.0", False),
    ("~0.2.3", "0.2.9", True),
    ("~0.2.3", "0.3.0", False),
    ("~0", "0.9.9", True),
    ("~0", "1.0.0", False),
    ("~1.2.3-beta.2", "1.2.3-beta.4", True),
    ("~1.2.3-beta.2", "1.2.4-beta.2", False),
    ("^1.2.3", "1.9.9", True),
    ("^1.2.3", "2.0.0", False),
    ("^1.2.3", "1.2.2", False),
    ("^0.2.3", "0.2.9", True),
    ("^0.2.3", "0.3.0", False),
    ("^0.0.3", "0.0.3", True),
    ("^0.0.3", "0.0.4", False),
    ("^1.2.3-beta.2", "1.2.3-beta.4", True),
    ("^1.2.3-beta.2", "1.2.4-beta.2", False),
    ("^1.2.3-beta.2", "1.9.0", True),
    ("^0.0.3-beta", "0.0.3-pr.2", True),
    ("^1.2.x", "1.9.0", True),
    ("^1.2.x", "2.0.0", False),
    ("^0.0.x", "0.0.9", True),
    ("^0.0.x", "0.1.0", False),
    ("^0.0", "0.0.5", True),
    ("^1.x", "1.0.0", True),
    ("^0.x", "0.99.0", True),
    ("^0.x", "1.0.0", False),
    ("=1.2.3", "1.2.3", True),
    ("1.2.3", "1.2.4", False),
    ("==1.2.3", "1.2.3", True),
    ("<2 || >=3", "3.0.0", True),
    ("<2 || >=3", "2.5.0", False),
    ("^1.2", "1.3.0-beta", False),
    ("~>1.2", "1.2.5", True),
    (">=x", "0.1.0", True),
]


@pytest.mark.parametrize(("rng", "version", "expected"), NPM_CASES)
def test_npm_documented_cases(rng: str, version: str, expected: bool) -> None:
    assert (Version.parse(version) in Range.parse(rng)) is expected


@pytest.mark.parametrize(
    "text", ["1.0", "01.0.0", "v1.0.0", "1.0.0.0", "1.0.0-", "1.0.0+", "1.0.0-01", "", "a.b.c"]
)
def test_invalid_versions(text: str) -> None:
    with pytest.raises(VersionError, match=r"is not a SemVer 2\.0\.0 version"):
        Version.parse(text)


@pytest.mark.parametrize("text", ["^^1", "abc", "1.2.3.4", "1 ||| 2", "@1", "<=>1"])
def test_invalid_ranges(text: str) -> None:
    with pytest.raises(VersionError, match="is not a version range"):
        Range.parse(text)


def test_semver_spec_precedence_example() -> None:
    chain = (
        "1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta < 1.0.0-beta.2 "
        "< 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0"
    )
    versions = [Version.parse(v) for v in chain.split(" < ")]
    assert versions == sorted(reversed(versions))


def test_bare_name_means_highest_release() -> None:
    versions = [Version.parse(v) for v in ["1.0.0", "2.0.0", "2.1.0-rc.1"]]
    assert Ref.parse("clip").range.max_satisfying(versions) == Version.parse("2.0.0")


@pytest.mark.parametrize(
    ("text", "name", "rng"),
    [
        ("llama-2-7b@^1.2", "llama-2-7b", "^1.2"),
        ("laion-5b@>=1.0.0 <2", "laion-5b", ">=1.0.0 <2"),
        ("clip", "clip", "*"),
        ("name>=1.0.0", "name", ">=1.0.0"),
        ("name==1.0.0", "name", "=1.0.0"),
        ("name<=1.0.0", "name", "<=1.0.0"),
    ],
)
def test_ref_forms(text: str, name: str, rng: str) -> None:
    ref = Ref.parse(text)
    assert (ref.name, ref.range.text) == (name, rng)


def test_legacy_dash_form_only_when_asked() -> None:
    assert Ref.parse("bloom-1.0.0", legacy=True) == Ref.parse("bloom@=1.0.0")
    assert Ref.parse("bloom-1.0.0").name == "bloom-1.0.0"


# -- properties ------------------------------------------------------------------------------

_ident = st.one_of(
    st.integers(min_value=0, max_value=20).map(str),
    st.text(alphabet="abcxyz-", min_size=1, max_size=4).filter(lambda s: not s.isdigit()),
)
versions = st.builds(
    lambda ma, mi, pa, pre, build: Version.parse(
        f"{ma}.{mi}.{pa}"
        + (f"-{'.'.join(pre)}" if pre else "")
        + (f"+{'.'.join(build)}" if build else "")
    ),
    st.integers(0, 5),
    st.integers(0, 5),
    st.integers(0, 5),
    st.lists(_ident, max_size=3),
    st.lists(st.sampled_from(["b1", "b2", "001"]), max_size=2),
)


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)


@given(versions, versions)
def test_order_is_total_and_follows_semver_precedence(a: Version, b: Version) -> None:
    assert [a < b, a == b, b < a].count(True) == 1
    npm = _sign(nodesemver.compare(str(a), str(b), False))
    mine = _sign(
        (a.precedence_key() > b.precedence_key()) - (a.precedence_key() < b.precedence_key())
    )
    assert npm == mine


@given(versions)
def test_version_text_round_trips(v: Version) -> None:
    assert Version.parse(str(v)) == v


@given(
    st.lists(versions, max_size=12),
    st.sampled_from(["*", "^1", "~2.1", ">=1.2.0 <3", "0.x || 4", "^0.0.1", "1.2.0 - 2.0.0"]),
)
def test_max_satisfying_satisfies_and_is_highest(vs: list[Version], rng: str) -> None:
    r = Range.parse(rng)
    best = r.max_satisfying(vs)
    matching = [v for v in vs if v in r]
    if best is None:
        assert matching == []
    else:
        assert best in r
        assert all(not best < v for v in matching)


@given(versions, st.integers(1, 5), st.integers(0, 5), st.integers(0, 5))
def test_caret_matches_its_definition(v: Version, ma: int, mi: int, pa: int) -> None:
    low = Version(ma, mi, pa)
    expected = not v.is_prerelease and low <= v and v.major == ma
    assert (v in Range.parse(f"^{ma}.{mi}.{pa}")) is expected
