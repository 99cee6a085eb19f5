"""Fuzz the version, range and ref parsers: each returns a value whose operations work, or
raises UmrError; in time linear in the (bounded) input."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from fuzz._run import Counter, examples, run
from fuzz._seeds import LEGACY_UPSTREAM
from fuzz._strategies import ranges, text, versions
from umr.errors import UmrError
from umr.spec import Range, Ref, Version

RANGE_CHARS = "0123456789.^~<>=|-* xXa+@vV"
range_like = st.text(alphabet=st.sampled_from(RANGE_CHARS), max_size=60)
ref_like = st.tuples(st.sampled_from(["", "a", "llama-2", "x.y_z", "A/B"]), range_like).map(
    lambda t: t[0] + t[1]
)
SOME = [Version.parse(v) for v in ("0.0.0", "1.0.0", "1.2.3-rc.1", "1.2.3", "2.0.0", "10.1.1")]


def test_version_and_range_parsers() -> None:
    count = Counter("range-version-parsers")

    @settings(max_examples=examples(300, 2000))
    @given(st.one_of(range_like, ranges(), versions(), text(80)))
    @example("1.0.0-" + "a." * 5000 + "!")
    @example(" || ".join(["1.0.0"] * 2000))
    def prop(source: str) -> None:
        with count:
            try:
                rng = Range.parse(source)
            except UmrError:
                pass
            else:
                best = rng.max_satisfying(SOME)
                assert best is None or best in rng
                assert Range.parse(str(rng)) is not None
            try:
                version = Version.parse(source)
            except UmrError:
                return
            assert Version.parse(str(version)) == version

    run("range-version-parsers", prop)


def test_ref_parser() -> None:
    count = Counter("ref-parser")

    @settings(max_examples=examples(300, 2000))
    @given(st.one_of(ref_like, text(80), st.builds(lambda n, r: f"{n}@{r}", text(10), ranges())))
    @example(LEGACY_UPSTREAM)
    @example("a" + "-1" * 30_000 + "!")
    def prop(source: str) -> None:
        with count:
            for legacy in (False, True):
                try:
                    ref = Ref.parse(source, legacy=legacy)
                except UmrError:
                    continue
                assert Ref.parse(str(ref)) == ref

    run("ref-parser", prop)
