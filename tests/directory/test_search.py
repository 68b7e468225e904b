"""One people search for every screen: literal (LIKE-escaped), case-insensitive, on chosen fields."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from eventapp.accounts.models import Role
from eventapp.directory.models import Person
from eventapp.directory.search import clean_query, like_pattern, search_people
from eventapp.extensions import db


def _names(text: str, fields: tuple[str, ...] = ("full_name", "email", "phone")) -> set[str]:
    query = search_people(sa.select(Person), text, fields)
    return {person.full_name for person in db.session.scalars(query)}


def test_wildcards_match_literally(make_person) -> None:
    make_person(full_name="Giảm giá 50% cuối tuần")
    make_person(full_name="Nguyễn_Văn An")
    make_person(full_name="Nguyễn Văn Bình")
    make_person(full_name=r"Đường dẫn C:\tin")
    db.session.commit()
    assert _names("%") == {"Giảm giá 50% cuối tuần"}
    assert _names("_") == {"Nguyễn_Văn An"}
    assert _names("n_v") == {"Nguyễn_Văn An"}  # not "any one character"
    assert _names("\\") == {r"Đường dẫn C:\tin"}
    assert _names("nguyễn") == {"Nguyễn_Văn An", "Nguyễn Văn Bình"}  # case-insensitive
    assert len(_names("")) == 4  # nothing typed: no filter


def test_fields_and_cleaning(make_person) -> None:
    make_person(full_name="Lê Hà", email="ha@baochi.vn", phone="0912345678", press_card_no="PC-77")
    db.session.commit()
    assert _names("0912") == {"Lê Hà"}
    assert _names("0912", ("full_name", "email")) == set()
    assert _names("pc-77", ("press_card_no",)) == {"Lê Hà"}
    assert clean_query("  a\x00b  ") == "ab" and len(clean_query("x" * 500)) == 100
    assert like_pattern("5%_") == "%5\\%\\_%"


@pytest.mark.parametrize("typed", ["%", "_"])
def test_every_people_search_screen_is_literal(client, login, make_user, make_person, make_site,
                                               make_event, make_registration, typed: str) -> None:
    """The directory, the registrations list and the coordinator's autocomplete all escape % and _."""
    site = make_site()
    literal = make_person(full_name=f"Trần{typed}Thị Literal", organisation_id=site.organisation_id)
    other = make_person(full_name="Phạm Văn Other", organisation_id=site.organisation_id)
    event = make_event()
    make_registration(event, literal)
    make_registration(event, other)
    db.session.commit()
    organiser = make_user()
    login(organiser)
    directory = client.get("/console/directory/people", query_string={"q": typed}).get_data(as_text=True)
    assert "Literal" in directory and "Other" not in directory
    listed = client.get(f"/console/registrations/events/{event.id}",
                        query_string={"q": typed}).get_data(as_text=True)
    assert "Literal" in listed and "Other" not in listed
    client.post("/logout")
    login(make_user(role=Role.SITE_COORDINATOR, site=site))
    found = client.get(f"/console/site/{site.id}/people.json", query_string={"q": f"n{typed}t"}).get_json()
    assert [row["full_name"] for row in found] == [literal.full_name]
