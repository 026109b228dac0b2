"""Sign-up, email verification, sign-in and sign-out, over HTTP."""
from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from portal.accounts.models import User, UserSession
from portal.extensions import db

PASSWORD = "correct horse battery staple"  # the password conftest gives every member


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_errors(response, field: str) -> str:
    """The error list rendered beside one form field."""
    match = re.search(rf'<ul class="errors" id="{field}-error">(.*?)</ul>', page(response), re.S)
    return match.group(1) if match else ""


def location(response) -> str:
    return urlsplit(response.headers["Location"]).path


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def session_count() -> int:
    return db.session.scalar(select(func.count()).select_from(UserSession))


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def link_in(message, route: str) -> str:
    """The path of the link to `route` in a mail's text part."""
    text = message.get_body(("plain",)).get_content()
    return re.search(rf"http://tribune\.test({route}\S+)", text).group(1)


def signed_in(client) -> bool:
    response = client.get("/account/settings")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def clock_ahead(monkeypatch, seconds: int) -> None:
    """From now on, signed links are checked as if `seconds` had passed."""
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + seconds)


def signup(client, email="alice@example.com", password=PASSWORD, name="Alice", **kwargs):
    return client.post("/signup", data={"email": email, "display_name": name, "password": password}, **kwargs)


# -- sign-up ---------------------------------------------------------------------


def test_signup_creates_an_unverified_member_and_mails_in_their_language(client, mailbox):
    response = signup(client, headers={"Accept-Language": "fr-FR,fr;q=0.9"})

    assert response.status_code == 302 and location(response) == "/signup/sent"
    user = db.session.scalar(select(User).where(User.email == "alice@example.com"))
    assert not user.is_verified and user.locale == "fr"
    sent = client.get("/signup/sent")
    assert "Check your email" in page(sent) and "alice@example.com" in page(sent)
    assert not signed_in(client)  # a taken address gets the same answer, so nobody is signed in by it

    [message] = mailbox()
    assert message["To"] == "alice@example.com"
    assert message["Content-Language"] == "fr"
    assert message["Subject"] == "Confirmez votre adresse e-mail"
    assert "Merci de confirmer votre adresse e-mail" in message.get_body(("plain",)).get_content()
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert '<html lang="fr">' in message.get_body(("html",)).get_content()
    assert link_in(message, "/verify/") in message.get_body(("html",)).get_content()


def test_signup_with_an_address_taken_in_another_case_changes_nothing_and_mails_the_owner(client, member, mailbox):
    before = user_count()
    response = signup(client, email="Marie@Example.com")

    assert response.status_code == 302 and location(response) == "/signup/sent"
    assert user_count() == before
    [message] = mailbox()
    assert message["To"] == "marie@example.com" and "Someone tried to" in message["Subject"]
    assert not signed_in(client)


def test_signup_with_a_malformed_address(client):
    response = signup(client, email="alice@@example")
    assert response.status_code == 422
    assert "Enter a valid email address" in field_errors(response, "email")
    assert user_count() == 0


@pytest.mark.parametrize("password, message", [
    ("short1234", "Use at least 10 characters."),
    ("password123", "This password is too common"),
    ("iloveyou12", "This password is too common"),
    ("alice.wonderland", "must not be your email address or your name"),
])
def test_signup_with_a_weak_password_says_why(client, password, message):
    response = signup(client, email="alice.wonderland@example.com", password=password)
    assert response.status_code == 422
    assert message in field_errors(response, "password")
    assert user_count() == 0


# -- verification ------------------------------------------------------------------


@pytest.fixture
def verify_link(client, mailbox) -> str:
    """Sign up as alice and return the path of the link in her confirmation mail."""
    assert signup(client).status_code == 302
    [message] = mailbox()
    return link_in(message, "/verify/")


def alice() -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == "alice@example.com"))


def test_verification_link_confirms_the_address_once(client, verify_link):
    response = client.get(verify_link, follow_redirects=True)
    assert "your email address is confirmed" in page(response)
    assert alice().is_verified

    again = client.get(verify_link, follow_redirects=True)
    assert "This link was already used" in page(again)


def test_tampered_verification_link_is_not_valid(client, verify_link):
    forged = URLSafeTimedSerializer("guessed-secret", salt="verify-email").dumps({"uid": alice().id, "email": "x"})
    for path in (f"/verify/{forged}", verify_link[:-3] + "abc"):
        response = client.get(path, follow_redirects=True)
        assert "This link is not valid" in page(response)
    assert not alice().is_verified


def test_verification_link_opened_too_late_has_expired(app, client, verify_link, monkeypatch):
    clock_ahead(monkeypatch, app.config["VERIFY_TOKEN_HOURS"] * 3600 + 60)
    response = client.get(verify_link, follow_redirects=True)
    assert "This link has expired" in page(response)
    assert not alice().is_verified


def test_unverified_members_are_asked_to_confirm(client, auth, make_member):
    unverified = make_member(email_verified_at=None)
    auth.login(unverified)
    assert "Confirm your email address to post, vote and comment" in page(client.get("/feed"))
    assert "Not confirmed yet" in page(client.get("/account/settings"))


def test_verified_members_are_not_nagged(client, auth, member):
    auth.login(member)
    assert "Confirm your email address" not in page(client.get("/feed"))


def test_resend_sends_a_new_link_and_is_rate_limited(client, auth, make_member, mailbox):
    unverified = make_member(email_verified_at=None)
    auth.login(unverified)
    for sent in range(1, 4):
        response = client.post("/verify/resend", follow_redirects=True)
        assert "We sent a new confirmation link" in page(response)
        assert len(mailbox()) == sent

    refused = client.post("/verify/resend")
    assert refused.status_code == 429 and "Too many attempts" in page(refused)
    assert len(mailbox()) == 3
    assert client.get(link_in(mailbox()[-1], "/verify/")).status_code == 302
    assert reload(unverified).is_verified


# -- sign-in and sign-out ---------------------------------------------------------------


def test_wrong_password_and_unknown_address_get_the_same_answer(client, member):
    wrong = client.post("/login", data={"email": member.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": "nobody@example.com", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 422
    message = "That email and password do not match an account."
    assert field_errors(wrong, "password") == field_errors(unknown, "password")
    assert message in field_errors(wrong, "password")
    assert session_count() == 0 and not signed_in(client)


def test_remember_me_keeps_the_member_signed_in_for_remember_days(app, client, auth, member):
    auth.login(member, remember=True)
    remember = client.get_cookie("remember_token")
    assert remember is not None
    [row] = db.session.scalars(select(UserSession))
    assert row.remember and row.expires_at - row.created_at == timedelta(days=app.config["REMEMBER_DAYS"])

    restarted = app.test_client()  # the browser was closed: only the lasting cookie is left
    restarted.set_cookie("remember_token", remember.value)
    assert signed_in(restarted)


def test_without_remember_me_the_session_is_short(app, client, auth, member):
    auth.login(member)
    assert client.get_cookie("remember_token") is None
    [row] = db.session.scalars(select(UserSession))
    assert not row.remember and row.expires_at - row.created_at == timedelta(days=app.config["SESSION_DAYS"])


def test_a_cookie_replayed_after_logout_is_refused(app, client, auth, member):
    auth.login(member)
    stolen = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert signed_in(thief)  # the copy works while the session lives

    auth.logout()
    assert session_count() == 0
    response = thief.get("/account/settings")
    assert response.status_code == 302 and location(response) == "/login"
    assert not signed_in(client)


def test_anonymous_visitors_are_sent_to_sign_in_and_back(client, member):
    response = client.get("/account/settings")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account/settings"
    back = client.post(response.headers["Location"], data={"email": member.email, "password": PASSWORD})
    assert back.status_code == 302 and back.headers["Location"] == "/account/settings"


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example", "/\\evil.example",
                                    "javascript:alert(1)", "/\tevil"])
def test_next_never_leaves_the_site(client, member, target):
    response = client.post("/login", query_string={"next": target}, data={"email": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# -- CSRF, rate limits, headers, cost ----------------------------------------------------


@pytest.fixture
def csrf_on(app_config):
    """Ask for this before `app` or `client`: the app is built with CSRF protection on."""
    app_config["WTF_CSRF_ENABLED"] = True


def csrf_token(client, path: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page(client.get(path))).group(1)


def test_login_without_csrf_token_is_refused(csrf_on, client, member):
    response = client.post("/login", data={"email": member.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "missing its security token" in page(response)
    assert session_count() == 0

    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": member.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and session_count() == 1


def test_signup_without_csrf_token_creates_nothing(csrf_on, client, mailbox):
    response = signup(client)
    assert response.status_code == 400 and "Nothing was saved" in page(response)
    assert user_count() == 0 and mailbox() == []

    response = client.post("/signup", data={"email": "alice@example.com", "display_name": "Alice", "password": PASSWORD,
                                            "csrf_token": csrf_token(client, "/signup")})
    assert response.status_code == 302 and user_count() == 1


def test_login_attempts_are_rate_limited(client, member):
    for _ in range(10):
        assert client.post("/login", data={"email": member.email, "password": "guess guess guess"}).status_code == 422
    response = client.post("/login", data={"email": member.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in page(response)
    assert session_count() == 0


@pytest.mark.parametrize("path", ["/", "/login", "/signup"])
def test_pages_send_security_headers(client, path):
    response = client.get(path)
    policy = dict(d.strip().split(" ", 1) for d in response.headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookies_are_httponly_and_samesite_lax(client, member):
    response = client.post("/login", data={"email": member.email, "password": PASSWORD, "remember": "y"})
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        assert "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name], cookies[name]


def test_a_signed_in_page_runs_a_fixed_small_number_of_queries(client, auth, member, make_member, count_queries):
    auth.login(member)
    for _ in range(5):
        make_member()
    with count_queries() as queries:
        assert client.get("/account/settings").status_code == 200
    # One for the session joined with its member, one for the site settings.
    assert queries.count <= 2, queries.statements
