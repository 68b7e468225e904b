"""Materials of an event or a talk (files kept outside the database) and its recording and livestream links.

One blueprint for the package: its public downloads (`views`) and its console screens (`console`)
join it; the app factory loads both.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("materials", __name__)
