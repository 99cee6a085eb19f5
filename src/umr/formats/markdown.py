"""``markdown``: a Hugging Face model card (or dataset card) with YAML front matter.

The front matter is built as data and written by a YAML dumper, never by string templating;
the body is a Jinja template whose every ``{{ }}`` is escaped for Markdown and HTML.
"""

from __future__ import annotations

from typing import Any

import yaml

from umr.formats import register
from umr.formats._jinja import render_template
from umr.formats.context import RenderContext

# Hugging Face license identifiers (https://huggingface.co/docs/hub/repositories-licenses).
HF_LICENSES = frozenset(
    [
        "apache-2.0",
        "mit",
        "openrail",
        "bigscience-openrail-m",
        "creativeml-openrail-m",
        "bigscience-bloom-rail-1.0",
        "bigcode-openrail-m",
        "afl-3.0",
        "artistic-2.0",
        "bsl-1.0",
        "bsd",
        "bsd-2-clause",
        "bsd-3-clause",
        "bsd-3-clause-clear",
        "c-uda",
        "cc",
        "cc0-1.0",
        "cc-by-2.0",
        "cc-by-2.5",
        "cc-by-3.0",
        "cc-by-4.0",
        "cc-by-sa-3.0",
        "cc-by-sa-4.0",
        "cc-by-nc-2.0",
        "cc-by-nc-3.0",
        "cc-by-nc-4.0",
        "cc-by-nd-4.0",
        "cc-by-nc-nd-3.0",
        "cc-by-nc-nd-4.0",
        "cc-by-nc-sa-2.0",
        "cc-by-nc-sa-3.0",
        "cc-by-nc-sa-4.0",
        "cdla-sharing-1.0",
        "cdla-permissive-1.0",
        "cdla-permissive-2.0",
        "wtfpl",
        "ecl-2.0",
        "epl-1.0",
        "epl-2.0",
        "etalab-2.0",
        "eupl-1.1",
        "agpl-3.0",
        "gfdl",
        "gpl",
        "gpl-2.0",
        "gpl-3.0",
        "lgpl",
        "lgpl-2.1",
        "lgpl-3.0",
        "isc",
        "lppl-1.3c",
        "ms-pl",
        "apple-ascl",
        "mpl-2.0",
        "odc-by",
        "odbl",
        "openrail++",
        "osl-3.0",
        "postgresql",
        "ofl-1.1",
        "ncsa",
        "unlicense",
        "zlib",
        "pddl",
        "lgpl-lr",
        "deepfloyd-if-license",
        "llama2",
        "llama3",
        "llama3.1",
        "llama3.2",
        "llama3.3",
        "gemma",
        "unknown",
        "other",
    ]
)

# umr relation -> Hugging Face base_model_relation
BASE_RELATIONS = {
    "finetuned_from": "finetune",
    "adapter_of": "adapter",
    "quantized_from": "quantized",
    "merged_from": "merge",
    "distilled_from": "finetune",
    "unlearned_from": "finetune",
}
DATA_RELATIONS = ("trained_on",)


def _license(lic: dict[str, Any] | None) -> dict[str, Any]:
    if not lic:
        return {}
    slug = str(lic["id"]).lower()
    if slug in HF_LICENSES and slug != "other":
        out: dict[str, Any] = {"license": slug}
    else:
        out = {"license": "other", "license_name": str(lic.get("name") or lic["id"])}
    if lic.get("url"):
        out["license_link"] = lic["url"]
    return out


def front_matter(ctx: RenderContext) -> dict[str, Any]:
    """The card's metadata as plain data (Hugging Face keys)."""
    r = ctx.data
    edges = r.get("upstream") or []
    meta: dict[str, Any] = {}
    if r["kind"] == "dataset":
        if r.get("title"):
            meta["pretty_name"] = r["title"]
        meta.update(_license(r.get("license")))
        if r.get("languages"):
            meta["language"] = list(r["languages"])
        if r.get("task"):
            meta["task_categories"] = [r["task"]]
        if r.get("tags"):
            meta["tags"] = list(r["tags"])
        sources = [_name(e["ref"]) for e in edges if e["relation"] == "derived_from"]
        if sources:
            meta["source_datasets"] = sources
        return meta
    meta["model_name"] = r["name"]
    meta.update(_license(r.get("license")))
    bases = [e for e in edges if e["relation"] in BASE_RELATIONS]
    if bases:
        names = [_name(e["ref"]) for e in bases]
        meta["base_model"] = names[0] if len(names) == 1 else names
        meta["base_model_relation"] = BASE_RELATIONS[bases[0]["relation"]]
    datasets = [_name(e["ref"]) for e in edges if e["relation"] in DATA_RELATIONS]
    if datasets:
        meta["datasets"] = datasets
    if r.get("languages"):
        meta["language"] = list(r["languages"])
    if r.get("tags"):
        meta["tags"] = list(r["tags"])
    if r.get("task"):
        meta["pipeline_tag"] = r["task"]
    if r.get("evaluations"):
        meta["model-index"] = [{"name": r["name"], "results": _results(r)}]
    return meta


def _with_hf_extension(meta: dict[str, Any], hf: dict[str, Any]) -> dict[str, Any]:
    """Card keys an import kept under ``extensions.hf`` go back into the front matter; original
    Hugging Face ids replace their normalized names when they still match."""
    from umr.spec.names import normalize_name

    out = dict(meta)
    for key, value in hf.items():
        if key in ("base_model", "datasets", "source_datasets") and key in out:
            originals = value if isinstance(value, list) else [value]
            current = out[key] if isinstance(out[key], list) else [out[key]]
            try:
                same = [normalize_name(str(v)) for v in originals] == current
            except ValueError:
                same = False
            if same:
                out[key] = value
        elif key not in out:
            out[key] = value
    return out


def _name(ref: str) -> str:
    return ref.partition("@")[0]


def _results(r: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for ev in r["evaluations"]:
        dataset: dict[str, Any] = {"name": ev["benchmark"], "type": _name(ev["benchmark"])}
        if ev.get("split"):
            dataset["split"] = ev["split"]
        result: dict[str, Any] = {
            "task": {"type": r.get("task") or "other"},
            "dataset": dataset,
            "metrics": [{"type": ev["metric"], "value": ev["value"], "name": ev["metric"]}],
        }
        if ev.get("source"):
            result["source"] = {"url": ev["source"], "name": "source"}
        out.append(result)
    return out


def dump_front_matter(meta: dict[str, Any]) -> str:
    text = yaml.safe_dump(
        meta, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10_000
    )
    return f"---\n{text}---\n"


@register(
    "markdown",
    media_type="text/markdown; charset=utf-8",
    suffix=".md",
    description="a Hugging Face model card (dataset card for datasets), YAML front matter",
)
def render_markdown(ctx: RenderContext) -> bytes:
    from umr.formats.unlearning import summary

    body = render_template(
        "markdown",
        "card.md.j2",
        ctx=ctx,
        r=ctx.data,
        origin=ctx.origin,
        unlearning=summary(ctx.data),
    )
    meta = front_matter(ctx)
    hf = (ctx.data.get("extensions") or {}).get("hf")
    if isinstance(hf, dict):
        meta = _with_hf_extension(meta, hf)
    return (dump_front_matter(meta) + "\n" + body).encode("utf-8")
