"""One label table per enum, complete in Vietnamese, read through the `label` filter everywhere."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale

from eventapp.attendance import exports, reports
from eventapp.extensions import db
from eventapp.labels import _TABLES, enum_labels, label
from eventapp.registrations.labels import STATUS_LABELS
from eventapp.registrations.models import RegistrationStatus


def test_every_table_is_complete_and_vietnamese(app) -> None:
    assert RegistrationStatus in _TABLES and len(_TABLES) >= 10
    with app.test_request_context("/"):
        for enum_cls, table in _TABLES.items():
            for member in enum_cls:
                with force_locale("en"):
                    english = str(table[member])
                with force_locale("vi"):
                    vietnamese = label(member)
                assert vietnamese and vietnamese != english, (enum_cls, member)


def test_a_table_must_name_every_member() -> None:
    try:
        enum_labels(RegistrationStatus, {RegistrationStatus.PENDING: "x"})
    except ValueError as error:
        assert "APPROVED" in str(error) or "approved" in str(error)
    else:
        raise AssertionError("an incomplete table was accepted")


def test_the_filter_and_the_attendance_export_say_what_the_ticket_says(app, make_event, make_registration) -> None:
    """Attendance used to say "Đã duyệt" where the ticket and the registrations list say "Đã xác nhận"."""
    event = make_event()
    make_registration(event, status=RegistrationStatus.APPROVED)
    db.session.commit()
    with app.test_request_context("/"):
        assert render_template_string("{{ status|label }}", status=RegistrationStatus.APPROVED) == "Đã xác nhận"
        report = reports.event_report(event, reports.fetch_rows([event.id]), reports.fetch_sites([event.id]))
        headers, rows = exports.event_rows(event, report)
        status_column = headers.index("Trạng thái")
        assert [row[status_column] for row in rows] == ["Đã xác nhận"] == [str(STATUS_LABELS[RegistrationStatus.APPROVED])]
