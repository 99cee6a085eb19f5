"""``latex``: a standalone ``.tex`` document for papers and reports (compiles with pdflatex).

Every ``((( value )))`` in the template is escaped by :func:`umr.formats.escape.latex`, which
turns TeX's special characters into text (so ``\\input`` and ``\\write18`` are just letters),
drops bidi and zero-width marks and shows other characters outside Latin-1 as ``[U+XXXX]``.
"""

from __future__ import annotations

from umr import __version__
from umr.formats import register
from umr.formats._jinja import render_template
from umr.formats.context import RenderContext
from umr.formats.escape import Raw, latex


@register(
    "latex",
    media_type="application/x-tex",
    suffix=".tex",
    description="a LaTeX document (pdflatex, T1, lmodern) for papers and reports",
)
def render_latex(ctx: RenderContext) -> bytes:
    findings = ctx.findings  # worst first

    def from_base(path: str) -> Raw:
        who = ctx.origin(path)
        return Raw(rf" {{\footnotesize\color{{inh}}(from {latex(who)})}}" if who else "")

    text = render_template(
        "latex",
        "record.tex.j2",
        ctx=ctx,
        r=ctx.data,
        from_base=from_base,
        findings=findings,
        version=__version__,
    )
    return text.encode("utf-8")
