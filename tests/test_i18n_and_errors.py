"""Vietnamese first, English switchable; error pages in both; the Vietnamese catalogue is complete."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import make_test_app

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "eventapp" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"


def test_home_is_vietnamese_by_default_and_english_on_request(client) -> None:
    vi = client.get("/").get_data(as_text=True)
    assert 'lang="vi"' in vi and "Đăng nhập" in vi
    assert client.post("/language/en", data={"next": "/"}).status_code == 302
    en = client.get("/").get_data(as_text=True)
    assert 'lang="en"' in en and "Staff sign in" in en


def test_language_switch_does_not_redirect_off_site(client) -> None:
    response = client.post("/language/en", data={"next": "//evil.example/"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(("path", "code", "vi_text", "en_text"), [
    ("/no-such-page", 404, "Không tìm thấy trang", "Page not found"),
    ("/console/", 302, None, None),
])
def test_error_pages_in_both_languages(client, path, code, vi_text, en_text) -> None:
    response = client.get(path)
    assert response.status_code == code
    if vi_text:
        assert vi_text in response.get_data(as_text=True)
        client.post("/language/en")
        assert en_text in client.get(path).get_data(as_text=True)


def test_every_error_page_renders_translated() -> None:
    from flask import abort

    app = make_test_app("sqlite://")
    for code in (400, 403, 404, 413, 429, 500):
        app.add_url_rule(f"/_test/{code}", f"boom_{code}", lambda code=code: abort(code))
    client = app.test_client()
    for code in (400, 403, 404, 413, 429, 500):
        response = client.get(f"/_test/{code}")
        assert response.status_code == code
        text = response.get_data(as_text=True)
        assert 'lang="vi"' in text and str(code) in text
    client.post("/language/en")
    assert "File too large" in client.get("/_test/413").get_data(as_text=True)


def test_unexpected_exception_gives_the_500_page() -> None:
    def explode():
        raise RuntimeError("boom")

    app = make_test_app("sqlite://", PROPAGATE_EXCEPTIONS=False)
    app.add_url_rule("/_test/explode", "explode", explode)
    response = app.test_client().get("/_test/explode")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "RuntimeError" not in text and "boom" not in text
    assert 'lang="vi"' in text and "500" in text


def test_vietnamese_catalogue_is_complete(tmp_path) -> None:
    """Every message extracted from the code and templates has a Vietnamese translation."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
        check=True, cwd=ROOT, capture_output=True,
    )
    with pot.open("rb") as handle:
        template = read_po(handle)
    with PO_FILE.open("rb") as handle:
        catalogue = read_po(handle, locale="vi")
    missing, fuzzy = [], []
    for message in template:
        if not message.id:
            continue
        translated = catalogue.get(message.id, message.context)
        strings = translated.string if translated else None
        values = strings if isinstance(strings, tuple | list) else [strings]
        if translated is None or not all(values):
            missing.append(message.id)
        elif translated.fuzzy:
            fuzzy.append(message.id)
    assert missing == [], f"{len(missing)} untranslated: {missing[:10]}"
    assert fuzzy == [], f"fuzzy: {fuzzy[:10]}"


def test_wtforms_own_messages_are_in_the_users_language(client, login, make_user) -> None:
    """WTForms ships no Vietnamese: "This field is required." and friends come from the catalogue."""
    from eventapp.accounts.models import Role

    login(make_user(Role.CHECKIN_STAFF))
    empty = client.post("/console/api-tokens/new", data={"name": ""}).get_data(as_text=True)
    assert "Trường này là bắt buộc." in empty and "This field is required." not in empty
    long = client.post("/console/api-tokens/new", data={"name": "Máy " * 40}).get_data(as_text=True)
    assert "Trường này không được dài quá 100 ký tự." in long
    assert 'value="Máy Máy' in long  # what was typed is kept
    client.post("/language/en")
    english = client.post("/console/api-tokens/new", data={"name": ""}).get_data(as_text=True)
    assert "This field is required." in english


def test_emails_speak_to_people_as_the_site_does() -> None:
    """The site says "bạn"; an e-mail saying "Quý vị" to the same journalist reads as another voice."""
    from babel.messages.pofile import read_po

    path = Path(__file__).resolve().parent.parent / "eventapp/translations/vi/LC_MESSAGES/messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    formal = [m.id for m in catalogue if m.id and "Quý vị" in str(m.string)]
    assert formal == []
