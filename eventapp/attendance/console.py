"""Attendance screens: the check-in desk, the site board and the attendance reports (with exports)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from eventapp import spreadsheets
from eventapp.accounts.permissions import CHECKIN, ORGANISERS, roles_required
from eventapp.attendance import exports, reports, rollcall, services, svg
from eventapp.attendance.labels import SCAN_MESSAGES, window_message
from eventapp.events.labels import SITE_STATUS_LABELS
from eventapp.events.models import Event, EventSeries, EventStatus
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.params import int_arg
from eventapp.registrations.labels import CHANNEL_LABELS, STATUS_LABELS
from eventapp.web import local_time

bp = Blueprint("attendance_console", __name__)


def _event(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)  # the URL's int converter already refuses ids no row can have
    if not event.is_visible_to(current_user):
        abort(404)
    return event


def _window_events(*, with_sites: bool = False, back: int = 1, ahead: int = 30) -> list[Event]:
    now = utcnow()
    query = sa.select(Event).where(Event.status != EventStatus.CANCELLED, Event.visible_to(current_user),
                                   Event.ends_at >= now - timedelta(days=back),
                                   Event.starts_at <= now + timedelta(days=ahead))
    if with_sites:
        query = query.where(Event.sites.any())
    return list(db.session.scalars(query.order_by(Event.starts_at).limit(50)))


@bp.get("/")
@roles_required(*CHECKIN)
def index() -> ResponseReturnValue:
    """Events whose door is open now or soon: pick one to run its desk."""
    events = _window_events()
    now = utcnow()
    return render_template("attendance/console/index.html", events=events,
                           closed={e.id: message for e in events if (message := window_message(e, now))})


@bp.get("/events/<int:event_id>/desk")
@roles_required(*CHECKIN)
def desk(event_id: int) -> ResponseReturnValue:
    event = _event(event_id)
    closed = window_message(event)
    messages = {code: str(text) for code, text in SCAN_MESSAGES.items()}
    if closed:
        messages["closed"] = closed  # the desk's refusal says when it opens (or when it closed)
    return render_template(
        "attendance/console/desk.html", event=event, counters=services.counters(event.id),
        messages=messages, closed=closed)


@bp.get("/boards")
@roles_required(*ORGANISERS)
def boards() -> ResponseReturnValue:
    """Hybrid events around today that have participating sites."""
    return render_template("attendance/console/boards.html", events=_window_events(with_sites=True, back=3))


@bp.get("/events/<int:event_id>/board")
@roles_required(*ORGANISERS)
def board(event_id: int) -> ResponseReturnValue:
    event = _event(event_id)
    tiles = rollcall.board(event)
    return render_template(
        "attendance/console/board.html", event=event, tiles=tiles, summary=rollcall.summary(tiles),
        status_labels=SITE_STATUS_LABELS,
        poll_seconds=current_app.config.get("ATTENDANCE_POLL_SECONDS", 5))


@bp.get("/reports")
@roles_required(*ORGANISERS)
def reports_index() -> ResponseReturnValue:
    now = utcnow()
    events = db.session.scalars(
        sa.select(Event).where(Event.status != EventStatus.CANCELLED,
                               Event.starts_at <= now + timedelta(days=30))
        .order_by(Event.starts_at.desc()).limit(60)).all()
    series = db.session.scalars(sa.select(EventSeries).order_by(EventSeries.title)).all()
    return render_template("attendance/console/reports.html", events=events, series=series)


def _format() -> str | None:
    fmt = request.args.get("format")
    if fmt is None:
        return None
    if fmt not in spreadsheets.CONTENT_TYPES:
        abort(400)
    return fmt


def _bars(groups: dict[str, reports.Tally], labels: Mapping[Any, object] | None = None,
          limit: int = 15) -> list[tuple[str, int, int]]:
    labels = labels or {}
    return [(str(labels.get(key, key)), t.attended, t.registered) for key, t in list(groups.items())[:limit]]


@bp.get("/events/<int:event_id>/report")
@roles_required(*ORGANISERS)
def event_report(event_id: int) -> ResponseReturnValue:
    """Registered, attended and no-shows by channel, site, organisation and outlet; late arrivals."""
    event = _event(event_id)
    fmt = _format()
    report = reports.event_report(event, reports.fetch_rows([event.id]), reports.fetch_sites([event.id]))
    if fmt:
        headers, rows = exports.event_rows(event, report)
        return spreadsheets.download(fmt, exports.filename(_("Attendance"), event.title, event), headers, rows,
                                     title=_("Attendance"))
    charts = {
        "channel": svg.bar_chart(_bars(report.by_channel, CHANNEL_LABELS), _("By channel")),
        "outlet": svg.bar_chart(_bars(report.by_outlet), _("By press outlet (top 15)")),
        "organisation": svg.bar_chart(_bars(report.by_organisation), _("By organisation (top 15)")),
    }
    if report.by_site:
        charts["site"] = svg.bar_chart(
            [(s.name, present, t.registered) for s, t, present in report.by_site], _("By site"))
    return render_template("attendance/console/event_report.html", event=event, report=report,
                           charts=charts, channel_labels=CHANNEL_LABELS, status_labels=STATUS_LABELS,
                           site_status_labels=SITE_STATUS_LABELS, late_after=reports.LATE_AFTER)


@bp.get("/series-report")
@roles_required(*ORGANISERS)
def series_report() -> ResponseReturnValue:
    """A series or a period: the site × session heat map and each journalist's participation."""
    fmt = _format()
    series_id = int_arg("series_id")
    series = db.session.get(EventSeries, series_id) if series_id else None
    if series_id and series is None:
        abort(404)
    page: dict[str, Any] = {"series": series, "args": request.args, "truncated": False, "upcoming": set(),
            "max_sessions": reports.MAX_SESSIONS,
            "filters": {k: v for k in ("series_id", "start", "end") if (v := request.args.get(k))},
            "all_series": db.session.scalars(sa.select(EventSeries).order_by(EventSeries.title)).all()}
    try:
        start, end = reports.period(request.args.get("start"), request.args.get("end"),
                                    current_app.config["DEFAULT_EVENT_TZ"])
    except reports.PeriodError as error:
        return render_template("attendance/console/series_report.html", sessions=[], matrix=[],
                               people=[], heat=None, chosen=False, error=str(error), **page), 400
    chosen = series is not None or start is not None or end is not None
    sessions, page["truncated"] = (reports.fetch_sessions(series_id=series_id, start=start, end=end)
                                   if chosen else ([], False))
    ids, now = [s.id for s in sessions], utcnow()
    rows, sites = reports.fetch_rows(ids), reports.fetch_sites(ids)
    matrix = reports.site_matrix(sessions, rows, sites, now)
    people = reports.participation(sessions, rows, now)
    if fmt:
        table = request.args.get("table", "matrix")
        if table == "people":
            headers, lines = exports.participation_rows(sessions, people)
        else:
            headers, lines = exports.matrix_rows(sessions, matrix)
        what = _("Attendance by journalist") if table == "people" else _("Attendance by site")
        name = exports.filename(what, series.title if series else "", sessions[0] if sessions else None)
        return spreadsheets.download(fmt, name, headers, lines, title=_("Attendance"))
    page["upcoming"] = reports.upcoming_ids(sessions, now)
    heat = None
    if matrix:
        heat = svg.heat_map(
            [rollcall.short_site_name(site.name) for site, _cells in matrix],
            [local_time(s.starts_at, s.tz, "dd/MM/yy") for s in sessions],
            [[_heat_cell(c) for c in cells] for _site, cells in matrix],
            _("Attendance rate by site and session"),
            row_titles=[site.name for site, _cells in matrix],
            legend=(_("0% present"), _("100% present"), _("did not take part")))
    return render_template("attendance/console/series_report.html", sessions=sessions, matrix=matrix,
                           people=people, heat=heat, chosen=chosen, error=None, **page)


def _heat_cell(cell: reports.Cell | None) -> tuple[float | None, str] | None:
    if cell is None:
        return None
    if cell.upcoming:
        return None, "—"
    return cell.rate, f"{cell.rate:.0%}" if cell.rate is not None else str(cell.present)
