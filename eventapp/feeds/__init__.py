"""iCalendar feeds: pure building code and the feed views."""
