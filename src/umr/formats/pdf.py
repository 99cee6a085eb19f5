"""``pdf``: a typeset record through Typst (the ``pdf`` extra), lineage graph included.

The Typst source is a fixed file (``templates/record.typ``); the record's strings reach it as
JSON through ``sys.inputs`` and are displayed as string values, never parsed as markup, so no
escaping is needed and no injection is possible. The graph is the ``svg`` format's output,
passed the same way and drawn with ``image(..., format: "svg")``.
"""

from __future__ import annotations

import functools
import json
import threading
from typing import Any

from umr import __version__
from umr.formats import register
from umr.formats._jinja import TEMPLATES
from umr.formats.context import RenderContext
from umr.formats.escape import number
from umr.formats.svg import svg_markup
from umr.graph import path_text

_LOCK = threading.Lock()


@functools.cache
def _compiler() -> Any:
    import typst

    # Typst's embedded fonts only: deterministic output and no font scan (fast start).
    return typst.Compiler(ignore_system_fonts=True)


@functools.cache
def _source() -> bytes:
    return (TEMPLATES / "record.typ").read_bytes()


def document_data(ctx: RenderContext) -> dict[str, Any]:
    """Everything the Typst template shows, as plain JSON data (strings are never markup)."""
    r = ctx.data
    lic = r.get("license") or {}
    meta = []
    for label, key, value in (
        ("Publisher", "publisher", r.get("publisher")),
        (
            "License",
            "license",
            " ".join(str(x) for x in (lic.get("id"), lic.get("name"), lic.get("url")) if x) or None,
        ),
        ("Released", "released", r.get("released")),
        ("Also known as", "aliases", ", ".join(r.get("aliases") or ()) or None),
        ("Task", "task", r.get("task")),
        ("Languages", "languages", ", ".join(r.get("languages") or ()) or None),
        ("Tags", "tags", ", ".join(r.get("tags") or ()) or None),
        ("Inherits", "inherits", r.get("inherits")),
    ):
        if value:
            meta.append({"label": label, "value": str(value), "from": ctx.origin(key)})
    findings = ctx.findings  # worst first
    graph = ctx.graph()
    layers = len({n.role for n in graph.nodes.values()})
    return {
        "id": ctx.id,
        "heading": r.get("title") or r["name"],
        "generator": __version__,
        "record": r,
        "origin": {k: ctx.origin(k) for k in r},
        "meta": meta,
        "audit_status": None
        if ctx.audit is None
        else (f"{len(findings)} advisory finding(s)" if findings else "no known advisories"),
        "graph": "svg" if len(graph.nodes) > 1 else None,
        "graph_width": 100 if layers > 2 or len(graph.nodes) > 6 else 60,  # percent
        "hits": [
            {
                "dir": d,
                "id": h.id,
                "title": h.title or "",
                "relation": h.relation,
                "edge": h.edge.text(),
                "depth": h.depth,
            }
            for d, hits in (("upstream", ctx.upstream), ("downstream", ctx.downstream))
            for h in hits
        ],
        "findings": [
            {
                "id": f.advisory.id,
                "severity": f.severity + (" (possible)" if f.possible else ""),
                "record": ", ".join(f.affected),
                "summary": f.advisory.summary,
                "routes": f.routes,
                "fixed": ", ".join(f.advisory.fixed),
                "next": f.fix.text if f.fix else "",
                "path": path_text(f.path, start=f.record, elide=False),
            }
            for f in findings
        ],
        "scorecards": [
            {
                "title": sc.questionset.title,
                "score": sc.score,
                "total": sc.total,
                "rows": [
                    row
                    for dom, t in sc.domains.items()
                    for row in (
                        [{"domain": dom, "sub": None, "points": t.points, "total": t.total}]
                        + [
                            {"domain": dom, "sub": s, "points": st.points, "total": st.total}
                            for s, st in sc.subdomains.get(dom, {}).items()
                        ]
                    )
                ],
            }
            for sc in ctx.scorecards
        ],
        "evaluations": [
            {
                "benchmark": e["benchmark"],
                "metric": e["metric"],
                "value": number(e["value"]),
                "split": e.get("split") or "",
            }
            for e in r.get("evaluations") or ()
        ],
        "artifacts": [
            {"uri": a["uri"], "sha256": a.get("sha256") or "-"} for a in r.get("artifacts") or ()
        ],
        "risks": r.get("risks") or [],
        "references": [
            {"url": x["url"], "title": x.get("title") or ""} for x in r.get("references") or ()
        ],
    }


@register(
    "pdf",
    media_type="application/pdf",
    suffix=".pdf",
    extra="pdf",
    description="a typeset record with its lineage graph (Typst; the 'pdf' extra)",
)
def render_pdf(ctx: RenderContext) -> bytes:
    data = document_data(ctx)
    inputs = {
        "data": json.dumps(data, ensure_ascii=False, default=str),
        "graph": svg_markup(ctx) if data["graph"] else "",
    }
    with _LOCK:  # one compiler, reused: fonts load once
        pdf, _warnings = _compiler().compile_with_warnings(
            _source(), format="pdf", sys_inputs=inputs, timestamp=0
        )
    assert isinstance(pdf, bytes)
    return pdf
