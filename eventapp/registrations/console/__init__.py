"""The organiser's registrations console (/console/registrations): this blueprint, one module per screen.

registrants: an event's registrations, bulk decisions, hand entry, exports and outlets;
announcements: announcing an event to the network; accreditation: a person's history and
accreditations (questions sent with a registration belong to the questions domain). The app factory imports the screen modules, which register
their routes here.
"""

from flask import Blueprint

bp = Blueprint("registrations_console", __name__)
