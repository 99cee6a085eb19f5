"""Output formats: one module per format, each registered by name with :func:`register`.

A format is a function ``(ctx: RenderContext) -> bytes``. Built-in formats register the same
way a plug-in would; they are imported on first use so that ``import umr.formats`` (and the
CLI) stays free of Jinja, YAML and Typst imports.

    >>> from umr.formats import build_context, render
    >>> ctx = build_context("records/acme-chat.yaml", source)       # doctest: +SKIP
    >>> html = render("html", ctx)                                 # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from umr.errors import NotFoundError, RenderError, UmrError

if TYPE_CHECKING:
    from umr.formats.context import RenderContext

__all__ = [
    "Format",
    "RenderContext",
    "available",
    "build_context",
    "get",
    "media_type",
    "register",
    "render",
    "suffix",
]

Renderer = Callable[["RenderContext"], bytes]

_BUILTINS = ("data", "html", "svg", "markdown", "latex", "pdf", "cyclonedx", "spdx")


@dataclass(frozen=True, kw_only=True)
class Format:
    name: str
    render: Renderer
    media_type: str
    suffix: str  # file name suffix, with the dot
    description: str
    extra: str | None = None  # the optional dependency group it needs, if any

    def to_dict(self) -> dict[str, str]:
        """What a listing shows (``umr formats --format json``, ``GET /api/formats``)."""
        keys = ("name", "media_type", "suffix", "description")
        return {key: getattr(self, key) for key in keys}


_FORMATS: dict[str, Format] = {}
_loaded = False


def register(
    name: str, *, media_type: str, suffix: str, description: str, extra: str | None = None
) -> Callable[[Renderer], Renderer]:
    """Register ``func(ctx) -> bytes`` as format ``name``."""

    def deco(func: Renderer) -> Renderer:
        _FORMATS[name] = Format(
            name=name,
            render=func,
            media_type=media_type,
            suffix=suffix,
            description=description,
            extra=extra,
        )
        return func

    return deco


def _load_builtins() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in _BUILTINS:
            importlib.import_module(f"umr.formats.{module}")


def available() -> list[str]:
    """Names of every registered format, in registration order."""
    _load_builtins()
    return list(_FORMATS)


def formats() -> list[Format]:
    _load_builtins()
    return list(_FORMATS.values())


def get(name: str) -> Format:
    _load_builtins()
    try:
        return _FORMATS[name]
    except KeyError:
        raise NotFoundError(
            f"no output format {name!r}; available: {', '.join(_FORMATS)}",
            hint="run 'umr formats' to see every format",
        ) from None


def render(name: str, ctx: RenderContext) -> bytes:
    """Render ``ctx`` in format ``name``.

    Every record that validates renders in every built-in format (tests/fuzz checks it); any
    other failure of a renderer is raised as a RenderError naming the record and the format,
    with the original exception as its cause."""
    fmt = get(name)
    if fmt.extra == "pdf":
        from umr.errors import require

        require("typst", "pdf")
    try:
        return fmt.render(ctx)
    except UmrError:
        raise
    except Exception as exc:
        raise RenderError(
            f"{ctx.record.id}: the {name!r} renderer failed ({type(exc).__name__}: {exc})",
            hint=f"this is a fault in umr or the plug-in that registered {name!r}, not in the "
            "record: report it with the record ('umr show REF --format json')",
        ) from exc


def media_type(name: str) -> str:
    return get(name).media_type


def suffix(name: str) -> str:
    return get(name).suffix


def build_context(ref_or_path: str, source: object) -> RenderContext:
    """See :func:`umr.formats.context.build_context`."""
    from umr.formats.context import build_context as build

    return build(ref_or_path, source)


def __getattr__(name: str) -> object:
    if name == "RenderContext":
        from umr.formats.context import RenderContext

        return RenderContext
    raise AttributeError(name)
