"""``html``: one standalone page (inline CSS and SVG, no external requests) per record."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from umr import __version__
from umr.formats import register
from umr.formats._jinja import environment
from umr.formats.context import RenderContext
from umr.formats.svg import svg_markup
from umr.spec.yamlio import dump_yaml


def page_values(ctx: RenderContext) -> dict[str, Any]:
    """What the record templates read (shared with the web app's pages)."""
    findings = ctx.findings  # worst first
    extensions = ctx.data.get("extensions")
    return {
        "unlearning_html": unlearning_html(ctx.data),
        "ctx": ctx,
        "r": ctx.data,
        "own_id": ctx.id,
        "origin": ctx.origin,
        "findings": findings,
        "graph_svg": Markup(svg_markup(ctx, standalone=False)),  # escaped by its template
        "graph_size": len(ctx.graph().nodes),
        "extensions_yaml": dump_yaml(extensions) if extensions else None,
        "fields": ctx.fields(),
        "version": __version__,
    }


def unlearning_html(data: dict[str, Any]) -> Markup | None:
    """The Unlearning section (table and chart) for records that carry one, else None."""
    from umr.formats import unlearning

    u = unlearning.summary(data)
    if u is None:
        return None
    chart = Markup(unlearning.chart_svg(u))  # numbers and fixed labels only
    return Markup(environment("html").get_template("unlearning.html.j2").render(u=u, chart=chart))


@register(
    "html",
    media_type="text/html; charset=utf-8",
    suffix=".html",
    description="a standalone web page: every field, lineage graph, audit, scores",
)
def render_html(ctx: RenderContext) -> bytes:
    return (
        environment("html")
        .get_template("record.html.j2")
        .render(**page_values(ctx))
        .encode("utf-8")
    )
