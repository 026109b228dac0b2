"""Anonymous pages come from the cache, and every write that changes them shows at once."""
from datetime import timedelta

import pytest

from portal.accounts import account
from portal.admin import service as admin_service
from portal.community import service
from portal.extensions import db
from portal.kernel.timeutil import utcnow


@pytest.fixture
def warm(client):
    """Fetch a page twice: the second answer must come from the cache."""

    def fetch(path, **kwargs):
        first = client.get(path, **kwargs)
        assert first.status_code == 200
        return first

    return fetch


def test_a_cached_anonymous_page_runs_no_sql(client, warm, count_queries):
    first = warm("/")
    with count_queries() as queries:
        second = client.get("/")
    assert queries.count == 0, queries.statements
    assert second.data == first.data


def test_a_new_member_shows_on_the_home_page_at_once(client, warm, make_member):
    before = warm("/").get_data(as_text=True)
    assert "0 members so far" in before
    client.post("/signup", data={"email": "new@example.com", "display_name": "New Fan", "password": "a fine long passphrase"})
    client.post("/logout")
    assert "1 member so far" in client.get("/").get_data(as_text=True)


def test_each_language_gets_its_own_copy(client, warm):
    warm("/", headers={"Accept-Language": "fr"})
    assert "Rejoindre la communauté" in client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Join the community" in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_signed_in_members_never_get_the_anonymous_copy(client, warm, auth, member):
    warm("/community")
    auth.login(member)
    page = client.get("/community").get_data(as_text=True)
    assert member.display_name in page and "Sign out" in page


def test_a_pending_message_is_shown_not_skipped(client, warm):
    warm("/")
    client.post("/password/forgot", data={"email": "someone@example.com"})
    assert "a link to reset its password is on its way" in client.get("/").get_data(as_text=True)


def test_a_profile_edit_shows_on_the_public_profile(app, client, warm, member):
    warm(f"/members/{member.id}")
    account.update_profile(db.session, member, display_name="Marie M.", bio="Trail runner since 2020.")
    page = client.get(f"/members/{member.id}").get_data(as_text=True)
    assert "Trail runner since 2020." in page and "Marie M." in page


def test_a_new_site_name_shows_everywhere(app, client, warm, admin):
    for path in ("/", "/privacy", "/code-of-conduct"):
        warm(path)
    admin_service.update_site(db.session, actor=admin, name="Fernhill Club", tagline="", primary="#112233", accent="#445566")
    for path in ("/", "/privacy", "/code-of-conduct"):
        assert "Fernhill Club" in client.get(path).get_data(as_text=True), path


def test_with_redis_the_cache_is_shared_through_redis(app_config, redis_url, count_queries):
    from portal import create_app

    app_config.update(REDIS_URL=redis_url, RATELIMIT_STORAGE_URI="memory://")
    one, two = create_app(app_config), create_app(app_config)
    assert one.config["CACHE_TYPE"] == "RedisCache"
    first = one.test_client().get("/privacy")
    with two.app_context(), count_queries() as queries:
        second = two.test_client().get("/privacy")
    assert queries.count == 0 and second.data == first.data, "the second process reads the first one's copy"


def test_a_new_name_shows_beside_the_members_posts_at_once(app, client, warm, make_member):
    author = make_member(display_name="Old Name", created_at=utcnow() - timedelta(days=30))
    with app.test_request_context():
        post = service.create_post(db.session, author, body="A post to cache")
    for path in ("/community", f"/posts/{post.id}"):
        assert "Old Name" in warm(path).get_data(as_text=True)
    account.update_profile(db.session, author, display_name="New Name", bio="")
    for path in ("/community", f"/posts/{post.id}"):
        assert "New Name" in client.get(path).get_data(as_text=True), path
