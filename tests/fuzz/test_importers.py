"""Fuzz the importers (Hugging Face card, CycloneDX ML-BOM, the reference UMR layout): each
input is imported (every record written validates) or refused with UmrError."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fuzz._run import Counter, examples, run
from fuzz._seeds import LEGACY_UPSTREAM, NESTED_BRACKETS
from fuzz._strategies import _digits, _placeholders, mutated, scalars, text, trees
from umr.errors import UmrError
from umr.formats.importers import import_into
from umr.spec import load_record

HF_KEYS = [
    "model_name", "pretty_name", "license", "license_name", "license_link", "base_model",
    "base_model_relation", "datasets", "tags", "pipeline_tag", "language", "model-index",
    "task_categories", "source_datasets", "size_categories", "library_name",
]  # fmt: skip
BOM_KEYS = [
    "name", "version", "type", "bom-ref", "description", "publisher", "licenses", "properties",
    "modelCard", "externalReferences", "pedigree", "tags", "hashes",
]  # fmt: skip
LEGACY_KEYS = ["type", "metadata", "relations", "risk", "fmti", "model", "upstream", "downstream"]


def _value() -> st.SearchStrategy[Any]:
    return st.one_of(scalars(), trees(10), st.lists(st.dictionaries(text(8), trees(4)), max_size=3))


def _shaped(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(keys), _value(), max_size=len(keys))


def _dump(data: Any) -> str:
    try:
        return _digits(str(yaml.safe_dump(_placeholders(data), allow_unicode=True)))
    except (yaml.YAMLError, ValueError, TypeError, UnicodeEncodeError):
        return "{}\n"


def _import(kind: str, write: Any) -> None:
    """Write the input, import it into a fresh folder; every file written must load."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = write(root)
        try:
            report = import_into(kind, source, root / "out")
        except UmrError:
            return
        for path in report.written:
            load_record(path)


cards = st.builds(
    lambda meta, title, body, raw: (
        raw
        if raw is not None
        else f"---\n{_dump(meta)}---\n# {title}\n\n{body}\n## Description\n{body}\n"
    ),
    _shaped(HF_KEYS),
    text(30),
    text(200),
    st.none() | text(300),
)


def test_hf_card_importer() -> None:
    count = Counter("import-hf-card")

    @settings(max_examples=examples(150))
    @given(st.one_of(cards, cards.flatmap(mutated)))
    @example("---\n" + NESTED_BRACKETS.replace("umr: 1\n", "") + "\n---\n")
    @example("---\nbase_model: [{}, [], 1]\nmodel-index: [{results: [1, {dataset: x}]}]\n---\n")
    def prop(card: str) -> None:
        with count:
            _import("hf-card", lambda root: _write(root / "README.md", card))

    run("import-hf-card", prop)


components = _shaped(BOM_KEYS).map(lambda c: {"type": "machine-learning-model", **c})
boms = st.builds(
    lambda main, comps, extra: {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": {"component": main},
        "components": comps,
        **extra,
    },
    st.one_of(components, _value()),
    st.one_of(st.lists(components, max_size=3), _value()),
    st.dictionaries(st.sampled_from(["dependencies", "vulnerabilities", "metadata"]), _value()),
)


def _bom_text(bom: Any) -> str:
    try:
        return _digits(json.dumps(_placeholders(bom), ensure_ascii=False))
    except (ValueError, TypeError):
        return "{}"


def test_cyclonedx_importer() -> None:
    count = Counter("import-cyclonedx")

    @settings(max_examples=examples(150))
    @given(st.one_of(boms.map(_bom_text), boms.map(_bom_text).flatmap(mutated), text(200)))
    @example('{"bomFormat": "CycloneDX", "metadata": {"component": {"version": ' + "9" * 5000)
    @example('{"bomFormat": "CycloneDX", "components": [1, "x", {"type": "data"}]}')
    def prop(bom: str) -> None:
        with count:
            _import("cyclonedx", lambda root: _write(root / "bom.json", bom))

    run("import-cyclonedx", prop)


legacy_files = st.builds(
    lambda mr, raw: raw if raw is not None else _dump({"mr": mr}),
    _shaped(LEGACY_KEYS),
    st.none() | text(200),
)


def _write_legacy(root: Path, files: list[str]) -> Path:
    repo = root / "repo"
    for i, content in enumerate(files):
        _write(repo / "pkg" / f"pkg-1.0.{i}.yaml", content)
    return repo


def test_umr_legacy_importer() -> None:
    count = Counter("import-umr-legacy")

    @settings(max_examples=examples(150))
    @given(st.lists(st.one_of(legacy_files, legacy_files.flatmap(mutated)), max_size=3))
    @example([_dump({"mr": {"relations": {"upstream": [LEGACY_UPSTREAM]}}})])
    @example([_dump({"mr": {"metadata": [], "relations": [1], "risk": "x", "fmti": 3}})])
    def prop(files: list[str]) -> None:
        with count:
            _import("umr-legacy", lambda root: _write_legacy(root, files))

    run("import-umr-legacy", prop)


def _write(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8", "surrogatepass"))
    return path
