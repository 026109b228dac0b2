"""Roles at the service level: admins grant and revoke moderator and staff; admins are made on the command line."""
from __future__ import annotations

import pytest

from portal.accounts import account, roles, sessions
from portal.accounts.models import Role
from portal.extensions import db

from .helpers import PASSWORD, audit_events


def test_admin_grants_and_revokes_roles_with_an_audit_trail(admin, member):
    for role in (Role.MODERATOR, Role.STAFF, Role.MEMBER):
        roles.set_role(db.session, actor=admin, target=member, role=role)
        assert member.role is role
    assert [(e.actor_id, e.target_user_id, e.details) for e in audit_events()] == [
        (admin.id, member.id, {"from": "member", "to": "moderator"}),
        (admin.id, member.id, {"from": "moderator", "to": "staff"}),
        (admin.id, member.id, {"from": "staff", "to": "member"}),
    ]


def test_setting_the_same_role_again_writes_nothing(admin, moderator):
    roles.set_role(db.session, actor=admin, target=moderator, role=Role.MODERATOR)
    assert audit_events() == []


@pytest.mark.parametrize("case", ["not admin", "self", "target admin", "make admin", "deleted"])
def test_role_changes_that_are_refused(make_member, admin, staff, member, case):
    actor, target, role = admin, member, Role.MODERATOR
    if case == "not admin":
        actor = staff
    elif case == "self":
        target = admin
    elif case == "target admin":
        target = make_member(role=Role.ADMIN)
    elif case == "make admin":
        role = Role.ADMIN
    else:
        account.delete_account(db.session, member, password=PASSWORD)
    role_before = target.role
    with pytest.raises(roles.RoleChangeRefused):
        roles.set_role(db.session, actor=actor, target=target, role=role)
    db.session.rollback()
    assert target.role is role_before and audit_events() == []


def test_create_admin_makes_a_verified_admin_with_a_working_password(app):
    user, generated = roles.create_admin(db.session, email="Boss@Example.com", password=None)
    assert generated and user.is_admin and user.is_verified
    assert sessions.authenticate(db.session, "boss@example.com", generated).id == user.id


def test_create_admin_promotes_an_existing_member(member):
    user, generated = roles.create_admin(db.session, email="marie@example.com", password=None)
    assert user.id == member.id and member.is_admin and generated is None
    [event] = audit_events()
    assert event.actor_id is None and event.details["via"] == "cli"
    assert sessions.authenticate(db.session, "marie@example.com", PASSWORD)  # password untouched
