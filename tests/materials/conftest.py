"""Builders for materials tests: real files of each kind, and a material added through the service."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

from eventapp.accounts.models import Role
from eventapp.extensions import db
from eventapp.materials import services
from eventapp.materials.models import Audience

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML_AS_PDF = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def png_bytes() -> bytes:
    """A real 1x1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


def ooxml_bytes(main_part: str, *extra: str) -> bytes:
    """A minimal Office document: [Content_Types].xml and its main part (plus any extra parts)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr(main_part, '<?xml version="1.0"?><document/>')
        for name in extra:
            archive.writestr(name, b"\x00" * 16)
    return buffer.getvalue()


@pytest.fixture
def organiser(make_user):
    return make_user(Role.ORGANISER)


@pytest.fixture
def make_material(app, organiser):
    def build(event, audience: Audience = Audience.PUBLIC, *, data: bytes = PDF,
              filename: str = "Bài trình bày.pdf", title: str = "Kỹ năng phát ngôn", agenda_item_id=None):
        material = services.add_material(event, data=data, filename=filename, title=title, audience=audience,
                                         agenda_item_id=agenda_item_id, actor=organiser)
        db.session.commit()
        return material
    return build
