"""JSON API (/api/v1): this blueprint; public holds the Ministry portal's read-only events and the
OpenAPI document, staff the token-authenticated endpoints of the check-in and roll-call clients.
The app factory imports both, which register their routes here."""

from flask import Blueprint

from eventapp.extensions import csrf

bp = Blueprint("api", __name__)
csrf.exempt(bp)
