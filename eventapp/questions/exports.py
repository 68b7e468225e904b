"""The event's question-and-answer record for the ministry's archive: DOCX (python-docx) and rows for
CSV/XLSX. Vietnamese text goes in as Unicode and comes back intact."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from docx import Document
from docx.shared import Pt
from flask_babel import format_date
from flask_babel import gettext as _

from eventapp.events.models import Event
from eventapp.questions.labels import HANDLING_LABELS, STATUS_LABELS
from eventapp.questions.models import AnswerStatus, Question, QuestionStatus

RECORDED = (QuestionStatus.ANSWERED, QuestionStatus.ANSWERED_ON_STAGE)


def _local_date(event: Event, instant: object) -> str:
    return format_date(instant.astimezone(ZoneInfo(event.tz)).date(), "dd/MM/yyyy") if instant else ""  # type: ignore[attr-defined]


def record_docx(event: Event, questions: list[Question]) -> bytes:
    """Each answered question with its askers and every unit's approved answer (or who answered on stage)."""
    document = Document()
    document.styles["Normal"].font.name = "Times New Roman"
    document.styles["Normal"].font.size = Pt(13)
    document.add_heading(_("Questions and answers"), level=1)
    document.add_paragraph(f"{event.title} · {_local_date(event, event.starts_at)}")
    answered = [q for q in questions if q.status in RECORDED]
    if not answered:
        document.add_paragraph(_("No answered questions yet."))
    for number, question in enumerate(answered, start=1):
        document.add_heading(f"{_('Question')} {number}", level=2)
        document.add_paragraph(question.text)
        askers = "; ".join(a.label for a in question.askers)
        if askers:
            document.add_paragraph(f"{_('Asked by')}: {askers}")
        if question.status == QuestionStatus.ANSWERED_ON_STAGE:
            who = question.answered_by_note or ""
            document.add_paragraph(f"{_('Answered on stage')} {_local_date(event, question.answered_at)}"
                                   + (f" · {who}" if who else ""))
        for assignment in question.assignments:
            answer = assignment.answer
            if answer is None or answer.status != AnswerStatus.APPROVED:
                continue
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{assignment.unit.name} ({_local_date(event, answer.approved_at)}): ").bold = True
            paragraph.add_run(answer.text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def table(event: Event, questions: list[Question]) -> tuple[list[str], list[list[object]]]:
    """Every question (merged duplicates too, pointing to the kept one) as spreadsheet rows."""
    headers = [_("No."), _("Question"), _("Asker's words"), _("Topic"), _("Asked by"), _("Status"), _("Handling"),
               _("Units"), _("Due date"), _("Answer"), _("Answered by"), _("Decline reason")]
    rows: list[list[object]] = []
    for question in questions:
        answers = [f"{a.unit.name}: {a.answer.text}" for a in question.assignments
                   if a.answer is not None and a.answer.status == AnswerStatus.APPROVED]
        due = min((a.due_on for a in question.assignments if a.due_on), default=None)
        rows.append([
            question.id, question.text, question.original_text, question.topic or "",
            "; ".join(a.label for a in question.askers),
            str(STATUS_LABELS[question.status]) + (f" → #{question.merged_into_id}" if question.merged_into_id else ""),
            str(HANDLING_LABELS[question.handling]) if question.handling else "",
            ", ".join(a.unit.name for a in question.assignments), due.strftime("%d/%m/%Y") if due else "",
            "\n".join(answers), question.answered_by_note or "", question.decline_reason or ""])
    return headers, rows
