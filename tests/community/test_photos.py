"""Photos in posts: at most four, images only, capped, re-encoded without their metadata, kept under the instance folder."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from portal.community import moderation, service
from portal.community.models import Photo, Post
from portal.community.service import CommunityError
from portal.extensions import db
from portal.kernel import images
from portal.kernel.timeutil import utcnow

from .helpers import messages

# -- photos ---------------------------------------------------------------------------


def test_up_to_four_photos_are_kept_in_order(app, alice, image, photo_files):
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]

    post = service.create_post(db.session, alice, body="Four views", photos=[image(color=c) for c in colours])

    folder = images.folder("photos")
    assert [p.position for p in post.photos] == [0, 1, 2, 3]
    for photo, colour in zip(post.photos, colours, strict=True):
        with Image.open(folder / photo.filename) as stored:
            pixel = stored.convert("RGB").getpixel((10, 10))
        assert all(abs(a - b) < 20 for a, b in zip(pixel, colour, strict=True)), (pixel, colour)
    assert len(photo_files()) == 8  # each photo and its thumbnail


def test_a_fifth_photo_is_refused_and_nothing_is_kept(app, alice, image, rows, photo_files):
    with pytest.raises(CommunityError) as refused:
        service.create_post(db.session, alice, body="Five views", photos=[image() for _ in range(5)])

    assert "4" in messages(refused.value, "photos")
    assert rows(Post) == 0 and rows(Photo) == 0
    assert photo_files() == []


def test_a_file_that_is_not_an_image_is_refused(app, alice, image, rows, photo_files):
    fake = io.BytesIO(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n")

    with pytest.raises(CommunityError) as refused:
        service.create_post(db.session, alice, body="My invoice", photos=[image(), fake])

    assert "Photo 2" in messages(refused.value, "photos")
    assert rows(Post) == 0 and rows(Photo) == 0
    assert photo_files() == []


def test_an_image_format_we_do_not_accept_is_refused(app, alice, image, rows):
    with pytest.raises(CommunityError) as refused:
        service.create_post(db.session, alice, body="Old bitmap", photos=[image(fmt="BMP")])

    assert "JPEG" in messages(refused.value, "photos")
    assert rows(Post) == 0


def test_an_oversize_file_is_refused(app, alice, image, rows, photo_files, upload_limits):
    upload_limits(photo_max_bytes=20_000)
    big = image(size=(200, 200), noisy=True)
    assert len(big.getvalue()) > 20_000

    with pytest.raises(CommunityError) as refused:
        service.create_post(db.session, alice, body="Heavy", photos=[big])

    assert "larger" in messages(refused.value, "photos")
    assert rows(Post) == 0 and photo_files() == []


def test_an_image_over_the_pixel_cap_is_refused(app, alice, image, rows, upload_limits):
    upload_limits(image_max_pixels=100 * 100)

    with pytest.raises(CommunityError) as refused:
        service.create_post(db.session, alice, body="Panorama", photos=[image(size=(120, 100))])

    assert "pixels" in messages(refused.value, "photos")
    assert rows(Post) == 0


def test_photos_are_reencoded_as_jpeg_with_a_thumbnail(app, alice, image):
    post = service.create_post(db.session, alice, body="Wide shot", photos=[image(fmt="PNG", size=(3000, 1000))])

    photo = post.photos[0]
    folder = images.folder("photos")
    with Image.open(folder / photo.filename) as full, Image.open(folder / photo.thumbnail) as thumb:
        assert full.format == "JPEG" and thumb.format == "JPEG"
        assert full.size == (2048, 683) == (photo.width, photo.height)
        assert max(thumb.size) == 640
    assert photo.filename.endswith(".jpg") and photo.thumbnail.endswith(".jpg")


def test_exif_is_stripped_from_stored_photos(app, alice, image):
    secret = image(fmt="JPEG", exif={0x010F: "SpyCam", 0x013B: "Jane Secret-Name", 0x0131: "LocatorApp"})
    with Image.open(io.BytesIO(secret.getvalue())) as original:
        assert original.getexif().get(0x013B) == "Jane Secret-Name"  # the upload did carry it

    post = service.create_post(db.session, alice, body="Holiday", photos=[secret])

    for name in (post.photos[0].filename, post.photos[0].thumbnail):
        path = images.folder("photos") / name
        with Image.open(path) as stored:
            assert dict(stored.getexif()) == {}
            assert "exif" not in stored.info
        assert b"Jane Secret-Name" not in path.read_bytes() and b"SpyCam" not in path.read_bytes()


def test_a_sideways_camera_photo_is_stored_upright(app, alice, image):
    sideways = image(fmt="JPEG", size=(80, 40), exif={0x0112: 6})  # "rotate 90° clockwise to view"

    post = service.create_post(db.session, alice, body="Portrait", photos=[sideways])

    assert (post.photos[0].width, post.photos[0].height) == (40, 80)


def test_transparent_areas_become_white_not_black(app, alice, image):
    clear = image(fmt="PNG", mode="RGBA", color=(0, 0, 0, 0))

    post = service.create_post(db.session, alice, body="Logo", photos=[clear])

    with Image.open(images.folder("photos") / post.photos[0].filename) as stored:
        assert min(stored.convert("RGB").getpixel((5, 5))) > 240




# -- who is served a photo, and who may keep it ------------------------------------------------


@pytest.fixture
def hidden_photo(app, alice, moderator, image):
    """A photo of Alice's post, which a moderator then hid."""
    post = service.create_post(db.session, alice, body="Soon hidden", photos=[image()])
    names = (post.photos[0].filename, post.photos[0].thumbnail)
    moderation.hide(db.session, moderator, post=post)
    return names


def test_a_photo_of_a_visible_post_is_public_for_a_day_not_a_year(app, client, alice, image):
    post = service.create_post(db.session, alice, body="Out in the open", photos=[image()])

    for name in (post.photos[0].filename, post.photos[0].thumbnail):
        served = client.get(f"/media/photos/{name}")
        assert served.status_code == 200
        assert served.headers["Cache-Control"] == "public, max-age=86400"
        served.close()


def test_a_hidden_posts_photo_is_404_for_visitors_and_other_members(app, client, login, bob, hidden_photo):
    for browser in (client, login(bob)):
        for name in hidden_photo:
            served = browser.get(f"/media/photos/{name}")
            assert served.status_code == 404
            assert "public" not in served.headers.get("Cache-Control", "")


def test_a_hidden_posts_photo_is_served_to_its_author_and_moderators_and_stored_by_nobody(
        app, login, alice, moderator, hidden_photo):
    for person in (alice, moderator):
        browser = login(person)
        for name in hidden_photo:
            served = browser.get(f"/media/photos/{name}")
            assert served.status_code == 200, person.display_name
            assert served.headers["Cache-Control"] == "private, no-store"
            served.close()


def test_restoring_a_post_makes_its_photo_public_again(app, client, moderator, hidden_photo):
    moderation.restore(db.session, moderator, post=db.session.scalar(select(Post)))

    served = client.get(f"/media/photos/{hidden_photo[0]}")
    assert served.status_code == 200 and served.headers["Cache-Control"].startswith("public")
    served.close()


def test_a_scheduled_posts_photo_waits_for_its_publication(app, client, login, staff, image):
    post = service.create_post(db.session, staff, body="Tomorrow's news", photos=[image()], announcement=True,
                               publish_at=utcnow() + timedelta(days=1))
    name = post.photos[0].filename

    assert client.get(f"/media/photos/{name}").status_code == 404
    served = login(staff).get(f"/media/photos/{name}")
    assert served.status_code == 200 and served.headers["Cache-Control"] == "private, no-store"
    served.close()


def test_a_file_in_the_photo_folder_that_no_post_uses_is_not_served(app, client):
    images.store("photos", b"not a photo of any post", "jpg")
    name = next(p.name for p in images.folder("photos").iterdir() if not p.name.startswith("."))

    assert client.get(f"/media/photos/{name}").status_code == 404
