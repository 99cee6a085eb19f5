"""Escapers for text from records, one per target language. Nothing in a record is markup.

HTML and SVG are escaped by Jinja's autoescape; Typst gets record text as JSON data (see
``pdf.py``), so it never meets the Typst parser. These cover LaTeX and Markdown.
"""

from __future__ import annotations

import re
import unicodedata

from umr.spec.record import is_http_url


class Raw(str):
    """Text a template or renderer produced itself: passed through without escaping."""

    __slots__ = ()


_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "%": r"\%",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"\textquotedbl{}",
    "-": "-{}",
    "`": r"\textasciigrave{}",
    "'": r"\textquotesingle{}",
    "\u2013": "--",
    "\u2014": "---",
    "\u2018": "`",
    "\u2019": "'",
    "\u201c": "``",
    "\u201d": "''",
    "\u2026": r"\ldots{}",
    "\u00a0": "~",
    "\u2022": r"\textbullet{}",
    "\u20ac": "EUR",
    "\u2212": "-",
    "\u00d7": r"\texttimes{}",
}


def _latex_char(ch: str) -> str:
    if ch in _LATEX:
        return _LATEX[ch]
    code = ord(ch)
    if 0x20 <= code < 0x7F:
        return ch
    if ch == "\t":
        return " "
    if 0xA0 <= code <= 0xFF:  # Latin-1: inputenc utf8 with T1 fonts sets these
        return ch
    if unicodedata.category(ch) in ("Cf", "Cc", "Cs", "Co", "Cn", "Zl", "Zp", "Mn"):
        return ""  # bidi marks, zero-width and control characters: invisible anyway
    return rf"{{\scriptsize[U+{code:04X}]}}"


def latex(text: str) -> str:
    """LaTeX text-mode source that typesets ``text`` literally (paragraphs kept)."""
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    out = []
    for para in paragraphs:
        para = " ".join(para.split("\n"))
        out.append("".join(_latex_char(ch) for ch in para))
    return "\n\n".join(out)


def latex_url(url: str) -> str:
    """An escaped URL in typewriter type, breakable after '/' and '.'."""
    body = latex(url)
    body = re.sub(r"(/|\\_|\.)", r"\1\\allowbreak{}", body)
    return rf"{{\small\texttt{{{body}}}}}"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~$@:])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([-=])|(\d+)\.(?=\s|$))", re.MULTILINE)
_SAFE_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s<>\"'`\\]+")


def markdown(text: str) -> str:
    """Markdown (and HTML) source that displays ``text`` literally, paragraphs kept."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(_line_start, text)


def _line_start(m: re.Match[str]) -> str:
    if m.group(2):
        return f"{m.group(1)}\\{m.group(2)}"
    return f"{m.group(1)}{m.group(3)}\\."


def markdown_url(url: str) -> str:
    """A link destination: ``<url>`` for well-formed URLs, else an escaped non-link."""
    if _SAFE_URL.fullmatch(url):
        return f"<{url}>"
    return "<#>"


def markdown_cell(text: str) -> str:
    """Like :func:`markdown`, for one table cell (no line breaks)."""
    return markdown(" ".join(text.split()))


def number(value: object) -> str:
    """A metric value for display: floats with up to 4 significant decimals."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def href(url: object) -> str:
    """``url`` if it is a plain http(s) URL, else ``#`` (never a script or data URL)."""
    text = str(url)
    return text if is_http_url(text) else "#"
