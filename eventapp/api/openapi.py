"""The OpenAPI 3 document for /api/v1 (kept next to the views it describes)."""

from __future__ import annotations

from typing import Any

from eventapp.api import openapi_questions, openapi_staff

EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A public event. Its online join link is private: registrants receive it by e-mail "
                   "and on their ticket, so it is not part of this object.",
    "required": ["id", "uid", "kind", "title", "starts_at", "ends_at", "tz", "mode", "status", "url"],
    "properties": {
        "id": {"type": "integer"},
        "uid": {"type": "string"},
        "kind": {"type": "string", "enum": ["press_briefing", "training", "other"]},
        "title": {"type": "string"},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "tz": {"type": "string"},
        "mode": {"type": "string", "enum": ["in_person", "online", "hybrid"]},
        "status": {"type": "string", "enum": ["published", "cancelled"]},
        "venue": {"type": ["string", "null"]},
        "series_id": {"type": ["integer", "null"]},
        "url": {"type": "string"},
        "ics_url": {"type": "string"},
    },
    "additionalProperties": False,
}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def document() -> dict[str, Any]:
    """The whole document (3.1, so nullable types are JSON Schema unions)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "EventApp API", "version": "1.0.0",
                 "description": "Upcoming press briefings and trainings of the Ministry's communication "
                                "network (public), and for the check-in and roll-call clients an "
                                "event's registrations, check-ins and site board (bearer token)."},
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/events": {
                "get": {
                    "operationId": "listEvents",
                    "summary": "Upcoming published events, soonest first",
                    "parameters": [
                        {"name": "kind", "in": "query", "required": False,
                         "schema": {"type": "string", "enum": ["press_briefing", "training", "other"]}},
                        {"name": "limit", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
                    ],
                    "responses": {
                        "200": {"description": "Events", "content": {"application/json": {"schema": {
                            "type": "array", "items": {"$ref": "#/components/schemas/Event"}}}}},
                        "400": _error("Invalid parameter"),
                    },
                }
            },
            "/events/{event_id}": {
                "get": {
                    "operationId": "getEvent",
                    "summary": "One published (or cancelled) event",
                    "parameters": [{"name": "event_id", "in": "path", "required": True,
                                    "schema": {"type": "integer", "minimum": 1}}],
                    "responses": {
                        "200": {"description": "The event", "content": {"application/json": {"schema": {
                            "$ref": "#/components/schemas/Event"}}}},
                        "404": _error("No such public event"),
                    },
                }
            },
            **openapi_staff.PATHS,
            **openapi_questions.PATHS,
        },
        "components": {"schemas": {"Event": EVENT_SCHEMA, "Error": ERROR_SCHEMA, **openapi_staff.SCHEMAS,
                                      **openapi_questions.SCHEMAS},
                       "securitySchemes": openapi_staff.SECURITY_SCHEMES},
    }
