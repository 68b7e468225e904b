"""Tests of the iCalendar feeds."""
