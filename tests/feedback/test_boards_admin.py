"""Editing a board as an admin does in a browser: the form shows what the board holds (categories by
name, one per line, each text in English and French), and sending it back keeps what was not changed."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.feedback import service
from portal.feedback.models import Board, Category, Idea

from .helpers import fresh
from .pages import field_errors, flashes, page, words


class _Form(HTMLParser):
    """The fields of the page's board form, as a browser would send them unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("class", "").startswith("card form-card"):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "submit"):
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and ("selected" in a or self._select not in self.fields):
            self.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def form_of(response) -> dict[str, str]:
    parser = _Form()
    parser.feed(response.get_data(as_text=True))
    # A browser drops the newline that follows <textarea>, as the HTML parser rules say.
    return {k: (v[1:] if v.startswith("\n") else v) for k, v in parser.fields.items()}


@pytest.fixture
def filed(board, make_member):
    """Ideas filed under two of the board's categories (Shoes and Tents)."""
    by_name = {c.name: c for c in board.categories}
    author = make_member()
    return {name: service.submit_idea(db.session, board, author, title=f"An idea about {name.lower()}",
                                      category_id=by_name[name].id)[0] for name in ("Shoes", "Tents")}


def categories(board: Board) -> list[tuple[int, str]]:
    return [(c.id, c.name) for c in fresh(board).categories]


def test_the_categories_box_shows_the_names_one_per_line(board, admin, login):
    response = login(admin).get(f"/admin/boards/{board.id}")

    form = form_of(response)
    assert form["categories-en"] == "Shoes\nTents"
    assert "<Category" not in page(response)
    assert form["name-en"] == "Product ideas" and form["name-fr"] == ""


def test_editing_only_the_description_keeps_the_categories_and_the_ideas_in_them(board, filed, admin, login):
    before = categories(board)
    browser = login(admin)
    form = form_of(browser.get(f"/admin/boards/{board.id}"))

    response = browser.post(f"/admin/boards/{board.id}", data={**form, "description-en": "Tell us what to make."},
                            follow_redirects=True)

    assert "The board “Product ideas” is saved." in flashes(response)
    assert fresh(board).description == "Tell us what to make."
    assert categories(board) == before
    assert {name: fresh(idea).category.name for name, idea in filed.items()} == {"Shoes": "Shoes", "Tents": "Tents"}


def test_a_category_retouched_in_place_is_renamed_and_keeps_its_ideas(board, filed, admin, login):
    tents = next(c.id for c in board.categories if c.name == "Tents")
    browser = login(admin)
    form = form_of(browser.get(f"/admin/boards/{board.id}"))

    browser.post(f"/admin/boards/{board.id}", data={**form, "categories-en": "Shoes\nTents & tarps\nPacks"})

    assert [name for _id, name in categories(board)] == ["Packs", "Shoes", "Tents & tarps"]
    assert (tents, "Tents & tarps") in categories(board)
    assert fresh(filed["Tents"]).category_id == tents


def test_removing_a_category_leaves_its_ideas_without_one_and_the_form_says_so(board, filed, admin, login):
    browser = login(admin)
    response = browser.get(f"/admin/boards/{board.id}")
    assert "Removing a line leaves that category's ideas without a category." in words(response)

    browser.post(f"/admin/boards/{board.id}", data={**form_of(response), "categories-en": "Shoes"})

    assert [name for _id, name in categories(board)] == ["Shoes"]
    assert fresh(filed["Tents"]).category_id is None and fresh(filed["Tents"]).deleted_at is None
    assert fresh(filed["Shoes"]).category.name == "Shoes"
    assert db.session.scalar(select(Category.id).where(Category.name == "Tents")) is None


def test_a_board_in_english_and_french_reads_in_each_readers_language(board, filed, admin, login, client):
    browser = login(admin)
    form = form_of(browser.get(f"/admin/boards/{board.id}"))
    browser.post(f"/admin/boards/{board.id}", data={
        **form, "name-fr": "Idées produits", "description-en": "What should we make?",
        "description-fr": "Que devrions-nous fabriquer ?", "categories-fr": "Chaussures\nTentes"})

    saved = fresh(board)
    assert (saved.name, saved.name_i18n) == ("Product ideas", {"fr": "Idées produits"})
    assert {c.name: c.name_i18n for c in saved.categories} == {"Shoes": {"fr": "Chaussures"}, "Tents": {"fr": "Tentes"}}
    french = words(client.get(f"/boards/{board.slug}", headers={"Accept-Language": "fr"}))
    assert "Idées produits" in french and "Que devrions-nous fabriquer ?" in french and "Chaussures" in french
    english = words(client.get(f"/boards/{board.slug}", headers={"Accept-Language": "en"}))
    assert "Product ideas" in english and "What should we make?" in english and "Idées" not in english
    idea_page = words(client.get(f"/ideas/{filed['Tents'].id}", headers={"Accept-Language": "fr"}))
    assert "Tentes" in idea_page and "Idées produits" in idea_page
    again = form_of(browser.get(f"/admin/boards/{board.id}"))
    assert (again["name-fr"], again["categories-fr"]) == ("Idées produits", "Chaussures\nTentes")


def test_a_french_reader_falls_back_to_the_default_language_where_no_translation_is_given(board, admin, login, client):
    browser = login(admin)
    form = form_of(browser.get(f"/admin/boards/{board.id}"))
    browser.post(f"/admin/boards/{board.id}", data={**form, "name-fr": "", "categories-fr": ""})

    assert {c.name: c.name_i18n for c in fresh(board).categories} == {"Shoes": {}, "Tents": {}}
    french = page(client.get(f"/boards/{board.slug}", headers={"Accept-Language": "fr"}))
    assert ">Shoes</option>" in french and ">Tents</option>" in french and ">Product ideas</h1>" in french


def test_a_translation_box_with_more_lines_than_the_categories_is_refused(board, admin, login):
    browser = login(admin)
    form = form_of(browser.get(f"/admin/boards/{board.id}"))

    response = browser.post(f"/admin/boards/{board.id}", data={**form, "categories-fr": "Chaussures\nTentes\nSacs"})

    assert response.status_code == 422
    assert "The Français box has a different number of lines (3) than the English box (2)" in field_errors(response, "categories")
    assert [c.name_i18n for c in fresh(board).categories] == [{}, {}]


def test_a_category_removed_in_english_only_is_refused_rather_than_shifting_the_french_names(board, filed, admin, login):
    browser = login(admin)
    form = form_of(browser.get(f"/admin/boards/{board.id}"))
    browser.post(f"/admin/boards/{board.id}", data={**form, "categories-en": "Shoes\nTents\nPacks",
                                                    "categories-fr": "Chaussures\nTentes\nSacs"})
    before = [(c.id, c.name, c.name_i18n) for c in fresh(board).categories]
    form = form_of(browser.get(f"/admin/boards/{board.id}"))

    response = browser.post(f"/admin/boards/{board.id}", data={**form, "categories-en": "Shoes\nPacks"})

    assert response.status_code == 422
    assert "The Français box has a different number of lines (3) than the English box (2)" in field_errors(response, "categories")
    assert [(c.id, c.name, c.name_i18n) for c in fresh(board).categories] == before
    assert fresh(filed["Tents"]).category.name == "Tents"


def test_a_french_box_that_leaves_a_category_out_is_refused(board, admin, login):
    """Line numbers alone cannot tell which category a shorter box left out: deleting "Shoes" in English later
    would put "Chaussures" on Tents and "Tentes" on Packs. So a translation box translates every category."""
    browser = login(admin)
    form = form_of(browser.get(f"/admin/boards/{board.id}"))

    response = browser.post(f"/admin/boards/{board.id}", data={**form, "categories-en": "Shoes\nTents\nPacks",
                                                               "categories-fr": "Chaussures\nTentes"})

    assert response.status_code == 422
    assert "The Français box has a different number of lines (2) than the English box (3)" in field_errors(response, "categories")
    assert {c.name: c.name_i18n for c in fresh(board).categories} == {"Shoes": {}, "Tents": {}}


def test_blank_lines_do_not_shift_the_translations(board, admin, login):
    browser = login(admin)
    form = form_of(browser.get(f"/admin/boards/{board.id}"))

    browser.post(f"/admin/boards/{board.id}", data={**form, "categories-en": "Shoes\n\nTents\n",
                                                    "categories-fr": "Chaussures\nTentes"})

    assert {c.name: c.name_i18n for c in fresh(board).categories} == {"Shoes": {"fr": "Chaussures"}, "Tents": {"fr": "Tentes"}}


def test_a_new_board_starts_with_ten_votes_and_no_categories(admin, login):
    form = form_of(login(admin).get("/admin/boards/new"))

    assert form["vote_budget"] == "10" and form["categories-en"] == "" and form["name-en"] == ""
    assert db.session.scalar(select(Idea.id)) is None
