"""Sign-up does not tell who is a member: a taken address gets the answer a new one gets, and its owner a mail."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from portal.accounts import registration
from portal.accounts.models import User
from portal.extensions import db

from .helpers import NEW_PASSWORD, PASSWORD, user_count

ATTACKER_PASSWORD = "someone else's long passphrase"


def join(client, email: str, name: str = "Curious Visitor", **kwargs):
    return client.post("/signup", data={"email": email, "display_name": name, "password": ATTACKER_PASSWORD}, **kwargs)


def answer(client, response, email: str) -> tuple:
    """What a visitor can observe of one sign-up: the response, its cookies, and the page it leads to."""
    followed = client.get(response.headers["Location"])
    cookies = sorted(re.sub(r"=[^;]*", "=…", c) for c in response.headers.getlist("Set-Cookie"))
    body = html.unescape(followed.get_data(as_text=True)).replace(email, "EMAIL")
    body = re.sub(r'name="csrf_token" [^>]*', "", body)
    return response.status_code, response.headers["Location"], cookies, followed.status_code, body


def test_a_taken_and_a_new_address_get_the_same_answer(app, member, mailbox):
    new, taken = app.test_client(), app.test_client()
    first = answer(new, join(new, "newcomer@example.com"), "newcomer@example.com")
    second = answer(taken, join(taken, "marie@example.com"), "marie@example.com")
    assert first == second
    assert first[1] == "/signup/sent" and "Check your email" in first[4] and "EMAIL" in first[4]
    for browser in (new, taken):  # neither browser is signed in
        assert browser.get("/account/settings").status_code == 302


def test_the_owner_is_mailed_in_their_language_and_no_second_account_is_made(app, client, make_member, mailbox):
    owner = make_member(email="owner@example.com", display_name="Olga Owner", locale="fr")
    before = user_count()
    join(client, "Owner@Example.com")

    assert user_count() == before
    assert db.session.scalar(select(User).where(User.email == "owner@example.com")).id == owner.id
    [message] = mailbox()
    assert message["To"] == "owner@example.com" and message["Content-Language"] == "fr"
    assert message["Subject"] == "Quelqu’un a essayé de s’inscrire avec votre adresse e-mail"
    text = message.get_body(("plain",)).get_content()
    assert "http://tribune.test/login" in text and "http://tribune.test/password/forgot" in text
    assert "/verify/" not in text  # a confirmed address needs no link
    # The owner's password still works; the one typed in the sign-up form does not.
    assert app.test_client().post("/login", data={"email": "owner@example.com", "password": PASSWORD}).status_code == 302
    assert app.test_client().post("/login", data={"email": "owner@example.com", "password": ATTACKER_PASSWORD}).status_code == 422


def bodies(message) -> str:
    return message.get_body(("plain",)).get_content() + message.get_body(("html",)).get_content()


def signs_in(app, email: str, password: str) -> bool:
    return app.test_client().post("/login", data={"email": email, "password": password}).status_code == 302


def test_an_address_someone_else_joined_with_is_never_confirmed_for_them(app, mailbox):
    """Someone joins with Vera's address and a password they know, then joins again: Vera's mail
    must not carry a link that confirms *their* account. It carries a reset link: choosing a new
    password confirms the address and shuts the other person out."""
    attacker = app.test_client()
    assert join(attacker, "vera@example.com").status_code == 302  # the account they made, unconfirmed
    assert attacker.post("/login", data={"email": "vera@example.com", "password": ATTACKER_PASSWORD}).status_code == 302
    assert attacker.get("/account/settings").status_code == 200
    assert join(app.test_client(), "vera@example.com").status_code == 302  # "someone tried to join with your address"

    message = mailbox()[-1]
    assert message["To"] == "vera@example.com" and "/verify/" not in bodies(message)
    text = message.get_body(("plain",)).get_content()
    assert "not confirmed yet" in text and "choose a new password" in text
    link = re.search(r"http://tribune\.test(/password/reset/\S+)", text).group(1)
    assert link in message.get_body(("html",)).get_content()
    assert "/password/forgot" not in text and "/login" not in text  # one way in: the reset link

    vera = app.test_client()
    assert vera.post(link, data={"password": NEW_PASSWORD}).status_code == 302
    db.session.expire_all()
    account = db.session.scalar(select(User).where(User.email == "vera@example.com"))
    assert account.is_verified  # the mail reached Vera's inbox
    assert signs_in(app, "vera@example.com", NEW_PASSWORD)
    assert not signs_in(app, "vera@example.com", ATTACKER_PASSWORD)
    assert attacker.get("/account/settings").status_code == 302  # their session ended with the reset


def test_an_unconfirmed_owner_is_told_in_their_language(client, make_member, mailbox):
    make_member(email="tard@example.com", email_verified_at=None, locale="fr")
    join(client, "tard@example.com")
    [message] = mailbox()
    text = message.get_body(("plain",)).get_content()
    assert "Pour la confirmer, choisissez un nouveau mot de passe" in text and "/password/reset/" in text
    assert "/verify/" not in bodies(message)


def test_a_confirmed_owner_gets_no_reset_link_unasked(client, member, mailbox):
    join(client, "marie@example.com")
    [message] = mailbox()
    assert "/password/reset/" not in bodies(message) and "/verify/" not in bodies(message)
    assert "http://tribune.test/password/forgot" in message.get_body(("plain",)).get_content()


@pytest.mark.parametrize("taken", [False, True])
def test_both_paths_hash_the_password_once(monkeypatch, client, member, taken):
    """The same work either way, so the time taken does not tell a member's address from a new one."""
    calls = []
    real = registration.generate_password_hash
    monkeypatch.setattr(registration, "generate_password_hash", lambda password: calls.append(password) or real(password))
    join(client, "marie@example.com" if taken else "fresh@example.com")
    assert calls == [ATTACKER_PASSWORD]


def test_form_mistakes_are_still_shown_beside_their_field(client, member):
    response = client.post("/signup", data={"email": "marie@example.com", "display_name": "Marie", "password": "short"})
    assert response.status_code == 422
    text = html.unescape(response.get_data(as_text=True))
    assert "Use at least 10 characters" in text
    assert "already uses" not in text


def test_the_sent_page_speaks_french(client):
    join(client, "nouveau@example.com", headers={"Accept-Language": "fr"})
    page = html.unescape(client.get("/signup/sent", headers={"Accept-Language": "fr"}).get_data(as_text=True))
    assert "Consultez vos e-mails" in page and "nouveau@example.com" in page


def test_sign_up_cannot_flood_an_owners_inbox(app, member, mailbox):
    """Each try mails the owner: five an hour per address typed, from wherever they come."""
    answers = [join(app.test_client(), "marie@example.com", environ_base={"REMOTE_ADDR": f"203.0.113.{n}"}).status_code
               for n in range(6)]
    assert answers == [302] * 5 + [429]
    assert len(mailbox()) == 5
    assert join(app.test_client(), "someone.else@example.com").status_code == 302


@pytest.mark.parametrize("path", ["/signup", "/password/forgot"])
def test_other_spellings_of_an_address_share_its_mail_limit(app, member, mailbox, path):
    """`marie@ｅxample.com` (a full-width e) is mailed to marie@example.com: it counts as that address."""
    spellings = ["marie@ｅxample.com", "MARIE@ＥＸＡＭＰＬＥ.COM", " Marie@exａmple.com ", "marie@examｐle.ｃom",
                 "Marie@Example.Com", "marie@example.com"]
    data = {"display_name": "Curious Visitor", "password": ATTACKER_PASSWORD}
    answers = [app.test_client().post(path, data={**data, "email": email}, environ_base={"REMOTE_ADDR": f"203.0.113.{n}"}).status_code
               for n, email in enumerate(spellings)]
    assert answers == [302] * 5 + [429]
    assert [m["To"] for m in mailbox()] == ["marie@example.com"] * 5
