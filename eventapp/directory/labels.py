"""Translated display labels for directory enums."""

from flask_babel import lazy_gettext as _l

from eventapp.directory.models import OrganisationKind, Region
from eventapp.labels import enum_labels

KIND_LABELS = enum_labels(OrganisationKind, {
    OrganisationKind.MINISTRY_UNIT: _l("Ministry unit"),
    OrganisationKind.PROVINCIAL_DEPARTMENT: _l("Provincial department"),
    OrganisationKind.PRESS_OUTLET: _l("Press outlet"),
    OrganisationKind.OTHER: _l("Other"),
})

REGION_LABELS = enum_labels(Region, {
    Region.NORTHERN_MIDLANDS: _l("Northern midlands and mountains"),
    Region.RED_RIVER_DELTA: _l("Red River Delta"),
    Region.NORTH_CENTRAL: _l("North Central"),
    Region.SOUTH_CENTRAL_COAST: _l("South Central Coast"),
    Region.CENTRAL_HIGHLANDS: _l("Central Highlands"),
    Region.SOUTHEAST: _l("Southeast"),
    Region.MEKONG_DELTA: _l("Mekong Delta"),
})
