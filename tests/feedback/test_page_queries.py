"""Feedback pages run the same number of SQL statements for one idea as for thirty (no N+1),
and the board's sorts walk their indexes.

Each test measures a page with one of everything it shows (one idea with one vote and one
comment, one of each status a listing shows; on the idea page also one status change, one
merged duplicate and one customer's vote), adds many more of each, every one by a different
member, and measures again. The page cache is a NullCache here, so visitors' pages are really
drawn every time.

Measured on both legs (SQLite and PostgreSQL give the same numbers), and used as the bounds:

    page                          anonymous   member   staff
    /boards/<slug>, each sort         5          9        9
    /ideas/<id>                       6         11       12   (a member's: who commented, for the activity's key)
    /roadmap                          5          6        -
    /roadmap/<status> (full column)   4          6        -
    /changelog                        5          6        -
    /staff/priorities                 -          -        6
    /staff/priorities?review=...      -          -        6

Signing in costs the session lookup, the viewer's votes and budget (on the board also the list of
ideas holding the viewer's votes, "My votes"; on the idea page the subscription); staff also get the idea's voters. Every page reads the site settings once; the
board page reads its categories once (for the filter). The bounds are the measured numbers, with no room: a new statement on one of these pages
should be a decision, made on purpose.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from itertools import count, cycle
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from portal.accounts.models import Tier, User
from portal.extensions import db
from portal.feedback import queries, service, triage
from portal.feedback.models import Board, Idea, IdeaStatus, VoteSource
from portal.kernel.timeutil import utcnow

from .pages import page


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """No page cache: a visitor's page is drawn, as the first visit after a change is."""
    return {**app_config, "CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}


class World:
    """A board with a vote budget too large to run out of, its ideas, and the members who vote and comment on them."""

    def __init__(self, make_board: Callable[..., Board], make_member: Callable[..., User], staff: User):
        self.make_member = make_member
        self.staff = staff
        self.numbers = count(1)
        self.board = make_board(name="Product ideas", slug="product-ideas", vote_budget=1000, categories="Tents\nShoes")
        self.viewer = make_member(display_name="Vera Viewer")

    def member(self, **overrides: Any) -> User:
        n = next(self.numbers)
        return self.make_member(display_name=f"Fan {n}", **overrides)

    def ideas(self, how_many: int, *, statuses: tuple[IdeaStatus, ...] = (IdeaStatus.OPEN,), votes: int = 1,
              comments: int = 1) -> list[Idea]:
        """Ideas by different members, each in a category, with `votes` votes (the author's, the viewer's, then
        superfans' and members'), `comments` comments by different members, and the statuses given in turn."""
        made = []
        categories = cycle(self.board.categories)
        for _, status in zip(range(how_many), cycle(statuses)):
            n = next(self.numbers)
            idea, _voted = service.submit_idea(db.session, self.board, self.member(), title=f"Idea number {n}",
                                               description=f"Details of **{n}**", category_id=next(categories).id)
            self.votes(idea, votes - 1)
            self.comments(idea, comments)
            if status is not IdeaStatus.OPEN:
                triage.change_status(db.session, idea, self.staff, status=status, explanation=f"Why {n}")
            made.append(idea)
        return made

    def votes(self, idea: Idea, how_many: int) -> None:
        voters = [self.viewer, *(self.member(tier=Tier.SUPERFAN if i % 2 else Tier.MEMBER) for i in range(how_many - 1))]
        for voter in voters[:how_many]:
            service.cast_vote(db.session, idea, voter)

    def comments(self, idea: Idea, how_many: int) -> None:
        for _ in range(how_many):
            service.add_comment(db.session, idea, self.member(), body=f"Comment {next(self.numbers)}")

    def history(self, idea: Idea, how_many: int, statuses: list[IdeaStatus]) -> None:
        """Status changes, merged duplicates (each with a comment) and customers' votes, each by someone else."""
        for status in statuses[:how_many]:
            triage.change_status(db.session, idea, self.member(role=self.staff.role), status=status,
                                 explanation=f"Moving on {next(self.numbers)}")
        for duplicate in self.ideas(how_many, comments=1):
            triage.merge_ideas(db.session, duplicate, idea, self.member(role=self.staff.role))
        for _ in range(how_many):
            n = next(self.numbers)
            triage.vote_on_behalf(db.session, idea, self.member(role=self.staff.role), name=f"Customer {n}",
                                  source=VoteSource.PHONE, note=f"Called {n}")


@pytest.fixture
def world(app, make_board, make_member, staff) -> World:
    return World(make_board, make_member, staff)


@pytest.fixture
def browser(world: World, login, client, staff) -> Callable[[str], FlaskClient]:
    return lambda persona: {"anonymous": lambda: client, "member": lambda: login(world.viewer),
                            "staff": lambda: login(staff)}[persona]()


def measure(browser: FlaskClient, path: str, count_queries) -> tuple[int, str]:
    browser.get(path)  # once before, so one-off work (a session touch, a first lookup) is not counted
    with count_queries() as q:
        response = browser.get(path)
    assert response.status_code == 200, page(response)[:2000]
    return q.count, page(response)


def rows_shown(text: str) -> int:
    return text.count('<article class="idea-row"')


BOARD_BOUNDS = {"anonymous": 5, "member": 9, "staff": 9}


@pytest.mark.parametrize("sort", queries.SORTS)
@pytest.mark.parametrize("persona", list(BOARD_BOUNDS))
def test_a_board_costs_the_same_for_one_idea_as_for_thirty(world, browser, count_queries, persona, sort):
    who = browser(persona)
    path = f"/boards/{world.board.slug}?sort={sort}"
    world.ideas(1)
    with_one, text = measure(who, path, count_queries)
    assert rows_shown(text) == 1

    world.ideas(29, statuses=(IdeaStatus.OPEN, IdeaStatus.UNDER_REVIEW, IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS),
                votes=4, comments=2)
    with_thirty, text = measure(who, path, count_queries)

    assert rows_shown(text) == queries.PAGE_SIZE  # a page of them, each with its category, author and status
    if persona == "member":
        assert text.count('aria-pressed="true"') == queries.PAGE_SIZE  # the viewer voted for every one
    assert with_thirty == with_one, f"{path}: {with_one} statements for one idea, {with_thirty} for thirty"
    assert with_one <= BOARD_BOUNDS[persona], f"{path}: {with_one} statements"


@pytest.mark.parametrize(("persona", "bound"), [("anonymous", 6), ("member", 11), ("staff", 12)])
def test_an_idea_page_costs_the_same_for_one_comment_as_for_thirty(world, browser, count_queries, persona, bound):
    who = browser(persona)
    idea, = world.ideas(1, votes=2, comments=1)
    world.history(idea, 1, [IdeaStatus.UNDER_REVIEW])
    path = f"/ideas/{idea.id}"
    with_one, text = measure(who, path, count_queries)
    assert text.count('<li class="comment') == 2  # its own and the duplicate's

    world.comments(idea, 30)
    world.history(idea, 3, [IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS, IdeaStatus.UNDER_REVIEW])
    for _ in range(20):
        service.cast_vote(db.session, idea, world.member(tier=Tier.SUPERFAN))
    with_thirty, text = measure(who, path, count_queries)

    assert text.count('<li class="comment') == 35
    assert text.count('<li class="timeline-event"') == 2 + 6
    if persona == "staff":
        assert text.count("added by") == 4 and text.count("Superfan") >= 20  # the voters, with their tier
    assert with_thirty == with_one, f"{with_one} statements for one comment, {with_thirty} for thirty"
    assert with_one <= bound, f"{with_one} statements"


LISTINGS = [
    # (path, persona, statements at most, the status of the ideas it lists)
    ("/roadmap", "anonymous", 5, (IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS, IdeaStatus.DONE)),
    ("/roadmap", "member", 6, (IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS, IdeaStatus.DONE)),
    ("/roadmap/planned", "anonymous", 4, (IdeaStatus.PLANNED,)),
    ("/roadmap/planned", "member", 6, (IdeaStatus.PLANNED,)),
    ("/changelog", "anonymous", 5, (IdeaStatus.DONE,)),
    ("/changelog", "member", 6, (IdeaStatus.DONE,)),
    ("/staff/priorities", "staff", 6, (IdeaStatus.OPEN, IdeaStatus.PLANNED)),
    ("/staff/priorities?sort=superfans&status=all", "staff", 6, (IdeaStatus.OPEN, IdeaStatus.DONE)),
]


@pytest.mark.parametrize(("path", "persona", "bound", "statuses"), LISTINGS,
                         ids=[f"{p}-{who}" for p, who, *_ in LISTINGS])
def test_a_listing_costs_the_same_for_one_idea_as_for_thirty(world, browser, count_queries, make_board, path, persona,
                                                             bound, statuses):
    who = browser(persona)
    first = world.ideas(len(statuses), statuses=statuses)  # one idea of each status the page lists
    with_one, text = measure(who, path, count_queries)
    assert all(f'href="/ideas/{idea.id}"' in text for idea in first)

    world.board = make_board(name="Shop ideas", vote_budget=1000, categories="Opening hours")  # a second board too
    world.ideas(29, statuses=statuses, votes=3, comments=1)
    with_thirty, text = measure(who, path, count_queries)

    assert text.count('href="/ideas/') >= 20
    assert with_thirty == with_one, f"{path}: {with_one} statements for one idea, {with_thirty} for thirty"
    assert with_one <= bound, f"{path}: {with_one} statements"


@pytest.mark.parametrize("review", queries.PRIORITY_REVIEWS)
def test_the_priorities_review_filters_cost_the_same_for_one_idea_as_for_thirty(world, browser, count_queries, review):
    """The staff home's lists in full: never reviewed, or voted for since the last review (every vote here is)."""
    who = browser("staff")
    path = f"/staff/priorities?review={review}&status=all"

    def made(how_many: int, **kwargs: Any) -> list[Idea]:
        ideas = world.ideas(how_many, **kwargs)
        if review == "votes":
            db.session.execute(sa.update(Idea).where(Idea.id.in_([i.id for i in ideas]))
                               .values(reviewed_at=utcnow() - timedelta(days=1)))
            db.session.commit()
        return ideas

    first, = made(1)
    with_one, text = measure(who, path, count_queries)
    assert f'href="/ideas/{first.id}"' in text

    made(29, votes=3, comments=1)
    with_thirty, text = measure(who, path, count_queries)

    assert text.count('href="/ideas/') >= 20
    assert with_thirty == with_one, f"{path}: {with_one} statements for one idea, {with_thirty} for thirty"
    assert with_one <= 6, f"{path}: {with_one} statements"


# -- the board's sorts walk their indexes ----------------------------------------------------


INDEXES = {"top": "ix_ideas_board_votes", "trending": "ix_ideas_board_trending", "new": "ix_ideas_board_created",
           "updated": "ix_ideas_board_activity"}


def plan(statement: sa.Select) -> str:
    """The database's plan for the statement, as text."""
    sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "sqlite":
        return "\n".join(row[-1] for row in db.session.execute(sa.text("EXPLAIN QUERY PLAN " + sql)))
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    return "\n".join(row[0] for row in db.session.execute(sa.text("EXPLAIN " + sql)))


@pytest.fixture
def crowded(world: World, make_board) -> Board:
    """Two boards of 2,000 ideas each, written straight to the table, with the statistics updated."""
    other = make_board(name="Other ideas", vote_budget=None)
    author = world.member()
    rows = [{"board_id": board.id, "author_id": author.id, "title": f"Idea {board.id}-{n}", "description": "",
             "description_html": "", "status": list(IdeaStatus)[n % 6], "vote_count": n % 97, "comment_count": 0,
             "trending": n / 7, "response_html": ""} for board in (world.board, other) for n in range(2000)]
    db.session.execute(sa.insert(Idea), rows)
    db.session.commit()
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    return world.board


@pytest.mark.parametrize("sort", list(INDEXES))
def test_each_board_sort_walks_its_index_without_sorting(crowded, sort):
    statement = queries.board_query(crowded, sort).limit(queries.PAGE_SIZE)

    text = plan(statement)

    assert INDEXES[sort] in text, text
    assert "idea_votes" not in text, text
    if db.engine.dialect.name == "sqlite":
        assert "TEMP B-TREE" not in text and "SCAN ideas" not in text, text
    else:
        assert "Sort Key" not in text and "Seq Scan on ideas" not in text, text
    db.session.rollback()
