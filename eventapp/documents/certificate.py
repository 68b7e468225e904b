"""The certificate of participation's page: a landscape A4 with header, title, holder, body, signature
and a QR code that leads to the public verification page. Pure: it draws what it is given."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from eventapp.documents.pdf import SANS, SERIF, draw_qr, new_document, output, text

INK = (11, 37, 64)  # the app's dark blue
GOLD = (176, 141, 60)
PAGE_W, PAGE_H = 297.0, 210.0
MARGIN = 18.0


@dataclass(frozen=True)
class CertificatePage:
    """Everything one certificate shows, already filled in and translated."""

    issuer: str  # the issuing body, one or more lines (top left)
    header: str  # the national header and motto, one or more lines (top right)
    title: str
    lead: str  # "This is to certify that"
    holder: str
    body: str  # paragraphs separated by newlines
    place_and_date: str
    signatory_title: str
    signatory_name: str
    code_line: str  # "Verification code: ABCD-…"
    verify_line: str  # "Check it at https://…"
    verify_url: str  # what the QR code holds


def _centred_lines(pdf: FPDF, x: float, width: float, value: str, line_height: float) -> None:
    """Each line centred; only a line too long for the width goes through fpdf2's line breaking,
    whose cost grows with the square of the line's length."""
    for line in text(value).splitlines() or [""]:
        pdf.set_x(x)
        if pdf.get_string_width(line) <= width - 2 * pdf.c_margin:
            pdf.cell(width, line_height, line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        else:
            pdf.multi_cell(width, line_height, line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, PAGE_W - 22, PAGE_H - 22)


def _draw(pdf: FPDF, page: CertificatePage) -> None:
    pdf.add_page()
    _frame(pdf)
    pdf.set_text_color(*INK)
    column = (PAGE_W - 2 * MARGIN) / 2 - 6
    pdf.set_font(SERIF, "B", 10.5)
    pdf.set_y(MARGIN)
    _centred_lines(pdf, MARGIN, column, page.issuer, 5.2)
    pdf.set_y(MARGIN)
    _centred_lines(pdf, PAGE_W - MARGIN - column, column, page.header, 5.2)

    width = PAGE_W - 2 * MARGIN - 20
    left = (PAGE_W - width) / 2
    pdf.set_y(52)
    pdf.set_font(SERIF, "B", 28)
    pdf.set_text_color(*GOLD)
    _centred_lines(pdf, left, width, page.title, 12)
    pdf.set_text_color(*INK)
    pdf.ln(3)
    pdf.set_font(SERIF, "", 13)
    _centred_lines(pdf, left, width, page.lead, 7)
    pdf.set_font(SERIF, "B", 22)
    _centred_lines(pdf, left, width, page.holder, 10)
    pdf.ln(2)
    pdf.set_font(SERIF, "", 13)
    _centred_lines(pdf, left, width, page.body, 7)

    signature_x, signature_w = PAGE_W - MARGIN - 110, 110
    pdf.set_y(max(pdf.get_y() + 4, 140))
    pdf.set_font(SERIF, "", 11.5)
    _centred_lines(pdf, signature_x, signature_w, page.place_and_date, 6)
    pdf.set_font(SERIF, "B", 11.5)
    _centred_lines(pdf, signature_x, signature_w, page.signatory_title, 6)
    pdf.set_y(max(pdf.get_y() + 20, 178))
    _centred_lines(pdf, signature_x, signature_w, page.signatory_name, 6)

    qr_size = 30
    qr_y = PAGE_H - MARGIN - qr_size - 6
    draw_qr(pdf, page.verify_url, MARGIN + 2, qr_y, qr_size)
    pdf.set_font(SANS, "", 7.5)
    pdf.set_xy(MARGIN + 2, qr_y + qr_size + 0.5)
    note_w = PAGE_W - 2 * MARGIN - signature_w - 4
    pdf.multi_cell(note_w, 3.4, text(page.code_line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(MARGIN + 2)
    pdf.multi_cell(note_w, 3.4, text(page.verify_line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render(pages: Iterable[CertificatePage], *, title: str = "") -> bytes:
    """One PDF with one page per certificate (a site's bundle is the same call with many pages)."""
    pdf = new_document(landscape=True, title=title, fonts=((SERIF, ""), (SERIF, "B"), (SANS, "")))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    for page in pages:
        _draw(pdf, page)
    if pdf.page == 0:
        pdf.add_page()  # an empty bundle is still a valid PDF
    return output(pdf)
