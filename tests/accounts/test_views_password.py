"""Forgotten passwords, reset links and password changes, over HTTP."""
from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner

PASSWORD = "correct horse battery staple"  # the password conftest gives every member
NEW_PASSWORD = "purple elephants dance at noon"


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def flashes(response) -> str:
    match = re.search(r'<div class="flashes" role="status">(.*?)</div>', page(response), re.S)
    return match.group(1) if match else ""


def field_errors(response, field: str) -> str:
    match = re.search(rf'<ul class="errors" id="{field}-error">(.*?)</ul>', page(response), re.S)
    return match.group(1) if match else ""


def signed_in(client) -> bool:
    return client.get("/account/settings").status_code == 200


def can_sign_in(app, email: str, password: str) -> bool:
    response = app.test_client().post("/login", data={"email": email, "password": password})
    return response.status_code == 302


def forgot(client, email: str):
    return client.post("/password/forgot", data={"email": email}, follow_redirects=True)


@pytest.fixture
def reset_link(client, member, mailbox) -> str:
    """Ask for Marie's reset link and return its path."""
    forgot(client, member.email)
    [message] = mailbox()
    assert message["To"] == member.email
    return re.search(r"http://tribune\.test(/password/reset/\S+)", message.get_body(("plain",)).get_content()).group(1)


# -- forgotten password ----------------------------------------------------------------


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(client, member, mailbox):
    known = forgot(client, "marie@example.com")
    unknown = forgot(client, "nobody@example.com")

    assert known.status_code == unknown.status_code == 200
    assert "a link to reset its password is on its way" in flashes(known)
    assert flashes(known).replace("marie@example.com", "ADDRESS") == flashes(unknown).replace("nobody@example.com", "ADDRESS")
    assert [m["To"] for m in mailbox()] == ["marie@example.com"]


def test_reset_link_sets_a_new_password_once(app, client, member, reset_link):
    assert client.get(reset_link).status_code == 200
    response = client.post(reset_link, data={"password": NEW_PASSWORD}, follow_redirects=True)
    assert "Your password is changed" in flashes(response)
    assert can_sign_in(app, member.email, NEW_PASSWORD)
    assert not can_sign_in(app, member.email, PASSWORD)

    again = client.get(reset_link, follow_redirects=True)
    assert "This link was already used" in flashes(again)
    assert urlsplit(again.request.url).path == "/password/forgot"


def test_tampered_reset_link_is_not_valid(app, client, member, reset_link):
    payload, timestamp, signature = reset_link.rsplit("/", 1)[1].split(".")
    tampered = f"/password/reset/{payload}.{timestamp}.{signature[::-1]}"
    response = client.post(tampered, data={"password": NEW_PASSWORD}, follow_redirects=True)
    assert "This link is not valid" in flashes(response)
    assert can_sign_in(app, member.email, PASSWORD)


def test_reset_link_opened_too_late_has_expired(app, client, member, reset_link, monkeypatch):
    real = TimestampSigner.get_timestamp
    later = app.config["RESET_TOKEN_MINUTES"] * 60 + 1
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + later)

    response = client.post(reset_link, data={"password": NEW_PASSWORD}, follow_redirects=True)
    assert "This link has expired" in flashes(response)
    monkeypatch.undo()
    assert can_sign_in(app, member.email, PASSWORD)


def test_reset_signs_out_every_browser(app, client, auth, member, reset_link):
    auth.login(member, remember=True)
    stolen = {name: client.get_cookie(name).value for name in ("session", "remember_token")}

    client.post(reset_link, data={"password": NEW_PASSWORD})
    assert not signed_in(client)
    for name, value in stolen.items():
        replay = app.test_client()
        replay.set_cookie(name, value)
        assert not signed_in(replay), name


def test_reset_with_a_weak_password_keeps_the_old_one(app, client, member, reset_link):
    response = client.post(reset_link, data={"password": "password123"})
    assert response.status_code == 422
    assert "This password is too common" in field_errors(response, "password")
    assert can_sign_in(app, member.email, PASSWORD)
    assert client.get(reset_link).status_code == 200  # the link still works for a better try


# -- changing the password -----------------------------------------------------------------


def test_password_change_signs_out_other_browsers_only(app, client, auth, member):
    laptop = app.test_client()
    laptop.post("/login", data={"email": member.email, "password": PASSWORD})
    laptop_cookie = laptop.get_cookie("session").value
    auth.login(member)

    response = client.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert signed_in(client)
    replay = app.test_client()
    replay.set_cookie("session", laptop_cookie)
    assert not signed_in(replay) and not signed_in(laptop)
    assert can_sign_in(app, member.email, NEW_PASSWORD)


def test_change_password_with_a_wrong_current_password_changes_nothing(app, client, auth, member):
    auth.login(member)
    response = client.post("/account/password", data={"current_password": "not my password", "new_password": NEW_PASSWORD})
    assert response.status_code == 422
    assert "That is not your current password." in field_errors(response, "current_password")
    assert can_sign_in(app, member.email, PASSWORD)
    assert not can_sign_in(app, member.email, NEW_PASSWORD)


def test_change_password_applies_the_policy(app, client, auth, member):
    auth.login(member)
    response = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "marie"})
    assert response.status_code == 422
    assert "Use at least 10 characters." in field_errors(response, "new_password")
    assert can_sign_in(app, member.email, PASSWORD)
