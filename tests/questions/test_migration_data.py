"""Migration 0010 moves the registrations' questions into the question tables, and back on downgrade."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from eventapp.extensions import db
from tests.conftest import make_test_app
from tests.test_migrations import _empty_database

# Rows as 0009 held them, written as SQL because the models no longer have the old columns.
ROWS = [
    "INSERT INTO organisations (id, kind, name, is_confirmed, is_active, created_at, updated_at) VALUES "
    "(1, 'press_outlet', 'Báo Nhân Dân', true, true, '2026-01-07 02:00:00', '2026-01-07 02:00:00'), (2, 'ministry_unit', 'Cục Báo chí', true, true, '2026-01-07 02:00:00', '2026-01-07 02:00:00')",
    "INSERT INTO people (id, full_name, email, email_normalised, organisation_id, locale, calendar_mode, created_at, "
    "updated_at) VALUES (1, 'Nguyễn Văn Ấn', 'a@x.vn', 'a@x.vn', 1, 'vi', 'invitations', '2026-01-07 02:00:00', '2026-01-07 02:00:00'), "
    "(2, 'Trần Thị Bình', 'b@x.vn', 'b@x.vn', NULL, 'vi', 'invitations', '2026-01-07 02:00:00', '2026-01-07 02:00:00'), "
    "(3, 'Lê Cường', 'c@x.vn', 'c@x.vn', NULL, 'vi', 'invitations', '2026-01-07 02:00:00', '2026-01-07 02:00:00')",
    "INSERT INTO events (id, uid, kind, title, description, starts_at, ends_at, tz, mode, status, waitlist_enabled, "
    "requires_approval, requires_press_card, sequence, is_exception, created_at, updated_at) VALUES (1, 'u1', "
    "'press_briefing', 'Họp báo', '', '2026-01-07 02:00:00', '2026-01-07 04:00:00', 'Asia/Ho_Chi_Minh', 'in_person', 'published', "
    "true, false, false, 0, false, '2026-01-07 02:00:00', '2026-01-07 02:00:00')",
    "INSERT INTO registrations (id, event_id, person_id, channel, status, questions, question_unit_id, "
    "question_answered_at, locale, ticket_version, created_at, updated_at) VALUES "
    "(1, 1, 1, 'public', 'approved', 'Về chuyển đổi số ở Hà Giang?', 2, '2026-01-07 02:00:00', 'vi', 0, '2026-01-07 02:00:00', '2026-01-07 02:00:00'), "
    "(2, 1, 2, 'public', 'approved', 'Luật Báo chí sửa đổi khi nào?', 2, NULL, 'vi', 0, '2026-01-07 02:00:00', '2026-01-07 02:00:00'), "
    "(3, 1, 3, 'public', 'approved', '   ', NULL, NULL, 'vi', 0, '2026-01-07 02:00:00', '2026-01-07 02:00:00')",
]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_registration_questions_move_to_the_question_tables_and_back(kind: str, tmp_path) -> None:
    url, drop = _empty_database(kind, tmp_path)
    try:
        app = make_test_app(url)
        with app.app_context():
            upgrade(revision="0009")
            for statement in ROWS:
                db.session.execute(sa.text(statement))
            db.session.commit()
            upgrade(revision="0010")
            questions = db.session.execute(sa.text(
                "SELECT status, handling, text FROM questions ORDER BY id")).all()
            assert [tuple(q) for q in questions] == [
                ("answered_on_stage", "stage", "Về chuyển đổi số ở Hà Giang?"),
                ("assigned", "written", "Luật Báo chí sửa đổi khi nào?")]
            askers = db.session.execute(sa.text(
                "SELECT person_id, outlet_id, registration_id, asked_via FROM question_askers ORDER BY id")).all()
            assert [tuple(a) for a in askers] == [(1, 1, 1, "registration"), (2, None, 2, "registration")]
            units = db.session.execute(sa.text("SELECT question_id, unit_id FROM question_assignments ORDER BY id")).all()
            assert [tuple(u) for u in units] == [(1, 2), (2, 2)]  # the unit kept, answered or not
            db.session.commit()

            downgrade(revision="0009")
            back = db.session.execute(sa.text(
                "SELECT id, questions, question_unit_id, question_answered_at IS NOT NULL FROM registrations "
                "ORDER BY id")).all()
            assert [tuple(r) for r in back] == [(1, "Về chuyển đổi số ở Hà Giang?", 2, True),
                                                (2, "Luật Báo chí sửa đổi khi nào?", 2, False),
                                                (3, None, None, False)]
            db.session.commit()
            downgrade(revision="base")
            db.engine.dispose()
    finally:
        drop()
