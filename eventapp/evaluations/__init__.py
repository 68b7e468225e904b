"""Evaluation after an event: the organiser's short questionnaire, answers by attendees (through
their ticket link) and by sites' coordinators, results with charts and exports, and the day-after
e-mail that brings attendees their materials and the questionnaire.

One blueprint for the package: the ticket page's form (`views`) and the console screens
(`console`) join it; the app factory loads both.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("evaluations", __name__)
