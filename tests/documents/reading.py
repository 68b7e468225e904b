"""Reading PDFs back in tests: their text (pypdf) and the QR codes of their images (zxing-cpp)."""

from __future__ import annotations

import io

import pypdf
import zxingcpp


def pages_text(data: bytes) -> list[str]:
    """Each page's text as pypdf extracts it."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [page.extract_text() for page in reader.pages]


def qr_codes(data: bytes) -> list[list[str]]:
    """Per page, the texts of the QR codes found in its images, decoded by zxing-cpp."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    found = []
    for page in reader.pages:
        texts = []
        for image in page.images:
            texts += [code.text for code in zxingcpp.read_barcodes(image.image)
                      if code.format == zxingcpp.BarcodeFormat.QRCode]
        found.append(texts)
    return found
