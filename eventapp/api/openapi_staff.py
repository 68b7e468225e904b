"""OpenAPI paths and schemas of the token-authenticated endpoints (registrations, check-ins, sites)."""

from __future__ import annotations

from typing import Any

from eventapp.attendance.services import ScanCode
from eventapp.events.models import SiteParticipationStatus
from eventapp.params import MAX_ID
from eventapp.registrations.models import CheckinMethod, RegistrationChannel, RegistrationStatus


def _values(enum_cls: Any) -> list[str]:
    return [member.value for member in enum_cls]


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema or null (OpenAPI 3.1: a JSON Schema union; an enum must list null too)."""
    result = dict(schema, type=[schema["type"], "null"])
    if "enum" in result:
        result["enum"] = [*result["enum"], None]
    return result


def _object(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "required": [p for p in properties if p not in optional],
            "properties": properties, "additionalProperties": False}


STRING, INTEGER = {"type": "string"}, {"type": "integer"}
DATE_TIME = {"type": "string", "format": "date-time"}

REGISTRATION_SCHEMA = _object({
    "id": INTEGER,
    "status": {"type": "string", "enum": _values(RegistrationStatus)},
    "channel": {"type": "string", "enum": _values(RegistrationChannel)},
    "person_name": STRING,
    "organisation": _nullable(STRING),
    "site_id": _nullable(INTEGER),
    "site_name": _nullable(STRING),
    "checked_in_at": _nullable(DATE_TIME),
    "checkin_method": _nullable({"type": "string", "enum": _values(CheckinMethod)}),
})

REGISTRATION_PAGE_SCHEMA = _object({
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Registration"}},
    "total": {"type": "integer", "minimum": 0},
    "limit": {"type": "integer", "minimum": 1, "maximum": 500},
    "offset": {"type": "integer", "minimum": 0},
})

SCAN_RESULT_SCHEMA = _object({
    "code": {"type": "string", "enum": _values(ScanCode)},
    "ok": {"type": "boolean"},
    "registration_id": _nullable(INTEGER),
    "name": _nullable(STRING),
    "organisation": _nullable(STRING),
    "time": _nullable(STRING),
    "by": _nullable(STRING),
    "other_event": _nullable(STRING),
    "corrected": {"type": "boolean"},
    "checked_in_at": _nullable(DATE_TIME),
})

CHECKIN_REQUEST_SCHEMA = {
    "type": "object",
    "description": "A ticket's QR text (`payload`) or a registration id; `scanned_at` replays an "
                   "offline scan (the earliest scan time wins).",
    "properties": {
        "payload": {"type": "string"},
        "registration_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "scanned_at": {"type": "string", "format": "date-time"},
    },
    "anyOf": [{"required": ["payload"]}, {"required": ["registration_id"]}],
}

TILE_SCHEMA = _object({
    "site_id": INTEGER, "code": STRING, "name": STRING,
    "status": {"type": "string", "enum": _values(SiteParticipationStatus)},
    "registered": INTEGER, "present": INTEGER, "named_present": INTEGER,
    "headcount": _nullable(INTEGER), "locked": {"type": "boolean"},
})

BOARD_SCHEMA = _object({
    "tiles": {"type": "array", "items": {"$ref": "#/components/schemas/SiteTile"}},
    "summary": {"type": "object", "additionalProperties": {"type": "integer"}},
    "at": DATE_TIME,
})

SCHEMAS = {
    "Registration": REGISTRATION_SCHEMA, "RegistrationPage": REGISTRATION_PAGE_SCHEMA,
    "CheckinRequest": CHECKIN_REQUEST_SCHEMA, "ScanResult": SCAN_RESULT_SCHEMA,
    "SiteTile": TILE_SCHEMA, "SiteBoard": BOARD_SCHEMA,
}

SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer",
                   "description": "An API token created in the console (API tokens); it acts with "
                                  "its user's role."},
}


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response = {"description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    if headers:
        response["headers"] = headers
    return response


def _json(description: str, ref: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


EVENT_ID = {"name": "event_id", "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


def _operation(operation_id: str, summary: str, ok: dict[str, Any], roles: str,
               **extra: Any) -> dict[str, Any]:
    return {
        "operationId": operation_id, "summary": summary, "description": f"Roles: {roles}.",
        "security": [{"bearerAuth": []}],
        "parameters": [EVENT_ID, *extra.pop("parameters", [])],
        **extra,
        "responses": {
            "200": ok,
            "400": _error("Invalid parameter or body"),
            "401": _error("No token, or an unknown or revoked token, or a deactivated user",
                          {"WWW-Authenticate": {"schema": {"type": "string"}}}),
            "403": _error("The token's user has a role this operation does not serve"),
            "404": _error("No such event (for a site coordinator: no event of their sites)"),
        },
    }


PATHS: dict[str, Any] = {
    "/events/{event_id}/registrations": {"get": _operation(
        "listRegistrations", "An event's registrations, by id",
        _json("A page of registrations", "RegistrationPage"),
        "admin, organiser, check-in staff (every registration); site coordinator (their sites' only)",
        parameters=[
            {"name": "status", "in": "query", "required": False,
             "schema": {"type": "string", "enum": _values(RegistrationStatus)}},
            {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}},
            {"name": "offset", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 0, "maximum": 1_000_000, "default": 0}},
        ])},
    "/events/{event_id}/checkins": {"post": _operation(
        "checkIn", "Check a ticket or a registration in (idempotent)",
        {"description": "What happened (`code`); a repeated scan answers `already`",
         "content": {"application/json": {"schema": _object({
             "result": {"$ref": "#/components/schemas/ScanResult"}})}}},
        "admin, organiser, check-in staff",
        requestBody={"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/CheckinRequest"}}}})},
    "/events/{event_id}/sites": {"get": _operation(
        "listSites", "The roll-call board: participating sites with who is present",
        _json("Site tiles and totals", "SiteBoard"),
        "admin, organiser (every site); site coordinator (their own sites)")},
}
