// Expand an iCalendar feed (stdin) with Mozilla's ical.js, as Thunderbird would.
// Usage: node icaljs_expand.mjs <window start ISO> <window end ISO>  < feed.ics
//        node icaljs_expand.mjs --batch  < [{"ics": ..., "start": ISO, "end": ISO}, ...]  (one process, many feeds)
// Prints JSON: {occurrences: [{uid, start, end, summary, status}], floating: [...], errors: [...]}
// Only the VTIMEZONEs in the feed are registered, so a missing one shows up as a floating time
// (run with a TZ other than Asia/Ho_Chi_Minh to make that visible in the instants too).
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function expand(text, startArg, endArg) {
const windowStart = Date.parse(startArg);
const windowEnd = Date.parse(endArg);
const root = new ICAL.Component(ICAL.parse(text));
const floating = [];
const errors = [];

for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

function checkZone(what, time) {
  if (!time || time.isDate) return;
  const tzid = time.zone && time.zone.tzid;
  if (!tzid || tzid === "floating") floating.push(what);
}

// ical.js relates every RECURRENCE-ID component handed to an Event, whatever its UID, so the
// exceptions are grouped by UID and passed to their own master only (strictExceptions as well).
const byUid = new Map();
for (const vevent of root.getAllSubcomponents("vevent")) {
  const uid = vevent.getFirstPropertyValue("uid");
  if (!byUid.has(uid)) byUid.set(uid, { masters: [], exceptions: [] });
  const group = byUid.get(uid);
  (vevent.hasProperty("recurrence-id") ? group.exceptions : group.masters).push(vevent);
}

const occurrences = [];
for (const [uid, group] of byUid) {
  if (group.masters.length !== 1) {
    errors.push(`${uid}: ${group.masters.length} master components`);
    continue;
  }
  const event = new ICAL.Event(group.masters[0], { strictExceptions: true, exceptions: group.exceptions });
  checkZone(`${uid} DTSTART`, event.startDate);
  checkZone(`${uid} DTEND`, event.endDate);
  for (const exception of group.exceptions) {
    const item = new ICAL.Event(exception);
    checkZone(`${uid} RECURRENCE-ID`, item.recurrenceId);
    checkZone(`${uid} override DTSTART`, item.startDate);
  }
  const record = (start, end, item) => {
    const startMs = start.toJSDate().getTime();
    if (startMs < windowStart || startMs >= windowEnd) return;
    occurrences.push({
      uid,
      start: new Date(startMs).toISOString(),
      end: end.toJSDate().toISOString(),
      summary: item.summary,
      status: item.component.getFirstPropertyValue("status"),
    });
  };
  if (!event.isRecurring()) {
    record(event.startDate, event.endDate, event);
    continue;
  }
  const iterator = event.iterator();
  let next;
  let guard = 0;
  while ((next = iterator.next()) && guard++ < 5000) {
    if (next.toJSDate().getTime() >= windowEnd + 366 * 86400000) break;
    const details = event.getOccurrenceDetails(next);
    record(details.startDate, details.endDate, details.item);
  }
}

occurrences.sort((a, b) => (a.start + a.uid).localeCompare(b.start + b.uid));
return { occurrences, floating, errors };
}

// Batch mode (one process for many calendars): stdin is a JSON array of {ics, start, end}.
if (process.argv[2] === "--batch") {
  const items = JSON.parse(readFileSync(0, "utf8"));
  process.stdout.write(JSON.stringify(items.map((item) => expand(item.ics, item.start, item.end))));
} else {
  const [startArg, endArg] = process.argv.slice(2);
  process.stdout.write(JSON.stringify(expand(readFileSync(0, "utf8"), startArg, endArg)));
}
