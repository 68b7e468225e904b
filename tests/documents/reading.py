"""Reading PDFs back in tests: their text (pypdf) and the QR codes printed on each page, found by
rasterising the page (pypdfium2, PDFium's renderer) and decoding it (zxing-cpp)."""

from __future__ import annotations

import io

import pypdf
import pypdfium2
import zxingcpp


def pages_text(data: bytes) -> list[str]:
    """Each page's text as pypdf extracts it."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [page.extract_text() for page in reader.pages]


def qr_codes(data: bytes, dpi: int = 150) -> list[list[str]]:
    """Per page, the texts of the QR codes seen on the rendered page."""
    document = pypdfium2.PdfDocument(data)
    try:
        found = []
        for page in document:
            image = page.render(scale=dpi / 72).to_pil()
            found.append([code.text for code in zxingcpp.read_barcodes(image)
                          if code.format == zxingcpp.BarcodeFormat.QRCode])
        return found
    finally:
        document.close()
