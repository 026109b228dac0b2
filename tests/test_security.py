"""Guards shared by every feature: safe `next` targets and who may write."""
import pytest

from portal.kernel.security import safe_next, verified_required


@pytest.mark.parametrize("target", ["/", "/account/settings", "/members/3?tab=posts"])
def test_local_paths_are_safe(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", [
    None, "", "https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)",
    "evil.example", "/\nSet-Cookie:x", "http:/evil.example",
])
def test_anything_else_is_refused(target):
    assert safe_next(target) is None


@pytest.fixture
def write_route(app):
    """A route that writes, guarded like every posting route of later features."""

    @verified_required
    def post_something():
        return "posted"

    app.add_url_rule("/_test/post", "post_something", post_something, methods=["POST"])
    return "/_test/post"


def test_unverified_members_may_read_but_not_write(write_route, client, auth, make_member):
    unverified = make_member(email_verified_at=None)
    auth.login(unverified)
    assert client.get("/community").status_code == 200
    response = client.post(write_route, follow_redirects=True)
    assert b"posted" not in response.data
    assert b"Confirm your email address first" in response.data


def test_verified_members_may_write(write_route, client, auth, member):
    auth.login(member)
    assert client.post(write_route).data == b"posted"


def test_anonymous_visitors_are_asked_to_sign_in(write_route, client):
    response = client.post(write_route)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_behind_a_trusted_proxy_rate_limits_see_each_visitor(app_config):
    """With TRUSTED_PROXIES, two visitors behind the same proxy have their own login limits."""
    from portal import create_app

    app_config["TRUSTED_PROXIES"] = 1
    client = create_app(app_config).test_client()
    for _ in range(10):
        client.post("/login", data={"email": "a@example.com", "password": "x"}, headers={"X-Forwarded-For": "203.0.113.1"})
    blocked = client.post("/login", data={"email": "a@example.com", "password": "x"}, headers={"X-Forwarded-For": "203.0.113.1"})
    other = client.post("/login", data={"email": "b@example.com", "password": "x"}, headers={"X-Forwarded-For": "203.0.113.2"})
    assert blocked.status_code == 429
    assert other.status_code != 429
