"""Signals the registrations domain sends; higher layers (questions) react, registrations never call them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the new (or revived) Registration, already flushed; text: the question typed on the form.
# The questions domain files it; registrations keeps no copy.
question_submitted = _signals.signal("question-submitted")
