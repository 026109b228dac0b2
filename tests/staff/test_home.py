"""The staff home: who may open it, what it counts, "Mark reviewed", and a fixed number of statements.

Rows are written straight to the tables with the times each case needs (a question asked five
hours ago, a vote cast after the last review), so every count is known in advance.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from flask import Flask

from portal.accounts.models import User
from portal.community.models import Post, Report
from portal.extensions import db
from portal.feedback import triage
from portal.feedback.models import Board, Idea, Vote
from portal.kernel.timeutil import utcnow
from portal.staff import queries


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """No page cache: each visit draws the page."""
    return {**app_config, "CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(response.get_data(as_text=True))).split())


class Community:
    """Questions, reports, ideas and votes, written straight to the tables."""

    def __init__(self, make_member: Callable[..., User]):
        self.make_member = make_member
        self.numbers = count(1)
        self.author = make_member(display_name="Ann Author")
        self.board = Board(slug="ideas", name="Ideas")
        db.session.add(self.board)
        db.session.commit()

    def question(self, hours_ago: float, *, answered: bool = False) -> Post:
        when = utcnow() - timedelta(hours=hours_ago)
        post = Post(author_id=self.author.id, body=f"Question {next(self.numbers)}?", body_html="<p>?</p>",
                    is_question=True, created_at=when, published_at=when)
        db.session.add(post)
        db.session.commit()
        return post

    def report(self, post: Post, *, resolved: bool = False) -> None:
        db.session.add(Report(reporter_id=self.make_member().id, post_id=post.id, reason="spam",
                              resolved_at=utcnow() if resolved else None))
        db.session.commit()

    def idea(self, *, reviewed_hours_ago: float | None = None, votes_since: int = 0, votes_before: int = 0) -> Idea:
        reviewed = utcnow() - timedelta(hours=reviewed_hours_ago) if reviewed_hours_ago is not None else None
        idea = Idea(board_id=self.board.id, author_id=self.author.id, title=f"Idea {next(self.numbers)}",
                    created_at=utcnow() - timedelta(days=2), reviewed_at=reviewed)
        db.session.add(idea)
        db.session.flush()
        for n in range(votes_before + votes_since):
            cast = (reviewed or utcnow()) + timedelta(minutes=-30 if n < votes_before else 30)
            db.session.add(Vote(idea_id=idea.id, user_id=self.make_member().id, created_at=cast))
        idea.vote_count = votes_before + votes_since
        db.session.commit()
        return idea


@pytest.fixture
def world(app: Flask, make_member: Callable[..., User]) -> Community:
    return Community(make_member)


def test_only_staff_and_admins_open_the_staff_home(client, auth, member, moderator, staff, admin):
    response = client.get("/staff")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    for who, status in ((member, 403), (moderator, 403), (staff, 200), (admin, 200)):
        auth.login(who)
        assert client.get("/staff").status_code == status, who.role
        auth.logout()


def test_the_staff_home_counts_what_awaits_staff(client, auth, staff, world):
    world.question(hours_ago=5)  # overdue: past the 4-hour target
    world.question(hours_ago=1)  # waiting, not yet overdue
    world.question(hours_ago=9, answered=False).hidden_at = utcnow()  # hidden: not on the Questions page either
    db.session.commit()
    reported = world.question(hours_ago=0.5)
    world.report(reported)
    world.report(reported, resolved=True)
    new_one = world.idea()
    world.idea(reviewed_hours_ago=3, votes_before=2)  # reviewed, no vote since: nothing to see
    voted = world.idea(reviewed_hours_ago=3, votes_before=1, votes_since=2)

    home = queries.staff_home(db.session)
    assert (home.questions_waiting, home.questions_overdue, home.open_reports) == (3, 1, 1)
    assert (home.new_ideas, [i.id for i in home.oldest_new_ideas]) == (1, [new_one.id])
    assert (home.ideas_with_new_votes, [(i.id, n) for i, n in home.most_new_votes]) == (1, [(voted.id, 2)])

    auth.login(staff)
    page = text_of(client.get("/staff"))
    assert "3 questions waiting for an answer" in page and "1 past the 4-hour target" in page
    assert "1 open report" in page and "1 new idea not yet reviewed" in page and "1 idea with new votes" in page
    assert new_one.title in page and voted.title in page and "2 new votes" in page


def test_each_list_is_listed_in_full_in_priorities(client, auth, staff, world):
    """Past the first five, the staff home's lists go on in Priorities: its links open the same ideas there."""
    new_ones = [world.idea() for _ in range(queries.LIST_SIZE + 1)]
    voted = [world.idea(reviewed_hours_ago=3, votes_before=1, votes_since=1) for _ in range(queries.LIST_SIZE + 1)]
    quiet = world.idea(reviewed_hours_ago=3, votes_before=2)  # reviewed, no vote since: on neither list
    auth.login(staff)
    home = client.get("/staff").get_data(as_text=True)

    for review, expected in (("new", new_ones), ("votes", voted)):
        link = f"/staff/priorities?review={review}&amp;status=all"
        assert home.count(link) == 2, f"the count and 'see every idea' lead to {link}"
        listed = client.get(html.unescape(link)).get_data(as_text=True)
        assert set(re.findall(r'href="/ideas/(\d+)"', listed)) == {str(i.id) for i in expected}, review
        assert f'<option value="{review}" selected>' in listed
    everything = client.get("/staff/priorities?status=all").get_data(as_text=True)
    assert f'href="/ideas/{quiet.id}"' in everything


def test_mark_reviewed_takes_an_idea_off_both_lists(client, auth, staff, world):
    new_one = world.idea()
    voted = world.idea(reviewed_hours_ago=3, votes_since=1)
    auth.login(staff)
    for idea in (new_one, voted):
        response = client.post(f"/staff/ideas/{idea.id}/reviewed")
        assert response.status_code == 302 and response.headers["Location"].endswith("/staff")
    home = queries.staff_home(db.session)
    assert (home.new_ideas, home.ideas_with_new_votes) == (0, 0)
    assert "Every idea has been reviewed." in text_of(client.get("/staff"))
    assert client.post("/staff/ideas/999999/reviewed").status_code == 404


def test_members_cannot_mark_ideas_reviewed(client, auth, member, world):
    idea = world.idea()
    auth.login(member)
    assert client.post(f"/staff/ideas/{idea.id}/reviewed").status_code == 403
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).reviewed_at is None


def test_staff_triage_counts_as_a_review(app, staff, world):
    with app.test_request_context():
        by_status, by_response, by_estimate = world.idea(), world.idea(), world.idea()
        triage.change_status(db.session, by_status, staff, status="planned", explanation="On the plan for spring.")
        triage.post_response(db.session, by_response, staff, text="Thanks, we are looking at it.")
        triage.set_estimates(db.session, by_estimate, staff, impact=3, effort=2)
    db.session.expire_all()
    assert all(db.session.get(Idea, i.id).reviewed_at is not None for i in (by_status, by_response, by_estimate))
    assert queries.staff_home(db.session).new_ideas == 0


def test_the_staff_home_costs_the_same_statements_for_one_of_everything_as_for_many(client, auth, staff, world,
                                                                                       count_queries):
    def fill(n: int) -> None:
        for _ in range(n):
            world.report(world.question(hours_ago=6))
            world.question(hours_ago=1)
            world.idea()
            world.idea(reviewed_hours_ago=2, votes_since=2)

    auth.login(staff)
    fill(1)
    client.get("/staff")
    with count_queries() as one:
        assert client.get("/staff").status_code == 200
    fill(12)
    with count_queries() as many:
        page = text_of(client.get("/staff"))
    assert "13 open reports" in page and "26 questions waiting" in page and "13 new ideas" in page
    assert many.count == one.count, "\n".join(many.statements)
    assert one.count == 7, one.statements  # the session with its member, the site settings, the staff home's five
