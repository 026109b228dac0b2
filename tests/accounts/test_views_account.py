"""A member's own account pages: profile and avatar, settings, data export, deletion."""
from __future__ import annotations

import html
import io
import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select

from portal.accounts.models import User, UserSession
from portal.extensions import db

PASSWORD = "correct horse battery staple"  # the password conftest gives every member


@pytest.fixture
def signed_in(client, auth, member) -> User:
    auth.login(member)
    return member


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_errors(response, field: str) -> str:
    match = re.search(rf'<ul class="errors" id="{field}-error">(.*?)</ul>', page(response), re.S)
    return match.group(1) if match else ""


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def avatar_files(app) -> list[Path]:
    folder = Path(app.instance_path) / "uploads" / "avatars"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def photo_with_location(size=(600, 400)) -> bytes:
    """A JPEG like a phone makes: camera make and GPS position in its EXIF."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 24.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def image_bytes(size=(40, 40), fmt="PNG", noise=False) -> bytes:
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)) if noise else Image.new("RGB", size, "teal")
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def save_profile(client, data: bytes | None = None, filename="me.jpg", **fields):
    form = {"display_name": "Marie Member", "bio": "", **fields}
    if data is not None:
        form["avatar"] = (io.BytesIO(data), filename)
    return client.post("/account/profile", data=form, content_type="multipart/form-data")


# -- profile and avatar ---------------------------------------------------------------


def test_avatar_is_reencoded_square_webp_without_exif_and_served_immutable(app, client, signed_in):
    original = photo_with_location()
    with Image.open(io.BytesIO(original)) as sent:
        assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the upload does carry a location

    response = save_profile(client, original, bio="Hello!")
    assert response.status_code == 302

    user = reload(signed_in)
    [stored] = avatar_files(app)
    assert stored.name == user.avatar and user.bio == "Hello!"
    with Image.open(stored) as image:
        assert (image.format, image.size) == ("WEBP", (256, 256))
        assert len(image.getexif()) == 0 and "exif" not in image.info

    served = client.get(f"/media/avatars/{user.avatar}")
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert "immutable" in served.headers["Cache-Control"]
    assert served.data == stored.read_bytes()
    assert f"/media/avatars/{user.avatar}" in page(client.get(f"/members/{user.id}"))


def test_saving_the_profile_without_a_new_file_keeps_the_avatar(app, client, signed_in):
    assert save_profile(client, image_bytes()).status_code == 302
    avatar = reload(signed_in).avatar

    response = save_profile(client, bio="Only the bio changes")
    assert response.status_code == 302
    user = reload(signed_in)
    assert (user.avatar, user.bio) == (avatar, "Only the bio changes")


def test_removing_the_avatar_deletes_the_file(app, client, signed_in):
    save_profile(client, image_bytes())
    assert len(avatar_files(app)) == 1

    assert save_profile(client, remove_avatar="y").status_code == 302
    assert reload(signed_in).avatar is None and avatar_files(app) == []


@pytest.fixture
def setting(request, app_config) -> dict:
    """Upload limits for this test's app: create_app reads them, so they are set before it runs."""
    app_config.update(request.param)
    return request.param


@pytest.mark.parametrize("setting, data, filename, message", [
    ({"AVATAR_MAX_BYTES": 100_000}, image_bytes((400, 400), noise=True), "big.png", "The image is larger than"),
    ({}, b"just some text, honestly", "x.png", "This file is not an image we can read."),
    ({"IMAGE_MAX_PIXELS": 100}, image_bytes((20, 20)), "small.png", "The image has too many pixels"),
    ({}, image_bytes(fmt="BMP"), "old.bmp", "Only JPEG, PNG, GIF and WebP images are accepted."),
], indirect=["setting"], ids=["too-large", "not-an-image", "too-many-pixels", "bmp"])
def test_a_rejected_upload_says_why_and_saves_nothing(setting, app, client, signed_in, data, filename, message):
    response = save_profile(client, data, filename, display_name="A New Name")

    assert response.status_code == 422
    assert message in field_errors(response, "avatar")
    user = reload(signed_in)
    assert (user.avatar, user.display_name) == (None, "Marie Member")
    assert avatar_files(app) == []


@pytest.mark.parametrize("fields, field", [
    ({"display_name": ""}, "display_name"),
    ({"display_name": "   "}, "display_name"),
    ({"display_name": "x" * 61}, "display_name"),
    ({"bio": "b" * 501}, "bio"),
])
def test_profile_text_problems_are_shown_beside_the_field(client, signed_in, fields, field):
    response = save_profile(client, **{"bio": "A new bio", **fields})
    assert response.status_code == 422
    assert field_errors(response, field)
    user = reload(signed_in)
    assert (user.display_name, user.bio) == ("Marie Member", "")


# -- settings -------------------------------------------------------------------------


def test_choosing_french_makes_the_pages_french_for_that_member(app, client, signed_in):
    response = client.post("/account/settings", data={"locale": "fr", "email_notifications": "y"}, follow_redirects=True)
    assert response.status_code == 200
    assert reload(signed_in).locale == "fr"

    for path in ("/feed", "/account/settings"):
        body = page(client.get(path, headers={"Accept-Language": "en"}))
        assert '<html lang="fr">' in body
        assert "Paramètres" in body and "Se déconnecter" in body
        assert "Sign out" not in body
    assert '<html lang="en">' in page(app.test_client().get("/", headers={"Accept-Language": "en"}))


def test_email_notifications_can_be_turned_off_and_on(client, signed_in):
    client.post("/account/settings", data={"locale": ""})
    assert reload(signed_in).email_notifications is False
    client.post("/account/settings", data={"locale": "", "email_notifications": "y"})
    assert reload(signed_in).email_notifications is True


def test_a_language_we_do_not_offer_is_refused(client, signed_in):
    response = client.post("/account/settings", data={"locale": "de"})
    assert response.status_code == 422
    assert field_errors(response, "locale")
    user = reload(signed_in)
    assert (user.locale, user.email_notifications) == (None, True)


# -- export ---------------------------------------------------------------------------


def test_export_downloads_my_data_as_json_without_the_password_hash(client, signed_in):
    response = client.get("/account/export", headers={"User-Agent": "TestBrowser/1.0"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment")

    data = json.loads(response.data)
    assert data["account"]["email"] == "marie@example.com"
    assert data["account"]["display_name"] == "Marie Member"
    assert len(data["sessions"]) == 1
    assert reload(signed_in).password_hash not in response.get_data(as_text=True)
    assert "password" not in response.get_data(as_text=True)


def test_export_needs_a_signed_in_member(client):
    response = client.get("/account/export")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


# -- deletion -------------------------------------------------------------------------


def test_delete_with_a_wrong_password_changes_nothing(client, signed_in):
    response = client.post("/account/delete", data={"password": "not my password"})
    assert response.status_code == 422
    assert "That is not your password." in field_errors(response, "password")
    user = reload(signed_in)
    assert user.email == "marie@example.com" and user.is_active
    assert client.get("/account/settings").status_code == 200


def test_delete_erases_personal_data_and_frees_the_address(app, client, signed_in, mailbox):
    save_profile(client, image_bytes(), bio="About me")
    [avatar] = avatar_files(app)

    response = client.post("/account/delete", data={"password": PASSWORD}, follow_redirects=True)
    assert "Your account is deleted" in page(response)

    user = reload(signed_in)
    assert "marie" not in user.email
    assert (user.display_name, user.bio, user.avatar) == ("deleted member", "", None)
    assert not avatar.exists()
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0
    assert client.get("/account/settings").status_code == 302
    assert client.get(f"/members/{user.id}").status_code == 404

    login = client.post("/login", data={"email": "marie@example.com", "password": PASSWORD})
    assert login.status_code == 422
    again = client.post("/signup", data={"email": "marie@example.com", "display_name": "Marie", "password": PASSWORD})
    assert again.status_code == 302
    assert db.session.scalar(select(User).where(User.email == "marie@example.com")).id != user.id


def test_an_admin_cannot_delete_themselves(client, auth, admin):
    auth.login(admin)
    response = client.post("/account/delete", data={"password": PASSWORD}, follow_redirects=True)
    assert "An admin account cannot delete itself" in page(response)
    user = reload(admin)
    assert user.is_active and user.is_admin and user.email == "ada@example.com"
