"""Every route, walked as every kind of visitor: who may use it is declared here.

A new route fails `test_every_route_is_in_the_table` until it gets its row, so no
page ships without someone deciding who may see it.
"""
from __future__ import annotations

from typing import Any

import pytest

from portal.accounts.models import Role

PERSONAS = ("anonymous", "member", "moderator", "staff", "admin")
LOGIN = "login"  # a redirect to the sign-in page
ANY = "any-redirect"


def everyone(status: Any) -> dict[str, Any]:
    return dict.fromkeys(PERSONAS, status)


def signed_in(status: Any) -> dict[str, Any]:
    return {"anonymous": LOGIN, **dict.fromkeys(PERSONAS[1:], status)}


def at_least(role: str, status: Any) -> dict[str, Any]:
    allowed = PERSONAS.index(role)
    return {p: (LOGIN if p == "anonymous" else status if i >= allowed else 403) for i, p in enumerate(PERSONAS)}


# (endpoint, method, path, expected per persona). {target} is another member's id.
ROUTES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("pages.home", "GET", "/", everyone(200)),
    ("pages.conduct", "GET", "/code-of-conduct", everyone(200)),
    ("pages.privacy", "GET", "/privacy", everyone(200)),
    ("site.theme", "GET", "/theme.css", everyone(200)),
    ("site.logo", "GET", "/media/logos/missing.png", everyone(404)),
    ("accounts.signup", "GET", "/signup", {"anonymous": 200, **dict.fromkeys(PERSONAS[1:], ANY)}),
    ("accounts.login", "GET", "/login", {"anonymous": 200, **dict.fromkeys(PERSONAS[1:], ANY)}),
    ("accounts.logout", "POST", "/logout", signed_in(ANY)),
    ("accounts.verify", "GET", "/verify/not-a-token", everyone(ANY)),
    ("accounts.resend_verification", "POST", "/verify/resend", signed_in(ANY)),
    ("accounts.forgot_password", "GET", "/password/forgot", everyone(200)),
    ("accounts.reset_password", "GET", "/password/reset/not-a-token", everyone(ANY)),
    ("accounts.profile", "GET", "/account/profile", signed_in(200)),
    ("accounts.settings", "GET", "/account/settings", signed_in(200)),
    ("accounts.change_password", "GET", "/account/password", signed_in(200)),
    ("accounts.export", "GET", "/account/export", signed_in(200)),
    ("accounts.delete", "GET", "/account/delete", {**signed_in(200), "admin": ANY}),
    ("accounts.member", "GET", "/members/{target}", everyone(200)),
    ("accounts.avatar", "GET", "/media/avatars/missing.webp", everyone(404)),
    ("accounts.demo_inbox", "GET", "/account/inbox", signed_in(404)),  # only in demo mode
    ("admin.index", "GET", "/admin/", at_least("admin", ANY)),
    ("admin.members", "GET", "/admin/members", at_least("admin", 200)),
    ("admin.set_role", "POST", "/admin/members/{target}/role", at_least("admin", ANY)),
    ("admin.audit", "GET", "/admin/audit", at_least("admin", 200)),
    ("admin.site", "GET", "/admin/site", at_least("admin", 200)),
    ("admin.outbox", "GET", "/admin/outbox", at_least("admin", 200)),
    ("admin.outbox_message", "GET", "/admin/outbox/missing.eml", at_least("admin", 404)),
]


def test_every_route_is_in_the_table(app):
    declared = {endpoint for endpoint, *_ in ROUTES}
    served = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert served - declared == set(), "routes without a row in tests/test_routes.py"
    assert declared - served == set(), "rows for routes that no longer exist"


@pytest.mark.parametrize("persona", PERSONAS)
def test_route_table(persona, client, auth, make_member, stranger):
    if persona != "anonymous":
        user = make_member(role=Role(persona), email=f"{persona}@example.com")
        auth.login(user)
    failures = []
    for endpoint, method, path, expected in ROUTES:
        url = path.format(target=stranger.id)
        response = client.open(url, method=method, data={"role": "moderator"} if method == "POST" else None)
        want = expected[persona]
        got = response.status_code
        location = response.headers.get("Location", "")
        if want == LOGIN:
            ok = got == 302 and "/login" in location
        elif want == ANY:
            ok = got in (302, 303)
        else:
            ok = got == want
        if not ok:
            failures.append(f"{method} {url} as {persona}: expected {want}, got {got} {location}")
        if endpoint == "accounts.logout" and persona != "anonymous":
            auth.login(user)  # signing out was the point of that row; carry on signed in
    assert not failures, "\n".join(failures)
