"""Forms of the materials console: upload a file, add a recording or livestream link."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import URL, DataRequired, Length, Optional

from eventapp.documents.filetypes import ACCEPTED_EXTENSIONS
from eventapp.forms import AppForm
from eventapp.materials.labels import AUDIENCE_LABELS, LINK_KIND_LABELS
from eventapp.materials.models import Audience


def _clean(value: str | None) -> str | None:
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


def _optional_int(value: object) -> int | None:
    return int(str(value)) if value not in (None, "", "None") else None


class MaterialForm(AppForm):
    """One file for the event or one of its talks, and who may see it."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)], filters=[_clean])
    file = FileField(_l("File"), validators=[FileRequired()],
                     description=_l("PDF, DOCX, PPTX, XLSX, PNG, JPEG, GIF or WebP."))
    agenda_item_id = SelectField(_l("Talk"), coerce=_optional_int, validators=[Optional()])
    audience = SelectField(_l("Who may see it"), choices=[(a.value, label) for a, label in AUDIENCE_LABELS.items()],
                           default=Audience.PUBLIC.value, validators=[DataRequired()])

    accept = ",".join(f".{ext}" for ext in ACCEPTED_EXTENSIONS)


class LinkForm(AppForm):
    """A recording or livestream of the event."""

    kind = SelectField(_l("Kind"), choices=[(k.value, label) for k, label in LINK_KIND_LABELS.items()],
                       validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)], filters=[_clean])
    url = StringField(_l("Address (URL)"), validators=[DataRequired(), Length(max=500), URL(require_tld=False)],
                      filters=[_clean])
    audience = SelectField(_l("Who may see it"), choices=[(a.value, label) for a, label in AUDIENCE_LABELS.items()],
                           default=Audience.PUBLIC.value, validators=[DataRequired()])

