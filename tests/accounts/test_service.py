"""Account rules, called the way views, jobs and the CLI call them: service functions on a session."""
from __future__ import annotations

import io
import json
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from PIL import Image
from sqlalchemy import func, select
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from portal.accounts import service
from portal.accounts.models import AuditEvent, Role, User, UserSession
from portal.extensions import db
from portal.fans.tiers import Tier
from portal.timeutil import utcnow

PASSWORD = "correct horse battery staple"  # the password conftest gives every member
NEW_PASSWORD = "purple elephants dance at noon"


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def sessions_of(user: User) -> list[UserSession]:
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)))


@contextmanager
def clock_ahead(seconds: int):
    """Check signed links as if `seconds` had passed (itsdangerous reads the clock in get_timestamp)."""
    real = TimestampSigner.get_timestamp
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + seconds)
        yield


def png(size=(40, 30)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, "PNG")
    out.seek(0)
    return out


# -- sign-up -----------------------------------------------------------------


def test_register_creates_an_unverified_member_and_mails_the_link(app, mailbox):
    user = service.register(db.session, email="  Alice@Example.COM ", display_name="  Alice   Liddell ",
                            password=PASSWORD, locale="fr")

    assert user.email == "alice@example.com"
    assert user.display_name == "Alice Liddell"
    assert user.locale == "fr"
    assert not user.is_verified and user.role is Role.MEMBER
    assert PASSWORD not in user.password_hash
    [message] = mailbox()
    assert message["To"] == "alice@example.com"
    token = re.search(r"http://tribune\.test/verify/(\S+)", message.get_body(("plain",)).get_content()).group(1)
    assert service.verify_email(db.session, token).id == user.id


def test_register_refuses_an_address_already_used_in_another_case(member):
    before = user_count()
    with pytest.raises(service.AccountError) as caught:
        service.register(db.session, email="Marie@Example.com", display_name="Marie Two", password=PASSWORD)
    assert "already uses this email" in str(caught.value.errors["email"][0])
    db.session.rollback()
    assert user_count() == before


def test_register_reports_every_problem_at_once(app):
    with pytest.raises(service.AccountError) as caught:
        service.register(db.session, email="not-an-address", display_name="   ", password="short")
    assert set(caught.value.errors) == {"email", "display_name", "password"}
    assert user_count() == 0


@pytest.mark.parametrize("common", ["password123", "iloveyou12"])
def test_common_passwords_are_refused(common):
    assert common in FREQUENCY_LISTS["passwords"]  # the list the rule relies on
    assert any("too common" in str(p) for p in service.password_problems(common, email="x@example.com"))


@pytest.mark.parametrize("password, email, name, expected", [
    ("ninechars", "x@example.com", "", "at least 10"),
    ("aaaaaaaaaaaa", "x@example.com", "", "too common"),
    ("marie.curie.sklodowska", "marie.curie.sklodowska@example.com", "", "not be your email"),
    ("Annabelle Lee-Smith", "x@example.com", "annabelle lee-smith", "not be your email address or your name"),
])
def test_weak_passwords_are_refused_with_a_reason(password, email, name, expected):
    problems = [str(p) for p in service.password_problems(password, email=email, display_name=name)]
    assert any(expected in p for p in problems), problems


def test_a_passphrase_passes_the_policy():
    assert service.password_problems(PASSWORD, email="marie@example.com", display_name="Marie") == []


# -- verification --------------------------------------------------------------


def test_verification_link_works_once(make_member):
    user = make_member(email_verified_at=None)
    token = service.verification_token(user)

    assert service.verify_email(db.session, token).is_verified
    with pytest.raises(service.TokenError) as caught:
        service.verify_email(db.session, token)
    assert caught.value.reason == "used"


def test_verification_link_expires_after_the_configured_hours(app, make_member):
    user = make_member(email_verified_at=None)
    token = service.verification_token(user)
    hours = app.config["VERIFY_TOKEN_HOURS"]

    with clock_ahead(hours * 3600 + 60), pytest.raises(service.TokenError) as caught:
        service.verify_email(db.session, token)
    assert caught.value.reason == "expired"
    with clock_ahead(hours * 3600 - 60):
        assert service.verify_email(db.session, token).is_verified


def test_verification_link_signed_elsewhere_is_not_valid(make_member):
    user = make_member(email_verified_at=None)
    forged = URLSafeTimedSerializer("another-key", salt="verify-email").dumps({"uid": user.id, "email": "x"})
    with pytest.raises(service.TokenError) as caught:
        service.verify_email(db.session, forged)
    assert caught.value.reason == "invalid"
    assert not user.is_verified


# -- sessions ------------------------------------------------------------------


def test_authenticate_ignores_case_and_gives_one_error_for_both_mistakes(member):
    assert service.authenticate(db.session, "MARIE@example.com", PASSWORD).id == member.id
    with pytest.raises(service.InvalidCredentials):
        service.authenticate(db.session, "marie@example.com", "wrong password here")
    with pytest.raises(service.InvalidCredentials):
        service.authenticate(db.session, "nobody@example.com", PASSWORD)


@pytest.mark.parametrize("remember, setting", [(True, "REMEMBER_DAYS"), (False, "SESSION_DAYS")])
def test_session_lifetime_depends_on_remember_me(app, member, remember, setting):
    token = service.start_session(db.session, member, remember=remember)
    [row] = sessions_of(member)
    assert row.token == token
    assert row.expires_at - row.created_at == timedelta(days=app.config[setting])
    assert service.load_session(db.session, token).id == member.id


def test_an_expired_or_ended_session_signs_nobody_in(member):
    token = service.start_session(db.session, member, remember=False)
    [row] = sessions_of(member)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert service.load_session(db.session, token) is None

    other = service.start_session(db.session, member, remember=False)
    service.end_session(db.session, other)
    assert service.load_session(db.session, other) is None


def test_an_active_session_is_extended_when_used(app, member):
    token = service.start_session(db.session, member, remember=True)
    [row] = sessions_of(member)
    row.last_seen_at = row.created_at = utcnow() - timedelta(days=10)
    row.expires_at = utcnow() + timedelta(days=20)
    db.session.commit()

    service.load_session(db.session, token)
    db.session.refresh(row)
    assert row.expires_at > utcnow() + timedelta(days=app.config["REMEMBER_DAYS"] - 1)


def test_purge_removes_only_expired_sessions(member, stranger):
    live = service.start_session(db.session, member, remember=False)
    service.start_session(db.session, stranger, remember=False)
    [old] = sessions_of(stranger)
    old.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    assert service.purge_expired_sessions(db.session) == 1
    assert [s.token for s in db.session.scalars(select(UserSession))] == [live]


# -- passwords -----------------------------------------------------------------


def test_reset_link_sets_the_password_once_and_ends_every_session(member):
    service.start_session(db.session, member, remember=True)
    token = service.reset_token(member)

    service.reset_password(db.session, token, NEW_PASSWORD)
    assert service.authenticate(db.session, member.email, NEW_PASSWORD).id == member.id
    assert sessions_of(member) == []
    with pytest.raises(service.TokenError) as caught:
        service.check_reset_token(db.session, token)
    assert caught.value.reason == "used"


def test_reset_link_expires(app, member):
    token = service.reset_token(member)
    with clock_ahead(app.config["RESET_TOKEN_MINUTES"] * 60 + 1), pytest.raises(service.TokenError) as caught:
        service.reset_password(db.session, token, NEW_PASSWORD)
    assert caught.value.reason == "expired"


def test_reset_keeps_the_old_password_when_the_new_one_is_weak(member):
    with pytest.raises(service.AccountError) as caught:
        service.reset_password(db.session, service.reset_token(member), "password123")
    assert "password" in caught.value.errors
    db.session.rollback()
    assert service.authenticate(db.session, member.email, PASSWORD)


def test_reset_confirms_the_address_it_was_sent_to(make_member):
    user = make_member(email_verified_at=None)
    service.reset_password(db.session, service.reset_token(user), NEW_PASSWORD)
    assert user.is_verified


def test_change_password_needs_the_current_one(member):
    old_hash = member.password_hash
    with pytest.raises(service.AccountError) as caught:
        service.change_password(db.session, member, current="not my password", new=NEW_PASSWORD)
    assert list(caught.value.errors) == ["current_password"]
    db.session.rollback()
    assert member.password_hash == old_hash


def test_change_password_refuses_the_same_password(member):
    with pytest.raises(service.AccountError) as caught:
        service.change_password(db.session, member, current=PASSWORD, new=PASSWORD)
    assert any("different" in str(m) for m in caught.value.errors["new_password"])


def test_change_password_keeps_this_browser_and_ends_the_others(member):
    here = service.start_session(db.session, member, remember=False)
    service.start_session(db.session, member, remember=False)
    member.session_token = here

    service.change_password(db.session, member, current=PASSWORD, new=NEW_PASSWORD)
    assert [s.token for s in sessions_of(member)] == [here]


# -- profile and settings -------------------------------------------------------


def test_profile_tidies_the_name_and_stores_the_avatar(member):
    service.update_profile(db.session, member, display_name="  Marie   C. ", bio="  Hi!  ", avatar=png())
    assert (member.display_name, member.bio) == ("Marie C.", "Hi!")
    stored = service.avatar_folder() / member.avatar
    with Image.open(stored) as image:
        assert (image.format, image.size) == ("WEBP", (service.AVATAR_SIDE, service.AVATAR_SIDE))


def test_a_new_avatar_replaces_and_deletes_the_old_file(member):
    service.update_profile(db.session, member, display_name="Marie", bio="", avatar=png())
    first = service.avatar_folder() / member.avatar
    service.update_profile(db.session, member, display_name="Marie", bio="", avatar=png((50, 50)))
    assert not first.exists()
    assert (service.avatar_folder() / member.avatar).exists()


@pytest.mark.parametrize("changes, field", [
    ({"display_name": " "}, "display_name"),
    ({"display_name": "x" * 61}, "display_name"),
    ({"bio": "b" * 501}, "bio"),
    ({"avatar": io.BytesIO(b"GIF89a but not really")}, "avatar"),
])
def test_profile_saves_nothing_when_one_part_is_wrong(member, changes, field):
    values = {"display_name": "A New Name", "bio": "A new bio", **changes}
    with pytest.raises(service.AccountError) as caught:
        service.update_profile(db.session, member, **values)
    assert list(caught.value.errors) == [field]
    db.session.rollback()
    assert (member.display_name, member.bio, member.avatar) == ("Marie Member", "", None)


def test_settings_refuse_a_language_we_do_not_offer(member):
    with pytest.raises(service.AccountError):
        service.update_settings(db.session, member, locale="de", email_notifications=False)
    db.session.rollback()
    assert (member.locale, member.email_notifications) == (None, True)
    service.update_settings(db.session, member, locale="fr", email_notifications=False)
    assert (member.locale, member.email_notifications) == ("fr", False)


# -- your data -----------------------------------------------------------------


def test_export_has_the_account_and_sessions_but_no_password(member):
    service.start_session(db.session, member, remember=False, user_agent="Firefox on a phone")
    data = service.export_data(db.session, member)
    assert data["account"]["email"] == "marie@example.com"
    assert data["account"]["display_name"] == "Marie Member"
    assert [s["user_agent"] for s in data["sessions"]] == ["Firefox on a phone"]
    dumped = json.dumps(data)
    assert member.password_hash not in dumped and "password" not in dumped


def test_delete_erases_personal_data_and_frees_the_address(member):
    service.update_profile(db.session, member, display_name="Marie", bio="About me", avatar=png())
    avatar = service.avatar_folder() / member.avatar
    service.start_session(db.session, member, remember=True)

    service.delete_account(db.session, member, password=PASSWORD)

    assert "marie" not in member.email
    assert (member.display_name, member.bio, member.avatar) == ("deleted member", "", None)
    assert not avatar.exists() and sessions_of(member) == []
    with pytest.raises(service.InvalidCredentials):
        service.authenticate(db.session, "marie@example.com", PASSWORD)
    again = service.register(db.session, email="marie@example.com", display_name="Marie", password=PASSWORD)
    assert again.id != member.id


def test_delete_makes_a_superfan_or_staff_member_a_plain_member(make_member):
    fan = make_member(tier=Tier.SUPERFAN, role=Role.STAFF)

    service.delete_account(db.session, fan, password=PASSWORD)

    db.session.expire_all()
    assert (fan.tier, fan.role) == (Tier.MEMBER, Role.MEMBER)

def test_delete_needs_the_password(member):
    with pytest.raises(service.AccountError):
        service.delete_account(db.session, member, password="not my password")
    db.session.rollback()
    assert member.email == "marie@example.com" and member.is_active


# -- roles ---------------------------------------------------------------------


def audit_events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_admin_grants_and_revokes_roles_with_an_audit_trail(admin, member):
    for role in (Role.MODERATOR, Role.STAFF, Role.MEMBER):
        service.set_role(db.session, actor=admin, target=member, role=role)
        assert member.role is role
    assert [(e.actor_id, e.target_user_id, e.details) for e in audit_events()] == [
        (admin.id, member.id, {"from": "member", "to": "moderator"}),
        (admin.id, member.id, {"from": "moderator", "to": "staff"}),
        (admin.id, member.id, {"from": "staff", "to": "member"}),
    ]


def test_setting_the_same_role_again_writes_nothing(admin, moderator):
    service.set_role(db.session, actor=admin, target=moderator, role=Role.MODERATOR)
    assert audit_events() == []


@pytest.mark.parametrize("case", ["not admin", "self", "target admin", "make admin", "deleted"])
def test_role_changes_that_are_refused(make_member, admin, staff, member, case):
    actor, target, role = admin, member, Role.MODERATOR
    if case == "not admin":
        actor = staff
    elif case == "self":
        target = admin
    elif case == "target admin":
        target = make_member(role=Role.ADMIN)
    elif case == "make admin":
        role = Role.ADMIN
    else:
        service.delete_account(db.session, member, password=PASSWORD)
    role_before = target.role
    with pytest.raises(service.RoleChangeRefused):
        service.set_role(db.session, actor=actor, target=target, role=role)
    db.session.rollback()
    assert target.role is role_before and audit_events() == []


def test_create_admin_makes_a_verified_admin_with_a_working_password(app):
    user, generated = service.create_admin(db.session, email="Boss@Example.com", password=None)
    assert generated and user.is_admin and user.is_verified
    assert service.authenticate(db.session, "boss@example.com", generated).id == user.id


def test_create_admin_promotes_an_existing_member(member):
    user, generated = service.create_admin(db.session, email="marie@example.com", password=None)
    assert user.id == member.id and member.is_admin and generated is None
    [event] = audit_events()
    assert event.actor_id is None and event.details["via"] == "cli"
    assert service.authenticate(db.session, "marie@example.com", PASSWORD)  # password untouched
