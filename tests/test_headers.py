"""Caching headers: a signed-in member's pages are kept by no cache; anonymous cached pages vary by language."""
from __future__ import annotations

import pytest

from portal.kernel.edge import PERSONAL

SIGNED_IN_PAGES = ["/", "/feed", "/community", "/boards", "/account/settings", "/account/profile", "/notifications",
                   "/login", "/no-such-page"]
ANONYMOUS_CACHED = ["/", "/community", "/boards", "/roadmap", "/changelog"]


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_pages_for_a_signed_in_member_are_private_and_not_stored(client, auth, member, path):
    auth.login(member)
    response = client.get(path)
    assert response.headers.get("Cache-Control") == PERSONAL, (path, response.status_code)


def test_a_form_posted_back_with_its_errors_is_private_too(client, auth, member):
    auth.login(member)
    response = client.post("/account/password", data={"current_password": "wrong", "new_password": "x"})
    assert response.status_code == 422 and response.headers.get("Cache-Control") == PERSONAL


def test_static_files_and_the_data_export_keep_their_own_policy(client, auth, member):
    auth.login(member)
    assert "no-store" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")
    assert client.get("/account/export").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ANONYMOUS_CACHED)
def test_anonymous_cached_pages_vary_by_cookie_and_language(client, path):
    for attempt in ("miss", "hit"):
        response = client.get(path)
        assert response.status_code == 200
        vary = {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}
        assert {"cookie", "accept-language"} <= vary, (path, attempt, response.headers.get("Vary"))
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_the_cache_answers_each_language_in_its_own(client):
    english = client.get("/community", headers={"Accept-Language": "en"}).get_data(as_text=True)
    french = client.get("/community", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="en">' in english and '<html lang="fr">' in french
