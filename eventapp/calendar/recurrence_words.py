"""A recurrence rule in words ("Thứ Năm tuần đầu mỗi tháng, đến 30/03/2027"): pure, no Flask.

The caller passes its gettext (Flask-Babel's in the app), so the words come from the catalogue in
the reader's language; the messages are marked here with N_ for extraction. Shapes the words do
not cover (BYSETPOS, several months, hours...) fall back to naming the rule itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from eventapp.calendar.recurrence import DEFAULT_TZ

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated later by the caller's gettext."""
    return message


WEEKDAY_NAMES = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
                 N_("Saturday"), N_("Sunday"))
NTH_WEEKDAY = {1: N_("first %(weekday)s"), 2: N_("second %(weekday)s"), 3: N_("third %(weekday)s"),
               4: N_("fourth %(weekday)s"), 5: N_("fifth %(weekday)s"), -1: N_("last %(weekday)s")}
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_KNOWN = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST"}


class _Unsupported(Exception):
    """A shape the words do not cover."""


def describe(rule: str, tz: str = DEFAULT_TZ, *, gettext: Callable[[str], str] = N_,
             dtstart_local: datetime | None = None) -> str:
    """The rule in words, in the language of `gettext`; its end (UNTIL, COUNT) as a local date."""
    def say(message: str, **values: object) -> str:
        text = gettext(message)
        return text % values if values else text

    parts = dict(p.split("=", 1) for p in rule.upper().strip().removeprefix("RRULE:").split(";") if "=" in p)
    try:
        if not parts.keys() <= _KNOWN:
            raise _Unsupported
        text = _pattern(parts, say, dtstart_local)
        if "UNTIL" in parts:
            text = say(N_("%(rule)s, until %(date)s"), rule=text, date=_until_date(parts["UNTIL"], tz))
        elif "COUNT" in parts:
            count = _int(parts["COUNT"], low=1)
            text = say(N_("%(rule)s, once"), rule=text) if count == 1 else say(
                N_("%(rule)s, %(count)s times"), rule=text, count=count)
    except (_Unsupported, ValueError):
        return say(N_("Custom rule (%(rule)s)"), rule=rule)
    return text[:1].upper() + text[1:]


def _int(value: str, *, low: int = 1, high: int = 10_000) -> int:
    number = int(value)
    if not low <= number <= high:
        raise _Unsupported
    return number


def _join(items: Sequence[str], say: Callable[..., str]) -> str:
    """"A", "A and B", "A, B and C" in the reader's language."""
    if len(items) == 1:
        return items[0]
    return say(N_("%(first)s and %(last)s"), first=", ".join(items[:-1]), last=items[-1])


def _until_date(value: str, tz: str) -> str:
    """UNTIL as the local day it falls on (dd/MM/yyyy): the rule's last possible date."""
    if re.fullmatch(r"\d{8}", value):
        day = datetime.strptime(value, "%Y%m%d")
    elif re.fullmatch(r"\d{8}T\d{6}Z", value):
        day = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).astimezone(ZoneInfo(tz))
    elif re.fullmatch(r"\d{8}T\d{6}", value):
        day = datetime.strptime(value, "%Y%m%dT%H%M%S")
    else:
        raise _Unsupported
    return f"{day:%d/%m/%Y}"


def _weekdays(byday: str, say: Callable[..., str]) -> str:
    names = []
    for item in byday.split(","):
        match = _BYDAY.match(item)
        if not match or match.group(1):
            raise _Unsupported  # "every 2nd Monday" inside a weekly rule has no plain wording
        names.append(say(WEEKDAY_NAMES[WEEKDAYS.index(match.group(2))]))
    return _join(names, say)


def _nth_weekdays(byday: str, say: Callable[..., str]) -> str:
    items = []
    for item in byday.split(","):
        match = _BYDAY.match(item)
        nth = int(match.group(1)) if match and match.group(1) else None
        if match is None or nth not in NTH_WEEKDAY:
            raise _Unsupported
        items.append(say(NTH_WEEKDAY[nth], weekday=say(WEEKDAY_NAMES[WEEKDAYS.index(match.group(2))])))
    return _join(items, say)


def _month_days(bymonthday: str, say: Callable[..., str], interval: int) -> str:
    days = [_int(d, low=-1, high=31) for d in bymonthday.split(",")]
    if days == [-1]:
        return say(N_("last day of every month")) if interval == 1 else say(
            N_("every %(count)s months on the last day"), count=interval)
    if any(d < 1 for d in days):
        raise _Unsupported
    listed = _join([str(d) for d in sorted(set(days))], say)
    return say(N_("day %(days)s of every month"), days=listed) if interval == 1 else say(
        N_("every %(count)s months on day %(days)s"), days=listed, count=interval)


def _pattern(parts: dict[str, str], say: Callable[..., str], start: datetime | None) -> str:
    """The repeating part of the rule (without its end)."""
    freq, interval = parts.get("FREQ"), _int(parts.get("INTERVAL", "1"))
    byday, bymonthday, bymonth = parts.get("BYDAY"), parts.get("BYMONTHDAY"), parts.get("BYMONTH")
    if freq in ("DAILY", "WEEKLY") and bymonthday is None and bymonth is None:
        if byday is None and freq == "WEEKLY" and start is not None:
            byday = WEEKDAYS[start.weekday()]
        if byday is None:
            if freq == "DAILY":
                return say(N_("every day")) if interval == 1 else say(N_("every %(count)s days"), count=interval)
            return say(N_("every week")) if interval == 1 else say(N_("every %(count)s weeks"), count=interval)
        if freq == "DAILY" and interval != 1:
            raise _Unsupported
        days = _weekdays(byday, say)
        return say(N_("every %(days)s"), days=days) if interval == 1 else say(
            N_("every %(count)s weeks on %(days)s"), days=days, count=interval)
    if freq == "MONTHLY" and bymonth is None:
        if byday is not None and bymonthday is None:
            days = _nth_weekdays(byday, say)
            return say(N_("%(days)s of every month"), days=days) if interval == 1 else say(
                N_("every %(count)s months on the %(days)s"), days=days, count=interval)
        if bymonthday is None and byday is None and start is not None:
            bymonthday = str(start.day)
        if bymonthday is not None and byday is None:
            return _month_days(bymonthday, say, interval)
        if bymonthday is None and byday is None:
            return say(N_("every month")) if interval == 1 else say(N_("every %(count)s months"), count=interval)
    if freq == "YEARLY" and byday is None:
        month = _int(bymonth, high=12) if bymonth else (start.month if start else None)
        day = _int(bymonthday, high=31) if bymonthday else (start.day if start else None)
        if month is None or day is None:
            return say(N_("every year")) if interval == 1 else say(N_("every %(count)s years"), count=interval)
        date = f"{day:02d}/{month:02d}"
        return say(N_("every year on %(date)s"), date=date) if interval == 1 else say(
            N_("every %(count)s years on %(date)s"), date=date, count=interval)
    raise _Unsupported
