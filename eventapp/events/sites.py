"""Participating sites of a hybrid event: pick in bulk, quotas with overrides, join details."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from eventapp import audit
from eventapp.directory.models import Organisation, OrganisationKind, Region, Site
from eventapp.events import locks, signals, site_notices
from eventapp.events.models import Event, EventSite
from eventapp.events.services import EventError
from eventapp.extensions import db

MAX_SITE_QUOTA = 1000


def check_quota(quota: int | None, field: str = "quota") -> None:
    if quota is None or not 0 <= quota <= MAX_SITE_QUOTA:
        raise EventError("quota_range", field)


def select_sites(*, scope: str, region: str | None = None, organisation_kind: str | None = None,
                 site_ids: list[int] | None = None) -> list[Site]:
    """Active sites chosen all at once, by region, by organisation kind, or one by one."""
    query = sa.select(Site).where(Site.is_active).order_by(Site.is_ministry_location.desc(), Site.code)
    if site_ids and scope != "pick":
        # Ticked sites with "all" (the default) still selected would add every site: ask instead.
        raise EventError("sites_ticked", "site_ids")
    if scope == "region":
        if region is None or region not in Region._value2member_map_:
            raise EventError("region_required", "region")
        query = query.where(Site.region == Region(region))
    elif scope == "organisation_kind":
        if organisation_kind is None or organisation_kind not in OrganisationKind._value2member_map_:
            raise EventError("kind_required", "organisation_kind")
        query = query.join(Organisation, Site.organisation_id == Organisation.id).where(
            Organisation.kind == OrganisationKind(organisation_kind))
    elif scope == "pick":
        if not site_ids:
            raise EventError("sites_required", "site_ids")
        query = query.where(Site.id.in_(site_ids))
    elif scope != "all":
        raise EventError("scope", "scope")
    return list(db.session.scalars(query))


def add_sites(event: Event, site_ids: list[int], *, quota: int, actor: Any = None) -> list[EventSite]:
    """Add sites that do not take part yet, each with the default `quota`; existing ones are kept.
    Coordinators of added sites are told when the event is published."""
    check_quota(quota, "default_quota")
    present = {s.site_id for s in event.sites}
    added = []
    for site_id in dict.fromkeys(site_ids):
        if site_id in present:
            continue
        participation = EventSite(site_id=site_id, quota=quota)
        event.sites.append(participation)
        added.append(participation)
    db.session.flush()
    if added:
        recipients = site_notices.coordinators([p.site_id for p in added])
        for participation in added:
            site_notices.site_coordinators(event, participation, "site_added",
                                           users=recipients.get(participation.site_id, []))
        audit.record(actor, "event.sites_add", event, event.title,
                     {"site_ids": [p.site_id for p in added], "quota": quota})
    return added


@dataclass(frozen=True)
class SiteChange:
    """One row of the per-site table as submitted."""

    site_id: int
    quota: int | None
    room: str | None = None
    join_url: str | None = None
    passcode: str | None = None
    remove: bool = False


def update_sites(event: Event, changes: list[SiteChange], *, actor: Any = None) -> dict[str, Any]:
    """Per-site overrides and removals, all checked before anything changes. A site that rows of a
    higher layer hang off (registrations: asked with sites_in_use) cannot be removed.
    "overbooked" lists (site name, approved, quota) where a changed quota is below those approved."""
    by_site = {p.site_id: p for p in event.sites}
    for index, change in enumerate(changes):
        if change.site_id not in by_site:
            raise EventError("unknown_site", f"sites-{index}-quota")
        if not change.remove:
            check_quota(change.quota, f"sites-{index}-quota")
    removing = [c.site_id for c in changes if c.remove]
    if removing:
        busy = {site_id for answer in signals.answers(signals.sites_in_use, event, site_ids=removing)
                for site_id in answer}
        if busy:
            index = next(i for i, c in enumerate(changes) if c.remove and c.site_id in busy)
            raise EventError("site_has_registrations", f"sites-{index}-remove")
    if any(not c.remove and c.quota != by_site[c.site_id].quota for c in changes):
        locks.lock_event(event.id)  # quotas are seats: change them under the lock registrations take
    diff: dict[str, Any] = {}
    quota_changed: list[EventSite] = []
    for change in changes:
        participation = by_site[change.site_id]
        if change.remove:
            event.sites.remove(participation)
            diff[str(change.site_id)] = "removed"
            continue
        values = {"quota": change.quota, "room": change.room or None, "join_url": change.join_url or None,
                  "passcode": change.passcode or None}
        before = {k: getattr(participation, k) for k in values}
        for key, value in values.items():
            setattr(participation, key, value)
        changed = {k: [before[k], v] for k, v in values.items() if before[k] != v}
        if changed:
            diff[str(change.site_id)] = changed
        if "quota" in changed:
            quota_changed.append(participation)
    db.session.flush()
    over: dict[int, int] = {}
    if quota_changed:
        # A higher quota frees seats; approved people keep theirs beyond a lower one.
        over = signals.merged(signals.seats_changed, event, site_ids=[p.site_id for p in quota_changed])
        recipients = site_notices.coordinators([p.site_id for p in quota_changed])
        for participation in quota_changed:
            site_notices.site_coordinators(event, participation, "site_quota_changed",
                                           users=recipients.get(participation.site_id, []))
    # The organiser is warned instead, to sort it out by hand.
    overbooked = [(p.site.name, over[p.site_id], p.quota) for p in quota_changed if p.site_id in over]
    if diff:
        audit.record(actor, "event.sites_update", event, event.title, diff)
    return {"changed": len(diff), "quota_changed": len(quota_changed), "removed": len(removing),
            "overbooked": overbooked}
