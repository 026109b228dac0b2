"""What every page shares: the favicon, the form field macro's attributes, and one rule for dates."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask_babel import force_locale

from portal import timestamp
from portal.kernel.timeutil import utcnow


def test_the_favicon_is_linked_and_favicon_ico_answers(client):
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<link rel="icon" href="/static/favicon.svg" type="image/svg\+xml">', home)
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    legacy = client.get("/favicon.ico")
    assert legacy.status_code == 302 and legacy.headers["Location"].endswith("/static/favicon.svg")


@pytest.mark.parametrize("path", ["/login", "/signup"])
def test_form_fields_never_carry_the_text_none(client, path):
    body = client.get(path).get_data(as_text=True)
    assert '="None"' not in body
    assert 'aria-invalid' not in body  # nothing is wrong before the form is sent
    assert re.search(r'<input[^>]*autocomplete="email"', body)


def test_a_field_with_an_error_points_at_it(client):
    body = client.post("/signup", data={"email": "", "display_name": "", "password": ""}).get_data(as_text=True)
    assert '="None"' not in body
    email = re.search(r'<input[^>]*id="email"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in email and 'aria-describedby="email-error"' in email
    name = re.search(r'<input[^>]*id="display_name"[^>]*>', body).group(0)
    assert 'aria-describedby="display_name-help display_name-error"' in name
    assert 'id="email-error"' in body


def test_recent_dates_are_relative_and_older_ones_a_medium_date(app: Flask):
    now = utcnow()
    with app.test_request_context():
        recent = str(timestamp(now - timedelta(hours=3)))
        assert "data-relative" in recent and "3 hours ago" in recent
        assert re.search(r'datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"', recent) and 'title="' in recent
        old = now - timedelta(days=9)
        older = str(timestamp(old))
        assert "data-relative" not in older and "ago" not in older
        assert f">{old.strftime('%b')} {old.day}, {old.year}<" in older  # "Jun 16, 2026", never "6/16/26"
        with force_locale("fr"):
            assert "il y a 3 heures" in str(timestamp(now - timedelta(hours=3)))
            assert f"{old.year}</time>" in str(timestamp(old)) and "/" not in re.sub(r"<[^>]+>", "", str(timestamp(old)))
        assert str(timestamp(None)) == ""


def test_community_pages_use_the_date_rule(client, app):
    """The community's `when` macro is the same helper: an old date reads as a date, not "6/16/26"."""
    with app.test_request_context():
        rendered = app.jinja_env.from_string('{% from "community/_ui.html" import when %}{{ when(dt) }}').render(
            dt=utcnow() - timedelta(days=40))
    assert not re.search(r">\d+/\d+/\d+<", rendered) and "data-relative" not in rendered
