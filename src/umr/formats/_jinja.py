"""Jinja2 environments, one per target language, each escaping by default.

HTML and SVG use Jinja's autoescape. LaTeX and Markdown escape every ``{{ }}`` through
``finalize`` with their own escaper; :class:`Raw` marks text a template built itself.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2

from umr.formats import escape

TEMPLATES = Path(__file__).parent / "templates"


def _finalizer(func: Any) -> Any:
    def finalize(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, escape.Raw):
            return value
        return func(str(value))

    return finalize


@functools.cache
def environment(target: str) -> jinja2.Environment:
    """The template environment for ``target``: html, svg, latex or markdown."""
    loader = jinja2.FileSystemLoader(TEMPLATES)
    common: dict[str, Any] = {
        "loader": loader,
        "undefined": jinja2.Undefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
    }
    if target in ("html", "svg"):
        env = jinja2.Environment(autoescape=True, **common)
        env.filters["href"] = escape.href
    elif target == "latex":
        env = jinja2.Environment(
            autoescape=False,
            finalize=_finalizer(escape.latex),
            block_start_string="((*",
            block_end_string="*))",
            variable_start_string="(((",
            variable_end_string=")))",
            comment_start_string="((#",
            comment_end_string="#))",
            **common,
        )
        env.filters["url"] = lambda s: escape.Raw(escape.latex_url(str(s)))
    elif target == "markdown":
        env = jinja2.Environment(autoescape=False, finalize=_finalizer(escape.markdown), **common)
        env.filters["cell"] = lambda s: escape.Raw(escape.markdown_cell(str(s)))
        env.filters["url"] = lambda s: escape.Raw(escape.markdown_url(str(s)))
    else:
        raise ValueError(f"no template environment for {target!r}")
    env.filters["raw"] = escape.Raw
    env.filters["num"] = escape.number
    return env


def render_template(target: str, name: str, **values: Any) -> str:
    return environment(target).get_template(name).render(**values)
