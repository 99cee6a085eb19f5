"""``json`` (canonical) and ``yaml``: the resolved record as data."""

from __future__ import annotations

from umr.formats import register
from umr.formats.context import RenderContext
from umr.spec.canonical import canonical_json
from umr.spec.yamlio import dump_yaml


@register(
    "json",
    media_type="application/json",
    suffix=".json",
    description="the resolved record as canonical JSON (sorted keys, UTF-8)",
)
def render_json(ctx: RenderContext) -> bytes:
    return canonical_json(ctx.data).encode("utf-8")


@register(
    "yaml",
    media_type="application/yaml",
    suffix=".yaml",
    description="the resolved record as a umr YAML file",
)
def render_yaml(ctx: RenderContext) -> bytes:
    return dump_yaml(ctx.data).encode("utf-8")
