"""The PDF foundation without a database: Vietnamese text reads back intact, QR codes decode,
long names wrap (never clipped), fonts are embedded as subsets."""

from __future__ import annotations

import io
import unicodedata

import pypdf

from eventapp.documents import badges, certificate, pdf
from tests.documents.reading import pages_text, qr_codes

NAME = "Nguyễn Thị Hồng Nhung"
UNIT = "Cục Chuyển đổi số quốc gia"
DEPARTMENT = "Sở Thông tin và Truyền thông tỉnh Đắk Lắk"
URL = "https://eventapp.example.vn/certificates/verify/K7QM3XPA9RTDW2HF"


def _page(**values: str) -> certificate.CertificatePage:
    fields = dict(issuer="BỘ THÔNG TIN VÀ TRUYỀN THÔNG\nTRUNG TÂM THÔNG TIN",
                  header="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
                  title="GIẤY CHỨNG NHẬN", lead="Chứng nhận Ông/Bà", holder=NAME,
                  body=f"Đơn vị: {DEPARTMENT}\nĐã tham dự hội nghị tập huấn của {UNIT}",
                  place_and_date="Hà Nội, ngày 24 tháng 11 năm 2023", signatory_title="GIÁM ĐỐC",
                  signatory_name="Trần Đức Lượng", code_line="Mã xác thực: K7QM-3XPA-9RTD-W2HF",
                  verify_line=f"Kiểm tra tại: {URL}", verify_url=URL)
    fields.update(values)
    return certificate.CertificatePage(**fields)


def test_a_certificate_reads_back_with_its_diacritics_and_its_qr_decodes() -> None:
    data = certificate.render([_page()], title="Giấy chứng nhận")
    assert data.startswith(b"%PDF-")
    [text] = pages_text(data)
    for expected in (NAME, UNIT, DEPARTMENT, "GIẤY CHỨNG NHẬN", "Độc lập - Tự do - Hạnh phúc", "Trần Đức Lượng"):
        assert expected in text
    assert qr_codes(data) == [[URL]]


def test_text_typed_with_combining_marks_is_drawn_composed() -> None:
    decomposed = unicodedata.normalize("NFD", NAME)
    assert decomposed != NAME
    [text] = pages_text(certificate.render([_page(holder=decomposed)]))
    assert NAME in text
    assert pdf.text("a\tb\x00c\nd") == "a b c\nd"


def test_fonts_are_embedded_as_subsets_and_the_file_stays_small() -> None:
    data = certificate.render([_page()] * 3)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 3
    fonts = {str(f["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert fonts and all("+DejaVu" in name for name in fonts)  # a subset tag: ABCDEF+DejaVuSerif-Bold
    assert len(data) < 200_000


def test_an_empty_bundle_is_still_a_pdf() -> None:
    assert len(pages_text(certificate.render([]))) == 1
    assert len(pages_text(badges.render([]))) == 1


def test_badge_sheets_hold_eight_badges_and_long_names_wrap_whole() -> None:
    long_name = "Công Tằng Tôn Nữ Thị Phương Thảo Nguyễn Hoàng Bảo Ngọc Huyền Trân"
    people = [badges.Badge(name=NAME, organisation=DEPARTMENT, qr_payload=f"ticket-token-{n:04d}-abcdefghij",
                           caption="Hội nghị tập huấn") for n in range(8)]
    people.append(badges.Badge(name=long_name, organisation=UNIT, qr_payload=None))
    data = badges.render(people)
    texts = pages_text(data)
    assert len(texts) == 2
    assert texts[0].count("Đắk Lắk") == 8
    # the long name is broken into lines, every word of it present and in order
    assert " ".join(texts[1].split()).startswith(long_name)
    assert UNIT in texts[1]
    codes = qr_codes(data)
    assert sorted(codes[0]) == [f"ticket-token-{n:04d}-abcdefghij" for n in range(8)] and codes[1] == []


def test_the_font_size_shrinks_before_a_name_takes_more_lines() -> None:
    document = pdf.new_document()
    document.add_page()
    size, lines = pdf.fit_font_size(document, "Lê An", 58, max_lines=2, largest=20, smallest=10)
    assert (size, len(lines)) == (20, 1)
    size, lines = pdf.fit_font_size(document, "Tôn Nữ Thị Phương Thảo Nguyễn Hoàng Bảo Ngọc", 58,
                                    max_lines=2, largest=20, smallest=10)
    assert size < 20 and len(lines) <= 2
    very_long = " ".join(["Nguyễn"] * 40)
    size, lines = pdf.fit_font_size(document, very_long, 58, max_lines=2, largest=20, smallest=10)
    assert size == 10 and len(lines) > 2 and " ".join(lines).split() == very_long.split()
