"""Roles: admins grant and revoke moderator and staff; admins are made on the command line."""
from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.accounts.models import AuditEvent, Role, User
from portal.extensions import db

PASSWORD = "correct horse battery staple"  # the password conftest gives every member


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def flashes(response) -> str:
    match = re.search(r'<div class="flashes" role="status">(.*?)</div>', page(response), re.S)
    return match.group(1) if match else ""


def role_of(user: User) -> Role:
    db.session.expire_all()
    return db.session.get(User, user.id).role


def audit_events() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def set_role(client, user: User, role: str):
    return client.post(f"/admin/members/{user.id}/role", data={"role": role}, follow_redirects=True)


def test_admin_grants_and_revokes_roles_and_the_audit_log_shows_it(client, auth, admin, member):
    auth.login(admin)
    for role, label in (("moderator", "Moderator"), ("staff", "Staff"), ("member", "Member")):
        response = set_role(client, member, role)
        assert response.status_code == 200
        last = re.findall(r"<p[^>]*>(.*?)</p>", flashes(response))[-1]
        assert "Marie Member" in last and f"{label}." in last
        assert role_of(member) is Role(role)

    assert [(e.actor_id, e.target_user_id, e.details) for e in audit_events()] == [
        (admin.id, member.id, {"from": "member", "to": "moderator"}),
        (admin.id, member.id, {"from": "moderator", "to": "staff"}),
        (admin.id, member.id, {"from": "staff", "to": "member"}),
    ]
    log = " ".join(re.sub(r"<[^>]+>", "", page(client.get("/admin/audit"))).split())
    for old, new in (("Member", "Moderator"), ("Moderator", "Staff"), ("Staff", "Member")):
        assert f"Ada Admin changed the role of Marie Member from {old} to {new}" in log


@pytest.mark.parametrize("persona", ["member", "moderator", "staff"])
def test_only_admins_may_change_roles(request, client, auth, stranger, persona):
    auth.login(request.getfixturevalue(persona))
    assert client.post(f"/admin/members/{stranger.id}/role", data={"role": "staff"}).status_code == 403
    assert client.get("/admin/audit").status_code == 403
    assert role_of(stranger) is Role.MEMBER and audit_events() == []


def test_anonymous_visitors_are_sent_to_sign_in(client, member):
    response = client.post(f"/admin/members/{member.id}/role", data={"role": "staff"})
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"
    assert role_of(member) is Role.MEMBER


def test_an_admin_cannot_change_their_own_role(client, auth, admin):
    auth.login(admin)
    response = set_role(client, admin, "member")
    assert "You cannot change your own role." in flashes(response)
    assert role_of(admin) is Role.ADMIN and audit_events() == []


def test_nobody_is_made_admin_from_the_web(client, auth, admin, member):
    auth.login(admin)
    response = set_role(client, member, "admin")
    assert "Choose one of the roles offered." in flashes(response)
    assert role_of(member) is Role.MEMBER and audit_events() == []


def test_an_admin_cannot_change_another_admin(client, auth, admin, make_member):
    other = make_member(display_name="Otto Admin", role=Role.ADMIN)
    auth.login(admin)
    response = set_role(client, other, "member")
    assert "Admin rights are given with the create-admin command only." in flashes(response)
    assert role_of(other) is Role.ADMIN and audit_events() == []


def test_changing_the_role_of_nobody_is_404(client, auth, admin):
    auth.login(admin)
    assert client.post("/admin/members/999999/role", data={"role": "staff"}).status_code == 404


# -- flask portal create-admin ------------------------------------------------------------


def test_create_admin_generates_a_password_that_signs_in(runner, client):
    result = runner.invoke(args=["portal", "create-admin", "new@example.com", "--generate"])
    assert result.exit_code == 0, result.output
    password = re.search(r"^Password: (\S+)$", result.output, re.M).group(1)

    user = db.session.scalar(select(User).where(User.email == "new@example.com"))
    assert user.is_admin and user.is_verified
    response = client.post("/login", data={"email": "new@example.com", "password": password})
    assert response.status_code == 302
    assert client.get("/admin/members").status_code == 200
    assert "Command line" in page(client.get("/admin/audit"))


def test_create_admin_promotes_an_existing_member(runner, client, auth, member):
    result = runner.invoke(args=["portal", "create-admin", "Marie@Example.com"])
    assert result.exit_code == 0, result.output
    assert "marie@example.com is an admin." in result.output and "Password:" not in result.output
    assert role_of(member) is Role.ADMIN
    auth.login(member)  # with her own, unchanged password
    assert client.get("/admin/members").status_code == 200


def test_create_admin_refuses_a_weak_password_with_a_clear_message(runner):
    result = runner.invoke(args=["portal", "create-admin", "new@example.com", "--password", "short"])
    assert result.exit_code == 1 and not isinstance(result.exception, RuntimeError), repr(result.exception)
    assert "at least 10 characters" in result.output
    assert db.session.scalar(select(User).where(User.email == "new@example.com")) is None
