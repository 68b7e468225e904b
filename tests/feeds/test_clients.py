"""Independent clients (Mozilla ical.js, recurring-ical-events) expand feeds to exactly the database rows."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import recurring_ical_events
from icalendar import Calendar

from eventapp.events.models import EventKind
from tests.conftest import REQUIRE_BROWSER_ENV, _skip_or_fail
from tests.feeds.conftest import expected_occurrences, iso

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("icaljs_expand.mjs")


def _window(world):
    # A year and more: past the generated horizon, so a missing UNTIL clamp would show.
    return world.now - timedelta(days=30), world.now + timedelta(days=420)


def icaljs(body: bytes, start, end) -> dict:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "ical.js").is_dir():
        _skip_or_fail("node and node_modules/ical.js are needed (run `npm ci`)", REQUIRE_BROWSER_ENV)
    # A zone far from Vietnam: a floating time would land on the wrong instant.
    env = {**os.environ, "TZ": "America/New_York"}
    done = subprocess.run([node, str(SCRIPT), iso(start), iso(end)], input=body, capture_output=True,
                          cwd=ROOT, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def icaljs_many(items: list[tuple[bytes, object, object]]) -> list[dict]:
    """icaljs() for many feeds in one node process: [(body, start, end), ...] in, results out."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "ical.js").is_dir():
        _skip_or_fail("node and node_modules/ical.js are needed (run `npm ci`)", REQUIRE_BROWSER_ENV)
    payload = json.dumps([{"ics": body.decode("utf-8"), "start": iso(start), "end": iso(end)}
                          for body, start, end in items]).encode()
    done = subprocess.run([node, str(SCRIPT), "--batch"], input=payload, capture_output=True, cwd=ROOT,
                          env={**os.environ, "TZ": "America/New_York"}, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


@pytest.mark.parametrize("path,kind", [("/calendar.ics", None), ("/calendar/press-briefings.ics",
                                                                  EventKind.PRESS_BRIEFING),
                                       ("/calendar/trainings.ics", EventKind.TRAINING)])
def test_icaljs_expands_to_the_database(client, world, path, kind):
    body = client.get(path).data
    start, end = _window(world)
    result = icaljs(body, start, end)
    assert result["errors"] == []
    assert result["floating"] == []
    got = {(o["uid"], o["start"].replace(".000Z", "Z"), o["summary"]) for o in result["occurrences"]}
    expected = expected_occurrences(world.now, kind=kind)
    assert got == expected
    assert len(result["occurrences"]) == len(expected)  # no duplicates either
    # The exceptions are really there (not only "some" equality).
    summaries = {o["summary"] for o in result["occurrences"]}
    if kind is not EventKind.TRAINING:
        assert world.edited.title in summaries
        assert "[Đã hủy] Họp báo bất thường" in summaries
        assert (world.weekly.uid, iso(world.moved.starts_at), world.moved.title) in got
        assert not any(o["start"].startswith(iso(world.cancelled_occurrence.starts_at)[:13])
                       and o["uid"] == world.weekly.uid for o in result["occurrences"])
        ends = {(o["uid"], o["start"].replace(".000Z", "Z")): o["end"] for o in result["occurrences"]}
        moved_end = ends[(world.weekly.uid, iso(world.moved.starts_at))]
        assert moved_end.replace(".000Z", "Z") == iso(world.moved.ends_at)


def test_recurring_ical_events_expands_to_the_database(client, world):
    body = client.get("/calendar.ics").data
    start, end = _window(world)
    calendar = Calendar.from_ical(body)
    got = set()
    for occurrence in recurring_ical_events.of(calendar).between(start, end):
        dtstart = occurrence["DTSTART"].dt
        assert dtstart.tzinfo is not None, "floating time"
        got.add((str(occurrence["UID"]), iso(dtstart), str(occurrence["SUMMARY"])))
        if str(occurrence["UID"]) == world.weekly.uid and iso(dtstart) == iso(world.moved.starts_at):
            assert iso(occurrence["DTEND"].dt) == iso(world.moved.ends_at)
    assert got == expected_occurrences(world.now)


def test_personal_feed_expands_to_the_persons_rows(client, world, make_person, make_registration):
    from eventapp.extensions import db
    from eventapp.feeds import tokens
    from eventapp.feeds.models import CalendarScope
    from eventapp.registrations.models import Enrolment, EnrolmentSkip

    person = make_person()
    make_registration(world.one_off, person=person)
    enrolment = Enrolment(person_id=person.id, series_id=world.weekly.id)
    db.session.add(enrolment)
    db.session.flush()
    skipped = [e for e in world.weekly.occurrences if e.starts_at > world.now][1]
    db.session.add(EnrolmentSkip(enrolment_id=enrolment.id, event_id=skipped.id))
    # The feed holds the sessions where the person has a seat, as their invitations would.
    for occurrence in world.weekly.occurrences:
        if occurrence.id != skipped.id:
            make_registration(occurrence, person=person, enrolment_id=enrolment.id)
    token = tokens.issue_token(CalendarScope.PERSON, person.id)
    db.session.commit()
    body = client.get(f"/calendar/u/{token}.ics").data
    start, end = _window(world)
    mine = [e for e in world.weekly.occurrences if e.id != skipped.id] + [world.one_off]
    expected = expected_occurrences(world.now, events=mine)
    result = icaljs(body, start, end)
    assert result["floating"] == [] and result["errors"] == []
    assert {(o["uid"], o["start"].replace(".000Z", "Z"), o["summary"]) for o in result["occurrences"]} == expected
    got = {(str(o["UID"]), iso(o["DTSTART"].dt), str(o["SUMMARY"]))
           for o in recurring_ical_events.of(Calendar.from_ical(body)).between(start, end)}
    assert got == expected
