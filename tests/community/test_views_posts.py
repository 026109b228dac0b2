"""Posting over HTTP: the composer, its errors, photos, staff options, the post page, editing and deleting."""
from __future__ import annotations

import html
import io
import os
import re
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from flask_babel import format_datetime
from PIL import Image

from portal.community import scheduling
from portal.community.models import Photo, Post
from portal.extensions import db
from portal.kernel.timeutil import utcnow

PASSWORD = "correct horse battery staple"  # the password conftest gives every member


# -- helpers ------------------------------------------------------------------------------


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_errors(response, field: str) -> str:
    match = re.search(rf'<ul class="errors" id="{field}-error">(.*?)</ul>', page(response), re.S)
    return match.group(1) if match else ""


def flashes(response) -> str:
    match = re.search(r'<div class="flashes" role="status">(.*?)</div>', page(response), re.S)
    return match.group(1) if match else ""


def links(text: str, css: str) -> dict[str, str]:
    """The {label: href} of the rendered #hashtag or @mention links in a page."""
    return {label: href for href, label in re.findall(rf'<a href="([^"]+)" class="{css}"[^>]*>([^<]+)</a>', text)}


def png(size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def publish(client: FlaskClient, body: str, photos: list[tuple[bytes, str]] = (), **fields: Any):
    data: dict[str, Any] = {"body": body, **fields}
    if photos:
        data["photos"] = [(io.BytesIO(content), name) for content, name in photos]
    return client.post("/posts/new", data=data, content_type="multipart/form-data")


def only_post() -> Post:
    db.session.expire_all()
    posts = db.session.query(Post).all()
    assert len(posts) == 1
    return posts[0]


# -- publishing ---------------------------------------------------------------------------


def test_a_post_with_photos_opens_on_its_page_with_text_and_photos(app, login, alice, client):
    browser = login(alice)

    response = publish(browser, "Sunset at the lake with our new tent",
                       photos=[(png(color=(200, 0, 0)), "a.png"), (png(color=(0, 200, 0)), "b.png")])

    post = only_post()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/posts/{post.id}"
    shown = browser.get(response.headers["Location"])
    assert shown.status_code == 200
    assert "Your post is published." in flashes(shown)
    assert "Sunset at the lake with our new tent" in page(shown)
    photos = sorted(post.photos, key=lambda p: p.position)
    assert len(photos) == 2
    for photo in photos:
        assert f'src="/media/photos/{photo.filename}"' in page(shown)
    # Lists show the small version.
    listing = client.get("/community")
    for photo in photos:
        assert f'src="/media/photos/{photo.thumbnail}"' in page(listing)


def test_post_photos_are_served_as_jpeg_that_browsers_keep_for_a_day(app, login, alice, client):
    """A day, not a year: a post hidden later stops being served from shared caches by the next day
    (tests/community/test_photos.py checks who gets a hidden post's photo)."""
    publish(login(alice), "A photo", photos=[(png(), "a.png")])
    photo = only_post().photos[0]

    for name in (photo.thumbnail, photo.filename):
        served = client.get(f"/media/photos/{name}")
        assert served.status_code == 200
        assert served.mimetype == "image/jpeg"
        assert served.headers["Cache-Control"] == "public, max-age=86400"
        assert Image.open(io.BytesIO(served.data)).format == "JPEG"
        served.close()


def test_an_unknown_photo_name_is_404(client):
    assert client.get("/media/photos/nothing-here.jpg").status_code == 404


def _big_photo() -> bytes:
    """Random pixels do not compress: about 120 kB as PNG."""
    out = io.BytesIO()
    Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(("body", "photos", "field", "message"), [
    ("", [], "body", "Write something first."),
    ("   \n  ", [], "body", "Write something first."),
    ("x" * 2001, [], "body", "Keep it under 2000 characters (this is 2001)."),
    ("Five photos", [(png(), f"{n}.png") for n in range(5)], "photos", "Add at most 4 photos."),
    ("A text file", [(b"just some words, not a picture", "x.png")], "photos", "Photo 1: This file is not an image we can read."),
    ("Too big", [(png(), "ok.png"), (_big_photo(), "big.png")], "photos", "Photo 2: The image is larger than"),
], ids=["empty", "blank", "too-long", "fifth-photo", "text-file", "oversize"])
def test_a_refused_post_shows_the_message_beside_the_field_and_saves_nothing(app, login, alice, rows, photo_files,
                                                                           upload_limits, body, photos, field, message):
    upload_limits(photo_max_bytes=20_000)  # the oversize photo is ~120 kB of noise; the plain one ~300 bytes
    browser = login(alice)

    response = publish(browser, body, photos=photos)

    assert response.status_code == 422
    assert message in field_errors(response, field)
    assert rows(Post) == 0 and rows(Photo) == 0
    assert photo_files() == []
    # The member keeps what they typed.
    if body.strip() and len(body) < 100:
        assert f"{body}</textarea>" in page(response)


def test_an_unverified_member_is_asked_to_confirm_their_email(app, login, established, rows):
    newcomer = established(email_verified_at=None)

    response = publish(login(newcomer), "Hello everyone")

    assert response.status_code == 422
    assert "Confirm your email address first" in field_errors(response, "body")
    assert rows(Post) == 0


def test_a_suspended_member_sees_the_reason_and_cannot_post(app, login, established, rows):
    troll = established(suspended_until=utcnow() + timedelta(days=3), suspension_reason="Insulting other members")
    browser = login(troll)

    response = publish(browser, "I am back")

    assert response.status_code == 422
    assert "Insulting other members" in field_errors(response, "body")
    assert rows(Post) == 0
    # The banner on every page says it too.
    assert "Your account is suspended until" in page(browser.get("/community"))
    assert "Insulting other members" in page(browser.get("/community"))


def test_the_same_text_twice_in_five_minutes_is_refused(app, login, alice, rows):
    browser = login(alice)
    assert publish(browser, "Our new mug is great").status_code == 302

    again = publish(browser, "our NEW mug is great")

    assert again.status_code == 422
    assert "You posted the same text a moment ago." in field_errors(again, "body")
    assert rows(Post) == 1


@pytest.mark.parametrize("extra", [
    {"announcement": "y"},
    {"publish_at": (utcnow() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")},
], ids=["announce", "schedule"])
def test_a_member_cannot_announce_or_schedule(app, login, alice, rows, client, extra):
    response = publish(login(alice), "Listen everyone", **extra)

    assert response.status_code == 422
    assert "Only staff can post announcements or schedule posts." in field_errors(response, "body")
    assert rows(Post) == 0
    assert "Listen everyone" not in page(client.get("/community"))


def test_the_staff_options_are_only_offered_to_staff(app, login, alice, staff):
    assert "Staff options" not in page(login(alice).get("/posts/new"))
    assert "Staff options" in page(login(staff).get("/posts/new"))


def test_a_staff_announcement_is_pinned_on_the_community_page_with_a_staff_badge(app, login, staff, alice, client):
    member_browser = login(alice)
    publish(member_browser, "An ordinary post from a member")
    response = publish(login(staff), "Big news: the shop opens on Monday", announcement="y")
    assert response.status_code == 302

    for viewer in (client, member_browser):
        community = page(viewer.get("/community"))
        pinned = re.search(r'<section class="pinned".*?</section>', community, re.S)
        assert pinned, "no pinned section"
        assert "Pinned announcement" in pinned.group(0)
        assert "Big news: the shop opens on Monday" in pinned.group(0)
        assert '<span class="badge badge-brand">Staff</span>' in pinned.group(0)
        assert "An ordinary post from a member" not in pinned.group(0)
        assert community.count("Big news: the shop opens on Monday") == 1  # pinned, not listed twice


def test_a_scheduled_staff_post_appears_only_once_published(app, login, staff, alice, client):
    when = utcnow().replace(second=0, microsecond=0) + timedelta(hours=1)
    staff_browser = login(staff)
    client.get("/community")  # an anonymous visit fills the page cache

    response = publish(staff_browser, "Launch day is here", publish_at=when.strftime("%Y-%m-%dT%H:%M"))

    assert response.status_code == 302
    post = only_post()
    assert post.published_at is None and post.scheduled_for == when
    shown = staff_browser.get(response.headers["Location"])
    assert f"Your post is scheduled for {format_datetime(when, 'short')} UTC." in flashes(shown)
    assert "Scheduled" in page(shown)
    assert "Launch day is here" not in page(client.get("/community"))
    assert "Launch day is here" not in page(login(alice).get("/community"))
    assert client.get(f"/posts/{post.id}").status_code == 404

    assert scheduling.publish_due_posts(db.session, now=when + timedelta(minutes=1)) == 1

    assert "Launch day is here" in page(client.get("/community"))
    assert client.get(f"/posts/{post.id}").status_code == 200


def test_a_publication_time_in_the_past_is_refused_beside_the_field(app, login, staff, rows):
    response = publish(login(staff), "Yesterday", publish_at=(utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))

    assert response.status_code == 422
    assert "Choose a time in the future" in field_errors(response, "publish_at")
    assert rows(Post) == 0


def test_anonymous_visitors_are_sent_to_sign_in_before_writing(client, rows):
    response = client.post("/posts/new", data={"body": "Hi"})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/posts/new")
    assert rows(Post) == 0


# -- CSRF ------------------------------------------------------------------------------------


class TestWithCsrf:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return {**app_config, "WTF_CSRF_ENABLED": True}

    def test_a_post_without_the_form_token_is_refused_and_one_with_it_works(self, app, alice, rows):
        browser = app.test_client()
        login_page = page(browser.get("/login"))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
        assert browser.post("/login", data={"email": alice.email, "password": PASSWORD,
                                            "csrf_token": token}).status_code == 302

        refused = browser.post("/posts/new", data={"body": "Forged from another site"})

        assert refused.status_code == 400
        assert "Nothing was saved" in page(refused)
        assert rows(Post) == 0

        form = page(browser.get("/posts/new"))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        accepted = browser.post("/posts/new", data={"body": "Written here", "csrf_token": token})
        assert accepted.status_code == 302
        assert rows(Post) == 1


# -- the post page --------------------------------------------------------------------------


def test_anonymous_visitors_read_the_post_and_its_comments_and_are_invited_to_sign_in(app, alice, bob, make_post,
                                                                                       make_comment, client):
    post = make_post(alice, body="Which colour for the new tent?")
    make_comment(post, bob, body="Green, obviously")

    response = client.get(f"/posts/{post.id}")

    assert response.status_code == 200
    text = page(response)
    assert "Which colour for the new tent?" in text
    assert "Green, obviously" in text
    assert "Sign in to comment" in text
    assert f'href="/login?next=/posts/{post.id}"' in text
    assert 'id="comment-form" method="post"' not in text


def test_hashtags_link_to_their_page_which_lists_the_post(app, login, alice, client):
    publish(login(alice), "Morning hike #Trail #camping")
    post = only_post()

    text = page(client.get(f"/posts/{post.id}"))
    assert links(text, "hashtag") == {"#Trail": "/tags/trail", "#camping": "/tags/camping"}

    tag_page = client.get("/tags/trail")
    assert tag_page.status_code == 200
    assert "Morning hike" in page(tag_page)
    assert f'id="post-{post.id}"' in page(tag_page)
    assert "No posts with #nothing yet" in page(client.get("/tags/nothing"))


def test_a_mention_of_a_member_links_to_their_profile_and_an_unknown_name_stays_text(app, login, alice, bob, client):
    publish(login(alice), "Thanks @bob and @nobodyhere for the tips")
    post = only_post()

    text = page(client.get(f"/posts/{post.id}"))
    assert links(text, "mention") == {"@bob": "/@bob"}
    assert "@nobodyhere" in text and 'href="/@nobodyhere"' not in text

    handle = client.get("/@bob")
    assert handle.status_code == 302
    assert handle.headers["Location"] == f"/members/{bob.id}"
    profile = client.get(handle.headers["Location"])
    assert profile.status_code == 200 and "Bob Reader" in page(profile)
    assert client.get("/@nobodyhere").status_code == 404


def test_a_post_that_does_not_exist_is_404(client):
    assert client.get("/posts/999999").status_code == 404


# -- editing and deleting ---------------------------------------------------------------------


def test_another_member_cannot_edit_or_delete_a_post(app, login, alice, bob, make_post, client):
    post = make_post(alice, body="Mine, not yours")
    browser = login(bob)

    assert browser.get(f"/posts/{post.id}/edit").status_code == 403
    assert browser.post(f"/posts/{post.id}/edit", data={"body": "Vandalised"}).status_code == 403
    assert browser.post(f"/posts/{post.id}/delete").status_code == 403

    text = page(client.get(f"/posts/{post.id}"))
    assert "Mine, not yours" in text and "Vandalised" not in text
    # The post page offers them no edit link either.
    assert f'href="/posts/{post.id}/edit"' not in page(browser.get(f"/posts/{post.id}"))


def test_the_author_edits_a_post_and_readers_see_it_was_edited(app, login, alice, make_post, client):
    post = make_post(alice, body="Frist post")
    client.get(f"/posts/{post.id}")  # cached for anonymous visitors
    browser = login(alice)
    assert "Frist post" in page(browser.get(f"/posts/{post.id}/edit"))

    response = browser.post(f"/posts/{post.id}/edit", data={"body": "First post #fixed"})

    assert response.status_code == 302 and response.headers["Location"] == f"/posts/{post.id}"
    assert "Your post is updated." in flashes(browser.get(response.headers["Location"]))
    text = page(client.get(f"/posts/{post.id}"))
    assert "First post" in text and "Frist" not in text
    assert '<span class="edited"' in text
    assert f'id="post-{post.id}"' in page(client.get("/tags/fixed"))


def test_an_empty_edit_is_refused_beside_the_field(app, login, alice, make_post, client):
    post = make_post(alice, body="Keep me")

    response = login(alice).post(f"/posts/{post.id}/edit", data={"body": "  "})

    assert response.status_code == 422
    assert "Write something first." in field_errors(response, "body")
    assert "Keep me" in page(client.get(f"/posts/{post.id}"))


def test_the_author_deletes_a_post_and_it_is_gone(app, login, alice, make_post, client):
    post = make_post(alice, body="Regrettable opinion")
    client.get("/community")
    browser = login(alice)

    response = browser.post(f"/posts/{post.id}/delete")

    assert response.status_code == 302
    assert "Your post is deleted." in flashes(browser.get(response.headers["Location"]))
    assert client.get(f"/posts/{post.id}").status_code == 404
    assert browser.get(f"/posts/{post.id}").status_code == 404
    assert "Regrettable opinion" not in page(client.get("/community"))
