"""The read side (portal/feedback/queries.py): board listings, who sees what, roadmap, changelog,
and the staff's priority list."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from werkzeug.exceptions import NotFound

from portal.accounts import service as accounts
from portal.accounts.models import Tier
from portal.extensions import db
from portal.feedback import queries, service, tallies, triage
from portal.feedback.models import Idea, IdeaStatus, Visibility, Vote
from portal.feedback.queries import PAGE_SIZE
from portal.kernel.timeutil import utcnow

from .helpers import set_status

NOW = utcnow()
PASSWORD = "correct horse battery staple"  # the password conftest gives every member


def plant(board, author, n=1, **values):
    """Ideas written straight to the table, for reading tests that need exact dates, counts or statuses."""
    made = [Idea(board_id=board.id, author_id=author.id, title=values.pop("title", f"Planted idea {i}"), **values)
            for i in range(n)]
    db.session.add_all(made)
    db.session.commit()
    return made if n > 1 else made[0]


def titles(ideas):
    return [idea.title for idea in ideas]


# -- board listings --------------------------------------------------------------


@pytest.fixture
def trio(board, member):
    hours = lambda n: NOW - timedelta(hours=n)  # noqa: E731
    return [plant(board, member, title="A", vote_count=5, created_at=hours(72), activity_at=hours(9), trending=2.0),
            plant(board, member, title="B", vote_count=1, created_at=hours(24), activity_at=hours(2), trending=3.0),
            plant(board, member, title="C", vote_count=3, created_at=hours(48), activity_at=hours(1), trending=1.0)]


@pytest.mark.parametrize(("sort", "order"), [("top", "ACB"), ("new", "BCA"), ("updated", "CBA"), ("trending", "BAC"),
                                             ("nonsense", "BAC")])
def test_a_board_lists_ideas_in_each_order(board, trio, sort, order):
    page = queries.list_ideas(db.session, board, None, sort=sort)
    assert "".join(titles(page.ideas)) == order and page.total == 3


def test_the_listing_marks_the_viewers_votes(board, trio, stranger):
    db.session.add(Vote(idea_id=trio[1].id, user_id=stranger.id))
    db.session.commit()
    assert queries.voted_ids(db.session, stranger, [idea.id for idea in trio]) == {trio[1].id}
    assert queries.voted_ids(db.session, None, [idea.id for idea in trio]) == set()
    assert queries.voted_ids(db.session, stranger, []) == set()


def test_the_status_filter(board, member, staff, moderator):
    for status in IdeaStatus:
        plant(board, member, title=status.value, status=status)
    for unlisted in ({"hidden_at": NOW}, {"deleted_at": NOW}):
        plant(board, member, title="unlisted", **unlisted)
    merged = plant(board, member, title="merged")
    merged.merged_into_id = plant(board, member, title="target").id
    db.session.commit()

    def shown(status):
        return set(titles(queries.list_ideas(db.session, board, moderator, status=status).ideas))

    assert shown("active") == {"open", "under_review", "planned", "in_progress", "target"}
    assert shown("all") == {s.value for s in IdeaStatus} | {"target"}
    assert shown("declined") == {"declined"} and shown("planned") == {"planned"}


def test_the_category_filter(board, member):
    tents = next(c for c in board.categories if c.name == "Tents")
    plant(board, member, title="tent", category_id=tents.id)
    plant(board, member, title="other")
    assert titles(queries.list_ideas(db.session, board, None, category_id=tents.id).ideas) == ["tent"]
    assert queries.list_ideas(db.session, board, None, category_id=None).total == 2


def test_pages_and_a_page_beyond_the_end(board, member):
    plant(board, member, 2 * PAGE_SIZE + 5)
    first = queries.list_ideas(db.session, board, None, sort="new")
    assert (len(first.ideas), first.total, first.page, first.pages) == (PAGE_SIZE, 2 * PAGE_SIZE + 5, 1, 3)
    last = queries.list_ideas(db.session, board, None, sort="new", page=99)
    assert (len(last.ideas), last.page) == (5, 3)
    second = queries.list_ideas(db.session, board, None, sort="new", page=2)
    assert not {i.id for i in first.ideas} & {i.id for i in second.ideas}


# -- who sees what ---------------------------------------------------------------


@pytest.mark.parametrize(("who", "seen"), [(None, {"public"}), ("member", {"public", "members"}),
                                           ("superfan", {"public", "members", "superfans"}),
                                           ("staff", {"public", "members", "superfans"})])
def test_who_sees_which_board(request, make_board, who, seen):
    viewer = request.getfixturevalue(who) if who else None
    boards = {v.value: make_board(slug=v.value, visibility=v, position=-n) for n, v in enumerate(Visibility)}
    assert {v for v, b in boards.items() if queries.can_see_board(viewer, b)} == seen
    assert [b.slug for b in queries.visible_boards(db.session, viewer)] == sorted(seen, key=lambda s: boards[s].position)
    assert set(queries.visible_board_ids(db.session, viewer)) == {boards[s].id for s in seen}


def test_an_idea_is_found_only_by_those_who_may_read_it(make_board, make_idea, member, superfan, moderator, stranger):
    secret = make_idea(on=make_board(visibility=Visibility.SUPERFANS))
    assert queries.get_idea_or_404(db.session, secret.id, superfan) == secret
    with pytest.raises(NotFound):
        queries.get_idea_or_404(db.session, secret.id, member)
    hidden = make_idea(author=member)
    triage.set_hidden(db.session, hidden, moderator, True)
    for reader in (member, moderator):
        assert queries.get_idea_or_404(db.session, hidden.id, reader) == hidden
    for reader in (stranger, None):
        with pytest.raises(NotFound):
            queries.get_idea_or_404(db.session, hidden.id, reader)


# -- roadmap and changelog ----------------------------------------------------------


def test_the_roadmap_shows_planned_in_progress_and_done_from_visible_boards(board, make_board, member, superfan):
    secret = make_board(visibility=Visibility.SUPERFANS)
    for title, status, votes in (("few", "planned", 2), ("many", "planned", 5), ("doing", "in_progress", 1),
                                 ("shipped", "done", 0), ("open", "open", 9), ("review", "under_review", 9),
                                 ("no", "declined", 9)):
        plant(board, member, title=title, status=IdeaStatus(status), vote_count=votes, status_changed_at=NOW)
    plant(board, member, title="hidden", status=IdeaStatus.PLANNED, hidden_at=NOW)
    merged = plant(board, member, title="merged", status=IdeaStatus.PLANNED)
    merged.merged_into_id = plant(board, member, title="target").id
    plant(secret, member, title="secret", status=IdeaStatus.PLANNED, vote_count=3)
    columns = queries.roadmap(db.session, member)
    assert list(columns) == [IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS, IdeaStatus.DONE]
    assert [titles(c.ideas) for c in columns.values()] == [["many", "few"], ["doing"], ["shipped"]]
    assert [c.total for c in columns.values()] == [2, 1, 1]
    assert titles(queries.roadmap(db.session, superfan)[IdeaStatus.PLANNED].ideas) == ["many", "secret", "few"]


def test_the_changelog_lists_done_ideas_with_the_explanation_that_closed_them(board, make_board, make_idea, staff,
                                                                              member):
    first, second, open_one = make_idea("Ship repair kits"), make_idea("Ship kids boots"), make_idea("Still open")
    hidden = make_idea("Done but secret", on=make_board(visibility=Visibility.SUPERFANS))
    set_status(first, staff, "done", "Out in May.")
    set_status(second, staff, "done", "Out too early.")
    set_status(second, staff, "in_progress", "Recalled.")
    set_status(second, staff, "done", "Out in **June**.")
    set_status(hidden, staff, "done", "Superfans only.")
    page = queries.changelog(db.session, member)
    assert [(idea.title, event.explanation) for idea, event in page.entries] == [
        ("Ship kids boots", "Out in **June**."), ("Ship repair kits", "Out in May.")]
    assert "<strong>June</strong>" in page.entries[0][1].explanation_html and open_one.status is IdeaStatus.OPEN


# -- priorities ------------------------------------------------------------------


@pytest.fixture
def demand(board, make_idea, make_member, superfan, staff):
    """Three ideas whose orders differ: by demand x y z, by votes x z y, by priority z y x."""
    fan, sophie2 = make_member(tier=Tier.FAN), make_member(tier=Tier.SUPERFAN)
    x, y, z = make_idea("Idea x"), make_idea("Idea y"), make_idea("Idea z")
    for idea, people in ((x, (fan, superfan)), (y, (superfan, sophie2))):
        for person in people:
            service.cast_vote(db.session, idea, person)
    triage.vote_on_behalf(db.session, x, staff, email="jo@shop.example.com", name="Jo")
    triage.vote_on_behalf(db.session, x, staff, name="Kim")
    for name in ("Lou", "Max", "Noa"):
        triage.vote_on_behalf(db.session, z, staff, name=name, source="phone")
    db.session.execute(update(Vote).where(Vote.idea_id == x.id, Vote.user_id == fan.id)
                       .values(created_at=NOW - timedelta(days=40)))
    tallies.move_window(db.session)  # the vote was cast 40 days ago: the nightly job has moved the window since
    triage.set_estimates(db.session, z, staff, impact=5, effort=1)
    triage.set_estimates(db.session, y, staff, impact=2, effort=2)
    return x, y, z


def figures(page):
    return {row.idea.title[-1]: (row.votes, row.voters, row.recent, row.superfans, row.demand) for row in page.rows}


def test_priorities_count_votes_voters_recent_votes_superfans_and_demand(demand):
    assert figures(queries.priorities(db.session)) == {
        "x": (5, 4, 4, 1, 1 + 2 + 3 + 1 + 1),  # Kim (a name only) is a vote, not a voter; the fan's vote is old
        "y": (3, 3, 3, 2, 1 + 3 + 3),
        "z": (4, 1, 4, 0, 4)}


def test_a_deleted_superfans_votes_weigh_as_anyones(demand, superfan):
    service.cast_vote(db.session, demand[2], superfan)
    assert figures(queries.priorities(db.session))["z"] == (5, 2, 5, 1, 4 + 3)

    accounts.delete_account(db.session, superfan, password=PASSWORD)

    db.session.expire_all()
    assert figures(queries.priorities(db.session)) == {  # the votes stay, weighing 1 like anyone's
        "x": (5, 4, 4, 0, 1 + 2 + 1 + 1 + 1), "y": (3, 3, 3, 1, 1 + 1 + 3), "z": (5, 2, 5, 0, 4 + 1)}

@pytest.mark.parametrize(("sort", "order"), [("demand", "xyz"), ("votes", "xzy"), ("voters", "xyz"),
                                             ("priority", "zyx"), ("superfans", "yxz")])
def test_priorities_sort(demand, sort, order):
    assert "".join(row.idea.title[-1] for row in queries.priorities(db.session, sort=sort).rows) == order


def test_priorities_filter_by_board_category_and_status(demand, make_board, make_idea, staff):
    x, y, z = demand
    tents = next(c for c in x.board.categories if c.name == "Tents")
    service.edit_idea(db.session, z, staff, title=z.title, description="", category_id=tents.id)
    set_status(x, staff, "done")
    elsewhere = make_idea("Idea w", on=make_board())
    assert set(figures(queries.priorities(db.session))) == {"y", "z", "w"}
    assert set(figures(queries.priorities(db.session, board_id=x.board_id))) == {"y", "z"}
    assert set(figures(queries.priorities(db.session, category_id=tents.id))) == {"z"}
    assert set(figures(queries.priorities(db.session, status="done"))) == {"x"}
    assert set(figures(queries.priorities(db.session, status="all", board_id=elsewhere.board_id))) == {"w"}


def test_priorities_page_none_gives_every_row(board, member):
    plant(board, member, PAGE_SIZE + 5)
    paged = queries.priorities(db.session, page=1)
    assert (len(paged.rows), paged.total, paged.pages) == (PAGE_SIZE, PAGE_SIZE + 5, 2)
    assert len(queries.priorities(db.session, page=None).rows) == PAGE_SIZE + 5
    assert queries.priorities(db.session, page=9).page == 2
