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
from umr.spec import load_record_text, parse_record
from umr.spec.jsonio import load_json
from umr.spec.limits import check_tree


def _seeded(seeds: list[str]) -> Callable[[Any], Any]:
    """Every seed as an explicit example, replayed first in each round."""

    def deco(fn: Any) -> Any:
        for seed in seeds:
            fn = example(seed)(fn)
        return fn

    return deco


def test_yaml_record_loader() -> None:
    count = Counter("yaml-record-loader")

    @settings(max_examples=examples(200))
    @given(st.one_of(yaml_documents(), text(300)))
    @_seeded(YAML_SEEDS)
    def prop(document: str) -> None:
        with count:
            for given_as in (document, document.encode("utf-8", "surrogatepass")):
                try:
                    record, _ = load_record_text(given_as, source="fuzz.yaml")
                except UmrError:
                    continue
                check_tree(record.to_dict())  # what loaded holds to the limits

    run("yaml-record-loader", prop)


def test_json_record_loader() -> None:
    count = Counter("json-record-loader")

    @settings(max_examples=examples(200))
    @given(st.one_of(json_documents(), text(300)))
    @_seeded(JSON_SEEDS)
    def prop(document: str) -> None:
        with count:
            for given_as in (document, document.encode("utf-8", "surrogatepass")):
                try:
                    record = parse_record(load_json(given_as, source="<body>"), source="<body>")
                except UmrError:
                    continue
                check_tree(record.to_dict())

    run("json-record-loader", prop)
