"""JSON API for integrations (the Ministry portal) and the check-in/roll-call clients."""

from eventapp.api.views import bp

__all__ = ["bp"]
