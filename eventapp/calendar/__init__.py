"""Pure calendar code: recurrence rules and their words, iCalendar text, iTIP invitations (no database, no Flask)."""
