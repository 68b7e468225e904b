"""Results per question, per talk and per site with SVG charts; exports keep Vietnamese and defuse formulas."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from eventapp.accounts.models import Role
from eventapp.evaluations import charts, services
from eventapp.evaluations.models import QuestionKind
from eventapp.extensions import db


def _answer(registration, questionnaire, rating: str, choice: str, text: str) -> None:
    raw = {}
    for question in questionnaire:
        raw[question.id] = {QuestionKind.RATING: rating, QuestionKind.CHOICE: choice,
                            QuestionKind.TEXT: text}[question.kind]
    services.submit_as_attendee(registration, raw)
    db.session.commit()


def test_results_page_shows_per_question_talk_and_site(client, login, organiser, questionnaire, attendee,
                                                       make_site, past_training) -> None:
    hanoi = make_site(name="Sở TT&TT Hà Nội")
    first, _t = attendee(site=hanoi)
    second, _t = attendee()
    _answer(first, questionnaire, "5", "Kết hợp", "Rất bổ ích")
    _answer(second, questionnaire, "3", "Trực tiếp", "<script>alert(1)</script>")
    login(organiser)
    page = client.get(f"/console/evaluations/events/{past_training.id}/results")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-response-count="2"' in html
    assert html.count("<svg") == 2 + 1 + 2  # talk and site charts, the choice, each talk's rating
    assert "4.0/5 (2)" in html  # each talk averaged over both answers
    assert "Sở TT&amp;TT Hà Nội" in html and "5.0/5 (1)" in html  # the Hà Nội attendee's ratings
    assert "Rất bổ ích" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_charts_escape_labels_and_show_shares() -> None:
    svg = charts.count_bars([("Trực tiếp <b>", 3), ("Kết hợp", 1)], "Hình thức")
    assert "Trực tiếp &lt;b&gt;" in svg and "3 (75%)" in svg and "1 (25%)" in svg
    empty = charts.score_bars([("Bài chưa có đánh giá", None, 0)], "Theo bài")
    assert "—" in empty


def test_exports_keep_vietnamese_and_neutralise_formulas(client, login, organiser, questionnaire, attendee,
                                                         past_training) -> None:
    registration, _token = attendee()
    _answer(registration, questionnaire, "4", "Trực tuyến", "=HYPERLINK(\"http://x\";\"Bấm vào\")")
    login(organiser)
    response = client.get(f"/console/evaluations/events/{past_training.id}/export/csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert "Đánh giá bài “Kỹ năng phát ngôn”" in rows[0]
    assert rows[1][0] == "Người tham dự" and "Trực tuyến" in rows[1] and "4" in rows[1]
    assert "'=HYPERLINK(\"http://x\";\"Bấm vào\")" in rows[1]
    xlsx = client.get(f"/console/evaluations/events/{past_training.id}/export/xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [cell.value for cell in sheet[2]]
    assert "Trực tuyến" in values and 4 in values and "'=HYPERLINK(\"http://x\";\"Bấm vào\")" in values


def test_the_builder_checks_options_and_keeps_answered_questions(client, login, organiser, past_training,
                                                                 questionnaire, attendee) -> None:
    login(organiser)
    url = f"/console/evaluations/events/{past_training.id}/questions"
    refused = client.post(url, data={"kind": "choice", "prompt": "Chỉ một lựa chọn?", "options": "Có"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "từ 2 đến 12 lựa chọn" in html and 'value="Chỉ một lựa chọn?"' in html
    assert client.post(url, data={"kind": "text", "prompt": "Đề xuất chủ đề lần sau?"}).status_code == 302
    assert len(services.questions(past_training)) == len(questionnaire) + 1
    again = client.post(f"/console/evaluations/events/{past_training.id}/talk-ratings")
    assert again.status_code == 302 and len(services.questions(past_training)) == len(questionnaire) + 1
    registration, _token = attendee()
    _answer(registration, questionnaire, "4", "Trực tuyến", "Tốt")
    answered = questionnaire[0]
    client.post(f"/console/evaluations/questions/{answered.id}/delete")
    assert len(services.questions(past_training)) == len(questionnaire) + 1


def test_coordinators_cannot_open_results(client, login, make_user, make_site, past_training) -> None:
    login(make_user(Role.SITE_COORDINATOR, site=make_site()))
    assert client.get(f"/console/evaluations/events/{past_training.id}/results").status_code == 403
