"""LaTeX and PDF outputs compile, and their pages are not blank (pdflatex, pdftoppm in CI).

Hostile text compiles too: TeX specials, ``\\input{/etc/passwd}`` and ``\\write18`` come out
as printed text, and Typst never parses record strings as markup.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from formats._hostile import write_workspace
from formats._lineage import published
from support import need_module, need_tool
from umr.formats import render
from umr.formats.context import RenderContext, build_context


@pytest.fixture(scope="module")
def evil(tmp_path_factory: pytest.TempPathFactory) -> RenderContext:
    where = tmp_path_factory.mktemp("e")
    with published(where, write_workspace(where)) as hostile:
        return build_context("evil-model", hostile)


def pdflatex(tex: bytes, where: Path) -> Path:
    exe = need_tool("pdflatex", "texlive-latex-recommended")
    (where / "doc.tex").write_bytes(tex)
    proc = subprocess.run(
        [exe, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    return where / "doc.pdf"


def dark_fraction(pdf: Path, where: Path) -> float:
    """Share of non-white pixels on page 1 (pdftoppm to a 30 dpi greyscale PGM)."""
    exe = need_tool("pdftoppm", "poppler-utils")
    subprocess.run(
        [exe, "-gray", "-r", "30", "-f", "1", "-l", "1", str(pdf), str(where / "p")],
        check=True,
        timeout=120,
    )
    (pgm,) = where.glob("p*.pgm")
    data = pgm.read_bytes()
    # header: P5\n<w> <h>\n<max>\n then w*h bytes
    parts = data.split(b"\n", 3)
    width, height = map(int, parts[1].split())
    pixels = parts[3][: width * height]
    return sum(1 for p in pixels if p < 200) / len(pixels)


def pdf_text(pdf: Path) -> str:
    exe = need_tool("pdftotext", "poppler-utils")
    return subprocess.run(
        [exe, str(pdf), "-"], capture_output=True, text=True, check=True, timeout=120
    ).stdout


def test_latex_compiles_and_page_one_is_not_blank(ctx: RenderContext, tmp_path: Path) -> None:
    pdf = pdflatex(render("latex", ctx), tmp_path)
    assert 0.005 < dark_fraction(pdf, tmp_path) < 0.5
    text = pdf_text(pdf)
    assert "Chat 7B" in text and "0001" in text and "book-corpus@2.1.0" in text


def test_hostile_latex_compiles_and_prints_the_commands(
    evil: RenderContext, tmp_path: Path
) -> None:
    pdf = pdflatex(render("latex", evil), tmp_path)
    text = pdf_text(pdf)
    assert "\\input{/etc/passwd}" in text and "\\write18{touch /tmp/pwned}" in text
    assert "root:x:0" not in text and not Path("/tmp/pwned").exists()
    assert "% & _" in text and "[U+05E2]" in text  # Hebrew shown as code points


def test_pdf_compiles_with_graph_and_is_not_blank(ctx: RenderContext, tmp_path: Path) -> None:
    need_module("typst", "pdf")
    data = render("pdf", ctx)
    assert data.startswith(b"%PDF-")
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(data)
    assert 0.005 < dark_fraction(pdf, tmp_path) < 0.5
    text = pdf_text(pdf)
    assert "Chat 7B" in text and "book-corpus" in text and "trained on" in text  # graph labels


def test_hostile_pdf_compiles_and_shows_text_literally(evil: RenderContext, tmp_path: Path) -> None:
    need_module("typst", "pdf")
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(render("pdf", evil))
    text = pdf_text(pdf)
    assert '#import "x.typ"' in text and "${7*191}" in text and "1337" not in text
