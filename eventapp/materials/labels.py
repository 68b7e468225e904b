"""Translated names of audiences and link kinds, and the messages of refused uploads."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventapp.materials.models import Audience, LinkKind

AUDIENCE_LABELS = {
    Audience.PUBLIC: _l("Public"),
    Audience.REGISTRANTS: _l("Registrants only"),
    Audience.SITES: _l("Sites only"),
}
AUDIENCE_HELP = {
    Audience.PUBLIC: _l("Anyone, on the event page."),
    Audience.REGISTRANTS: _l("People with a confirmed seat (on their ticket page), the sites' coordinators and organisers."),
    Audience.SITES: _l("Only the coordinators of the sites taking part, and organisers."),
}
LINK_KIND_LABELS = {
    LinkKind.RECORDING: _l("Recording"),
    LinkKind.LIVESTREAM: _l("Livestream"),
}
KIND_ICONS = {"pdf": "file-earmark-pdf", "docx": "file-earmark-word", "pptx": "file-earmark-slides",
              "xlsx": "file-earmark-spreadsheet", "png": "file-earmark-image", "jpg": "file-earmark-image",
              "gif": "file-earmark-image", "webp": "file-earmark-image"}

ERRORS = {
    "empty": _l("The file is empty."),
    "unsupported_type": _l("This kind of file is not accepted: upload a PDF, Word (.docx), PowerPoint "
                           "(.pptx) or Excel (.xlsx) document, or a PNG, JPEG, GIF or WebP image. "
                           "The content decides, not the name: a web page renamed .pdf is refused."),
    "extension_mismatch": _l("The file's name does not match its content (for example a picture named "
                             ".pdf). Rename it with the right extension and upload it again."),
    "macros": _l("Documents with macros are not accepted. Save it as a plain .docx, .pptx or .xlsx."),
    "malformed": _l("The file is damaged or not a real Office document."),
    "too_large": _l("The file is larger than %(size)s MB. Make it smaller (for example export the "
                    "slides as PDF) and upload it again."),
    "not_this_event": _l("Choose a talk of this event."),
    "bad_url": _l("Give a web address starting with https:// or http://."),
}


def error_message(code: str, max_megabytes: float | None = None) -> str:
    """The translated message for a refusal code."""
    text = ERRORS.get(code, ERRORS["unsupported_type"])
    return str(text) % {"size": f"{max_megabytes:g}"} if code == "too_large" else str(text)


def human_size(size: int) -> str:
    """1.4 MB, 320 KB: sizes as people read them."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"
