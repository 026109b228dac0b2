"""The site's identity at the service level: only admins change it, and the audit log records it."""
from __future__ import annotations

import pytest

from portal.admin import service
from portal.extensions import db
from portal.kernel.site import site_settings

from .helpers import audit_events

IDENTITY = {"name": "Trail Friends", "tagline": "Run together", "primary": "#112233", "accent": "#445566"}


def test_an_admin_changes_the_site_identity_with_an_audit_entry(admin):
    service.update_site(db.session, actor=admin, **IDENTITY)

    assert site_settings(db.session).name == "Trail Friends"
    [event] = audit_events()
    assert event.actor_id == admin.id and event.action == "site.update" and event.details["name"] == "Trail Friends"


@pytest.mark.parametrize("persona", ["member", "moderator", "staff"])
def test_only_admins_change_the_site_identity(request, persona):
    """The admin pages are closed to others; the service refuses them too (the route used to be the only guard)."""
    actor = request.getfixturevalue(persona)
    with pytest.raises(service.SiteChangeRefused):
        service.update_site(db.session, actor=actor, **IDENTITY)
    assert site_settings(db.session).name != "Trail Friends" and audit_events() == []
