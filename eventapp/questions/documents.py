"""Documents attached to answers: type checked by content, size bounded, stored under instance/."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

# extension -> (content type, how the file starts). Office files are ZIP containers.
ALLOWED: dict[str, tuple[str, bytes]] = {
    "pdf": ("application/pdf", b"%PDF-"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
    "odt": ("application/vnd.oasis.opendocument.text", b"PK\x03\x04"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
}
DEFAULT_MAX_BYTES = 4 * 1024 * 1024


class DocumentError(ValueError):
    """The file is not one we keep: `code` is "type", "size" or "empty"."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Upload:
    """A file as a service sees it: its name as the user called it and its bytes."""

    filename: str
    data: bytes


def folder() -> Path:
    path = Path(current_app.instance_path, current_app.config.get("QUESTION_DOCUMENTS_FOLDER", "question_documents"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_bytes() -> int:
    return int(current_app.config.get("QUESTION_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def checked(upload: Upload) -> tuple[str, str]:
    """(safe display name, content type), or DocumentError."""
    if not upload.data:
        raise DocumentError("empty")
    if len(upload.data) > max_bytes():
        raise DocumentError("size")
    name = Path(upload.filename.replace("\\", "/")).name.replace("\x00", "").strip()[:200] or "document"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = ALLOWED.get(extension)
    if kind is None or not upload.data.startswith(kind[1]):
        raise DocumentError("type")
    return name, kind[0]


def store(upload: Upload) -> tuple[str, str, str]:
    """Write the file under a random key: (key, display name, content type)."""
    name, content_type = checked(upload)
    key = secrets.token_hex(16)
    (folder() / key).write_bytes(upload.data)
    return key, name, content_type


def path_of(key: str) -> Path | None:
    if not key or not key.isalnum():
        return None
    path = folder() / key
    return path if path.is_file() else None
