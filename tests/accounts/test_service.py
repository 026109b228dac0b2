"""Account rules, called the way views, jobs and the CLI call them: service functions on a session.

Sign-up, email verification, sessions and passwords; the member's own account is in
test_service_account.py, roles in test_service_roles.py.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from portal.accounts import passwords, registration, sessions
from portal.accounts.models import Role, UserSession
from portal.accounts.tokens import TokenError
from portal.accounts.validation import AccountError
from portal.extensions import db
from portal.kernel import uow
from portal.kernel.timeutil import utcnow

from .helpers import NEW_PASSWORD, PASSWORD, clock_ahead, sessions_of, user_count

# -- sign-up -----------------------------------------------------------------


def test_register_creates_an_unverified_member_and_mails_the_link(app, settings, mailbox):
    user = registration.register(db.session, settings, email="  Alice@Example.COM ", display_name="  Alice   Liddell ",
                                 password=PASSWORD, locale="fr")

    assert user.email == "alice@example.com"
    assert user.display_name == "Alice Liddell"
    assert user.locale == "fr"
    assert not user.is_verified and user.role is Role.MEMBER
    assert PASSWORD not in user.password_hash
    [message] = mailbox()
    assert message["To"] == "alice@example.com"
    token = re.search(r"http://tribune\.test/verify/(\S+)", message.get_body(("plain",)).get_content()).group(1)
    assert registration.verify_email(db.session, settings, token).id == user.id


def test_register_opens_no_session(settings):
    """Sign-up answers the same for a new and a taken address, so it cannot sign the new member in."""
    user = registration.register(db.session, settings, email="alice@example.com", display_name="Alice", password=PASSWORD)
    assert sessions_of(user) == []


def test_register_with_an_address_already_used_in_another_case_mails_its_owner(settings, member, mailbox):
    before = user_count()
    assert registration.register(db.session, settings, email="Marie@Example.com", display_name="Marie Two",
                                 password=PASSWORD) is None
    assert user_count() == before and db.session.scalar(select(UserSession)) is None
    [message] = mailbox()
    assert message["To"] == member.email and message["Subject"] == "Someone tried to join with your email address"


def test_register_reports_every_problem_at_once(app, settings):
    with pytest.raises(AccountError) as caught:
        registration.register(db.session, settings, email="not-an-address", display_name="   ", password="short")
    assert set(caught.value.errors) == {"email", "display_name", "password"}
    assert user_count() == 0


def test_a_registration_that_fails_to_commit_sends_no_mail(settings, mailbox, monkeypatch):
    def fail(session):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(registration, "commit", fail)
    with pytest.raises(RuntimeError):
        registration.register(db.session, settings, email="alice@example.com", display_name="Alice", password=PASSWORD)
    assert mailbox() == [] and uow.pending(db.session) == []
    assert user_count() == 0


@pytest.mark.parametrize("common", ["password123", "iloveyou12"])
def test_common_passwords_are_refused(common):
    assert common in FREQUENCY_LISTS["passwords"]  # the list the rule relies on
    assert any("too common" in str(p) for p in passwords.password_problems(common, email="x@example.com"))


@pytest.mark.parametrize("password, email, name, expected", [
    ("ninechars", "x@example.com", "", "at least 10"),
    ("aaaaaaaaaaaa", "x@example.com", "", "too common"),
    ("marie.curie.sklodowska", "marie.curie.sklodowska@example.com", "", "not be your email"),
    ("Annabelle Lee-Smith", "x@example.com", "annabelle lee-smith", "not be your email address or your name"),
])
def test_weak_passwords_are_refused_with_a_reason(password, email, name, expected):
    problems = [str(p) for p in passwords.password_problems(password, email=email, display_name=name)]
    assert any(expected in p for p in problems), problems


def test_a_passphrase_passes_the_policy():
    assert passwords.password_problems(PASSWORD, email="marie@example.com", display_name="Marie") == []


# -- verification --------------------------------------------------------------


def test_verification_link_works_once(settings, make_member):
    user = make_member(email_verified_at=None)
    token = registration.verification_token(settings, user)

    assert registration.verify_email(db.session, settings, token).is_verified
    with pytest.raises(TokenError) as caught:
        registration.verify_email(db.session, settings, token)
    assert caught.value.reason == "used"


def test_verification_link_expires_after_the_configured_hours(app, settings, make_member):
    user = make_member(email_verified_at=None)
    token = registration.verification_token(settings, user)
    hours = app.config["VERIFY_TOKEN_HOURS"]

    with clock_ahead(hours * 3600 + 60), pytest.raises(TokenError) as caught:
        registration.verify_email(db.session, settings, token)
    assert caught.value.reason == "expired"
    with clock_ahead(hours * 3600 - 60):
        assert registration.verify_email(db.session, settings, token).is_verified


def test_verification_link_signed_elsewhere_is_not_valid(settings, make_member):
    user = make_member(email_verified_at=None)
    forged = URLSafeTimedSerializer("another-key", salt="verify-email").dumps({"uid": user.id, "email": "x"})
    with pytest.raises(TokenError) as caught:
        registration.verify_email(db.session, settings, forged)
    assert caught.value.reason == "invalid"
    assert not user.is_verified


def test_the_link_is_mailed_again_only_to_an_unconfirmed_address(settings, make_member, member, mailbox):
    unconfirmed = make_member(email_verified_at=None)
    registration.resend_verification(settings, unconfirmed)
    [message] = mailbox()
    assert message["To"] == unconfirmed.email

    with pytest.raises(registration.AlreadyVerified):
        registration.resend_verification(settings, member)
    assert len(mailbox()) == 1


# -- sessions ------------------------------------------------------------------


def test_authenticate_ignores_case_and_gives_one_error_for_both_mistakes(member):
    assert sessions.authenticate(db.session, "MARIE@example.com", PASSWORD).id == member.id
    with pytest.raises(sessions.InvalidCredentials):
        sessions.authenticate(db.session, "marie@example.com", "wrong password here")
    with pytest.raises(sessions.InvalidCredentials):
        sessions.authenticate(db.session, "nobody@example.com", PASSWORD)


def test_sign_in_opens_a_session_only_for_the_right_password(settings, member):
    with pytest.raises(sessions.InvalidCredentials):
        sessions.sign_in(db.session, settings, email="marie@example.com", password="wrong password here", remember=True)
    assert sessions_of(member) == []

    user = sessions.sign_in(db.session, settings, email="Marie@Example.com", password=PASSWORD, remember=True,
                            user_agent="Firefox")
    [row] = sessions_of(member)
    assert user.id == member.id and user.session_token == row.token and row.remember and row.user_agent == "Firefox"


@pytest.mark.parametrize("remember, setting", [(True, "REMEMBER_DAYS"), (False, "SESSION_DAYS")])
def test_session_lifetime_depends_on_remember_me(app, settings, member, remember, setting):
    token = sessions.start_session(db.session, settings, member, remember=remember)
    [row] = sessions_of(member)
    assert row.token == token
    assert row.expires_at - row.created_at == timedelta(days=app.config[setting])
    assert sessions.load_session(db.session, settings, token).id == member.id


def test_an_expired_or_ended_session_signs_nobody_in(settings, member):
    token = sessions.start_session(db.session, settings, member, remember=False)
    [row] = sessions_of(member)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert sessions.load_session(db.session, settings, token) is None

    other = sessions.start_session(db.session, settings, member, remember=False)
    sessions.end_session(db.session, other)
    assert sessions.load_session(db.session, settings, other) is None


def test_an_active_session_is_extended_when_used(app, settings, member):
    token = sessions.start_session(db.session, settings, member, remember=True)
    [row] = sessions_of(member)
    row.last_seen_at = row.created_at = utcnow() - timedelta(days=10)
    row.expires_at = utcnow() + timedelta(days=20)
    db.session.commit()

    sessions.load_session(db.session, settings, token)
    db.session.refresh(row)
    assert row.expires_at > utcnow() + timedelta(days=app.config["REMEMBER_DAYS"] - 1)


def test_purge_removes_only_expired_sessions(settings, member, stranger):
    live = sessions.start_session(db.session, settings, member, remember=False)
    sessions.start_session(db.session, settings, stranger, remember=False)
    [old] = sessions_of(stranger)
    old.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    assert sessions.purge_expired_sessions(db.session) == 1
    assert [s.token for s in db.session.scalars(select(UserSession))] == [live]


# -- passwords -----------------------------------------------------------------


def test_reset_link_sets_the_password_once_and_ends_every_session(settings, member):
    sessions.start_session(db.session, settings, member, remember=True)
    token = passwords.reset_token(settings, member)

    passwords.reset_password(db.session, settings, token, NEW_PASSWORD)
    assert sessions.authenticate(db.session, member.email, NEW_PASSWORD).id == member.id
    assert sessions_of(member) == []
    with pytest.raises(TokenError) as caught:
        passwords.check_reset_token(db.session, settings, token)
    assert caught.value.reason == "used"


def test_reset_link_expires(app, settings, member):
    token = passwords.reset_token(settings, member)
    with clock_ahead(app.config["RESET_TOKEN_MINUTES"] * 60 + 1), pytest.raises(TokenError) as caught:
        passwords.reset_password(db.session, settings, token, NEW_PASSWORD)
    assert caught.value.reason == "expired"


def test_reset_keeps_the_old_password_when_the_new_one_is_weak(settings, member):
    with pytest.raises(AccountError) as caught:
        passwords.reset_password(db.session, settings, passwords.reset_token(settings, member), "password123")
    assert "password" in caught.value.errors
    db.session.rollback()
    assert sessions.authenticate(db.session, member.email, PASSWORD)


def test_reset_confirms_the_address_it_was_sent_to(settings, make_member):
    user = make_member(email_verified_at=None)
    passwords.reset_password(db.session, settings, passwords.reset_token(settings, user), NEW_PASSWORD)
    assert user.is_verified


def test_a_reset_link_is_mailed_to_members_only(settings, member, mailbox):
    passwords.request_password_reset(db.session, settings, "nobody@example.com")
    passwords.request_password_reset(db.session, settings, "not an address")
    assert mailbox() == []

    passwords.request_password_reset(db.session, settings, "Marie@Example.com")
    [message] = mailbox()
    assert message["To"] == "marie@example.com"
    token = re.search(r"http://tribune\.test/password/reset/(\S+)", message.get_body(("plain",)).get_content()).group(1)
    assert passwords.check_reset_token(db.session, settings, token).id == member.id


def test_change_password_needs_the_current_one(member):
    old_hash = member.password_hash
    with pytest.raises(AccountError) as caught:
        passwords.change_password(db.session, member, current="not my password", new=NEW_PASSWORD)
    assert list(caught.value.errors) == ["current_password"]
    db.session.rollback()
    assert member.password_hash == old_hash


def test_change_password_refuses_the_same_password(member):
    with pytest.raises(AccountError) as caught:
        passwords.change_password(db.session, member, current=PASSWORD, new=PASSWORD)
    assert any("different" in str(m) for m in caught.value.errors["new_password"])


def test_change_password_keeps_this_browser_and_ends_the_others(settings, member):
    here = sessions.start_session(db.session, settings, member, remember=False)
    sessions.start_session(db.session, settings, member, remember=False)
    member.session_token = here

    passwords.change_password(db.session, member, current=PASSWORD, new=NEW_PASSWORD)
    assert [s.token for s in sessions_of(member)] == [here]
