"""A member's own account, at the service level: profile, settings, export, deletion, public profile, demo inbox."""
from __future__ import annotations

import dataclasses
import io
import json

import pytest
from PIL import Image

from portal.accounts import account, queries, registration, sessions
from portal.accounts.models import Role, Tier
from portal.accounts.validation import AccountError
from portal.extensions import db
from portal.kernel import images, mail

from .helpers import PASSWORD, png, sessions_of

# -- profile and settings -------------------------------------------------------


def test_profile_tidies_the_name_and_stores_the_avatar(member):
    account.update_profile(db.session, member, display_name="  Marie   C. ", bio="  Hi!  ", avatar=png())
    assert (member.display_name, member.bio) == ("Marie C.", "Hi!")
    stored = images.folder("avatars") / member.avatar
    with Image.open(stored) as image:
        assert (image.format, image.size) == ("WEBP", (account.AVATAR_SIDE, account.AVATAR_SIDE))


def test_a_new_avatar_replaces_and_deletes_the_old_file(member):
    account.update_profile(db.session, member, display_name="Marie", bio="", avatar=png())
    first = images.folder("avatars") / member.avatar
    account.update_profile(db.session, member, display_name="Marie", bio="", avatar=png((50, 50)))
    assert not first.exists()
    assert (images.folder("avatars") / member.avatar).exists()


def test_a_profile_change_that_fails_to_commit_keeps_the_old_avatar_and_leaves_no_file(member, monkeypatch):
    account.update_profile(db.session, member, display_name="Marie", bio="", avatar=png())
    first = member.avatar

    def fail(session):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(account, "commit", fail)
    with pytest.raises(RuntimeError):
        account.update_profile(db.session, member, display_name="Marie", bio="", avatar=png((50, 50)))
    assert member.avatar == first
    assert sorted(p.name for p in images.folder("avatars").iterdir()) == [first]


@pytest.mark.parametrize("changes, field", [
    ({"display_name": " "}, "display_name"),
    ({"display_name": "x" * 61}, "display_name"),
    ({"bio": "b" * 501}, "bio"),
    ({"avatar": io.BytesIO(b"GIF89a but not really")}, "avatar"),
])
def test_profile_saves_nothing_when_one_part_is_wrong(member, changes, field):
    values = {"display_name": "A New Name", "bio": "A new bio", **changes}
    with pytest.raises(AccountError) as caught:
        account.update_profile(db.session, member, **values)
    assert list(caught.value.errors) == [field]
    db.session.rollback()
    assert (member.display_name, member.bio, member.avatar) == ("Marie Member", "", None)


def test_settings_refuse_a_language_we_do_not_offer(member):
    with pytest.raises(AccountError):
        account.update_settings(db.session, member, locale="de", email_notifications=False)
    db.session.rollback()
    assert (member.locale, member.email_notifications) == (None, True)
    account.update_settings(db.session, member, locale="fr", email_notifications=False)
    assert (member.locale, member.email_notifications) == ("fr", False)


# -- your data -----------------------------------------------------------------


def test_export_has_the_account_and_sessions_but_no_password(settings, member):
    sessions.start_session(db.session, settings, member, remember=False, user_agent="Firefox on a phone")
    data = account.export_data(db.session, member, {})
    assert data["account"]["email"] == "marie@example.com"
    assert data["account"]["display_name"] == "Marie Member"
    assert [s["user_agent"] for s in data["sessions"]] == ["Firefox on a phone"]
    dumped = json.dumps(data)
    assert member.password_hash not in dumped and "password" not in dumped


def test_delete_erases_personal_data_and_frees_the_address(settings, member):
    account.update_profile(db.session, member, display_name="Marie", bio="About me", avatar=png())
    avatar = images.folder("avatars") / member.avatar
    sessions.start_session(db.session, settings, member, remember=True)

    account.delete_account(db.session, member, password=PASSWORD)

    assert "marie" not in member.email
    assert (member.display_name, member.bio, member.avatar) == ("deleted member", "", None)
    assert not avatar.exists() and sessions_of(member) == []
    with pytest.raises(sessions.InvalidCredentials):
        sessions.authenticate(db.session, "marie@example.com", PASSWORD)
    again = registration.register(db.session, settings, email="marie@example.com", display_name="Marie", password=PASSWORD)
    assert again.id != member.id


def test_delete_makes_a_superfan_or_staff_member_a_plain_member(make_member):
    fan = make_member(tier=Tier.SUPERFAN, role=Role.STAFF)

    account.delete_account(db.session, fan, password=PASSWORD)

    db.session.expire_all()
    assert (fan.tier, fan.role) == (Tier.MEMBER, Role.MEMBER)


def test_delete_needs_the_password(member):
    with pytest.raises(AccountError):
        account.delete_account(db.session, member, password="not my password")
    db.session.rollback()
    assert member.email == "marie@example.com" and member.is_active


def test_an_admin_account_cannot_delete_itself(admin):
    """The only admin must not be able to leave the site without one (the view used to be the only guard)."""
    account.update_profile(db.session, admin, display_name="Ada Admin", bio="", avatar=png())
    avatar = images.folder("avatars") / admin.avatar

    with pytest.raises(account.DeletionRefused) as caught:
        account.delete_account(db.session, admin, password=PASSWORD)
    assert str(caught.value) == "An admin account cannot delete itself. Ask another admin to take over first."
    with pytest.raises(account.DeletionRefused):
        account.check_can_delete(admin)

    db.session.expire_all()
    assert admin.is_active and admin.is_admin and admin.email == "ada@example.com" and avatar.exists()


def test_members_staff_and_moderators_may_delete_their_account(member, moderator, staff):
    for user in (member, moderator, staff):
        account.check_can_delete(user)  # raises nothing


# -- what others see -----------------------------------------------------------


def test_a_deleted_account_has_no_public_profile(member, stranger):
    assert queries.public_member(db.session, member.id).id == member.id
    account.delete_account(db.session, member, password=PASSWORD)

    assert queries.public_member(db.session, member.id) is None
    assert queries.public_member(db.session, 999_999) is None
    assert queries.public_member(db.session, stranger.id).id == stranger.id


def test_count_members_leaves_out_deleted_accounts(member, stranger):
    assert queries.count_members(db.session) == 2
    account.delete_account(db.session, stranger, password=PASSWORD)
    assert queries.count_members(db.session) == 1


@pytest.mark.parametrize("demo_mode, backend, open_", [(True, "outbox", True), (False, "outbox", False), (True, "smtp", False)])
def test_the_demo_inbox_opens_only_in_demo_mode_with_the_outbox(settings, member, stranger, demo_mode, backend, open_):
    mail.send(member.email, "For Marie", "verify_email", None, user=member, token="t", hours=1)
    mail.send(stranger.email, "For Sven", "verify_email", None, user=stranger, token="t", hours=1)
    demo = dataclasses.replace(settings, demo_mode=demo_mode, mail_backend=backend)

    if open_:
        assert [m.subject for m in queries.demo_inbox(demo, member)] == ["For Marie"]
    else:
        with pytest.raises(queries.InboxClosed):
            queries.demo_inbox(demo, member)
