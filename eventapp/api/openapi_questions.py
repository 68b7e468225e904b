"""OpenAPI paths and schemas of the question cycle's endpoints (bearer tokens)."""

from __future__ import annotations

from typing import Any

from eventapp.api.openapi_staff import (
    DATE_TIME,
    EVENT_ID,
    INTEGER,
    STRING,
    _error,
    _json,
    _nullable,
    _object,
    _values,
)
from eventapp.params import MAX_ID
from eventapp.questions.models import AnswerStatus, Handling, LiveState, QuestionStatus

ROLES = ("admin, organiser (every question); unit respondent (the questions assigned to their unit, "
         "with their own answer at every stage and other units' approved answers)")

ASSIGNMENT_SCHEMA = _object({
    "unit_id": INTEGER, "unit": STRING, "due_on": _nullable({"type": "string", "format": "date"}),
    "answer_status": _nullable({"type": "string", "enum": _values(AnswerStatus)}),
    "answer": _nullable(STRING), "approved_at": _nullable(DATE_TIME),
})

QUESTION_SCHEMA = _object({
    "id": INTEGER, "event_id": INTEGER,
    "status": {"type": "string", "enum": _values(QuestionStatus)},
    "handling": _nullable({"type": "string", "enum": _values(Handling)}),
    "text": STRING, "topic": _nullable(STRING), "asked_live": {"type": "boolean"},
    "live_state": _nullable({"type": "string", "enum": _values(LiveState)}),
    "askers": {"type": "integer", "minimum": 0}, "merged_into_id": _nullable(INTEGER),
    "answered_by": _nullable(STRING), "answered_at": _nullable(DATE_TIME), "published": {"type": "boolean"},
    "created_at": DATE_TIME,
    "assignments": {"type": "array", "items": {"$ref": "#/components/schemas/QuestionAssignment"}},
})

SCHEMAS = {
    "Question": QUESTION_SCHEMA, "QuestionAssignment": ASSIGNMENT_SCHEMA,
    "QuestionList": _object({"items": {"type": "array", "items": {"$ref": "#/components/schemas/Question"}}}),
}


def _responses(ok: dict[str, Any], missing: str) -> dict[str, Any]:
    return {
        "200": ok,
        "400": _error("Invalid parameter"),
        "401": _error("No token, or an unknown or revoked token, or a deactivated user",
                      {"WWW-Authenticate": {"schema": {"type": "string"}}}),
        "403": _error("The token's user has a role this operation does not serve"),
        "404": _error(missing),
    }


PATHS: dict[str, Any] = {
    "/events/{event_id}/questions": {"get": {
        "operationId": "listQuestions", "summary": "An event's questions and their states",
        "description": f"Roles: {ROLES}.", "security": [{"bearerAuth": []}],
        "parameters": [EVENT_ID, {"name": "status", "in": "query", "required": False,
                                  "schema": {"type": "string", "enum": _values(QuestionStatus)}}],
        "responses": _responses(_json("The questions, oldest first", "QuestionList"), "No such event"),
    }},
    "/questions/{question_id}": {"get": {
        "operationId": "getQuestion", "summary": "One question, its units and answers",
        "description": f"Roles: {ROLES}.", "security": [{"bearerAuth": []}],
        "parameters": [{"name": "question_id", "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}],
        "responses": _responses(_json("The question", "Question"),
                                "No such question (for a unit respondent: none of their unit's)"),
    }},
}
