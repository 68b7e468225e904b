"""Check-in, site roll-call and attendance reports."""
