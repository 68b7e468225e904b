"""The journalist's public form: one submission, for one briefing or the whole series.

Above services (registering, people, outlets) and enrolments (the whole series), which it joins.
"""

from __future__ import annotations

from datetime import datetime

from eventapp.events.models import Event
from eventapp.events.services import upcoming_occurrences
from eventapp.models import utcnow
from eventapp.registrations import capacity, emails, enrolments, services, tickets
from eventapp.registrations.models import RegistrationChannel


def submit_public(event: Event, applicant: services.Applicant, *, outlet_name: str | None = None,
                  questions: str | None = None, whole_series: bool = False,
                  now: datetime | None = None, render_after_commit: bool = False) -> services.Outcome:
    """A journalist's form. New or not, the answer on screen is the same: the outcome is e-mailed.
    Anyone can type any address, so nothing that exists is changed: a duplicate only reminds the
    registered address of its current ticket link (at most once per TICKET_REMINDER_INTERVAL).
    `render_after_commit`: the e-mail is written as a draft that the caller renders after its
    commit (`mail.drafts.render_written`), so the event's lock is held for the seat decision only."""
    now = now or utcnow()
    services.check_window(event, now)
    # The person first, outside the event lock (shorter lock, and one order everywhere: person,
    # then events by id — so two transactions never wait for each other in a cycle).
    if outlet_name and not applicant.organisation_id:
        applicant.organisation_id = services.outlet_for_name(outlet_name).id
    person = services.find_or_create_person(applicant, anonymous=True)
    targets = (upcoming_occurrences(event.series, now, published_only=True)
               if whole_series and event.series is not None else [])
    for event_id in sorted({event.id, *(e.id for e in targets)}):
        capacity.lock_event(event_id)
    enrolment = enrolments.enrol(person, event.series, now) if targets and event.series else None
    outcome = services.register(event, person, channel=RegistrationChannel.PUBLIC, questions=questions,
                       locale=applicant.locale, enrolment=enrolment, now=now)
    if enrolment is not None:
        enrolments.register_enrolled(enrolment, [e for e in targets if e.id != event.id],
                                     locale=applicant.locale, now=now, attach_existing=False)
    notify = emails.notify_after_commit if render_after_commit else emails.notify
    if outcome.duplicate:
        if tickets.may_remind(outcome.registration, now):
            notify(outcome.registration, emails.TICKET_RESENT)
    else:
        notify(outcome.registration, emails.STATUS_KIND[outcome.registration.status])
    return outcome
