"""CSV/XLSX exports of attendance reports (formula-safe, UTF-8 with BOM for CSV)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from eventapp.attendance.reports import Cell, EventReport, Participant, SiteRow, is_late, total
from eventapp.calendar import recurrence
from eventapp.events.models import Event
from eventapp.registrations.labels import CHANNEL_LABELS, METHOD_LABELS, STATUS_LABELS
from eventapp.registrations.models import CheckinMethod, RegistrationChannel, RegistrationStatus
from eventapp.spreadsheets import export_filename
from eventapp.web import local_time


def filename(what: str, title: str, first: Event | None) -> str:
    """"tinh-hinh-tham-du-hop-bao-thuong-ky-2027-01-07": what, the title and the first local date."""
    day = recurrence.to_local(first.starts_at, first.tz).date() if first is not None else None
    return export_filename(what, title, day)


def event_rows(event: Event, report: EventReport) -> tuple[list[str], list[list[Any]]]:
    """One line per registration: who, from where, how registered, status, check-in."""
    headers = [_("Name"), _("Organisation"), _("Site"), _("Channel"), _("Status"), _("Attended"),
               _("Checked in at"), _("Check-in method"), _("Late")]
    rows = []
    for row in report.rows:
        rows.append([
            row.name, row.organisation or "", row.site or "", str(CHANNEL_LABELS[RegistrationChannel(row.channel)]),
            str(STATUS_LABELS[RegistrationStatus(row.status)]), _("Yes") if row.attended else _("No"),
            recurrence.to_local(row.checked_in_at, event.tz) if row.checked_in_at else None,
            str(METHOD_LABELS[CheckinMethod(row.method)]) if row.method else "",
            _("Yes") if is_late(row, event.starts_at) else "",
        ])
    return headers, rows


def _percent(rate: float | None) -> int | str:
    # A whole percentage: "0.6" or "60%" would be read by locale (vi-VN uses a decimal comma).
    return round(rate * 100) if rate is not None else ""


def matrix_rows(sessions: list[Event], matrix: list[tuple[SiteRow, list[Cell | None]]]
                ) -> tuple[list[str], list[list[Any]]]:
    """Site × session: present, registered and rate (%) as separate numeric cells, then the totals.

    Separate numbers, never "3/5", which Excel turns into a date. An upcoming session shows its
    registrations so far and a label instead of a present count; it is left out of the totals.
    """
    present_label, registered_label, rate_label = _("Present"), _("Registered"), _("Rate (%)")
    upcoming = _("Not over yet")
    headers = [_("Site")]
    for session in sessions:
        day = local_time(session.starts_at, session.tz, "dd/MM/yyyy")
        headers += [f"{day} {present_label}", f"{day} {registered_label}", f"{day} {rate_label}"]
    headers += [present_label, registered_label, rate_label]
    rows = []
    for site, cells in matrix:
        line: list[Any] = [site.name]
        for cell in cells:
            if cell is None:
                line += ["", "", ""]
            elif cell.upcoming:
                line += [upcoming, cell.registered, ""]
            else:
                line += [cell.present, cell.registered, _percent(cell.rate)]
        sums = total(cells)
        line += [sums.present, sums.registered, _percent(sums.rate)]
        rows.append(line)
    return headers, rows


def participation_rows(sessions: list[Event], people: list[Participant]
                       ) -> tuple[list[str], list[list[Any]]]:
    """Each journalist: a mark per session, then attended and registered totals (completed sessions)."""
    marks = {"attended": _("Attended"), "no_show": _("No-show"), "upcoming": _("Not over yet"),
             "other": _("Not approved"), "": ""}
    headers = [_("Name"), _("Outlet")] + [local_time(s.starts_at, s.tz, "dd/MM/yyyy") for s in sessions]
    headers += [_("Attended"), _("Registered")]
    rows = [[p.name, p.outlet or ""] + [marks[m] for m in p.marks] + [p.attended, p.registered]
            for p in people]
    return headers, rows
