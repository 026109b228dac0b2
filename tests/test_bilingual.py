"""What the brand writes, in English and French (kernel/translatable.py): the site tagline, pinned
announcements and the demo's texts. Board names, descriptions and categories are in
tests/feedback/test_boards_admin.py, status explanations and official responses in tests/feedback/test_triage.py."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from portal.extensions import db
from portal.kernel.site import site_settings
from portal.kernel.translatable import localized, split


def words(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(response.get_data(as_text=True))).split())


FR = {"Accept-Language": "fr"}
EN = {"Accept-Language": "en"}


def test_localized_gives_the_readers_language_else_the_default_else_any_translation(app):
    with app.test_request_context():
        assert localized({"fr": "Bonjour"}, "fr", "Hello") == "Bonjour"
        assert localized({"fr": "Bonjour"}, "en", "Hello") == "Hello"
        assert localized({}, "fr", "Hello") == "Hello"
        assert localized({"fr": "Bonjour"}, "en", "") == "Bonjour"  # given only in French: better than nothing
        with force_locale("fr"):
            assert localized({"fr": "Bonjour"}, None, "Hello") == "Bonjour"
        assert split({"en": "Hello", "fr": " ", "de": "Hallo"}) == ("Hello", {})
        assert split("Hello") == ("Hello", {})


def test_the_tagline_is_saved_in_both_languages_and_each_reader_sees_theirs(admin, login, client):
    browser = login(admin)
    site = browser.get("/admin/site").get_data(as_text=True)
    assert 'name="tagline-en"' in site and 'name="tagline-fr"' in site and ">Français" in site

    response = browser.post("/admin/site", data={"name": "Fernhill", "tagline-en": "Shape the gear we make next.",
                                                 "tagline-fr": "Façonnez notre prochain matériel.",
                                                 "primary": "#1f6f4a", "accent": "#e07a1f"})

    assert response.status_code == 302
    assert "Façonnez notre prochain matériel." in words(client.get("/", headers=FR))
    english = words(client.get("/", headers=EN))
    assert "Shape the gear we make next." in english and "Façonnez" not in english
    with client.application.test_request_context():
        assert site_settings(db.session).tagline_i18n == {"fr": "Façonnez notre prochain matériel."}


def test_a_tagline_without_its_translation_falls_back_to_the_default_language(admin, login, client):
    login(admin).post("/admin/site", data={"name": "Fernhill", "tagline-en": "Shape the gear we make next.",
                                           "tagline-fr": "", "primary": "#1f6f4a", "accent": "#e07a1f"})

    assert "Shape the gear we make next." in words(client.get("/", headers=FR))


@pytest.fixture
def french_site(app_config):
    """A brand whose default language is French (DEFAULT_LOCALE=fr)."""
    app_config["DEFAULT_LOCALE"] = "fr"


def test_on_a_french_site_french_comes_first_and_is_the_fallback(french_site, admin, login, client):
    browser = login(admin)
    form = browser.get("/admin/site").get_data(as_text=True)
    assert form.index('name="tagline-fr"') < form.index('name="tagline-en"')

    browser.post("/admin/site", data={"name": "Fernhill", "tagline-fr": "Façonnez notre prochain matériel.",
                                      "tagline-en": "", "primary": "#1f6f4a", "accent": "#e07a1f"})

    assert "Façonnez notre prochain matériel." in words(client.get("/", headers=EN))
    with client.application.test_request_context():
        site = site_settings(db.session)
        assert (site.tagline, site.tagline_i18n) == ("Façonnez notre prochain matériel.", {})


def test_a_too_long_french_tagline_is_refused_beside_the_field(admin, login):
    response = login(admin).post("/admin/site", data={"name": "Fernhill", "tagline-en": "Short.", "tagline-fr": "x" * 141,
                                                      "primary": "#1f6f4a", "accent": "#e07a1f"})

    assert response.status_code == 422
    assert "Keep the tagline under 140 characters." in words(response)


def test_staff_pin_an_announcement_with_its_translation_and_french_readers_see_it(staff, member, login, client):
    response = login(staff).post("/posts/new", data={
        "body": "The shop is closed on Monday.", "announcement": "y",
        "translation": "La boutique est fermée lundi.", "translation_locale": "fr"})

    assert response.status_code == 302
    french = words(client.get("/community", headers=FR))
    assert "La boutique est fermée lundi." in french and "The shop is closed on Monday." not in french
    english = words(client.get("/community", headers=EN))
    assert "The shop is closed on Monday." in english and "La boutique" not in english
    post_page = words(login(member).get(response.headers["Location"], headers=FR))
    assert "La boutique est fermée lundi." in post_page


def test_a_translation_is_only_for_announcements(staff, login):
    response = login(staff).post("/posts/new", data={
        "body": "Who is coming on Saturday?", "translation": "Qui vient samedi ?", "translation_locale": "fr"})

    assert response.status_code == 422
    assert "Only announcements take a translation." in words(response)


def test_the_composer_offers_staff_a_translation_in_the_other_language(staff, member, login):
    composer = login(staff).get("/posts/new", headers=EN).get_data(as_text=True)
    assert 'name="translation"' in composer
    assert re.search(r'<select[^>]*name="translation_locale"[^>]*>\s*<option[^>]*value="fr"', composer)
    assert 'name="translation"' not in login(member).get("/posts/new").get_data(as_text=True)


def test_staff_edit_an_announcement_and_its_translation_together(staff, login, client):
    browser = login(staff)
    posted = browser.post("/posts/new", data={"body": "The shop is closed on Monday.", "announcement": "y",
                                              "translation": "La boutique est fermée lundi.", "translation_locale": "fr"})
    edit_url = posted.headers["Location"] + "/edit"
    form = browser.get(edit_url, headers=EN).get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="translation"[^>]*>\s*La boutique est fermée lundi.</textarea>', html.unescape(form))
    assert re.search(r'<option[^>]*selected[^>]*value="fr"|<option[^>]*value="fr"[^>]*selected', form)

    response = browser.post(edit_url, data={"body": "The shop is closed on Tuesday.",
                                            "translation": "La boutique est fermée mardi.", "translation_locale": "fr"})

    assert response.status_code == 302
    french = words(client.get("/community", headers=FR))
    assert "La boutique est fermée mardi." in french and "lundi" not in french
    browser.post(edit_url, data={"body": "The shop is closed on Tuesday.", "translation": "", "translation_locale": "fr"})
    assert "The shop is closed on Tuesday." in words(client.get("/community", headers=FR))


def test_an_edit_that_sends_only_the_text_keeps_the_translation(staff, login, client):
    browser = login(staff)
    posted = browser.post("/posts/new", data={"body": "The shop is closed on Monday.", "announcement": "y",
                                              "translation": "La boutique est fermée lundi.", "translation_locale": "fr"})

    browser.post(posted.headers["Location"] + "/edit", data={"body": "The shop is closed on Monday, all day."})

    assert "La boutique est fermée lundi." in words(client.get("/community", headers=FR))


def test_the_edit_form_of_a_post_that_is_not_an_announcement_has_no_translation(staff, login):
    browser = login(staff)
    posted = browser.post("/posts/new", data={"body": "Who is coming on Saturday?"})

    form = browser.get(posted.headers["Location"] + "/edit").get_data(as_text=True)

    assert 'name="body"' in form and 'name="translation"' not in form


def test_the_demo_brand_writes_its_boards_and_tagline_in_french_too():
    data = Path(__file__).resolve().parents[1] / "portal" / "demo" / "data"
    boards = json.loads((data / "feedback_ideas.json").read_text())["boards"]
    for board in boards:
        french = board["fr"]
        assert french["name"] and french["description"] and len(french["categories"]) == len(board["categories"])
    site = json.loads((data / "accounts.json").read_text())["site"]
    assert json.loads(site["tagline_i18n"])["fr"]
