"""Import a Hugging Face model or dataset card (README.md with YAML front matter)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from umr.formats.importers import ImportResult, register
from umr.formats.importers._common import compact, http, slug, unmarkdown, version
from umr.spec.load import read_text
from umr.spec.yamlio import decode_utf8, load_yaml

RELATIONS = {
    "finetune": "finetuned_from",
    "adapter": "adapter_of",
    "quantized": "quantized_from",
    "merge": "merged_from",
}
HANDLED = {
    "model_name",
    "pretty_name",
    "license",
    "license_name",
    "license_link",
    "base_model",
    "base_model_relation",
    "datasets",
    "tags",
    "pipeline_tag",
    "language",
    "model-index",
    "task_categories",
    "source_datasets",
}
DATASET_KEYS = {
    "pretty_name",
    "task_categories",
    "size_categories",
    "source_datasets",
    "task_ids",
    "configs",
    "dataset_info",
}


_INHERITED_NOTE = re.compile(r"\A\*Inherited from [^\n*]+\*\n")


def split_card(text: str, *, source: str = "<card>") -> tuple[dict[str, Any], str]:
    """Front matter (a mapping) and body of a card. Errors in the front matter name ``source``
    and the line of the card."""
    match = re.match(r"\A---\s*\n(.*?)\n---\s*\n?(.*)\Z", text, re.S)
    if not match:
        return {}, text
    # Pad with the newlines before the front matter so that errors carry the card's lines.
    padding = "\n" * text.count("\n", 0, match.start(1))
    meta, _ = load_yaml(padding + match.group(1), source=source)
    return (meta if isinstance(meta, dict) else {}), match.group(2)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _sections(body: str) -> tuple[str | None, str | None, dict[str, str]]:
    """Title (first H1), first paragraph after it, and level-2 sections by heading."""
    title = summary = None
    sections: dict[str, str] = {}
    lines = body.replace("\r\n", "\n").split("\n")
    current: str | None = None
    buffer: list[str] = []
    for line in lines:
        if line.startswith("# ") and title is None:
            title = line[2:].strip()
            continue
        if line.startswith("## "):
            if current is not None:
                sections[current] = "\n".join(buffer).strip()
            current, buffer = line[3:].strip(), []
            continue
        if current is None and title is not None and summary is None:
            if line.strip() and not line.startswith(("|", "<", "!")):
                summary = line.strip()
            continue
        buffer.append(line)
    if current is not None:
        sections[current] = "\n".join(buffer).strip()
    return title, summary, sections


def card_to_record(text: str, *, fallback_name: str, source: str = "<card>") -> ImportResult:
    meta, body = split_card(text, source=source)
    lost: list[str] = []
    is_dataset = bool(DATASET_KEYS & set(meta))
    title, summary, sections = _sections(body)
    title = unmarkdown(title) if title else None
    original = str(meta.get("model_name") or meta.get("pretty_name") or title or fallback_name)
    name, renamed = slug(original, lost, "name")
    hf_ext: dict[str, Any] = {}

    upstream: list[dict[str, Any]] = []
    relation = RELATIONS.get(str(meta.get("base_model_relation") or "finetune"), "finetuned_from")
    for key, rel in (
        ("base_model", relation),
        ("datasets", "trained_on"),
        ("source_datasets", "derived_from"),
    ):
        originals = [str(x) for x in _as_list(meta.get(key))]
        names = []
        for item in originals:
            ref, _ = slug(item, lost, key)
            names.append(ref)
            upstream.append({"ref": ref, "relation": rel})
        if names != originals:
            hf_ext[key] = meta.get(key)  # the original ids, for rendering back
    lic = meta.get("license")
    license_: dict[str, Any] | None = None
    if lic:
        lic_id = str(meta.get("license_name") or lic) if lic == "other" else str(lic)
        license_ = compact({"id": lic_id, "url": http(meta.get("license_link"))})
    evaluations = []
    for model in _as_list(meta.get("model-index")):
        for result in _as_list(model.get("results") if isinstance(model, dict) else None):
            dataset = result.get("dataset") or {}
            for metric in _as_list(result.get("metrics")):
                evaluations.append(
                    compact(
                        {
                            "benchmark": str(
                                dataset.get("name") or dataset.get("type") or "unknown"
                            ),
                            "metric": str(metric.get("type") or metric.get("name") or "value"),
                            "value": metric.get("value"),
                            "split": dataset.get("split"),
                            "source": http((result.get("source") or {}).get("url")),
                        }
                    )
                )
    for key, value in meta.items():
        if key not in HANDLED:
            hf_ext[key] = value
    description = unmarkdown(sections["Description"]) if "Description" in sections else None
    if description is not None:  # umr's own note on a base's text: not part of the text
        description = _INHERITED_NOTE.sub("", description, count=1).lstrip("\n") or None
    if description is None and body.strip() and "<!-- generated by umr from" not in body:
        description = body.strip()
    task = meta.get("pipeline_tag") or (_as_list(meta.get("task_categories")) or [None])[0]
    record = compact(
        {
            "umr": 1,
            "name": name,
            "version": version(None, [], ""),
            "kind": "dataset" if is_dataset else "model",
            "title": renamed or title,
            "summary": unmarkdown(summary) if summary else None,
            "description": description,
            "license": license_,
            "upstream": upstream,
            "evaluations": evaluations,
            "tags": [str(t) for t in _as_list(meta.get("tags"))],
            "task": str(task) if task else None,
            "languages": [str(x) for x in _as_list(meta.get("language"))],
            "extensions": {"hf": hf_ext} if hf_ext else None,
        }
    )
    lost.append("version: model cards have none; set to 1.0.0")
    if upstream:
        lost.append("upstream: cards name no versions; refs match any version")
    return ImportResult(records=[record], lost=lost)


@register("hf-card")
def import_hf_card(path: Path) -> ImportResult:
    text = decode_utf8(read_text(path), source=str(path))
    fallback = path.parent.name if path.name.lower() == "readme.md" else path.stem
    return card_to_record(text, fallback_name=fallback or "imported-model", source=str(path))
