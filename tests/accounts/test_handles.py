"""@handles: one freed by a rename or a deletion stays its account's for a while, old @mentions keep
meaning that account, and names that read as the site or its staff are nobody's."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from portal.accounts import account, handles
from portal.accounts.handles import HandleHistory
from portal.accounts.jobs import purge_expired_sessions
from portal.accounts.models import Role
from portal.accounts.registration import free_username
from portal.accounts.validation import AccountError
from portal.community import service as community
from portal.extensions import db
from portal.kernel.site import SiteSetting, forget_site
from portal.kernel.timeutil import utcnow

PASSWORD = "correct horse battery staple"


@pytest.fixture
def alex(make_member):
    return make_member(display_name="Alex Original", username="alex")


@pytest.fixture
def newcomer(make_member):
    return make_member(display_name="Alex Newcomer", username="newcomer")


def rename(user, handle: str) -> None:
    account.update_profile(db.session, user, display_name=user.display_name, bio=user.bio, username=handle)


def problem(error: pytest.ExceptionInfo) -> str:
    return " ".join(str(m) for m in error.value.errors["username"])


def age_history(days: int) -> None:
    """As if every handle was freed `days` ago."""
    db.session.execute(update(HandleHistory).values(freed_at=utcnow() - timedelta(days=days)))
    db.session.commit()


def test_a_renamed_handle_stays_reserved_for_its_account(app, alex, newcomer):
    rename(alex, "alex_outdoors")

    with pytest.raises(AccountError) as taken:
        rename(newcomer, "alex")
    assert "already uses @alex" in problem(taken)
    assert free_username(db.session, "Alex") == "alex2", "sign-up does not hand it out either"


def test_its_owner_may_take_a_reserved_handle_back(app, alex):
    rename(alex, "alex_outdoors")
    rename(alex, "alex")

    assert alex.username == "alex"
    assert [h.handle for h in db.session.query(HandleHistory).filter_by(user_id=alex.id)] == ["alex_outdoors"]


def test_a_handle_is_free_again_once_the_reservation_ends(app, alex, newcomer):
    rename(alex, "alex_outdoors")
    age_history(handles.RESERVED_FOR.days + 1)

    rename(newcomer, "alex")
    assert newcomer.username == "alex"


def test_a_deleted_accounts_handle_is_reserved_too(app, alex, newcomer):
    account.delete_account(db.session, alex, password=PASSWORD)

    with pytest.raises(AccountError) as taken:
        rename(newcomer, "alex")
    assert "already uses @alex" in problem(taken)


def test_old_mentions_still_lead_to_the_member_they_meant(app, client, alex, newcomer):
    with app.test_request_context():
        post = community.create_post(db.session, newcomer, body="Thanks @alex for the tip!")
    assert 'href="/@alex"' in post.body_html
    rename(alex, "alex_outdoors")

    followed = client.get("/@alex")
    assert followed.status_code == 302 and followed.headers["Location"].endswith(f"/members/{alex.id}")
    assert client.get("/@alex_outdoors").headers["Location"].endswith(f"/members/{alex.id}")


def test_a_deleted_members_old_handle_leads_nowhere(app, client, alex):
    account.delete_account(db.session, alex, password=PASSWORD)
    assert client.get("/@alex").status_code == 404


def test_once_the_reservation_ends_the_old_handle_leads_nowhere(app, client, alex):
    rename(alex, "alex_outdoors")
    age_history(handles.RESERVED_FOR.days + 1)
    assert client.get("/@alex").status_code == 404


def test_the_hourly_purge_forgets_handles_once_their_reservation_ends(app, alex, newcomer):
    """Nothing ties a former handle to its account after RESERVED_FOR, a deleted member's least of all."""
    rename(alex, "alex_outdoors")
    account.delete_account(db.session, newcomer, password=PASSWORD)
    age_history(handles.RESERVED_FOR.days + 1)
    rename(alex, "alex_hiker")  # freed now: still reserved, so it stays

    purge_expired_sessions.call_local()

    db.session.expire_all()
    assert [(h.user_id, h.handle) for h in db.session.query(HandleHistory)] == [(alex.id, "alex_outdoors")]


def test_handle_changes_are_capped_so_nobody_hoards_handles(app, alex):
    for handle in ("alex_a", "alex_b", "alex_c"):
        rename(alex, handle)

    with pytest.raises(AccountError) as refused:
        rename(alex, "alex_d")
    assert "changed your handle 3 times" in problem(refused)
    rename(alex, "alex")  # one of their own reserved ones stays theirs to take back


@pytest.mark.parametrize("handle", ["admin", "administrator", "admin2", "sam_admin", "adminsam", "staff", "moderator",
                                    "mod", "support", "help", "official", "official_news", "tribune", "root", "system",
                                    "fernhill", "fernhill_team", "fernhillcommunity"])
def test_staff_like_handles_are_reserved(app, alex, handle):
    db.session.add(SiteSetting(key="name", value="Fernhill Community"))
    db.session.commit()
    forget_site()

    with pytest.raises(AccountError) as refused:
        rename(alex, handle)
    assert "reserved" in problem(refused)


@pytest.mark.parametrize("handle", ["supporter_jo", "stafford_walks", "modern_sam", "helen", "rootsy"])
def test_ordinary_handles_that_only_look_alike_are_free(app, alex, handle):
    rename(alex, handle)
    assert alex.username == handle


def test_sign_up_never_makes_a_staff_like_handle(app):
    assert free_username(db.session, "Admin") == "member"
    assert free_username(db.session, "Support") == "member"
    assert free_username(db.session, "Tribune") == "member"


def test_staff_may_take_a_staff_like_handle(app, make_member):
    camille = make_member(display_name="Camille", role=Role.STAFF)
    rename(camille, "fernhill_support")
    assert camille.username == "fernhill_support"


def test_former_handles_are_part_of_the_members_data(app, alex):
    rename(alex, "alex_outdoors")
    rename(alex, "alex_hills")

    data = account.export_data(db.session, alex, {})
    assert data["account"]["username"] == "alex_hills"
    assert data["account"]["former_usernames"] == ["alex_outdoors", "alex"]
