"""The staff fans view: who may open it, the filters, the CSV export, saved selections, and a fan's history
with notes, pins and voids.

Standings and events are written straight to the tables with the scores and dates each case needs, so
every figure is known in advance.
"""
from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from portal.accounts.models import AuditEvent, Tier, User
from portal.extensions import db
from portal.fans import scoring
from portal.fans.models import EngagementEvent, FanNote, FanSelection, FanSelectionMember, FanStanding, FanVoid
from portal.feedback.models import Board, Category, Idea
from portal.kernel.timeutil import utcnow


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(response.get_data(as_text=True))).split())


class Fans:
    """Members with a score, events on boards, contacts: written straight to the tables."""

    def __init__(self, make_member: Callable[..., User]):
        self.make_member = make_member
        self.board = Board(slug="tents", name="Tents")
        self.other = Board(slug="shoes", name="Shoes")
        db.session.add_all([self.board, self.other])
        db.session.flush()
        self.category = Category(board_id=self.board.id, name="Poles")
        db.session.add(self.category)
        db.session.flush()
        self.author = make_member(display_name="Ann Author")
        self.idea = Idea(board_id=self.board.id, category_id=self.category.id, author_id=self.author.id, title="Lighter poles")
        self.other_idea = Idea(board_id=self.other.id, author_id=self.author.id, title="Wider shoes")
        db.session.add_all([self.idea, self.other_idea])
        db.session.commit()

    def fan(self, name: str, points: float, *, tier: Tier = Tier.MEMBER, contacted_days_ago: int | None = None,
            joined_days_ago: int = 60, pinned: bool = False, **member: Any) -> User:
        user = self.make_member(display_name=name, tier=tier, created_at=utcnow() - timedelta(days=joined_days_ago),
                                **member)
        today = scoring.today()
        db.session.add(FanStanding(user_id=user.id, score=round(points * scoring.UNIT), lifetime=round(points * 1000),
                                   scored_day=today, last_event_day=today, pinned=pinned,
                                   pin_reason="Ambassador" if pinned else "",
                                   last_contacted_at=utcnow() - timedelta(days=contacted_days_ago)
                                   if contacted_days_ago is not None else None))
        db.session.commit()
        return user

    def event(self, user: User, *, idea: Idea | None = None, days_ago: int = 1, points: float = 1, kind: str = "idea_vote",
              limited: str | None = None, voided: str | None = None) -> EngagementEvent:
        when = utcnow() - timedelta(days=days_ago)
        event = EngagementEvent(user_id=user.id, kind=kind, idea_id=idea.id if idea else None, created_at=when,
                                day=when.date().toordinal(), weight=round(points * 1000), points=round(points * 1000),
                                limited=limited, voided=voided)
        db.session.add(event)
        db.session.commit()
        return event


@pytest.fixture
def world(app, make_member) -> Fans:
    return Fans(make_member)


def names_on(response) -> list[str]:
    """The members listed in the fans table, in order."""
    page = html.unescape(response.get_data(as_text=True))
    return re.findall(r'<a href="/staff/fans/\d+">([^<]+)</a>', page)


# -- who may open it ---------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "for_moderators"), [("/staff/fans", 403), ("/staff/fans.csv", 403),
                                                      ("/staff/fans/{id}", 200)])
def test_only_staff_open_the_fans_pages(client, auth, member, moderator, staff, admin, path, for_moderators):
    """A fan's page is also the moderators' (they void points from it); the list and its export are staff's."""
    path = path.format(id=member.id)
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    for who, status in ((member, 403), (moderator, for_moderators), (staff, 200), (admin, 200)):
        auth.login(who)
        assert client.get(path).status_code == status, (path, who.role)
        auth.logout()


@pytest.mark.parametrize("path", ["/staff/fans/{id}/notes", "/staff/fans/{id}/pin", "/staff/fans/{id}/unpin",
                                  "/staff/fans/{id}/void", "/staff/fans/selections"])
def test_members_cannot_post_staff_actions(client, auth, member, path):
    path = path.format(id=member.id)
    assert client.post(path, data={"body": "x"}).status_code == 302  # to the sign-in page
    auth.login(member)
    assert client.post(path, data={"body": "x", "member": [member.id], "name": "x"}).status_code == 403
    assert db.session.scalar(select(func.count(FanNote.id))) == 0
    assert db.session.scalar(select(func.count(FanSelection.id))) == 0


def test_unknown_members_and_selections_are_404(login, staff, world):
    browser = login(staff)
    gone = world.fan("Gone", 5, deleted_at=utcnow())
    for path in ("/staff/fans/999999", f"/staff/fans/{gone.id}", "/staff/fans?selection=999999",
                 "/staff/fans.csv?selection=999999"):
        assert browser.get(path).status_code == 404, path
    for path in ("/staff/fans/999999/notes", "/staff/fans/999999/pin", "/staff/fans/selections/999999/delete"):
        assert browser.post(path, data={"body": "Hi", "pin-reason": "x"}).status_code == 404, path


def test_the_fans_view_is_in_the_staff_menu_and_on_the_staff_home(login, staff):
    browser = login(staff)
    for path in ("/staff", "/staff/priorities"):
        assert 'href="/staff/fans"' in browser.get(path).get_data(as_text=True), path


# -- the list and its filters -------------------------------------------------------------------

def test_fans_are_listed_best_first_with_their_figures(login, staff, world):
    top = world.fan("Top Fan", 150, tier=Tier.SUPERFAN, pinned=True, contacted_days_ago=3)
    world.fan("Middle Fan", 40, tier=Tier.FAN)
    world.event(top, points=12, days_ago=2)
    world.event(top, points=100, days_ago=45)  # older than 30 days: not in the 30-day points
    world.event(top, points=7, days_ago=1, voided="void")  # voided: not counted
    text = text_of(login(staff).get("/staff/fans"))
    response = login(staff).get("/staff/fans")
    assert names_on(response)[:2] == ["Top Fan", "Middle Fan"]
    assert "Superfan pinned 150 12" in text
    assert "Never" in text  # the middle fan was never contacted


def test_the_score_shown_is_as_of_today(login, staff, world):
    old = world.fan("Stale Fan", 100)
    standing = db.session.get(FanStanding, old.id)
    standing.scored_day -= 90  # stored 90 days ago, half-life 90: worth half today
    db.session.commit()
    world.fan("Fresh Fan", 60)
    response = login(staff).get("/staff/fans")
    assert names_on(response)[:2] == ["Fresh Fan", "Stale Fan"]
    assert "Stale Fan @" in text_of(response) and " 50 " in text_of(response)


def test_filter_by_tier(login, staff, world):
    world.fan("Super One", 150, tier=Tier.SUPERFAN)
    world.fan("Plain Fan", 40, tier=Tier.FAN)
    world.fan("Pinned One", 5, tier=Tier.FAN, pinned=True)
    browser = login(staff)
    assert names_on(browser.get("/staff/fans?tier=superfan")) == ["Super One"]
    assert names_on(browser.get("/staff/fans?tier=fan")) == ["Plain Fan", "Pinned One"]
    assert names_on(browser.get("/staff/fans?tier=pinned")) == ["Pinned One"]
    assert len(names_on(browser.get("/staff/fans?tier=nonsense"))) >= 3, "an unknown tier filters nothing"


def test_filter_by_activity_on_a_board_or_category(login, staff, world):
    voter = world.fan("Tent Voter", 10)
    late = world.fan("Old Tent Voter", 20)
    shoe = world.fan("Shoe Voter", 30)
    world.event(voter, idea=world.idea, days_ago=3)
    world.event(late, idea=world.idea, days_ago=60)
    world.event(shoe, idea=world.other_idea, days_ago=3)
    browser = login(staff)
    assert names_on(browser.get(f"/staff/fans?board={world.board.id}")) == ["Tent Voter"]
    assert names_on(browser.get(f"/staff/fans?board={world.board.id}&days=90")) == ["Old Tent Voter", "Tent Voter"]
    assert names_on(browser.get(f"/staff/fans?category={world.category.id}")) == ["Tent Voter"]
    assert names_on(browser.get(f"/staff/fans?board={world.other.id}")) == ["Shoe Voter"]


def test_filter_by_last_contact(login, staff, world):
    world.fan("Never Reached", 10)
    world.fan("Reached Lately", 20, contacted_days_ago=5)
    world.fan("Reached Long Ago", 30, contacted_days_ago=60)
    world.fan("Reached Ages Ago", 40, contacted_days_ago=200)
    browser = login(staff)
    assert "Never Reached" in names_on(browser.get("/staff/fans?contacted=never"))
    assert not {"Reached Lately", "Reached Long Ago"} & set(names_on(browser.get("/staff/fans?contacted=never")))
    assert names_on(browser.get("/staff/fans?contacted=30"))[:3] == ["Reached Ages Ago", "Reached Long Ago", "Never Reached"]
    listed = names_on(browser.get("/staff/fans?contacted=90"))
    assert "Reached Ages Ago" in listed and "Reached Long Ago" not in listed and "Reached Lately" not in listed
    by_contact = names_on(browser.get("/staff/fans?sort=contacted"))
    assert by_contact.index("Reached Ages Ago") < by_contact.index("Reached Long Ago") < by_contact.index("Reached Lately")


def test_filter_by_joining_date_and_sort_by_it(login, staff, world):
    world.fan("Old Timer", 10, joined_days_ago=400)
    world.fan("Newcomer", 5, joined_days_ago=10)
    browser = login(staff)
    after = (utcnow() - timedelta(days=30)).date().isoformat()
    assert "Newcomer" in names_on(browser.get(f"/staff/fans?joined_after={after}"))
    assert "Old Timer" not in names_on(browser.get(f"/staff/fans?joined_after={after}"))
    assert names_on(browser.get(f"/staff/fans?joined_before={after}")) == ["Old Timer"]
    joined = names_on(browser.get("/staff/fans?sort=joined"))
    assert joined.index("Newcomer") < joined.index("Old Timer")
    bad = browser.get("/staff/fans?joined_after=31/31/2020")
    assert bad.status_code == 200 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    assert "Old Timer" in names_on(bad), "a date that is not one filters nothing"


def test_the_list_is_paginated(login, staff, world):
    for n in range(27):
        world.fan(f"Fan {n:02d}", 100 - n)
    browser = login(staff)
    first = names_on(browser.get("/staff/fans"))
    second = names_on(browser.get("/staff/fans?page=2"))
    assert len(first) == 25 and first[0] == "Fan 00"
    assert second[:2] == ["Fan 25", "Fan 26"]


def test_the_list_runs_a_fixed_number_of_queries(login, staff, world, count_queries):
    def make(n: int) -> None:
        for i in range(n):
            fan = world.fan(f"Q{i}", i, contacted_days_ago=i)
            world.event(fan, idea=world.idea, days_ago=1)

    browser = login(staff)
    make(3)
    path = f"/staff/fans?board={world.board.id}&contacted=30&sort=score"
    browser.get(path)  # the first request of a session does more (its last-seen time)
    with count_queries() as small:
        assert browser.get(path).status_code == 200
    make(30)
    db.session.add(FanSelection(name="Some"))
    db.session.commit()
    with count_queries() as big:
        assert browser.get(path).status_code == 200
    assert big.count == small.count, "\n".join(s[:150] for s in big.statements)
    with count_queries() as csv_small:
        browser.get("/staff/fans.csv")
    make(5)
    with count_queries() as csv_big:
        browser.get("/staff/fans.csv")
    assert csv_big.count == csv_small.count


# -- the CSV export ------------------------------------------------------------------------------

def test_the_csv_export_has_the_filtered_list_and_defuses_formulas(login, staff, world):
    world.fan("=HYPERLINK(\"http://evil\")", 90, tier=Tier.SUPERFAN, pinned=True, contacted_days_ago=2,
              email="evil@example.com")
    world.fan("@Mention", 50, tier=Tier.SUPERFAN)
    world.fan("Plain Member", 10)
    response = login(staff).get("/staff/fans.csv?tier=superfan")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["name", "handle", "email", "tier", "pinned", "score", "points_30_days", "last_contacted", "joined"]
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"http://evil\")", "'@Mention"]
    first = rows[1]
    assert first[2:6] == ["evil@example.com", "superfan", "yes", "90.0"]
    assert first[7] == (utcnow() - timedelta(days=2)).date().isoformat()
    assert rows[2][7] == ""


# -- saved selections ----------------------------------------------------------------------------

def test_a_selection_is_saved_opened_and_deleted(login, staff, world):
    one, two = world.fan("Picked One", 90), world.fan("Picked Two", 80)
    world.fan("Not Picked", 70)
    browser = login(staff)
    response = browser.post("/staff/fans/selections?tier=member", data={"name": "  Launch  testers ", "member": [one.id, two.id]})
    assert response.status_code == 302
    saved = db.session.scalar(select(FanSelection))
    assert saved.name == "Launch testers" and saved.created_by_id == staff.id
    assert set(db.session.scalars(select(FanSelectionMember.user_id))) == {one.id, two.id}
    opened = browser.get(response.headers["Location"])
    assert names_on(opened) == ["Picked One", "Picked Two"] and "Launch testers" in text_of(opened)
    assert "Launch testers · 2 members" in text_of(browser.get("/staff/fans"))
    rows = list(csv.reader(io.StringIO(browser.get(f"/staff/fans.csv?selection={saved.id}").get_data(as_text=True))))
    assert [r[0] for r in rows[1:]] == ["Picked One", "Picked Two"]
    assert browser.post(f"/staff/fans/selections/{saved.id}/delete").status_code == 302
    assert db.session.scalar(select(func.count(FanSelection.id))) == 0
    assert db.session.scalar(select(func.count(FanSelectionMember.user_id))) == 0


def test_a_selection_needs_a_name_and_members(login, staff, world):
    one = world.fan("Picked One", 90)
    browser = login(staff)
    no_name = browser.post("/staff/fans/selections", data={"name": " ", "member": [one.id]})
    assert no_name.status_code == 422
    assert 'id="name-error"' in no_name.get_data(as_text=True) and "Name the selection." in text_of(no_name)
    assert 'value="%d" id="pick-%d"\n        checked' % (one.id, one.id) in no_name.get_data(as_text=True)
    nobody = browser.post("/staff/fans/selections", data={"name": "Empty"})
    assert nobody.status_code == 422 and "Pick at least one member." in text_of(nobody)
    assert db.session.scalar(select(func.count(FanSelection.id))) == 0


# -- a fan's history -------------------------------------------------------------------------------

def test_a_fans_history_shows_standing_ledger_badges_in_words(login, staff, world):
    fan = world.fan("History Fan", 42, tier=Tier.FAN, pinned=True, contacted_days_ago=3)
    world.event(fan, kind="like_given", points=0, limited="pair_cap")
    world.event(fan, kind="post", points=5, voided="hidden")
    for n in range(35):
        world.event(fan, kind="comment", points=2, days_ago=10 + n)
    text = text_of(login(staff).get(f"/staff/fans/{fan.id}"))
    assert "History Fan" in text and "42" in text and "Pinned: Ambassador" in text
    assert "daily limit of likes between the same two members reached" in text
    assert "hidden by a moderator" in text
    assert "The latest 30 events" in text


def test_a_note_is_added_and_shown(login, staff, world):
    fan = world.fan("Noted Fan", 10)
    browser = login(staff)
    empty = browser.post(f"/staff/fans/{fan.id}/notes", data={"body": "   "})
    assert empty.status_code == 422 and "Write the note first." in text_of(empty)
    assert 'id="body-error"' in empty.get_data(as_text=True)
    assert browser.post(f"/staff/fans/{fan.id}/notes", data={"body": "Loves the blue tent"}).status_code == 302
    note = db.session.scalar(select(FanNote))
    assert (note.user_id, note.author_id, note.body) == (fan.id, staff.id, "Loves the blue tent")
    assert "Loves the blue tent Stella Staff" in text_of(browser.get(f"/staff/fans/{fan.id}"))


def test_pinning_needs_a_reason_and_is_audited(login, staff, world):
    fan = world.fan("Pin Fan", 10)
    browser = login(staff)
    refused = browser.post(f"/staff/fans/{fan.id}/pin", data={"pin-tier": "superfan", "pin-reason": " "})
    assert refused.status_code == 422 and "Give a reason: it goes into the audit log." in text_of(refused)
    assert 'id="pin-reason-error"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, fan.id).tier is Tier.MEMBER and not db.session.get(FanStanding, fan.id).pinned
    bad_tier = browser.post(f"/staff/fans/{fan.id}/pin", data={"pin-tier": "emperor", "pin-reason": "Why not"})
    assert bad_tier.status_code == 422 and "Choose member, fan or superfan." in text_of(bad_tier)

    assert browser.post(f"/staff/fans/{fan.id}/pin", data={"pin-tier": "superfan", "pin-reason": "Brand ambassador"}
                        ).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, fan.id).tier is Tier.SUPERFAN
    assert db.session.get(FanStanding, fan.id).pin_reason == "Brand ambassador"
    page = text_of(browser.get(f"/staff/fans/{fan.id}"))
    assert "Pinned: Brand ambassador" in page and "Pinned to Superfan — Brand ambassador Stella Staff" in page

    no_reason = browser.post(f"/staff/fans/{fan.id}/unpin", data={"unpin-reason": ""})
    assert no_reason.status_code == 422 and "Give a reason" in text_of(no_reason)
    db.session.expire_all()
    assert db.session.get(FanStanding, fan.id).pinned
    assert browser.post(f"/staff/fans/{fan.id}/unpin", data={"unpin-reason": "Contract over"}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(FanStanding, fan.id).pinned
    assert "Unpinned (was Superfan) — Contract over" in text_of(browser.get(f"/staff/fans/{fan.id}"))
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_user_id == fan.id)
                                      .order_by(AuditEvent.id)))
    assert actions == ["fans.pin", "fans.unpin"]


@pytest.mark.parametrize("data, field, message", [
    ({"void-starts": "2026-13-40", "void-ends": "", "void-reason": "Farming"}, "void-starts", "Not a valid date value"),
    ({"void-starts": "", "void-ends": "", "void-reason": "Farming"}, "void-starts", "Enter the first day of the period."),
    ({"void-starts": "{today}", "void-ends": "{long_ago}", "void-reason": "Farming"}, "void-ends",
     "The period ends before it starts."),
    ({"void-starts": "{long_ago}", "void-ends": "{today}", "void-reason": ""}, "void-reason", "Give a reason"),
])
def test_a_bad_void_is_refused_and_changes_nothing(login, staff, world, data, field, message):
    fan = world.fan("Void Fan", 10)
    event = world.event(fan, points=3, days_ago=2)
    today, long_ago = utcnow().date(), utcnow().date() - timedelta(days=10)
    sent = {k: v.format(today=today.isoformat(), long_ago=long_ago.isoformat()) for k, v in data.items()}
    response = login(staff).post(f"/staff/fans/{fan.id}/void", data=sent)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True) and message in text_of(response)
    db.session.expire_all()
    assert db.session.get(EngagementEvent, event.id).voided is None
    assert db.session.scalar(select(func.count(FanVoid.id))) == 0


def test_a_void_with_a_period_and_reason_voids_the_points(login, staff, world):
    fan = world.fan("Void Fan", 10)
    inside, outside = world.event(fan, points=3, days_ago=2), world.event(fan, points=4, days_ago=20)
    browser = login(staff)
    start, end = (utcnow() - timedelta(days=5)).date().isoformat(), utcnow().date().isoformat()
    response = browser.post(f"/staff/fans/{fan.id}/void",
                            data={"void-starts": start, "void-ends": end, "void-reason": "Like ring"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(EngagementEvent, inside.id).voided == "void"
    assert db.session.get(EngagementEvent, outside.id).voided is None
    page = text_of(browser.get(f"/staff/fans/{fan.id}"))
    assert f"Voided 1 event from {start} to {end} — Like ring" in page and "voided by a moderator" in page


def test_a_fans_page_runs_a_fixed_number_of_queries(login, staff, world, count_queries):
    fan = world.fan("Busy Fan", 10)
    browser = login(staff)
    db.session.add(FanNote(user_id=fan.id, author_id=staff.id, body="One"))
    db.session.commit()
    browser.get(f"/staff/fans/{fan.id}")  # the first request of a session does more (its last-seen time)
    with count_queries() as small:
        assert browser.get(f"/staff/fans/{fan.id}").status_code == 200
    for n in range(40):
        world.event(fan, points=1, days_ago=n)
    db.session.add_all(FanNote(user_id=fan.id, author_id=staff.id, body=f"Note {n}") for n in range(5))
    db.session.commit()
    browser.post(f"/staff/fans/{fan.id}/pin", data={"pin-tier": "fan", "pin-reason": "Ambassador"})
    with count_queries() as big:
        assert browser.get(f"/staff/fans/{fan.id}").status_code == 200
    assert big.count == small.count, big.statements


def test_the_fans_pages_speak_french(login, make_member, world):
    french = make_member(display_name="Françoise", role="staff", locale="fr")
    fan = world.fan("Fan Français", 10)
    browser = login(french)
    listing = text_of(browser.get("/staff/fans"))
    assert "Enregistrer comme sélection" in listing and "Exporter en CSV" in listing
    page = text_of(browser.get(f"/staff/fans/{fan.id}"))
    assert "Notes de l’équipe" in page and "Annuler les points d’une période" in page
