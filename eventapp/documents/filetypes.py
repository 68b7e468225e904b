"""What an uploaded file really is, read from its bytes (the `filetype` library, plus the zip
structure of Office files); the name's extension must agree with the content."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import filetype


class FileTypeError(ValueError):
    """The file is not one we accept; `code` names the reason (each user of it words the codes)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Kind:
    """An accepted kind: its name, MIME type and the extensions a file of it may carry."""

    name: str
    content_type: str
    extensions: tuple[str, ...]


KINDS = {kind.name: kind for kind in (
    Kind("pdf", "application/pdf", ("pdf",)),
    Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",)),
    Kind("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", ("pptx",)),
    Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)),
    Kind("png", "image/png", ("png",)),
    Kind("jpg", "image/jpeg", ("jpg", "jpeg")),
    Kind("gif", "image/gif", ("gif",)),
    Kind("webp", "image/webp", ("webp",)),
)}
ACCEPTED_EXTENSIONS = tuple(ext for kind in KINDS.values() for ext in kind.extensions)

# The part an Office file of each kind must hold (its main document), per ECMA-376.
OOXML_MAIN_PARTS = {"docx": "word/document.xml", "pptx": "ppt/presentation.xml", "xlsx": "xl/workbook.xml"}
# Macros are code: a macro-enabled document renamed to .docx still carries them.
MACRO_PARTS = ("vbaProject.bin",)
MAX_ZIP_ENTRIES = 5_000
# A real deck or workbook unpacks to a few times its size; a zip bomb to thousands of times. Both
# bounds are far above any real document: whoever opens the file must not be made to unpack gigabytes.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_PACKING_RATIO = 200


def extension(filename: str) -> str:
    """The lower-case extension of a file name ("" when it has none)."""
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _ooxml_kind(data: bytes) -> str:
    """docx, pptx or xlsx from the zip's parts; FileTypeError when it is no Office document."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise FileTypeError("malformed") from None
    names = [entry.filename for entry in entries]
    if len(names) > MAX_ZIP_ENTRIES or "[Content_Types].xml" not in names:
        raise FileTypeError("unsupported_type")
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_PACKING_RATIO * max(len(data), 1):
        raise FileTypeError("malformed")
    if any(name.rsplit("/", 1)[-1] in MACRO_PARTS for name in names):
        raise FileTypeError("macros")
    found = [kind for kind, part in OOXML_MAIN_PARTS.items() if part in names]
    if len(found) != 1:
        raise FileTypeError("unsupported_type")
    return found[0]


def detect(data: bytes, filename: str) -> Kind:
    """The accepted kind of `data`, checked against the name's extension.

    FileTypeError codes: empty, unsupported_type (not a kind we take, HTML renamed .pdf included),
    extension_mismatch (a real PNG named .pdf), macros, malformed (a broken Office file, or one
    that unpacks to far more than any document: a zip bomb).
    """
    if not data:
        raise FileTypeError("empty")
    guessed = filetype.guess(data)
    if guessed is None:
        raise FileTypeError("unsupported_type")
    if guessed.extension in ("zip", "docx", "pptx", "xlsx"):
        name = _ooxml_kind(data)
    elif guessed.extension in KINDS:
        name = guessed.extension
    else:
        raise FileTypeError("unsupported_type")
    kind = KINDS[name]
    if extension(filename) not in kind.extensions:
        raise FileTypeError("extension_mismatch")
    return kind
