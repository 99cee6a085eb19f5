"""Fuzz the record loaders: YAML text and bytes, JSON text. Each input returns a record that
holds to the input limits, or raises UmrError; nothing else, and never slowly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from fuzz._run import Counter, examples, run
from fuzz._seeds import JSON_SEEDS, YAML_SEEDS
from fuzz._strategies import json_documents, text, yaml_documents
from umr.errors import UmrError
from umr.spec import Record, load_record_text, parse_record
from umr.spec.jsonio import load_json
from umr.spec.limits import check_tree


def _seeded(seeds: list[str]) -> Callable[[Any], Any]:
    """Every seed as an explicit example, replayed first in each round."""

    def deco(fn: Any) -> Any:
        for seed in seeds:
            fn = example(seed)(fn)
        return fn

    return deco


def _fuzz_loader(
    name: str, documents: st.SearchStrategy[str], seeds: list[str], load: Callable[[Any], Record]
) -> None:
    """Each document, as text and as UTF-8 bytes, loads into a record within the limits or
    raises UmrError."""
    count = Counter(name)

    @settings(max_examples=examples(200))
    @given(st.one_of(documents, text(300)))
    @_seeded(seeds)
    def prop(document: str) -> None:
        with count:
            for given_as in (document, document.encode("utf-8", "surrogatepass")):
                try:
                    record = load(given_as)
                except UmrError:
                    continue
                check_tree(record.to_dict())  # what loaded holds to the limits

    run(name, prop)


def test_yaml_record_loader() -> None:
    _fuzz_loader(
        "yaml-record-loader",
        yaml_documents(),
        YAML_SEEDS,
        lambda doc: load_record_text(doc, source="fuzz.yaml")[0],
    )


def test_json_record_loader() -> None:
    _fuzz_loader(
        "json-record-loader",
        json_documents(),
        JSON_SEEDS,
        lambda doc: parse_record(load_json(doc, source="<body>"), source="<body>"),
    )
