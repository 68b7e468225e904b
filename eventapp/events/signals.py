"""Signals the events domain sends; higher layers (registrations) react, events never call them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the series that was split; new_series: its continuation; now: the instant of the split.
# Sent after the moved rows belong to the continuation and its horizon is generated.
series_split = _signals.signal("series-split")
