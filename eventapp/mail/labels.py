"""Translated labels and badge colours of outbox states."""

from flask_babel import lazy_gettext as _l

from eventapp.labels import enum_labels
from eventapp.mail.models import OutboxStatus

STATUS_LABELS = enum_labels(OutboxStatus, {
    OutboxStatus.DRAFT: _l("Being written"),
    OutboxStatus.QUEUED: _l("Queued"),
    OutboxStatus.SENDING: _l("Sending"),
    OutboxStatus.SENT: _l("Sent"),
    OutboxStatus.FAILED: _l("Failed"),
})
