"""The fans pages run a fixed number of queries whatever the member's history or the number of members."""
from __future__ import annotations

from datetime import timedelta

from portal.accounts.models import Tier
from portal.community import service as community
from portal.extensions import db
from portal.fans import queries, scoring
from portal.fans.models import EngagementEvent, FanBadge, FanStanding
from portal.kernel.pagecache import invalidate
from portal.kernel.timeutil import utcnow

KINDS = ("post", "comment", "like_received", "like_given", "idea_vote", "visit")


def add_history(member, count: int, other=None, post=None) -> None:
    """`count` events of mixed kinds over the last months, some capped, some voided, some on a post."""
    now = utcnow()
    for n in range(count):
        when = now - timedelta(days=n % 120, minutes=n)
        kind = KINDS[n % len(KINDS)]
        db.session.add(EngagementEvent(
            user_id=member.id, kind=kind, created_at=when, day=when.date().toordinal(), weight=2000,
            points=0 if n % 7 == 3 else 2000, limited="daily_cap" if n % 7 == 3 else None,
            voided="hidden" if n % 11 == 5 else None, other_user_id=other.id if other and "like" in kind else None,
            post_id=post.id if post is not None and n % 5 == 0 else None))
    db.session.commit()
    scoring.recompute(db.session, [member.id])


def engagement_queries(client, count_queries) -> int:
    with count_queries() as counted:
        response = client.get("/me/engagement")
    assert response.status_code == 200
    return counted.count


def test_the_engagement_page_runs_the_same_queries_for_3_or_200_events(app, make_member, login, count_queries):
    old = utcnow() - timedelta(days=200)
    small, big, friend = (make_member(created_at=old) for _ in range(3))
    post = community.create_post(db.session, friend, body="A post that earned likes")
    add_history(small, 3, friend, post)
    add_history(big, 200, friend, post)
    for who in (small, big):
        db.session.add(FanBadge(user_id=who.id, badge="first_post"))
    db.session.commit()
    small_client, big_client = login(small), login(big)
    # The first page of the day also counts the visit: warm both up so the measured requests compare alike.
    small_client.get("/me/engagement")
    big_client.get("/me/engagement")
    few = engagement_queries(small_client, count_queries)
    many = engagement_queries(big_client, count_queries)
    assert few == many
    page = big_client.get("/me/engagement?page=4").get_data(as_text=True)
    assert "Page 4 of 5" in page  # 200 events and the visits, 50 a page


def test_the_ledger_page_reads_its_events_in_one_query(app, make_member, count_queries):
    old = utcnow() - timedelta(days=200)
    member, friend = make_member(created_at=old), make_member(created_at=old)
    post = community.create_post(db.session, friend, body="Liked a lot")
    add_history(member, 120, friend, post)
    settings = queries.rules.settings(db.session)
    member_id, friend_name = member.id, friend.display_name
    with count_queries() as counted:
        page = queries.ledger_page(db.session, member_id, settings, total=120, page=1)
        shown = [(e.what, e.other, e.void_text, e.limit_text) for e in page.events]  # all read, no lazy load
    assert counted.count == 1, counted.statements
    assert len(shown) == queries.PER_PAGE
    assert any(e.what and "Liked a lot" in e.what for e in page.events)
    assert any(e.other == friend_name for e in page.events)


def leaderboard_queries(client, count_queries, url: str) -> int:
    """The statements of a leaderboard drawn afresh (visitors are served the cached copy after the first)."""
    invalidate("leaderboard")
    with count_queries() as counted:
        response = client.get(url)
    assert response.status_code == 200
    return counted.count


def test_the_leaderboard_runs_the_same_queries_for_3_or_40_members(app, client, make_member, count_queries):
    old = utcnow() - timedelta(days=200)
    urls = ("/leaderboard", "/leaderboard?period=all", "/leaderboard?tier=superfans", "/leaderboard?tier=fans&period=all")
    members = [make_member(created_at=old, tier=(Tier.SUPERFAN, Tier.FAN, Tier.MEMBER)[n % 3]) for n in range(3)]
    for who in members:
        add_history(who, 4)
    client.get("/leaderboard")  # the first request reads the site's settings into the cache
    few = [leaderboard_queries(client, count_queries, url) for url in urls]
    for n in range(37):
        who = make_member(created_at=old, tier=(Tier.SUPERFAN, Tier.FAN, Tier.MEMBER)[n % 3])
        add_history(who, 4)
        members.append(who)
    db.session.get(FanStanding, members[5].id).hidden = True
    db.session.commit()
    many = [leaderboard_queries(client, count_queries, url) for url in urls]
    assert few == many
    board = client.get("/leaderboard?period=all").get_data(as_text=True)
    assert board.count('data-label="Rank"') == 39  # 40 members, one opted out


def test_the_leaderboard_list_is_one_query(app, make_member, count_queries):
    old = utcnow() - timedelta(days=200)
    for _ in range(5):
        add_history(make_member(created_at=old), 3)
    for period in queries.PERIODS:
        for tier in queries.TIER_FILTERS.values():
            with count_queries() as counted:
                queries.leaderboard(db.session, period, tier)
            assert counted.count == 1
    assert len(queries.leaderboard(db.session, "all", None)) == 5


def test_members_read_the_ranking_drawn_once_for_everyone(app, login, make_member, count_queries):
    old = utcnow() - timedelta(days=200)
    for _ in range(3):
        add_history(make_member(created_at=old), 3)
    reader = login(make_member(created_at=old))
    reader.get("/leaderboard?period=all")  # the site's settings, the session: read and cached once
    drawn = leaderboard_queries(reader, count_queries, "/leaderboard?period=all")
    with count_queries() as counted:
        assert reader.get("/leaderboard?period=all").status_code == 200
    assert counted.count == drawn - 1  # the ranking's query is not run again until a tier or a visibility changes
