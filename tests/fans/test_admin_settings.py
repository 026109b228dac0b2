"""Admins set what each contribution weighs and where the tier lines fall; bad numbers change nothing."""
from dataclasses import asdict

import pytest
from sqlalchemy import func, select

from portal.accounts.models import AuditEvent
from portal.extensions import db
from portal.fans import rules
from portal.kernel.site import SiteSetting

PAGE = "/admin/fans/"


def form(**changes):
    """The page's form as it comes filled in (the defaults), with `changes` typed over it."""
    data = {name: f"{value:g}" for name, value in asdict(rules.Settings()).items()}
    data.update({f"weight-{kind}": f"{spec.weight:g}" for kind, spec in rules.KINDS.items()})
    data.update(changes)
    return data


def stored():
    rows = db.session.execute(select(SiteSetting.key, SiteSetting.value).where(SiteSetting.key.in_(
        ["fans.settings", "fans.weights"]))).all()
    return dict(rows)


def audit_count():
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "fans.settings"))


def test_only_admins_open_the_page(client, login, member, staff, admin):
    assert client.get(PAGE).status_code == 302
    assert login(member).get(PAGE).status_code == 403
    assert login(staff).get(PAGE).status_code == 403
    assert login(staff).post(PAGE, data=form()).status_code == 403
    page = login(admin).get(PAGE)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Like received" in text and "Half-life" in text and "default 90" in text
    assert "The tier lines today" in text and "active member" in text


def test_the_page_is_reached_from_the_admin_navigation(login, admin):
    browser = login(admin)
    nav = browser.get("/admin/members").get_data(as_text=True)
    assert 'href="/admin/fans/"' in nav
    assert 'aria-current="page"' in browser.get(PAGE).get_data(as_text=True)


def test_saving_weights_says_what_happens_next_and_leaves_an_audit_entry(login, admin):
    browser = login(admin)
    saved = browser.post(PAGE, data=form(**{"weight-post": "8", "superfan_percent": "4"}), follow_redirects=True)
    text = saved.get_data(as_text=True)
    assert saved.status_code == 200
    assert "New weights apply to contributions from now on" in text
    assert "Scores are being recomputed" not in text
    assert rules.weights(db.session)["post"] == 8 and rules.settings(db.session).superfan_percent == 4
    assert 'value="8"' in text
    entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "fans.settings"))
    assert entry.actor_id == admin.id and entry.details["settings"] == {"superfan_percent": 4}
    log = browser.get("/admin/audit?action=fans.settings").get_data(as_text=True)
    assert "changed the fans weights and tier settings: <a href=\"/admin/fans/\">superfan percent</a>" in log


def test_a_new_half_life_recomputes_every_score(login, admin):
    saved = login(admin).post(PAGE, data=form(half_life_days="30"), follow_redirects=True)
    text = saved.get_data(as_text=True)
    assert "Scores are being recomputed" in text and "New weights apply" not in text
    assert rules.settings(db.session).half_life_days == 30


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("weight-post", "-1", "A weight cannot be negative."),
    ("weight-like_given", "lots", "Enter a number of points."),
    ("weight-comment", "1001", "Keep a weight at 1000 points or less."),
    ("weight-visit", "nan", "Enter a number of points."),
    ("weight-visit", "inf", "Enter a number of points."),
    ("weight-question", "", "Enter a number of points."),
    ("superfan_percent", "101", "Enter a share from 0 to 100%."),
    ("fan_percent", "-5", "Enter a share from 0 to 100%."),
    ("half_life_days", "0", "Enter a number from 1 to 3650."),
    ("half_life_days", "1e400", "Enter a number."),
    ("pair_cap", "2.5", "Enter a whole number."),
    ("grace_days", "x" * 500, "Enter a number."),
])
def test_bad_numbers_are_refused_beside_their_field_and_change_nothing(login, admin, field, typed, message):
    browser = login(admin)
    before = stored()
    refused = browser.post(PAGE, data=form(**{"weight-reply": "9", field: typed}))
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Nothing was changed" in text
    assert f'id="{field}-error"' in text and message.replace("'", "&#39;") in text
    assert 'aria-invalid="true"' in text
    assert stored() == before and audit_count() == 0
    assert rules.weights(db.session)["reply"] == 1, "the valid weight typed beside it is not saved either"


def test_fans_cannot_be_a_narrower_group_than_superfans(login, admin):
    refused = login(admin).post(PAGE, data=form(superfan_percent="30", fan_percent="20"))
    assert refused.status_code == 422 and "at least the superfans" in refused.get_data(as_text=True)
    assert audit_count() == 0


def test_a_nul_character_is_refused_at_the_edge(login, admin):
    refused = login(admin).post(PAGE, data=form(daily_cap="200\x00"))
    assert refused.status_code == 400
    assert stored() == {} and audit_count() == 0


def test_the_form_needs_its_csrf_token(app, login, admin):
    browser = login(admin)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = browser.post(PAGE, data=form(**{"weight-post": "7"}))
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert refused.status_code in (400, 403) and stored() == {}


def test_the_page_costs_the_same_queries_whatever_the_members(login, admin, make_member, count_queries):
    browser = login(admin)
    browser.get(PAGE)
    with count_queries() as few:
        browser.get(PAGE)
    for _ in range(20):
        make_member()
    with count_queries() as many:
        browser.get(PAGE)
    assert many.count == few.count
