"""Documents attached to answers: type checked by content, size bounded, stored under instance/."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Response, abort, current_app, send_file

from eventapp.documents import filetypes

# Kinds a unit may attach, read from the bytes as materials are (a web page renamed .pdf, a
# macro document or a zip bomb is refused; the name's extension must agree with the content).
ACCEPTED_KINDS = ("pdf", "docx", "xlsx", "png", "jpg")
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
    try:
        kind = filetypes.detect(upload.data, name)
    except filetypes.FileTypeError:
        raise DocumentError("type") from None
    if kind.name not in ACCEPTED_KINDS:
        raise DocumentError("type")
    return name, kind.content_type


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


def asker_signature(answer_id: int, key: str) -> str:
    """What an asker's e-mail link to an approved answer's document carries: unguessable, tied to
    that answer and that file (a replaced document voids the old links)."""
    secret = hashlib.sha256(b"eventapp:answer-document:" + str(current_app.config["SECRET_KEY"]).encode()).digest()
    return hmac.new(secret, f"{answer_id}:{key}".encode(), hashlib.sha256).hexdigest()[:40]


def signature_holds(answer_id: int, key: str | None, signature: str) -> bool:
    return bool(key) and hmac.compare_digest(asker_signature(answer_id, key or ""), signature)


def attachment(key: str | None, name: str | None, content_type: str | None) -> Response:
    """The stored document as a download (404 when it is gone): never a page of ours, even if a
    browser ignored the attachment (no script, no same-origin), and kept by no shared cache."""
    path = path_of(key or "")
    if path is None:
        abort(404)
    response = send_file(path, mimetype=content_type or "application/octet-stream", as_attachment=True,
                         download_name=name or "document", max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
