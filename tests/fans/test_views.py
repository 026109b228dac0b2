"""The fans pages over HTTP: my engagement, the leaderboard toggle, the leaderboard, badges, notifications, mail."""
from __future__ import annotations

from datetime import timedelta

import pytest

from portal.accounts.models import Tier
from portal.extensions import db
from portal.fans import scoring, tiers
from portal.fans.models import EngagementEvent, FanBadge, FanStanding
from portal.kernel import mail
from portal.kernel.notifications import notify
from portal.kernel.timeutil import utcnow
from portal.kernel.uow import commit

MONTH_AGO = timedelta(days=30)


def give_points(member, points: float, *, kind: str = "post", days_ago: int = 1, **extra) -> None:
    """One counted event worth `points`, `days_ago` days old, then the standing rebuilt from the ledger."""
    when = utcnow() - timedelta(days=days_ago)
    db.session.add(EngagementEvent(user_id=member.id, kind=kind, created_at=when, day=when.date().toordinal(),
                                   weight=int(points * 1000), points=int(points * 1000), **extra))
    db.session.commit()
    scoring.recompute(db.session, [member.id])


@pytest.fixture
def old_member(make_member):
    return make_member(display_name="Olga Oldtimer", created_at=utcnow() - MONTH_AGO)


# -- my engagement ------------------------------------------------------------------------------

def test_engagement_page_asks_visitors_to_sign_in(client):
    response = client.get("/me/engagement")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_engagement_page_shows_score_ledger_and_what_earns_points(client, auth, old_member):
    give_points(old_member, 5, days_ago=2)
    give_points(old_member, 1, kind="like_received", days_ago=3, limited=None)
    when = utcnow() - timedelta(days=1)
    db.session.add(EngagementEvent(user_id=old_member.id, kind="like_given", created_at=when,
                                   day=when.date().toordinal(), weight=500, points=0, limited="pair_cap"))
    db.session.add(EngagementEvent(user_id=old_member.id, kind="comment", created_at=when,
                                   day=when.date().toordinal(), weight=2000, points=2000, voided="hidden"))
    db.session.commit()
    auth.login(old_member)
    page = client.get("/me/engagement").get_data(as_text=True)
    assert "My engagement" in page
    assert "Where your points come from" in page
    assert "daily limit of likes between the same two members reached" in page  # the cap, in words
    assert "hidden by a moderator" in page  # the void, in words
    assert "What earns points" in page and "Share a post with the community" in page
    assert "First post" in page  # a badge still to earn, with its rule
    assert "Leave me off the leaderboard" in page
    # The likes received need distinct givers before they count toward a tier: the page says how many there are.
    assert "You have likes from 0 members." in page


def _forget_visits(member) -> None:
    """A signed-in member's first page of the day counts "a day with a visit": take it out, so a test controls
    every point (the visit is counted once a day, so it does not come back)."""
    db.session.execute(db.delete(EngagementEvent).where(EngagementEvent.kind == "visit"))
    db.session.commit()
    scoring.recompute(db.session, [member.id])


def test_engagement_page_gives_the_pace_to_the_next_tier(client, auth, old_member):
    auth.login(old_member)
    client.get("/me/engagement")
    _forget_visits(old_member)
    give_points(old_member, 5, days_ago=5)
    page = client.get("/me/engagement").get_data(as_text=True)
    # One active member: the fan line is its floor, 25 points. 5 points five days old are worth 4.8 today:
    # 20.2 to go, at 5 points a month (1.17 a week) about 18 weeks.
    assert "20.2 points to fan" in page
    assert "at your pace about 18 weeks" in page
    assert "Your pace: 5 points earned in the last 30 days." in page


def test_engagement_page_says_when_there_is_no_pace_yet(client, auth, old_member):
    auth.login(old_member)
    client.get("/me/engagement")
    _forget_visits(old_member)
    give_points(old_member, 5, days_ago=50)
    page = client.get("/me/engagement").get_data(as_text=True)
    assert "points to fan" in page
    assert "No pace yet" in page and "at your pace" not in page


def test_the_leaderboard_toggle_hides_and_shows_me(app, client, auth, old_member):
    give_points(old_member, 10)
    visitor = app.test_client()
    assert "Olga Oldtimer" in visitor.get("/leaderboard").get_data(as_text=True)
    auth.login(old_member)
    response = client.post("/me/engagement/leaderboard", data={"show": "0"})
    assert response.status_code == 302
    assert db.session.get(FanStanding, old_member.id).hidden is True
    assert "Show me on the leaderboard" in client.get("/me/engagement").get_data(as_text=True)
    assert "Olga Oldtimer" not in visitor.get("/leaderboard").get_data(as_text=True)
    client.post("/me/engagement/leaderboard", data={"show": "1"})
    db.session.expire_all()
    assert db.session.get(FanStanding, old_member.id).hidden is False
    assert "Olga Oldtimer" in visitor.get("/leaderboard").get_data(as_text=True)


def test_a_signed_in_member_sees_the_shared_ranking_change_at_once(client, auth, login, old_member, make_member):
    """Members read the ranking drawn for everyone; hiding oneself or a new tier redraws it for them too."""
    give_points(old_member, 10)
    reader = login(make_member(display_name="Rhea Reader"))
    assert "Olga Oldtimer" in reader.get("/leaderboard").get_data(as_text=True)
    auth.login(old_member)
    client.post("/me/engagement/leaderboard", data={"show": "0"})
    assert "Olga Oldtimer" not in reader.get("/leaderboard").get_data(as_text=True)
    client.post("/me/engagement/leaderboard", data={"show": "1"})
    assert "Olga Oldtimer" in reader.get("/leaderboard").get_data(as_text=True)
    assert "Olga Oldtimer" not in reader.get("/leaderboard?tier=superfans").get_data(as_text=True)
    old_member.tier = Tier.SUPERFAN
    tiers.shown_changed(db.session, old_member)  # what a promotion does
    commit(db.session)
    assert "Olga Oldtimer" in reader.get("/leaderboard?tier=superfans").get_data(as_text=True)


def test_the_leaderboard_toggle_needs_a_csrf_token(app, client, auth, old_member):
    give_points(old_member, 10)
    auth.login(old_member)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/me/engagement/leaderboard", data={"show": "0"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert db.session.get(FanStanding, old_member.id).hidden is False


def test_the_leaderboard_toggle_asks_visitors_to_sign_in(client):
    assert client.post("/me/engagement/leaderboard", data={"show": "0"}).status_code == 302


# -- the leaderboard ------------------------------------------------------------------------------

def _rows(page: str) -> list[str]:
    return [chunk.split("</td>")[0].strip() for chunk in page.split('data-label="Rank">')[1:]]


def test_opted_out_members_are_left_out_without_re_ranking(client, make_member):
    old = utcnow() - MONTH_AGO
    first, second, third = (make_member(display_name=n, created_at=old) for n in ("Ann First", "Ben Second", "Cy Third"))
    for who, pts in ((first, 30), (second, 20), (third, 10)):
        give_points(who, pts)
    db.session.get(FanStanding, second.id).hidden = True
    db.session.commit()
    for period in ("30d", "all"):
        page = client.get(f"/leaderboard?period={period}").get_data(as_text=True)
        assert "Ann First" in page and "Cy Third" in page
        assert "Ben Second" not in page
        assert _rows(page) == ["#1", "#3"]  # Cy keeps rank 3: nobody moves up into the hidden member's place


def test_deleted_and_suspended_members_are_left_out(client, make_member):
    old = utcnow() - MONTH_AGO
    kept = make_member(display_name="Kim Kept", created_at=old)
    gone = make_member(display_name="Gus Gone", created_at=old)
    barred = make_member(display_name="Sal Suspended", created_at=old)
    for who in (kept, gone, barred):
        give_points(who, 10)
    gone.deleted_at = utcnow()
    barred.suspended_until = utcnow() + timedelta(days=3)
    db.session.commit()
    page = client.get("/leaderboard?period=all").get_data(as_text=True)
    assert "Kim Kept" in page and "Gus Gone" not in page and "Sal Suspended" not in page
    assert _rows(page) == ["#1"]


def test_the_leaderboard_filters_by_tier(client, make_member):
    old = utcnow() - MONTH_AGO
    star = make_member(display_name="Sue Star", created_at=old, tier=Tier.SUPERFAN)
    fan = make_member(display_name="Fred Fan", created_at=old, tier=Tier.FAN)
    for who in (star, fan):
        give_points(who, 10)
    superfans = client.get("/leaderboard?tier=superfans").get_data(as_text=True)
    assert "Sue Star" in superfans and "Fred Fan" not in superfans
    fans = client.get("/leaderboard?tier=fans&period=all").get_data(as_text=True)
    assert "Fred Fan" in fans and "Sue Star" not in fans


def test_the_30_day_leaderboard_counts_only_the_window(client, make_member):
    old = utcnow() - timedelta(days=200)
    recent = make_member(display_name="Rita Recent", created_at=old)
    veteran = make_member(display_name="Vic Veteran", created_at=old)
    give_points(recent, 5, days_ago=2)
    give_points(veteran, 50, days_ago=60)
    assert "Vic Veteran" not in client.get("/leaderboard").get_data(as_text=True)
    assert "Vic Veteran" in client.get("/leaderboard?period=all").get_data(as_text=True)


@pytest.mark.parametrize("query", ["tier=legends", "period=forever", "tier="])
def test_an_unknown_tier_or_period_is_not_found(client, query):
    assert client.get(f"/leaderboard?{query}").status_code == 404


def test_the_leaderboard_is_in_the_main_navigation(client):
    page = client.get("/boards").get_data(as_text=True)
    assert 'href="/leaderboard"' in page


# -- badges -----------------------------------------------------------------------------------------

def test_a_badge_page_shows_its_rule_and_holders(client, old_member):
    db.session.add(FanBadge(user_id=old_member.id, badge="first_post"))
    db.session.commit()
    page = client.get("/badges/first_post").get_data(as_text=True)
    assert "Share your first post or question." in page
    assert "Olga Oldtimer" in page


def test_an_unknown_badge_is_not_found(client):
    assert client.get("/badges/nonsense").status_code == 404


def test_badges_and_tier_show_on_the_profile(client, make_member):
    star = make_member(display_name="Pia Profile", tier=Tier.SUPERFAN)
    db.session.add(FanBadge(user_id=star.id, badge="first_idea"))
    db.session.commit()
    page = client.get(f"/members/{star.id}").get_data(as_text=True)
    assert "First idea" in page and "Superfan" in page
    assert "has not posted yet" in page  # the community section still draws


# -- notifications and mail ----------------------------------------------------------------------------

def test_tier_and_badge_notifications_say_what_happened(client, auth, old_member):
    notify(db.session, old_member.id, "tier", detail="superfan")
    notify(db.session, old_member.id, "badge", detail="first_post")
    db.session.commit()
    auth.login(old_member)
    page = client.get("/notifications").get_data(as_text=True)
    assert "You are now a superfan" in page
    assert "You earned the badge <strong>First post</strong>" in page
    assert 'href="/me/engagement"' in page and 'href="/me/engagement#badges"' in page


@pytest.mark.parametrize("locale, words", [("en", "You are now a superfan of"), ("fr", "superfan de")])
def test_the_tier_mail_links_to_the_engagement_page(app, locale, words):
    message = mail.compose("zoe@example.com", "Hi", "tier_reached", locale, name="Zoé", tier="superfan")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert words in text and "Zoé" in text
    assert "http://tribune.test/me/engagement" in text and "http://tribune.test/me/engagement" in html
    fan = mail.compose("zoe@example.com", "Hi", "tier_reached", locale, name="Zoé", tier="fan")
    assert "superfan de" not in fan.get_body(("plain",)).get_content().split("\n")[2] or locale == "en"
