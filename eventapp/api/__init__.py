"""JSON API for integrations (the Ministry portal) and the check-in/roll-call clients."""

from eventapp.api import staff  # noqa: F401  (registers the token-authenticated endpoints on bp)
from eventapp.api.views import bp

__all__ = ["bp"]
