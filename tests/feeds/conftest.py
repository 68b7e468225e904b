"""Feed fixtures: a database with series, exceptions, a split series, cancellations and noise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from eventapp.calendar import recurrence
from eventapp.events.models import AgendaItem, Event, EventKind, EventMode, EventSeries, EventStatus
from eventapp.extensions import db
from eventapp.feeds import cache, fragments, listing, validators


@pytest.fixture(autouse=True)
def _empty_body_cache():
    # Bodies are cached per process by (feed, version); each test starts from a cold cache.
    cache.body_cache.clear()
    cache.version_memo.clear()
    fragments.local_blocks.clear()
    listing.listings.clear()
    validators.published.clear()
    yield
    cache.body_cache.clear()
    cache.version_memo.clear()
    fragments.local_blocks.clear()
    listing.listings.clear()


@dataclass
class World:
    """The rows a feed test needs to find again."""

    now: datetime
    weekly: EventSeries
    monthly_old: EventSeries
    monthly_new: EventSeries
    berlin: EventSeries
    moved: Event
    cancelled_occurrence: Event
    edited: Event
    one_off: Event
    cancelled_one_off: Event
    old_cancelled_one_off: Event
    draft: Event
    training: Event
    extra: dict = field(default_factory=dict)


def build_series(*, title: str, rrule: str, dtstart_local: datetime, duration_minutes: int,
                 until: datetime, tz: str = "Asia/Ho_Chi_Minh", kind: EventKind = EventKind.PRESS_BRIEFING,
                 **values) -> EventSeries:
    """A published series with its occurrence rows up to `until`, built the way the events
    service generates them (rows straight from the pure expansion; no dependence on its API)."""
    rule = recurrence.normalise_rrule(rrule, tz)
    series = EventSeries(title=title, rrule=rule, dtstart_local=dtstart_local, tz=tz, kind=kind,
                         duration_minutes=duration_minutes, generated_until=until, **values)
    db.session.add(series)
    db.session.flush()
    for start in recurrence.expand(rule, dtstart_local, tz, until_utc=until):
        db.session.add(Event(
            series_id=series.id, original_start=start, starts_at=start,
            ends_at=start + timedelta(minutes=duration_minutes), status=EventStatus.PUBLISHED,
            published_at=start - timedelta(days=90), kind=kind, title=title, tz=tz,
            description=values.get("description", ""), mode=values.get("mode", EventMode.IN_PERSON),
            venue=values.get("venue"), online_url=values.get("online_url")))
    db.session.flush()
    db.session.refresh(series)
    return series


def _rows(series: EventSeries) -> list[Event]:
    return sorted(series.occurrences, key=lambda e: e.original_start)


@pytest.fixture
def world(app, make_event) -> World:
    now = datetime.now(UTC).replace(microsecond=0)
    today = recurrence.to_local(now, "Asia/Ho_Chi_Minh").date()
    start_day = today - timedelta(days=60)
    horizon = now + timedelta(days=370)
    weekly = build_series(
        title="Họp báo thường kỳ hằng tuần", rrule="FREQ=WEEKLY;BYDAY=TH",
        dtstart_local=recurrence.first_on_or_after(
            "FREQ=WEEKLY;BYDAY=TH", start_day, datetime.min.time().replace(hour=9), "Asia/Ho_Chi_Minh"),
        duration_minutes=90, venue="18 Nguyễn Du, Hà Nội", description="Thông tin chính thức của Bộ.",
        until=horizon)
    # "This and all following": the old half ends, the new half is its own series (own UID).
    split_at = recurrence.to_utc(datetime.combine(today + timedelta(days=100), datetime.min.time()),
                                 "Asia/Ho_Chi_Minh")
    monthly_old = build_series(
        title="Họp báo tháng", rrule=f"FREQ=MONTHLY;BYDAY=1TU;UNTIL={split_at:%Y%m%dT%H%M%SZ}",
        dtstart_local=recurrence.first_on_or_after(
            "FREQ=MONTHLY;BYDAY=1TU", start_day, datetime.min.time().replace(hour=15), "Asia/Ho_Chi_Minh"),
        duration_minutes=60, mode=EventMode.HYBRID, venue="Hội trường tầng 3",
        online_url="https://meet.example.vn/hop-bao-thang", until=horizon)
    monthly_new = build_series(
        title="Họp báo tháng (giờ mới)", rrule="FREQ=MONTHLY;BYDAY=1TU",
        dtstart_local=recurrence.first_on_or_after(
            "FREQ=MONTHLY;BYDAY=1TU", today + timedelta(days=101),
            datetime.min.time().replace(hour=14), "Asia/Ho_Chi_Minh"),
        duration_minutes=60, mode=EventMode.ONLINE, online_url="https://meet.example.vn/moi",
        until=horizon)
    monthly_new.split_from_id = monthly_old.id
    # A zone with daylight saving time, so VTIMEZONE rules and UTC UNTIL really matter.
    berlin = build_series(
        title="Tập huấn trực tuyến với châu Âu", rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
        dtstart_local=recurrence.first_on_or_after(
            "FREQ=WEEKLY;BYDAY=MO", start_day, datetime.min.time().replace(hour=10), "Europe/Berlin"),
        duration_minutes=120, tz="Europe/Berlin", kind=EventKind.TRAINING, mode=EventMode.ONLINE,
        online_url="https://meet.example.eu/training", until=horizon)
    db.session.flush()

    future = [e for e in _rows(weekly) if e.starts_at > now + timedelta(days=10)]
    moved, cancelled_occurrence, edited = future[0], future[2], future[4]
    moved.starts_at += timedelta(days=1, hours=5)
    moved.ends_at += timedelta(days=1, hours=5)
    moved.is_exception = True
    moved.bump_sequence()
    cancelled_occurrence.status = EventStatus.CANCELLED
    cancelled_occurrence.cancelled_at = now
    cancelled_occurrence.bump_sequence()
    edited.title = "Họp báo đặc biệt: chuyển đổi số quốc gia"
    edited.is_exception = True
    edited.bump_sequence()
    db.session.add(AgendaItem(event=edited, position=1, starts_at=edited.starts_at,
                              ends_at=edited.starts_at + timedelta(minutes=30), title="Khai mạc",
                              speaker="Ông Nguyễn Văn A", speaker_organisation_name="Cục Báo chí"))
    for row in _rows(berlin)[3:5]:  # unpublished occurrences inside a series become EXDATEs
        row.status = EventStatus.DRAFT

    one_off = make_event(title="Hội nghị tập huấn kỹ năng phát ngôn — Quảng Ninh",
                         kind=EventKind.TRAINING, starts_in=timedelta(days=20), mode=EventMode.HYBRID,
                         online_url="https://meet.example.vn/tap-huan", published_at=now,
                         description="Tập huấn cho người phát ngôn.\nHội nghị trực tuyến và trực tiếp.")
    cancelled_one_off = make_event(title="Họp báo bất thường", starts_in=timedelta(days=5),
                                   status=EventStatus.CANCELLED, published_at=now - timedelta(days=3),
                                   cancelled_at=now - timedelta(days=1))
    old_cancelled_one_off = make_event(title="Họp báo đã hủy từ lâu", starts_in=timedelta(days=6),
                                       status=EventStatus.CANCELLED, published_at=now - timedelta(days=40),
                                       cancelled_at=now - timedelta(days=30))
    draft = make_event(title="Bản nháp", starts_in=timedelta(days=15), status=EventStatus.DRAFT)
    training = make_event(title="Tập huấn an toàn thông tin", kind=EventKind.TRAINING,
                          starts_in=timedelta(days=40), published_at=now)
    make_event(title="Họp báo quá cũ", starts_in=timedelta(days=-45), published_at=now)
    make_event(title="Họp báo tuần trước", starts_in=timedelta(days=-7), published_at=now)
    db.session.commit()
    return World(now=now, weekly=weekly, monthly_old=monthly_old, monthly_new=monthly_new, berlin=berlin,
                 moved=moved, cancelled_occurrence=cancelled_occurrence, edited=edited, one_off=one_off,
                 cancelled_one_off=cancelled_one_off, old_cancelled_one_off=old_cancelled_one_off,
                 draft=draft, training=training)


def expected_occurrences(now: datetime, *, kind: EventKind | None = None,
                         events: list[Event] | None = None) -> set[tuple[str, str, str]]:
    """(UID, UTC start, title) of what a feed must show, straight from the rows (not via services)."""
    result = set()
    rows = events if events is not None else db.session.scalars(db.select(Event)).all()
    for event in rows:
        if kind is not None and event.kind != kind:
            continue
        if event.ends_at <= now - timedelta(days=30):
            continue
        title = event.title
        if event.status == EventStatus.CANCELLED:
            if event.series_id or not event.published_at or event.cancelled_at < now - timedelta(days=7):
                continue
            title = f"[Đã hủy] {title}"
        elif event.status != EventStatus.PUBLISHED:
            continue
        uid = event.series.uid if event.series_id else event.uid
        result.add((uid, iso(event.starts_at), title))
    return result


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
