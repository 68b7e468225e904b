"""Every console and API route × every role, generated from the URL map.

A route under /console or /api/v1 without an entry in ACCESS (signed-in sessions) or API_ACCESS
(bearer tokens) fails the test, so nobody can add a screen or an endpoint without deciding who may
use it. Object-level rules (a coordinator and another site's objects) are tested in the domain
tests.
"""

from __future__ import annotations

import pytest

from eventapp.accounts.models import Role
from eventapp.extensions import db

ADMIN, ORGANISER, COORD, CHECKIN = Role.ADMIN, Role.ORGANISER, Role.SITE_COORDINATOR, Role.CHECKIN_STAFF
UNIT = Role.UNIT_RESPONDENT
STAFF = frozenset(Role)  # their own account: password, API tokens, the dashboard (it sends each role home)
EVENT_STAFF = STAFF - {UNIT}  # unit respondents see their unit's questions and nothing else
ORGANISERS = frozenset({ADMIN, ORGANISER})
PUBLIC = "public"
DESK = frozenset({ADMIN, ORGANISER, CHECKIN})
SITE_ROLES = frozenset({ADMIN, ORGANISER, COORD})

# endpoint -> roles that may use it (PUBLIC: anyone, no sign-in)
ACCESS: dict[str, frozenset[Role] | str] = {
    "console.dashboard": STAFF,
    "accounts.change_password": STAFF,
    "accounts_console.index": frozenset({ADMIN}),
    "accounts_console.create": frozenset({ADMIN}),
    "accounts_console.edit": frozenset({ADMIN}),
    "accounts_console.reset_password": frozenset({ADMIN}),
    "accounts_console.set_active": frozenset({ADMIN}),
    "api_tokens_console.index": STAFF,
    "api_tokens_console.create": STAFF,
    "api_tokens_console.revoke": STAFF,
    "api_tokens_console.all_tokens": frozenset({ADMIN}),
    "directory_console.sites": ORGANISERS,
    "directory_console.set_site_active": ORGANISERS,
    "directory_console.organisations": ORGANISERS,
    "directory_console.people": ORGANISERS,
    "mail_console.outbox": ORGANISERS,
    "mail_console.retry_message": ORGANISERS,
    "mail_console.message": ORGANISERS,
    "events_console.index": ORGANISERS,
    "events_console.new_series": ORGANISERS,
    "events_console.preview": ORGANISERS,
    "events_console.series_detail": ORGANISERS,
    "events_console.edit_series": ORGANISERS,
    "events_console.publish_series": ORGANISERS,
    "events_console.cancel_series": ORGANISERS,
    "events_console.new_event": ORGANISERS,
    "events_console.edit_event": ORGANISERS,
    "events_console.publish_event": ORGANISERS,
    "events_console.cancel_event": ORGANISERS,
    "events_console.edit_following": ORGANISERS,
    "events_console.event_sites": ORGANISERS,
    "events_console.add_sites": ORGANISERS,
    "events_console.update_sites": ORGANISERS,
    "events_console.event_agenda": ORGANISERS,
    "events_console.edit_agenda_item": ORGANISERS,
    "events_console.delete_agenda_item": ORGANISERS,
    "events_console.move_agenda_item": ORGANISERS,
    "events_console.sort_agenda": ORGANISERS,
    "feeds_console.index": SITE_ROLES,
    "feeds_console.site_link": SITE_ROLES,
    "feeds_console.person_link": ORGANISERS,
    "api.events": PUBLIC,
    "registrations_console.index": ORGANISERS,
    "registrations_console.event_registrations": ORGANISERS,
    "registrations_console.bulk": ORGANISERS,
    "registrations_console.add": ORGANISERS,
    "registrations_console.export": ORGANISERS,
    "registrations_console.person": ORGANISERS,
    "registrations_console.outlets": ORGANISERS,
    "registrations_console.confirm_outlet": ORGANISERS,
    "registrations_console.announce": ORGANISERS,
    "registrations_console.accredit": ORGANISERS,
    "registrations_console.revoke_accreditation": ORGANISERS,
    "site_console.index": SITE_ROLES,
    "site_console.event": SITE_ROLES,
    "site_console.add": SITE_ROLES,
    "site_console.people": SITE_ROLES,
    "site_console.edit": SITE_ROLES,
    "site_console.cancel": SITE_ROLES,
    "site_console.template": SITE_ROLES,
    "site_console.import_preview": SITE_ROLES,
    "site_console.import_confirm": SITE_ROLES,
    "attendance_console.index": DESK,
    "attendance_console.desk": DESK,
    "attendance_console.boards": ORGANISERS,
    "attendance_console.board": ORGANISERS,
    "attendance_console.reports_index": ORGANISERS,
    "attendance_console.event_report": ORGANISERS,
    "attendance_console.series_report": ORGANISERS,
    "attendance_api.scan": DESK,
    "attendance_api.batch": DESK,
    "attendance_api.undo": DESK,
    "attendance_api.counters": DESK,
    "attendance_api.walk_in": DESK,
    "attendance_api.search": DESK,
    "attendance_api.board": ORGANISERS,
    "attendance_api.ping": EVENT_STAFF,
    "rollcall_console.index": SITE_ROLES,
    "rollcall_console.screen": SITE_ROLES,
    "rollcall_console.connect": SITE_ROLES,
    "rollcall_console.present": SITE_ROLES,
    "rollcall_console.headcount": SITE_ROLES,
    "rollcall_console.walk_in": SITE_ROLES,
    "rollcall_console.report": SITE_ROLES,
    "rollcall_console.reopen": ORGANISERS,
    "rollcall_console.lock": ORGANISERS,
    "api.event": PUBLIC,
    "api.openapi": PUBLIC,
    "questions_console.index": ORGANISERS,
    "questions_console.queue": ORGANISERS,
    "questions_console.set_deadline": ORGANISERS,
    "questions_console.send_answers": ORGANISERS,
    "questions_console.question": ORGANISERS,
    "questions_console.edit": ORGANISERS,
    "questions_console.assign": ORGANISERS,
    "questions_console.decline": ORGANISERS,
    "questions_console.merge": ORGANISERS,
    "questions_console.publish": ORGANISERS,
    "questions_console.approve": ORGANISERS,
    "questions_console.return_answer": ORGANISERS,
    "questions_console.export": ORGANISERS,
    "questions_console.report": ORGANISERS,
    "questions_console.moderator": ORGANISERS,
    "questions_console.live_json": ORGANISERS,
    "questions_console.projector": ORGANISERS,
    "questions_console.live_action": ORGANISERS,
    "questions_console.unit_index": frozenset({UNIT}),
    "questions_console.assignment": frozenset({UNIT}),
    "questions_console.document": frozenset({ADMIN, ORGANISER, UNIT}),
    "questions_console.site_ask": SITE_ROLES,
    "materials.index": ORGANISERS,
    "materials.event_materials": ORGANISERS,
    "materials.upload": ORGANISERS,
    "materials.add_link": ORGANISERS,
    "materials.delete_material": ORGANISERS,
    "materials.delete_link": ORGANISERS,
    "materials.console_download": SITE_ROLES,
    "evaluations.index": ORGANISERS,
    "evaluations.questions": ORGANISERS,
    "evaluations.add_question": ORGANISERS,
    "evaluations.add_talk_ratings": ORGANISERS,
    "evaluations.delete_question": ORGANISERS,
    "evaluations.results_page": ORGANISERS,
    "evaluations.export": ORGANISERS,
    "evaluations.site_answer": SITE_ROLES,
    "certificates.index": SITE_ROLES,
    "certificates.event": ORGANISERS,
    "certificates.event_pdf": ORGANISERS,
    "certificates.registration_pdf": ORGANISERS,
    "certificates.revoke": ORGANISERS,
    "certificates.reinstate": ORGANISERS,
    "certificates.site_pdf": SITE_ROLES,
    "certificates.badges_pdf": DESK,
}

# endpoint -> roles whose API token may use it (token-authenticated: a session cookie gets a 401)
API_ACCESS: dict[str, frozenset[Role]] = {
    "api.registrations": EVENT_STAFF,
    "api.checkins": DESK,
    "api.sites": SITE_ROLES,
    "api.questions": frozenset({ADMIN, ORGANISER, UNIT}),
    "api.question": frozenset({ADMIN, ORGANISER, UNIT}),
}


def _guarded_rules(app):
    return [r for r in app.url_map.iter_rules()
            if r.rule.startswith(("/console", "/api/")) and r.endpoint != "static"]


def test_every_console_and_api_route_has_an_entry(app) -> None:
    missing = sorted(r.endpoint for r in _guarded_rules(app)
                     if r.endpoint not in ACCESS and r.endpoint not in API_ACCESS)
    assert missing == [], f"add these endpoints to ACCESS or API_ACCESS: {missing}"
    assert set(ACCESS).isdisjoint(API_ACCESS)
    stale = sorted((set(ACCESS) | set(API_ACCESS)) - {r.endpoint for r in _guarded_rules(app)})
    assert stale == [], f"ACCESS/API_ACCESS name endpoints that no longer exist: {stale}"


def test_declared_roles_match_the_matrix(app) -> None:
    """The roles a view declares (@roles_required, @token_required) are exactly the matrix's."""
    for rule in _guarded_rules(app):
        view = app.view_functions[rule.endpoint]
        bearer = getattr(view, "auth", None) == "bearer"
        expected = API_ACCESS.get(rule.endpoint) if bearer else ACCESS.get(rule.endpoint)
        declared = getattr(view, "allowed_roles", PUBLIC)
        assert declared == expected, f"{rule.endpoint}: declares {declared}, matrix says {expected}"
        assert bearer == (rule.endpoint in API_ACCESS), f"{rule.endpoint}: authentication kind"


@pytest.fixture
def url_values(app, make_user, make_site, make_event, make_person):
    """A real object for every URL parameter name a guarded route uses."""
    site = make_site()
    event = make_event()
    values = {
        "user_id": make_user(Role.CHECKIN_STAFF).id,
        "site_id": site.id,
        "event_id": event.id,
        "person_id": make_person().id,
        "message_id": _outbox_message().id,
        "registration_id": _registration(event).id,
        "organisation_id": site.organisation_id,
        "accreditation_id": _accreditation().id,
        "fmt": "csv",
    }
    values["series_id"] = _series().id
    values["item_id"] = _agenda_item(event).id
    values["token_id"] = _api_token().id
    values.update(_question_values(event, values["registration_id"]))
    values["action"] = "start"
    values["material_id"], values["link_id"] = _material_and_link(event)
    values["evaluation_question_id"] = _evaluation_question(event)
    return values


def _question_values(event, registration_id):
    """A question with an assignment and a submitted answer (the unit's own objects are tested in
    tests/questions: here every role meets the same rows)."""
    from eventapp.directory.models import Organisation, OrganisationKind
    from eventapp.questions import services
    from eventapp.questions.models import AnswerStatus, AskedVia, Handling, QuestionAnswer
    from eventapp.registrations.models import Registration

    registration = db.session.get(Registration, registration_id)
    unit = Organisation(kind=OrganisationKind.MINISTRY_UNIT, name="Cục Báo chí")
    db.session.add(unit)
    db.session.flush()
    question = services.ask(event, text="Câu hỏi về báo chí?", via=AskedVia.TICKET, person=registration.person,
                            registration=registration)
    services.assign(question, unit_ids=[unit.id], handling=Handling.STAGE, due_on=None, actor=None)
    assignment = question.assignments[0]
    assignment.answer = QuestionAnswer(text="Trả lời", status=AnswerStatus.SUBMITTED)
    db.session.flush()
    return {"question_id": question.id, "assignment_id": assignment.id, "answer_id": assignment.answer.id}


def _evaluation_question(event) -> int:
    from eventapp.evaluations.models import EvaluationQuestion, QuestionKind

    question = EvaluationQuestion(event_id=event.id, kind=QuestionKind.TEXT, prompt="Góp ý của anh/chị?")
    db.session.add(question)
    db.session.flush()
    return question.id


def _material_and_link(event) -> tuple[int, int]:
    from eventapp.materials.models import Audience, EventLink, LinkKind, Material
    from eventapp.materials.storage import save

    material = Material(event_id=event.id, title="Tài liệu", filename="tai-lieu.pdf", kind="pdf",
                        content_type="application/pdf", size_bytes=9, sha256="0" * 64,
                        storage_key=save(b"%PDF-1.4\n"), audience=Audience.PUBLIC)
    link = EventLink(event_id=event.id, kind=LinkKind.RECORDING, title="Ghi hình", url="https://example.vn/v",
                     audience=Audience.PUBLIC)
    db.session.add_all([material, link])
    db.session.flush()
    return material.id, link.id


def _api_token():
    from eventapp.accounts.api_tokens import issue
    from eventapp.accounts.models import User

    owner = User(email="owner@example.vn", role=ORGANISER, password_hash="-")
    db.session.add(owner)
    db.session.flush()
    return issue(owner, "Máy quét", actor=None)[0]


def _series():
    from datetime import datetime, timedelta

    from eventapp.events.services import SeriesSpec, create_series

    start = (datetime.now() + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)
    return create_series(SeriesSpec(title="Họp báo thường kỳ", rrule="FREQ=MONTHLY;BYMONTHDAY=1",
                                    dtstart_local=start, duration_minutes=90, venue="Hà Nội"))


def _agenda_item(event):
    from eventapp.events.models import AgendaItem

    item = AgendaItem(event_id=event.id, starts_at=event.starts_at, ends_at=event.ends_at, title="Khai mạc")
    db.session.add(item)
    db.session.flush()
    return item


def _registration(event):
    from eventapp.directory.models import Person
    from eventapp.extensions import db
    from eventapp.registrations.models import Registration, RegistrationChannel

    person = Person(full_name="Người đăng ký", email="matrix@example.vn", email_normalised="matrix@example.vn")
    db.session.add(person)
    db.session.flush()
    registration = Registration(event_id=event.id, person_id=person.id, channel=RegistrationChannel.PUBLIC)
    db.session.add(registration)
    db.session.flush()
    return registration


def _accreditation():
    from eventapp.directory.models import Person
    from eventapp.extensions import db
    from eventapp.registrations.models import Accreditation

    person = Person(full_name="Phóng viên")
    db.session.add(person)
    db.session.flush()
    accreditation = Accreditation(person_id=person.id)
    db.session.add(accreditation)
    db.session.flush()
    return accreditation


def _outbox_message():
    from eventapp.mail.services import queue_message

    message = queue_message(kind="test", to_address="a@example.vn", subject="Thử", body_text="Nội dung")
    message.attempts = 1
    db.session.flush()
    return message


def _request(client, rule, values, headers=None):
    params = {}
    for name in rule.arguments:
        assert name in values, f"no test value for URL parameter {name!r} of {rule.endpoint}"
        params[name] = values[name]
    url = rule.build(params, append_unknown=False)[1]
    if "GET" in rule.methods:
        return client.get(url, headers=headers)
    if rule.endpoint in API_ACCESS:
        return client.post(url, json={}, headers=headers)
    return client.post(url, data={}, headers=headers)


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_each_role_reaches_only_what_it_may(app, make_user, make_site, url_values, role) -> None:
    client = app.test_client()
    if role is not None:
        site = make_site() if role == COORD else None
        user = make_user(role, site=site)
        assert client.post("/login", data={"email": user.email, "password": "correct horse battery"}).status_code == 302
    for rule in _guarded_rules(app):
        response = _request(client, rule, url_values)
        where = f"{rule.endpoint} as {role or 'anonymous'}"
        if rule.endpoint in API_ACCESS:  # a session cookie is never a credential there
            assert response.status_code == 401 and response.get_json() == {"error": "unauthorized"}, where
            continue
        allowed = ACCESS[rule.endpoint]
        if allowed == PUBLIC:
            assert response.status_code < 400, where
        elif role is None:
            assert response.status_code == 302 and "/login" in response.headers["Location"], where
        elif role in allowed:
            assert response.status_code not in (401, 403), where
            assert response.status_code < 500, where
        else:
            assert response.status_code == 403, where


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "no-token")
def test_each_role_token_reaches_only_what_it_may(app, make_user, make_site, url_values, role) -> None:
    """Token-authenticated endpoints: no token 401, a token of an allowed role in, others 403."""
    from eventapp.accounts.api_tokens import issue

    headers = {}
    if role is not None:
        user = make_user(role, site=make_site() if role == COORD else None)
        headers["Authorization"] = f"Bearer {issue(user, 'Thiết bị', actor=user)[1]}"
        db.session.commit()
    client = app.test_client()
    for rule in _guarded_rules(app):
        if rule.endpoint not in API_ACCESS:
            continue
        response = _request(client, rule, url_values, headers)
        where = f"{rule.endpoint} as {role or 'no token'}"
        assert response.is_json, where
        if role is None:
            assert response.status_code == 401, where
            assert response.headers["WWW-Authenticate"].startswith("Bearer"), where
        elif role in API_ACCESS[rule.endpoint]:
            assert response.status_code not in (401, 403), where
            assert response.status_code < 500, where
        else:
            assert response.status_code == 403 and response.get_json() == {"error": "forbidden"}, where
