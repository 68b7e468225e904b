"""Vietnamese names sort as a Vietnamese reader expects, on the public form's outlet list too."""

from __future__ import annotations

import sqlalchemy as sa

from eventapp.directory.collation import sort_key
from eventapp.directory.models import Organisation, OrganisationKind
from eventapp.extensions import db


def test_letters_with_marks_sort_after_their_base_and_tones_only_break_ties() -> None:
    names = ["Xã hội", "Đài Tiếng nói Việt Nam", "Dân trí", "Ấp Bắc", "An ninh Thủ đô", "Ầu", "Âm",
             "ơi", "ông", "Ô tô", "Ca", "Cà", "Cả", "Cá", "Cạ"]
    assert sorted(names, key=sort_key) == [
        "An ninh Thủ đô", "Âm", "Ấp Bắc", "Ầu", "Ca", "Cà", "Cả", "Cá", "Cạ", "Dân trí",
        "Đài Tiếng nói Việt Nam", "Ô tô", "ông", "ơi", "Xã hội"]


def test_the_public_form_lists_outlets_in_vietnamese_order(client, make_event) -> None:
    for name in ("Xây dựng", "Đầu tư", "Dân trí", "Zing"):
        db.session.add(Organisation(kind=OrganisationKind.PRESS_OUTLET, name=name, is_confirmed=True))
    event = make_event()
    db.session.commit()
    page = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    positions = [page.index(f">{name}</option>") for name in ("Dân trí", "Đầu tư", "Xây dựng", "Zing")]
    assert positions == sorted(positions)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 4


def test_people_go_by_given_name_in_vietnamese_order() -> None:
    from eventapp.directory.collation import person_key

    names = ["Võ Văn Tùng", "Đỗ Quang Khánh", "Nguyễn Văn An", "Trần Thị Ánh", "Lê Đức Đạt"]
    assert sorted(names, key=person_key) == [
        "Nguyễn Văn An", "Trần Thị Ánh", "Lê Đức Đạt", "Đỗ Quang Khánh", "Võ Văn Tùng"]
