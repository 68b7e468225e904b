"""The PDF foundation: a document with fonts that cover Vietnamese, NFC text, QR images, output.

fpdf2 embeds only the glyphs a document uses (subsetting), so a page of Vietnamese text costs tens
of kilobytes, not the fonts' megabytes. Text is normalised to NFC first: a name typed with
combining marks (NFD, as some phones send it) would otherwise be drawn as separate accents.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import segno
from fpdf import FPDF

FONTS_DIR = Path(__file__).resolve().parent.parent / "data" / "fonts"
SANS = "DejaVuSans"
SERIF = "DejaVuSerif"
_FONT_FILES = {
    (SANS, ""): "DejaVuSans.ttf",
    (SANS, "B"): "DejaVuSans-Bold.ttf",
    (SERIF, ""): "DejaVuSerif.ttf",
    (SERIF, "B"): "DejaVuSerif-Bold.ttf",
}
PDF_MEDIA_TYPE = "application/pdf"


def text(value: object) -> str:
    """Text as drawn: NFC, without control characters (a stray tab or NUL would print as a box)."""
    normalised = unicodedata.normalize("NFC", "" if value is None else str(value))
    return "".join(c if c == "\n" or unicodedata.category(c)[0] != "C" else " " for c in normalised)


def new_document(*, landscape: bool = False, title: str = "", author: str = "",
                 fonts: tuple[tuple[str, str], ...] = tuple(_FONT_FILES)) -> FPDF:
    """An A4 document with the DejaVu fonts it uses registered ((family, style) pairs: each costs
    0.1–0.2 s of parsing); no page yet, no automatic page breaks. The first is the default font."""
    pdf = FPDF(orientation="L" if landscape else "P", unit="mm", format="A4")
    for family, style in fonts:
        pdf.add_font(family, style, str(FONTS_DIR / _FONT_FILES[family, style]))
    pdf.set_auto_page_break(False)
    pdf.set_creator("EventApp")
    if title:
        pdf.set_title(text(title))
    if author:
        pdf.set_author(text(author))
    pdf.set_font(fonts[0][0], fonts[0][1], 11)
    return pdf


def draw_qr(pdf: FPDF, payload: str, x: float, y: float, size: float) -> None:
    """A QR code drawn as vector squares (sharp on any printer), medium error correction, with a
    white quiet zone of 4 modules inside `size`. Each row's runs of dark modules are one rectangle.

    The mask is fixed (pattern 0, valid for every reader) rather than chosen by scoring all eight:
    scoring is most of the cost, and a bundle of a few hundred certificates must stay quick."""
    code = segno.make(payload, error="m", mask=0)
    border = 4
    modules = code.symbol_size(border=0)[0]
    unit = size / (modules + 2 * border)
    with pdf.local_context(fill_color=(255, 255, 255)):
        pdf.rect(x, y, size, size, style="F")
    with pdf.local_context(fill_color=(0, 0, 0)):
        for row_index, row in enumerate(code.matrix):
            top = y + (border + row_index) * unit
            column = 0
            while column < modules:
                if not row[column] & 1:
                    column += 1
                    continue
                start = column
                while column < modules and row[column] & 1:
                    column += 1
                pdf.rect(x + (border + start) * unit, top, (column - start) * unit, unit, style="F")


def fit_font_size(pdf: FPDF, value: str, width: float, *, max_lines: int, largest: float,
                  smallest: float, family: str = SANS, style: str = "B") -> tuple[float, list[str]]:
    """The largest size (down to `smallest`) at which `value` wraps into at most `max_lines` lines
    of `width` mm, with those lines; at the smallest size the text takes the lines it needs, so a
    very long name is never clipped, only smaller."""
    size = largest
    while True:
        pdf.set_font(family, style, size)
        lines = pdf.multi_cell(width, size * 0.45, value, dry_run=True, output="LINES")
        assert isinstance(lines, list)  # output="LINES" gives the lines alone
        if len(lines) <= max_lines or size <= smallest:
            return size, lines
        size = max(smallest, size - 1)


def output(pdf: FPDF) -> bytes:
    """The finished document's bytes."""
    return bytes(pdf.output())
