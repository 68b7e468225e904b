"""Name badges: A4 portrait sheets of 2 × 4 badges (name, organisation, the ticket's QR code) with
dashed cutting lines. Pure: it draws what it is given. Long names wrap and shrink, never clip."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from eventapp.documents.pdf import SANS, draw_qr, fit_font_size, new_document, output, text

COLUMNS, ROWS = 2, 4
PER_SHEET = COLUMNS * ROWS
BADGE_W, BADGE_H = 95.0, 69.0
LEFT, TOP = (210.0 - COLUMNS * BADGE_W) / 2, (297.0 - ROWS * BADGE_H) / 2
PAD = 4.0
QR_SIZE = 30.0
INK = (11, 37, 64)


@dataclass(frozen=True)
class Badge:
    """One badge: the holder's name and organisation, the ticket's QR text (None: no code)."""

    name: str
    organisation: str = ""
    qr_payload: str | None = None
    caption: str = ""  # the event, printed small at the top


def _cut_lines(pdf: FPDF) -> None:
    pdf.set_draw_color(160, 160, 160)
    pdf.set_line_width(0.2)
    with pdf.local_context(dash_pattern={"dash": 2, "gap": 2}):
        for column in range(COLUMNS + 1):
            x = LEFT + column * BADGE_W
            pdf.line(x, TOP, x, TOP + ROWS * BADGE_H)
        for row in range(ROWS + 1):
            y = TOP + row * BADGE_H
            pdf.line(LEFT, y, LEFT + COLUMNS * BADGE_W, y)


def _draw_badge(pdf: FPDF, badge: Badge, x: float, y: float) -> None:
    pdf.set_text_color(*INK)
    pdf.set_fill_color(*INK)
    pdf.rect(x, y, BADGE_W, 3, style="F")
    inner_x, width = x + PAD, BADGE_W - 2 * PAD
    if badge.caption:
        pdf.set_font(SANS, "", 7.5)
        pdf.set_xy(inner_x, y + 5)
        pdf.multi_cell(width, 3.4, text(badge.caption), max_line_height=3.4, align="L",
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    text_w = width - (QR_SIZE + PAD if badge.qr_payload else 0)
    top = y + 15
    if badge.qr_payload:
        draw_qr(pdf, badge.qr_payload, x + BADGE_W - PAD - QR_SIZE, y + BADGE_H - PAD - QR_SIZE, QR_SIZE)
    size, lines = fit_font_size(pdf, text(badge.name), text_w, max_lines=2, largest=20, smallest=10)
    pdf.set_font(SANS, "B", size)
    pdf.set_y(top)
    for line in lines:
        pdf.set_x(inner_x)
        pdf.cell(text_w, size * 0.45, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if badge.organisation:
        pdf.ln(2)
        pdf.set_font(SANS, "", 9.5)
        pdf.set_x(inner_x)
        pdf.multi_cell(text_w, 4.3, text(badge.organisation), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render(badges: Sequence[Badge], *, title: str = "") -> bytes:
    """Sheets of badges in the order given, eight to a page."""
    pdf = new_document(title=title, fonts=((SANS, ""), (SANS, "B")))
    for index, badge in enumerate(badges):
        slot = index % PER_SHEET
        if slot == 0:
            pdf.add_page()
            _cut_lines(pdf)
        column, row = slot % COLUMNS, slot // COLUMNS
        _draw_badge(pdf, badge, LEFT + column * BADGE_W, TOP + row * BADGE_H)
    if pdf.page == 0:
        pdf.add_page()
    return output(pdf)
