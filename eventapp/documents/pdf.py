"""The PDF foundation: a document with fonts that cover Vietnamese, NFC text, QR images, output.

fpdf2 embeds only the glyphs a document uses (subsetting), so a page of Vietnamese text costs tens
of kilobytes, not the fonts' megabytes. Text is normalised to NFC first: a name typed with
combining marks (NFD, as some phones send it) would otherwise be drawn as separate accents.
"""

from __future__ import annotations

import io
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


def new_document(*, landscape: bool = False, title: str = "", author: str = "") -> FPDF:
    """An A4 document with the DejaVu fonts registered; no page yet, no automatic page breaks."""
    pdf = FPDF(orientation="L" if landscape else "P", unit="mm", format="A4")
    for (family, style), filename in _FONT_FILES.items():
        pdf.add_font(family, style, str(FONTS_DIR / filename))
    pdf.set_auto_page_break(False)
    pdf.set_creator("EventApp")
    if title:
        pdf.set_title(text(title))
    if author:
        pdf.set_author(text(author))
    pdf.set_font(SANS, size=11)
    return pdf


def qr_png(payload: str, *, scale: int = 8) -> io.BytesIO:
    """A QR code as a PNG image (segno's own writer), medium error correction, 4-module quiet zone."""
    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind="png", scale=scale, border=4)
    buffer.seek(0)
    return buffer


def fit_font_size(pdf: FPDF, value: str, width: float, *, max_lines: int, largest: float,
                  smallest: float, family: str = SANS, style: str = "B") -> tuple[float, list[str]]:
    """The largest size (down to `smallest`) at which `value` wraps into at most `max_lines` lines
    of `width` mm, with those lines; at the smallest size the text takes the lines it needs, so a
    very long name is never clipped, only smaller."""
    size = largest
    while True:
        pdf.set_font(family, style, size)
        lines = pdf.multi_cell(width, size * 0.45, value, dry_run=True, output="LINES")
        if len(lines) <= max_lines or size <= smallest:
            return size, lines
        size = max(smallest, size - 1)


def output(pdf: FPDF) -> bytes:
    """The finished document's bytes."""
    return bytes(pdf.output())
