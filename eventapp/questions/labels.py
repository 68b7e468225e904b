"""Words for the question cycle's states (registered as the enums' one label tables) and errors."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventapp.errors import error_messages
from eventapp.labels import enum_labels
from eventapp.questions.models import AnswerStatus, AskedVia, Handling, LiveState, QuestionStatus
from eventapp.questions.services import QuestionError

STATUS_LABELS = enum_labels(QuestionStatus, {
    QuestionStatus.NEW: _l("New"),
    QuestionStatus.ASSIGNED: _l("Assigned"),
    QuestionStatus.ANSWERED_ON_STAGE: _l("Answered on stage"),
    QuestionStatus.ANSWERED: _l("Answered in writing"),
    QuestionStatus.DECLINED: _l("Declined"),
    QuestionStatus.MERGED: _l("Merged"),
})
STATUS_BADGES = {
    QuestionStatus.NEW: "primary",
    QuestionStatus.ASSIGNED: "info",
    QuestionStatus.ANSWERED_ON_STAGE: "success",
    QuestionStatus.ANSWERED: "success",
    QuestionStatus.DECLINED: "secondary",
    QuestionStatus.MERGED: "light",
}
HANDLING_LABELS = enum_labels(Handling, {Handling.STAGE: _l("On stage"), Handling.WRITTEN: _l("In writing")})
LIVE_LABELS = enum_labels(LiveState, {
    LiveState.QUEUED: _l("Waiting"),
    LiveState.BEING_ANSWERED: _l("Being answered"),
    LiveState.DONE: _l("Answered on stage"),
})
ANSWER_LABELS = enum_labels(AnswerStatus, {
    AnswerStatus.DRAFT: _l("Draft"),
    AnswerStatus.SUBMITTED: _l("Waiting for approval"),
    AnswerStatus.RETURNED: _l("Returned for changes"),
    AnswerStatus.APPROVED: _l("Approved"),
})
VIA_LABELS = enum_labels(AskedVia, {
    AskedVia.REGISTRATION: _l("With the registration"),
    AskedVia.TICKET: _l("From the ticket page"),
    AskedVia.LIVE: _l("During the event"),
    AskedVia.COORDINATOR: _l("By the site's coordinator"),
})
AUDIT_LABELS = {
    "question.ask": _l("Asked"),
    "question.edit": _l("Edited for clarity"),
    "question.assign": _l("Assigned"),
    "question.decline": _l("Declined"),
    "question.merge": _l("Merged"),
    "question.merged_in": _l("A duplicate merged in (its askers and units)"),
    "question.answered": _l("Answered in writing"),
    "question.answered_on_stage": _l("Answered on stage"),
    "question.live_start": _l("On screen"),
    "question.live_requeue": _l("Back to the queue"),
    "question.live_move": _l("Moved in the queue"),
    "question.publish": _l("Published"),
    "question.unpublish": _l("Taken off the event page"),
    "answer.draft": _l("Answer drafted"),
    "answer.submit": _l("Answer submitted"),
    "answer.return": _l("Answer returned"),
    "answer.approve": _l("Answer approved"),
    "answer.remove_document": _l("Document removed"),
}
ERRORS = {
    "text_required": _l("Please write the text."),
    "too_long": _l("This text is too long."),
    "agenda_item": _l("Please choose from the list."),
    "closed": _l("Questions for this event are closed."),
    "not_registered": _l("Only registered participants can ask questions."),
    "not_participating": _l("Your site does not take part in this event."),
    "closed_question": _l("This question is closed and can no longer be changed."),
    "unit": _l("Please choose ministry units from the list."),
    "unit_required": _l("A written answer needs at least one ministry unit."),
    "due_required": _l("A written answer needs a due date."),
    "answered_unit": _l("A unit has already answered this question: it cannot be removed or merged."),
    "merge_target": _l("Choose another question of the same event."),
    "not_answered": _l("Only answered questions can be published."),
    "already_submitted": _l("This answer was already submitted."),
    "not_submitted": _l("This answer is not waiting for approval."),
    "not_on_stage": _l("This question is not in the live queue."),
    "document_type": _l("Attach a PDF, Word (DOCX), spreadsheet (XLSX) or image (PNG, JPEG) file, without macros. The content decides, not the name."),
    "document_size": _l("The document is too large."),
    "document_empty": _l("The document is empty."),
}


def error_message(code: str) -> str:
    return str(ERRORS.get(code, _l("Please check the form.")))


@error_messages(QuestionError)
def _words(error: QuestionError) -> str:
    return error_message(error.code)
