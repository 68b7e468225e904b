"""Recurrence expansion and validation (pure: no database, no Flask).

A series is a local wall-clock DTSTART in an IANA zone plus an RFC 5545 RRULE. Occurrences are
expanded in local time (so they keep their wall-clock time across DST changes) and returned as
UTC instants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil.rrule import rrule, rrulestr

MAX_OCCURRENCES = 500
ALLOWED_FREQS = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class RecurrenceError(ValueError):
    """A rule that cannot be used; `code` says why (the form translates it)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


# The Ministry's zone: events are planned in it, and times are shown in it, unless one says otherwise.
DEFAULT_TZ = "Asia/Ho_Chi_Minh"


def zone(tz: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name, or RecurrenceError('unknown_timezone')."""
    if not tz or tz not in _known_zones():
        raise RecurrenceError("unknown_timezone", tz or "")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise RecurrenceError("unknown_timezone", tz) from None


_ZONES: frozenset[str] | None = None


def _known_zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def to_utc(local: datetime, tz: str) -> datetime:
    """A naive local wall time in `tz` as an aware UTC instant."""
    try:
        return local.replace(tzinfo=zone(tz)).astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31 20:00 west of UTC is past datetime.max
        raise RecurrenceError("out_of_range", f"{local:%Y-%m-%d %H:%M}") from None


def to_local(instant: datetime, tz: str) -> datetime:
    """An aware instant as naive wall time in `tz`."""
    return instant.astimezone(zone(tz)).replace(tzinfo=None)


_UNTIL = re.compile(r"UNTIL=([0-9TZ]+)", re.IGNORECASE)


def normalise_rrule(text: str, tz: str) -> str:
    """Upper-case, strip an "RRULE:" prefix, and rewrite UNTIL to UTC ("...Z") as RFC 5545 requires
    when DTSTART has a zone. A date or floating UNTIL is read as local time in `tz` (a date means
    the end of that day)."""
    rule = (text or "").strip().upper()
    if rule.startswith("RRULE:"):
        rule = rule[6:]
    rule = rule.replace(" ", "")
    if not rule:
        raise RecurrenceError("empty")
    if "DTSTART" in rule or "\n" in rule:
        raise RecurrenceError("invalid", "only the RRULE value is accepted")

    def fix_until(match: re.Match[str]) -> str:
        value = match.group(1)
        try:
            if value.endswith("Z"):
                instant = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            elif "T" in value:
                instant = to_utc(datetime.strptime(value, "%Y%m%dT%H%M%S"), tz)
            else:
                day = datetime.strptime(value, "%Y%m%d").date()
                instant = to_utc(datetime.combine(day, time(23, 59, 59)), tz)
        except ValueError as exc:
            if isinstance(exc, RecurrenceError):
                raise
            raise RecurrenceError("invalid", f"bad UNTIL {value}") from None
        return f"UNTIL={instant:%Y%m%dT%H%M%SZ}"

    return _UNTIL.sub(fix_until, rule)


def parse_rule(text: str, dtstart_local: datetime, tz: str) -> rrule:
    """A dateutil rrule anchored at the local DTSTART; RecurrenceError if unusable."""
    rule_text = normalise_rrule(text, tz)
    if any("=" not in part for part in rule_text.split(";")):
        raise RecurrenceError("invalid", "NAME=VALUE parts expected")
    parts = rule_parts(rule_text)
    if parts.get("FREQ") not in ALLOWED_FREQS:
        raise RecurrenceError("frequency", parts.get("FREQ", ""))
    check_ranges(parts)
    unknown = set(parts) - ALLOWED_PARTS
    if unknown:
        raise RecurrenceError("unsupported", ", ".join(sorted(unknown)))
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceError("invalid", "COUNT and UNTIL together")
    start = dtstart_local.replace(tzinfo=zone(tz))
    try:
        rule = rrulestr(rule_text, dtstart=start)
    except (ValueError, TypeError, IndexError, KeyError, OverflowError) as exc:
        raise RecurrenceError("invalid", str(exc)) from None
    if not isinstance(rule, rrule):
        raise RecurrenceError("invalid", "a single RRULE is expected")
    if _never_matches(parts, dtstart_local):
        raise RecurrenceError("no_dates")
    return rule


ALLOWED_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"}
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# RFC 5545 3.3.10 value ranges: (lowest, highest, signed). Signed parts also take
# -highest..-lowest, and 0 is never valid for them (dateutil would read BYMONTHDAY=0 as "any day").
# RFC 5545 does not bound INTERVAL and COUNT; these bounds are far past any real schedule.
PART_RANGES: dict[str, tuple[int, int, bool]] = {
    "INTERVAL": (1, 1000, False), "COUNT": (1, 100_000, False),
    "BYSECOND": (0, 60, False), "BYMINUTE": (0, 59, False), "BYHOUR": (0, 23, False),
    "BYMONTHDAY": (1, 31, True), "BYYEARDAY": (1, 366, True), "BYWEEKNO": (1, 53, True),
    "BYMONTH": (1, 12, False), "BYSETPOS": (1, 366, True),
}
_SINGLE = {"INTERVAL", "COUNT"}
_INTEGER = re.compile(r"^[+-]?[0-9]{1,9}$")
_BYDAY_ITEM = re.compile(r"^([+-]?[0-9]{1,3})?(MO|TU|WE|TH|FR|SA|SU)$")
# How far an nth weekday can reach: 5 weeks in a month, 53 in a year.
_NTH_LIMIT = {"MONTHLY": 5, "YEARLY": 53}


def _in_range(value: int, low: int, high: int, signed: bool) -> bool:
    size = abs(value) if signed else value
    return low <= size <= high and not (signed and value == 0)


def check_ranges(parts: dict[str, str]) -> None:
    """RecurrenceError('range', part), ('byday') or ('invalid') for values RFC 5545 does not allow."""
    # dateutil accepts some of these, then yields every day (BYMONTHDAY=0) or fails mid-iteration
    # (INTERVAL=0), which was a 500 on save and in the live preview.
    for name, (low, high, signed) in PART_RANGES.items():
        if name not in parts:
            continue
        values = parts[name].split(",")
        if name in _SINGLE and (len(values) != 1 or not values[0].isdigit()):
            raise RecurrenceError("range", name)
        for value in values:
            if not _INTEGER.match(value) or not _in_range(int(value), low, high, signed):
                raise RecurrenceError("range", name)
    limit = _NTH_LIMIT.get(parts["FREQ"], 0)
    for item in (parts.get("BYDAY") or "").split(",") if "BYDAY" in parts else []:
        match = _BYDAY_ITEM.match(item)
        if match is None:
            raise RecurrenceError("invalid", f"BYDAY {item}")
        if match.group(1) and not 0 < abs(int(match.group(1))) <= limit:
            raise RecurrenceError("byday", item)
    if parts.get("WKST", "MO") not in WEEKDAY_CODES:
        raise RecurrenceError("invalid", "WKST")
    if parts["FREQ"] == "WEEKLY" and "BYMONTHDAY" in parts:
        raise RecurrenceError("invalid", "BYMONTHDAY with WEEKLY")  # RFC 5545 forbids it
    if "BYSETPOS" in parts and not any(k.startswith("BY") and k != "BYSETPOS" for k in parts):
        raise RecurrenceError("invalid", "BYSETPOS needs another BY part")


def _ints(value: str | None) -> list[int]:
    return [int(v) for v in value.split(",")] if value else []


def _never_matches(parts: dict[str, str], dtstart_local: datetime) -> bool:
    """Rules dateutil would search until year 9999 for (it only checks UNTIL when a date matches)."""
    months = _ints(parts.get("BYMONTH")) or list(range(1, 13))
    days = _ints(parts.get("BYMONTHDAY"))
    if days and not any(abs(d) <= _MONTH_DAYS[m - 1] for m in months for d in days):
        return True
    interval = int(parts.get("INTERVAL", "1"))
    weekdays = {re.sub(r"^[+-]?[0-9]+", "", code) for code in (parts.get("BYDAY") or "").split(",") if code}
    if (parts["FREQ"] == "DAILY" and interval % 7 == 0 and weekdays
            and WEEKDAY_CODES[dtstart_local.weekday()] not in weekdays):
        return True
    if parts["FREQ"] == "MONTHLY" and "BYMONTH" in parts:
        reachable = {(dtstart_local.month - 1 + k * interval) % 12 + 1 for k in range(12)}
        if not reachable & set(months):
            return True
    positions = _ints(parts.get("BYSETPOS"))
    return bool(positions) and min(abs(p) for p in positions) > _largest_set(parts)


def _largest_set(parts: dict[str, str]) -> int:
    """An upper bound on the dates one period holds before BYSETPOS picks (beyond it: no match)."""
    freq, months = parts["FREQ"], len(_ints(parts.get("BYMONTH"))) or 12
    days = len(_ints(parts.get("BYMONTHDAY")))
    by_day = [code for code in (parts.get("BYDAY") or "").split(",") if code]
    per_month = sum(1 if code[0] in "+-0123456789" else 5 for code in by_day)
    if freq == "DAILY":
        return 1
    if freq == "WEEKLY":
        return max(1, len(by_day))
    if freq == "MONTHLY":
        return days or per_month or 1
    if days:
        return days * months
    if by_day:
        return per_month * months if "BYMONTH" in parts else 53 * len(by_day)
    return months if "BYMONTH" in parts else 1


PREVIEW_REACH = timedelta(days=366 * 20)
# Far enough from datetime.max that adding a horizon or a zone offset cannot overflow.
LAST_INSTANT = datetime(9990, 1, 1, tzinfo=UTC)


def reach(instant: datetime, delta: timedelta) -> datetime:
    """instant + delta, never past LAST_INSTANT (a date near year 9999 must not overflow)."""
    if instant >= LAST_INSTANT - delta:
        return LAST_INSTANT
    return instant + delta


def _walk(rule: rrule, until_utc: datetime):
    """The rule's local datetimes up to `until_utc`; dateutil's failures become RecurrenceError."""
    # dateutil only stops at UNTIL, at COUNT matches or at year 9999, so a rule that never matches
    # would search for thousands of years: UNTIL is always set, and COUNT is applied here instead
    # (dateutil refuses both together).
    count = getattr(rule, "_count", None)
    current = getattr(rule, "_until", None)
    try:
        if count or current is None or current > until_utc:
            rule = rule.replace(count=None, until=min(until_utc, LAST_INSTANT))
        yield from islice(rule, count) if count else rule
    except (ValueError, OverflowError, IndexError) as exc:
        raise RecurrenceError("invalid", str(exc)) from None


def expand(
    text: str, dtstart_local: datetime, tz: str, *, until_utc: datetime, after_utc: datetime | None = None,
    limit: int | None = MAX_OCCURRENCES,
) -> list[datetime]:
    """UTC instants of the occurrences starting in [after_utc, until_utc), in order.

    Raises RecurrenceError('too_many') past `limit` so a bad rule cannot flood the database; a
    caller whose window is bounded by rows already stored (a feed) passes limit=None.
    """
    # Only dates in the window count: a frequent series that has run for a year stays usable.
    until_utc = min(until_utc, LAST_INSTANT)
    result: list[datetime] = []
    for local in _walk(parse_rule(text, dtstart_local, tz), until_utc):
        instant = local.astimezone(UTC)
        if instant >= until_utc:
            break
        if after_utc is not None and instant < after_utc:
            continue
        result.append(instant)
        if limit is not None and len(result) > limit:
            raise RecurrenceError("too_many", str(limit))
    return result


def _has_dates(text: str, dtstart_local: datetime, tz: str, until_utc: datetime) -> bool:
    """Whether the rule yields any date before `until_utc`, since DTSTART."""
    for local in _walk(parse_rule(text, dtstart_local, tz), until_utc):
        return local.astimezone(UTC) < until_utc
    return False


def validate(text: str, dtstart_local: datetime, tz: str, *, horizon_utc: datetime,
             after_utc: datetime | None = None) -> str:
    """The normalised rule, if it yields a date before the horizon and at most 500 from after_utc."""
    normalised = normalise_rrule(text, tz)
    instants = expand(normalised, dtstart_local, tz, until_utc=horizon_utc, after_utc=after_utc)
    if not instants and (after_utc is None or not _has_dates(normalised, dtstart_local, tz, horizon_utc)):
        raise RecurrenceError("no_dates")
    return normalised


def preview(text: str, dtstart_local: datetime, tz: str, count: int = 10) -> list[datetime]:
    """The next `count` occurrences as naive local wall times (for the form's live preview)."""
    rule = parse_rule(text, dtstart_local, tz)
    out: list[datetime] = []
    for local in _walk(rule, reach(to_utc(dtstart_local, tz), PREVIEW_REACH)):
        out.append(local.replace(tzinfo=None))
        if len(out) >= count:
            break
    return out


@dataclass(frozen=True)
class Preset:
    """A recurrence picked from the form's presets rather than typed."""

    kind: str  # weekly | monthly_nth_weekday | monthly_day | quarterly_nth_weekday | quarterly_day
    weekday: int = 0  # 0 = Monday
    nth: int = 1  # 1..4, or -1 for the last
    day: int = 1  # 1..31 (or -1 for the last day)


def preset_rrule(preset: Preset) -> str:
    """The RRULE text of a preset, e.g. first Thursday monthly -> FREQ=MONTHLY;BYDAY=1TH."""
    code = WEEKDAY_CODES[preset.weekday]
    if preset.kind == "weekly":
        return f"FREQ=WEEKLY;BYDAY={code}"
    if preset.kind == "monthly_nth_weekday":
        return f"FREQ=MONTHLY;BYDAY={preset.nth}{code}"
    if preset.kind == "monthly_day":
        return f"FREQ=MONTHLY;BYMONTHDAY={preset.day}"
    if preset.kind == "quarterly_nth_weekday":
        return f"FREQ=MONTHLY;INTERVAL=3;BYDAY={preset.nth}{code}"
    if preset.kind == "quarterly_day":
        return f"FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY={preset.day}"
    raise RecurrenceError("invalid", f"unknown preset {preset.kind}")


def horizon_end(now_utc: datetime, months: int) -> datetime:
    """The end of the rolling horizon: `months` months (approximated as 31 days) after now."""
    return reach(now_utc, timedelta(days=31 * months))


def first_on_or_after(rule_text: str, day: date, time_of_day: time, tz: str) -> datetime:
    """The first local date-time on or after `day` matching the rule (used to anchor DTSTART)."""
    start = datetime.combine(day, time_of_day)
    for local in _walk(parse_rule(rule_text, start, tz), reach(to_utc(start, tz), PREVIEW_REACH)):
        return local.replace(tzinfo=None)
    raise RecurrenceError("no_dates")


def rule_parts(text: str) -> dict[str, str]:
    """The NAME=VALUE parts of a (normalised) RRULE, upper-cased keys."""
    return dict(part.split("=", 1) for part in text.upper().split(";") if "=" in part)


def join_parts(parts: dict[str, str]) -> str:
    """An RRULE text from its parts, FREQ first (the canonical order for readability)."""
    ordered = ["FREQ"] + sorted(key for key in parts if key != "FREQ")
    return ";".join(f"{key}={parts[key]}" for key in ordered if key in parts)


def with_until(text: str, until_utc: datetime) -> str:
    """The rule ending at `until_utc` (inclusive): COUNT and any earlier UNTIL are replaced."""
    parts = rule_parts(text)
    parts.pop("COUNT", None)
    parts["UNTIL"] = f"{until_utc.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return join_parts(parts)


def without_end(text: str) -> str:
    """The rule with COUNT and UNTIL removed (the open-ended pattern)."""
    parts = rule_parts(text)
    parts.pop("COUNT", None)
    parts.pop("UNTIL", None)
    return join_parts(parts)


_NTH_WEEKDAY = re.compile(r"^(-1|[1-4])(MO|TU|WE|TH|FR|SA|SU)$")


def preset_from_rrule(text: str) -> tuple[Preset, str | None] | None:
    """The preset a rule was made from, with its UNTIL value (or None), or None for a custom rule."""
    parts = rule_parts(text)
    until = parts.pop("UNTIL", None)
    freq, interval = parts.pop("FREQ", ""), parts.pop("INTERVAL", "1")
    byday, bymonthday = parts.pop("BYDAY", None), parts.pop("BYMONTHDAY", None)
    if parts or (byday is None) == (bymonthday is None):
        return None
    quarterly = freq == "MONTHLY" and interval == "3"
    if freq == "WEEKLY" and interval == "1" and byday in WEEKDAY_CODES:
        return Preset("weekly", weekday=WEEKDAY_CODES.index(byday)), until
    if freq == "MONTHLY" and (interval == "1" or quarterly):
        prefix = "quarterly" if quarterly else "monthly"
        match = _NTH_WEEKDAY.match(byday or "")
        if match:
            return Preset(f"{prefix}_nth_weekday", weekday=WEEKDAY_CODES.index(match.group(2)),
                          nth=int(match.group(1))), until
        if bymonthday and re.fullmatch(r"-1|[1-9]|[12][0-9]|3[01]", bymonthday):
            return Preset(f"{prefix}_day", day=int(bymonthday)), until
    return None
