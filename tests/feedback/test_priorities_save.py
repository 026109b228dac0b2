"""The priorities page saves impact and effort for the whole page at once: one form, one POST,
every changed row in one transaction; a bad value anywhere changes nothing and says why."""
from __future__ import annotations

import re

import pytest

from portal.extensions import db
from portal.feedback import estimates, triage
from portal.feedback.service import FeedbackError

from .helpers import fresh, snapshot
from .pages import flashes, page

SAVE = "/staff/priorities"


def row(idea, impact="", effort="", was_impact=None, was_effort=None) -> dict[str, str]:
    """The fields one row of the page sends: the menus, and what the page showed (`was-`)."""
    return {f"impact-{idea.id}": str(impact), f"effort-{idea.id}": str(effort),
            f"was-impact-{idea.id}": str(idea.impact or "") if was_impact is None else str(was_impact),
            f"was-effort-{idea.id}": str(idea.effort or "") if was_effort is None else str(was_effort)}


@pytest.fixture
def trio(make_idea, staff):
    ideas = [make_idea(f"Idea for the table number {n}") for n in range(3)]
    triage.set_estimates(db.session, ideas[2], staff, impact=2, effort=2)
    return ideas


def test_the_page_is_one_form_with_one_save_and_labels_for_phones(trio, staff, login):
    text = page(login(staff).get("/staff/priorities"))

    assert text.count('<form method="post" action="/staff/priorities"') == 1
    assert text.count("Save impact and effort</button>") == 1
    assert "/estimates" not in text  # no form, no button per row
    assert 'name="impact-{0}"'.format(trio[0].id) in text and f'name="was-effort-{trio[2].id}" value="2"' in text
    for label in ("Demand", "Votes", "Unique voters", "30 days", "Superfans", "Comments", "Priority", "Impact / effort"):
        assert text.count(f'data-label="{label}"') == 3  # each number says what it is when the row is a card


def test_one_save_updates_every_changed_row_and_leaves_the_others(trio, staff, login):
    first, second, third = trio
    browser = login(staff)
    form = {**row(first, 5, 1), **row(second, 3, ""), **row(third, 2, 2), "next": "/staff/priorities?sort=priority"}

    response = browser.post(SAVE, data=form)

    assert response.status_code == 302 and response.headers["Location"] == "/staff/priorities?sort=priority"
    assert "Impact and effort are saved for 2 ideas." in flashes(browser.get("/staff/priorities"))
    assert (fresh(first).impact, first.effort, first.priority) == (5, 1, 5.0)
    assert (fresh(second).impact, second.effort) == (3, None)
    assert (fresh(third).impact, third.effort) == (2, 2)


def test_a_row_left_alone_keeps_what_another_staff_member_saved_meanwhile(trio, staff, admin, login):
    first, second, _ = trio
    form = {**row(first, 4, 4), **row(second)}  # the page was loaded before the other change
    triage.set_estimates(db.session, second, admin, impact=5, effort=1)

    login(staff).post(SAVE, data=form)

    assert (fresh(first).impact, first.effort) == (4, 4)
    assert (fresh(second).impact, second.effort) == (5, 1)


def test_nothing_changed_says_so(trio, staff, login):
    browser = login(staff)
    browser.post(SAVE, data={**row(trio[0]), **row(trio[2], 2, 2)})
    assert "Nothing to save: no impact or effort was changed." in flashes(browser.get("/staff/priorities"))


@pytest.mark.parametrize("bad", ["9", "0", "-1", "99999999999999999999999", "abc", "1.5", " 3", "4\u202e", "２", "3 ",
                                 "<b>1</b>"])
def test_a_bad_value_anywhere_changes_nothing_and_says_why(trio, staff, login, bad):
    first, second, _ = trio
    before = snapshot()
    browser = login(staff)

    browser.post(SAVE, data={**row(first, 5, 1), **row(second, bad, 2)})

    message = flashes(browser.get("/staff/priorities"))
    assert f"Impact and effort are numbers from 1 to 5, or “–” for none; idea #{second.id} had" in message
    assert "Nothing was changed." in message and "<b>" not in page(browser.get("/staff/priorities"))
    assert (fresh(first).impact, first.effort) == (None, None) and snapshot() == before


@pytest.mark.parametrize(("key", "value"), [("impact-{id}", "3\x00"), ("effort-{id}", "\x07"), ("impact-{id}\x00", "3")])
def test_control_characters_change_nothing_and_say_why(trio, staff, login, key, value):
    browser = login(staff)

    response = browser.post(SAVE, data={**row(trio[1], 5, 1), key.format(id=trio[0].id): value})

    # Refused at the request's edge (a 400 page that says why), or by the form's own check if that ever moves.
    said = page(response) if response.status_code == 400 else flashes(browser.get(SAVE))
    assert "not allowed" in said or "Nothing was changed" in said
    assert fresh(trio[0]).impact is None and fresh(trio[1]).impact is None


@pytest.mark.parametrize("key", ["impact-", "impact-abc", "impact-99999999999999", "impact-1-2", "priority-1", "IMPACT-1"])
def test_a_field_the_page_does_not_have_changes_nothing(trio, staff, login, key):
    browser = login(staff)

    browser.post(SAVE, data={**row(trio[0], 5, 1), key: "3"})

    assert "The form sent a field this page does not have. Nothing was changed" in flashes(browser.get(SAVE))
    assert fresh(trio[0]).impact is None


def test_an_idea_of_another_board_than_the_page_shows_changes_nothing(board, make_board, make_idea, trio, staff, login):
    other = make_idea("Shop opening hours", on=make_board(name="Shop", slug="shop"))
    browser = login(staff)

    browser.post(SAVE, data={**row(trio[0], 5, 1), **row(other, 4, 2), "board": str(board.id)})

    assert f"Idea #{other.id} is not on the board this page shows. Nothing was changed." in flashes(browser.get(SAVE))
    assert fresh(trio[0]).impact is None and fresh(other).impact is None


def test_a_deleted_or_unknown_idea_changes_nothing(trio, staff, login):
    from portal.feedback import service  # the deletion is the setup, not what is tested

    service.delete_idea(db.session, trio[1], staff)
    browser = login(staff)

    for form in ({**row(trio[0], 5, 1), **row(trio[1], 2, 2)}, {**row(trio[0], 5, 1), "impact-999999": "3"}):
        browser.post(SAVE, data=form)
        assert "is no longer on its board" in flashes(browser.get(SAVE))
        assert fresh(trio[0]).impact is None


def test_an_empty_save_or_too_many_rows(trio, staff, login):
    browser = login(staff)
    browser.post(SAVE, data={})
    assert "Nothing to save" in flashes(browser.get(SAVE))

    many = {f"impact-{n}": "" for n in range(1, estimates.ROWS_MAX + 2)}
    browser.post(SAVE, data=many)
    assert "Too many rows in one save. Nothing was changed." in flashes(browser.get(SAVE))


@pytest.mark.parametrize("who", ["member", "superfan", "moderator"])
def test_only_staff_save_estimates(trio, login, request, who):
    response = login(request.getfixturevalue(who)).post(SAVE, data=row(trio[0], 5, 1))
    assert response.status_code == 403 and fresh(trio[0]).impact is None


def test_the_service_refuses_non_staff_and_commits_all_or_nothing(trio, member, staff):
    with pytest.raises(FeedbackError):
        estimates.save_estimates(db.session, member, {trio[0].id: {"impact": 5}})
    with pytest.raises(FeedbackError):
        estimates.save_estimates(db.session, staff, {trio[0].id: {"impact": 5}, 10**6: {"impact": 1}})
    assert fresh(trio[0]).impact is None
    assert estimates.save_estimates(db.session, staff, {trio[0].id: {"impact": 5}, trio[1].id: {"effort": 3}}) == 2
    assert (fresh(trio[0]).impact, fresh(trio[1]).effort) == (5, 3)


def test_parse_reads_only_what_changed():
    changes = estimates.parse({"impact-1": "5", "was-impact-1": "", "effort-1": "", "was-effort-1": "",
                               "impact-2": "3", "was-impact-2": "3", "csrf_token": "x", "next": "/", "board": ""})
    assert changes == {1: {"impact": 5}}
    assert re.search("^[?a-z]+$", estimates._printable("\x00ab")) and estimates._printable("1" * 40).endswith("…")
