"""Series, occurrences, recurrence, agendas and hybrid setup."""
