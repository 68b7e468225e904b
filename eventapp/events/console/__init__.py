"""The organiser's scheduling console (/console/events): this blueprint, one module per screen.

series: recurring series and the recurrence preview; one_event: a one-off event or one occurrence
(edit, "this and all following", publish, cancel); program: a hybrid event's sites and its agenda.
The app factory imports the screen modules, which register their routes here.
"""

from flask import Blueprint

bp = Blueprint("events_console", __name__)
