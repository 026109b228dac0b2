"""The request's edge: control characters in any input are refused with a 400 page, on every route.

PostgreSQL cannot store a NUL (psycopg raised DataError, a 500) and SQLite stored and mailed it.
The walk below sends NUL in each path parameter, in a query argument and in a form field, to every
rule of the url_map with every method it accepts, anonymously and as an admin, and checks that
nothing answers 500, nothing is stored and nothing is mailed.
"""
from __future__ import annotations

import html
import re
from urllib.parse import quote

import pytest
from flask import Flask, url_for
from sqlalchemy import func, select

from portal.extensions import db
from portal.kernel.edge import has_control_characters

NUL = "a\x00b"
# Every form field name a route of Tribune reads, so each view would have taken the NUL in.
FORM = dict.fromkeys(("body", "title", "description", "email", "display_name", "password", "name", "bio", "username",
                      "explanation", "reason", "q", "text", "tagline", "categories", "slug", "role", "status"), NUL)


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def rows(app: Flask) -> int:
    """Every row of every table: what a request stored."""
    with app.app_context():
        return sum(db.session.scalar(select(func.count()).select_from(table)) or 0 for table in db.metadata.sorted_tables)


ARGUMENT = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def routes(app: Flask) -> list[tuple[str, str, str | None, str]]:
    """(rule, method, url with NUL in its text path parameters or None, url with harmless ones) for
    every route and every method it accepts."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            fixed, texts = {}, []
            for kind, options, name in ARGUMENT.findall(rule.rule):
                if kind == "int":
                    fixed[name] = 1
                elif kind == "any":  # one of a few words: a NUL never matches it
                    fixed[name] = options.split(",")[0].strip()
                else:
                    texts.append(name)
            poisoned = url_for(rule.endpoint, **fixed, **dict.fromkeys(texts, NUL)) if texts else None
            harmless = url_for(rule.endpoint, **fixed, **dict.fromkeys(texts, "ab"))
            for method in sorted(rule.methods - {"OPTIONS"}):
                found.append((rule.rule, method, poisoned, harmless))
    return found


@pytest.fixture(params=["anonymous", "admin"])
def visitor(request, app, client, auth, admin):
    if request.param == "admin":
        auth.login(admin)
    return client


def test_nul_in_any_path_parameter_query_or_form_is_a_400_on_every_route(app, visitor, mailbox):
    before = rows(app)
    failures, sent = [], 0
    for rule, method, poisoned, harmless in routes(app):
        sends = [("query", f"{harmless}?q={quote(NUL)}", None)]
        if poisoned:
            sends.append(("path", poisoned, None))
        if method in {"POST", "PUT", "PATCH", "DELETE"}:
            sends.append(("form", harmless, FORM))
        for where, target, data in sends:
            response = visitor.open(target, method=method, data=data)
            sent += 1
            if response.status_code != 400:
                failures.append(f"{method} {rule} ({where}): {response.status_code}")
    assert failures == []
    assert sent > 150  # the walk reached the whole route table
    assert rows(app) == before  # nothing stored (the admin's session row was there before)
    assert mailbox() == []


@pytest.mark.parametrize("path", ["/tags/a%00b", "/boards/a%00b", "/@a%00b", "/login?next=/a%00b"])
def test_the_issue_addresses_answer_a_clear_400_in_the_readers_language(client, path):
    english = client.get(path)
    assert english.status_code == 400
    assert "Characters not allowed" in page(english) and "Nothing was saved" in page(english)
    french = client.get(path, headers={"Accept-Language": "fr"})
    assert french.status_code == 400 and "Caractères non autorisés" in page(french)


def test_sign_in_and_sign_up_with_a_nul_store_and_mail_nothing(app, client, member, mailbox):
    before = rows(app)
    assert client.post("/login", data={"email": f"{member.email}\x00", "password": "x"}).status_code == 400
    assert client.post("/signup", data={"email": "new@example.com", "display_name": "New\x00Fan",
                                        "password": "a fine long passphrase"}).status_code == 400
    assert client.post("/signup", data={"email": "new\x00@example.com", "display_name": "New Fan",
                                        "password": "a fine long passphrase"}).status_code == 400
    assert rows(app) == before and mailbox() == []


def test_a_post_with_a_nul_is_refused_and_tabs_and_newlines_still_pass(app, client, auth, member):
    auth.login(member)
    refused = client.post("/posts/new", data={"body": "Hello\x00there"})
    assert refused.status_code == 400
    kept = client.post("/posts/new", data={"body": "Line one\r\n\tLine two"})
    assert kept.status_code == 302


@pytest.mark.parametrize("value", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\ud800", "\udfff"])
def test_refused_characters(value):
    assert has_control_characters(f"a{value}b")
    assert has_control_characters({"list": [f"x{value}"]})
    assert has_control_characters({f"k{value}": 1})


@pytest.mark.parametrize("value", ["plain", "tab\there", "line\nbreak", "crlf\r\n", "é — ✓ 🎉", "\u200b", ""])
def test_allowed_characters(value):
    assert not has_control_characters(value)


def test_json_bodies_and_upload_names_are_checked(client):
    assert client.post("/login", json={"email": "a\ud800@example.com"}).status_code == 400
    assert client.post("/login", data={"email": "a@example.com", "password": "x", "file": (b"", "a\x00.png")},
                       content_type="multipart/form-data").status_code == 400


def test_a_user_agent_with_a_nul_is_stored_without_it(app, member):
    from portal.accounts.models import UserSession  # the one header Tribune stores

    response = app.test_client().post("/login", data={"email": member.email, "password": "correct horse battery staple"},
                                      headers={"User-Agent": "Evil\x00Browser\x1b"})
    assert response.status_code == 302
    assert db.session.scalar(select(UserSession.user_agent)) == "EvilBrowser"
