"""Who may change what others see of them (name, handle, bio, avatar), and how often an avatar may be sent."""
from __future__ import annotations

import html
import io
from datetime import timedelta

import pytest
from PIL import Image

from portal.accounts import account
from portal.accounts.models import User
from portal.extensions import db
from portal.kernel.timeutil import utcnow

from .test_views_account import avatar_files, image_bytes, reload, save_profile


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def unverified(make_member) -> User:
    return make_member(display_name="Una Unverified", email="una@example.com", email_verified_at=None)


@pytest.fixture
def suspended(make_member) -> User:
    return make_member(display_name="Sid Suspended", email="sid@example.com", suspended_until=utcnow() + timedelta(days=3),
                       suspension_reason="Spam links")


def test_an_unverified_member_cannot_change_name_bio_or_avatar_and_is_told_why(app, login, unverified):
    browser = login(unverified)

    form = browser.get("/account/profile")
    assert form.status_code == 200
    assert "Confirm your email address first" in page(form)
    assert "<fieldset class=\"plain-fieldset\" disabled" in page(form)

    refused = save_profile(browser, image_bytes(), display_name="Official Fernhill Support", bio="Click my link")
    assert refused.status_code == 403
    assert "Confirm your email address first" in page(refused)
    user = reload(unverified)
    assert (user.display_name, user.bio, user.avatar) == ("Una Unverified", "", None)
    assert avatar_files(app) == []


def test_a_suspended_member_cannot_change_their_public_profile(app, login, suspended):
    browser = login(suspended)

    refused = save_profile(browser, display_name="Someone Else", bio="New bio", username="someone_else")

    assert refused.status_code == 403
    assert "suspended" in page(refused) and "Spam links" in page(refused)
    user = reload(suspended)
    assert (user.display_name, user.bio) == ("Sid Suspended", "")
    assert user.username != "someone_else"


def test_the_service_refuses_a_locked_profile_too(app, unverified):
    with pytest.raises(account.ProfileLocked):
        account.update_profile(db.session, unverified, display_name="Renamed", bio="")
    assert reload(unverified).display_name == "Una Unverified"


def test_a_verified_member_still_saves_their_profile(app, login, member):
    response = save_profile(login(member), image_bytes(), bio="Hello")
    assert response.status_code == 302 and reload(member).bio == "Hello" and reload(member).avatar


def test_avatar_uploads_are_limited_per_member(app, login, member):
    browser = login(member)
    for attempt in range(5):
        assert save_profile(browser, image_bytes(), bio=f"Try {attempt}").status_code == 302, attempt

    sixth = save_profile(browser, image_bytes(), bio="Try 6")

    assert sixth.status_code == 429
    assert "Retry-After" in sixth.headers
    assert reload(member).bio == "Try 4", "the refused upload changed nothing"
    # Saving without a new avatar costs nothing to decode: it is not limited.
    assert save_profile(browser, bio="Only words").status_code == 302


def test_avatar_uploads_are_limited_per_address_across_accounts(app, login, make_member):
    """Many fresh accounts from one address cannot keep the workers decoding either."""
    browsers = [login(make_member()) for _ in range(5)]
    for browser in browsers:
        for _ in range(4):
            assert save_profile(browser, image_bytes()).status_code == 302

    assert save_profile(login(make_member()), image_bytes()).status_code == 429


def test_an_avatar_png_of_too_many_pixels_is_refused_beside_the_field(app, login, member):
    big = io.BytesIO()
    Image.new("RGB", (5000, 4000), "teal").save(big, "PNG")

    response = save_profile(login(member), big.getvalue(), filename="huge.png")

    assert response.status_code == 422
    assert "too many pixels" in page(response)
    assert reload(member).avatar is None
