"""The type of an upload comes from its bytes; the name must agree (no database needed)."""

from __future__ import annotations

import io
import zipfile

import pytest

from eventapp.documents.filetypes import FileTypeError, detect
from tests.materials.conftest import HTML_AS_PDF, PDF, ooxml_bytes, png_bytes


@pytest.mark.parametrize(("data", "name", "kind"), [
    (PDF, "slides.pdf", "pdf"),
    (png_bytes(), "ảnh.PNG", "png"),
    (ooxml_bytes("word/document.xml"), "Công văn.docx", "docx"),
    (ooxml_bytes("ppt/presentation.xml"), "trinh-bay.pptx", "pptx"),
    (ooxml_bytes("xl/workbook.xml"), "so-lieu.xlsx", "xlsx"),
])
def test_accepted_kinds_are_read_from_the_content(data: bytes, name: str, kind: str) -> None:
    assert detect(data, name).name == kind


@pytest.mark.parametrize(("data", "name", "code"), [
    (HTML_AS_PDF, "tai-lieu.pdf", "unsupported_type"),          # a web page renamed .pdf
    (b"<svg onload=alert(1)></svg>", "logo.png", "unsupported_type"),
    (png_bytes(), "tai-lieu.pdf", "extension_mismatch"),        # a real picture named .pdf
    (PDF, "tai-lieu.docx", "extension_mismatch"),
    (ooxml_bytes("word/document.xml"), "bang.xlsx", "extension_mismatch"),
    (ooxml_bytes("word/document.xml", "word/vbaProject.bin"), "macro.docx", "macros"),
    (ooxml_bytes("content.xml"), "odd.docx", "unsupported_type"),  # a zip, but no Office document
    (b"", "rong.pdf", "empty"),
    (b"MZ\x90\x00\x03\x00\x00\x00", "setup.pdf", "unsupported_type"),  # a Windows program
])
def test_refused_files_say_why(data: bytes, name: str, code: str) -> None:
    with pytest.raises(FileTypeError) as refused:
        detect(data, name)
    assert refused.value.code == code


def test_a_zip_bomb_named_docx_is_refused_without_unpacking_it() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", b"\x00" * (30 * 1024 * 1024))  # 30 MiB of zeros: ~30 KB packed
    bomb = buffer.getvalue()
    assert len(bomb) < 100_000
    with pytest.raises(FileTypeError) as refused:
        detect(bomb, "bao-cao.docx")
    assert refused.value.code == "malformed"
