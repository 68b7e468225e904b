"""The sites screen warns when the sites' quotas add up to more than the event's capacity."""

from __future__ import annotations

import html

from eventapp.events.models import EventMode
from eventapp.extensions import db


def test_quotas_over_capacity_are_warned(client, organiser, make_event, make_site, add_site_to_event) -> None:
    event = make_event(title="Hội nghị tập huấn", mode=EventMode.HYBRID, capacity=80)
    parts = [add_site_to_event(event, make_site(), quota=quota) for quota in (30, 30, 20)]
    db.session.commit()
    url = f"/console/events/{event.id}/sites"
    assert "data-quota-warning" not in client.get(url).get_data(as_text=True)  # 80 of 80: fine

    parts[0].quota = 250
    db.session.commit()
    page = html.unescape(client.get(url).get_data(as_text=True))
    assert "data-quota-warning" in page
    assert "quotas total 300, more than the event's capacity of 80" in page

    event.capacity = None  # no capacity: nothing to compare with
    db.session.commit()
    assert "data-quota-warning" not in client.get(url).get_data(as_text=True)
