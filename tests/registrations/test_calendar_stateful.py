"""Random sequences of organiser and journalist actions: after every step, each person's mail
calendar (every iTIP part they received, applied by RFC 5546 rules and expanded with
recurring-ical-events) and their personal feed show exactly the database's sessions for them."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from eventapp.directory.models import CalendarMode
from eventapp.events import occurrences
from eventapp.events import services as events
from eventapp.events.models import Event, EventMode, EventStatus
from eventapp.extensions import db
from eventapp.feeds import tokens
from eventapp.feeds.models import CalendarScope
from eventapp.mail import drafts
from eventapp.models import utcnow
from eventapp.registrations import enrolments, public, services
from eventapp.registrations.models import Enrolment, Registration, RegistrationStatus
from tests.conftest import truncate_all
from tests.events.conftest import TZ, next_month_start
from tests.feeds.test_clients import icaljs_many, iso
from tests.registrations.mailcal import MailCalendars, feed_sessions, truth

PEOPLE = ("an@baochi.vn", "binh@vnexpress.net", "cuong@thanhnien.vn")
FAR = datetime(2100, 1, 1, tzinfo=UTC)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
EXAMPLES = int(os.environ.get("EVENTAPP_STATEFUL_EXAMPLES", "80"))
STEPS = int(os.environ.get("EVENTAPP_STATEFUL_STEPS", "10"))
ERRORS = (events.EventError, services.RegistrationError, ValueError)
RENDERED = ("in_transaction", "after_commit", "by_worker")

who = st.sampled_from(PEOPLE)
which = st.integers(min_value=0, max_value=9)


def _machine(app):
    class CalendarsStayTrue(RuleBasedStateMachine):
        """The organiser and three journalists, one weekly series and one hybrid one-off event."""

        @initialize()
        def world(self) -> None:
            db.session.rollback()
            truncate_all()
            spec = events.SeriesSpec(
                title="Họp báo thường kỳ", rrule="FREQ=WEEKLY;BYDAY=TH;COUNT=8",
                dtstart_local=next_month_start(), duration_minutes=90, tz=TZ, mode=EventMode.IN_PERSON,
                venue="18 Nguyễn Du, Hà Nội", capacity=2)
            self.series = events.create_series(spec, publish=True)
            start = (utcnow() + timedelta(days=20)).replace(microsecond=0, second=0)
            self.one_off = Event(title="Tập huấn kỹ năng phát ngôn", kind=self.series.kind, mode=EventMode.HYBRID,
                                 venue="Quảng Ninh", online_url="https://meet.example.vn/tap-huan",
                                 status=EventStatus.PUBLISHED, published_at=utcnow(), starts_at=start,
                                 ends_at=start + timedelta(hours=3), capacity=2)
            db.session.add(self.one_off)
            db.session.commit()
            self.mail = MailCalendars()
            self.feeds: dict[str, str] = {}
            self.seen: list[tuple[str, bytes, set]] = []  # every personal feed body, for ical.js
            self.client = app.test_client()

        # ---------------------------------------------------------------------------- helpers

        def _rows(self) -> list[Event]:
            return list(db.session.scalars(sa.select(Event).where(
                Event.status == EventStatus.PUBLISHED, Event.starts_at > utcnow()).order_by(Event.starts_at, Event.id)))

        def _pick(self, index: int) -> Event | None:
            rows = self._rows()
            return rows[index % len(rows)] if rows else None

        def _do(self, action) -> None:
            try:
                action()
                db.session.commit()
            except ERRORS:
                db.session.rollback()

        def _person(self, email: str):
            return services.find_person(email)

        def _registration(self, email: str, index: int) -> Registration | None:
            person, event = self._person(email), self._pick(index)
            if person is None or event is None:
                return None
            return db.session.scalar(sa.select(Registration).where(
                Registration.person_id == person.id, Registration.event_id == event.id))

        # ------------------------------------------------------------------------ journalists

        @rule(email=who, index=which, whole=st.booleans(), rendered=st.sampled_from(RENDERED))
        def register(self, email: str, index: int, whole: bool, rendered: str) -> None:
            """`rendered`: in the transaction (a service caller), after the commit (the public
            form's request), or by the mail worker (the request died after its commit)."""
            event = self._pick(index)
            if event is not None:
                self._do(lambda: public.submit_public(
                    event, services.Applicant(full_name="Nhà báo " + email[0].upper(), email=email),
                    whole_series=whole, render_after_commit=rendered != "in_transaction"))
                if rendered == "after_commit":
                    drafts.render_written()
                elif rendered == "by_worker":
                    drafts.render_due(now=FAR)
            if email not in self.feeds and self._person(email) is not None:
                self.feeds[email] = tokens.issue_token(CalendarScope.PERSON, self._person(email).id)
                db.session.commit()

        @rule(email=who, index=which, back=st.booleans())
        def skip_or_unskip(self, email: str, index: int, back: bool) -> None:
            person, event = self._person(email), self._pick(index)
            if person is None or event is None or event.series_id is None:
                return
            enrolment = db.session.scalar(sa.select(Enrolment).where(
                Enrolment.person_id == person.id, Enrolment.series_id == event.series_id))
            if enrolment is not None:
                self._do(lambda: (enrolments.unskip if back else enrolments.skip)(enrolment, event))

        @rule(email=who, index=which)
        def cancel_registration(self, email: str, index: int) -> None:
            registration = self._registration(email, index)
            if registration is not None and registration.is_active:
                self._do(lambda: services.cancel(registration, by=services.CancelledBy.REGISTRANT))

        @rule(email=who)
        def switch_calendar_path(self, email: str) -> None:
            person = self._person(email)
            if person is not None:
                person.calendar_mode = (CalendarMode.INVITATIONS if person.calendar_mode == CalendarMode.SUBSCRIPTION
                                        else CalendarMode.SUBSCRIPTION)
                db.session.commit()

        # -------------------------------------------------------------------------- organiser

        @rule(email=who, index=which, decision=st.sampled_from([RegistrationStatus.APPROVED,
                                                               RegistrationStatus.REJECTED,
                                                               RegistrationStatus.WAITLISTED]))
        def decide(self, email: str, index: int, decision: RegistrationStatus) -> None:
            registration = self._registration(email, index)
            if registration is not None:
                self._do(lambda: services.change_status(registration, decision, actor=None))

        @rule(index=which, hours=st.sampled_from([-26, -1, 2, 25]))
        def move(self, index: int, hours: int) -> None:
            event = self._pick(index)
            if event is not None:
                shift = timedelta(hours=hours)
                self._do(lambda: occurrences.update_event(
                    event, {"starts_at": event.starts_at + shift, "ends_at": event.ends_at + shift}))

        @rule(index=which, text=st.sampled_from(["Họp báo chuyên đề", "Phòng 201, 18 Nguyễn Du", ""]))
        def rename_or_new_venue(self, index: int, text: str) -> None:
            event = self._pick(index)
            if event is not None and text:
                field = "title" if text.startswith("Họp") else "venue"
                self._do(lambda: occurrences.update_event(event, {field: f"{text} {index}"}))

        @rule(index=which, link=st.sampled_from(["https://meet.example.vn/phong-2", "https://zoom.example.vn/j/9"]))
        def new_join_link(self, index: int, link: str) -> None:
            event = self._pick(index)
            if event is not None:
                self._do(lambda: occurrences.update_event(event, {"online_url": link, "mode": EventMode.HYBRID}))

        @rule(index=which)
        def cancel_session(self, index: int) -> None:
            event = self._pick(index)
            if event is not None:
                self._do(lambda: occurrences.cancel_event(event, "Thay đổi kế hoạch"))

        @rule(index=which, hour=st.sampled_from([8, 14]))
        def split(self, index: int, hour: int) -> None:
            event = self._pick(index)
            if event is None or event.series is None or not occurrences.can_split(event):
                return
            spec = events.spec_from_series(event.series)
            spec = replace(spec, dtstart_local=datetime.combine(spec.dtstart_local.date(), time(hour, 0)))
            self._do(lambda: occurrences.split_at(event, spec))

        # -------------------------------------------------------------------------- the truth

        @invariant()
        def every_calendar_is_true(self) -> None:
            self.mail.read_outbox()
            now = utcnow()
            for email in PEOPLE:
                person = self._person(email)
                if person is None:
                    continue
                expected = truth(person.id)
                invited = expected if person.calendar_mode == CalendarMode.INVITATIONS else set()
                assert self.mail.sessions(email, EPOCH, FAR) == invited, email
                if email in self.feeds:
                    body = self.client.get(f"/calendar/u/{self.feeds[email]}.ics").data
                    upcoming = {s for s in expected if s[1] > now}
                    assert feed_sessions(body, now, FAR) == upcoming, email
                    self.seen.append((email, body, {(iso(start), title) for start, _e, title, _w in upcoming}))

        def teardown(self) -> None:
            # Thunderbird's parser (Mozilla ical.js) reads every personal feed of every step as the
            # database had it then: one node process for the whole example.
            if not self.seen:
                return
            now = utcnow()
            results = icaljs_many([(body, now, now + timedelta(days=800)) for _email, body, _want in self.seen])
            for (email, _body, wanted), result in zip(self.seen, results, strict=True):
                assert result["errors"] == [] and result["floating"] == [], result
                shown = [o for o in result["occurrences"] if o["status"] != "CANCELLED"]
                got = {(o["start"].replace(".000Z", "Z"), o["summary"]) for o in shown}
                assert len(got) == len(shown) and got == wanted, email

    return CalendarsStayTrue


def test_calendars_stay_true_through_random_changes(app) -> None:
    run_state_machine_as_test(_machine(app), settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
