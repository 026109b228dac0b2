"""Tiers: the lines (top X% of active members, with a floor), promotion at once with a notification and an
email in the member's language, hysteresis over simulated weeks, pins with a reason, and tier-weighted votes."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select, update

from portal.accounts.models import AuditEvent, Tier, User
from portal.community import service as community
from portal.community.models import Post
from portal.extensions import db
from portal.fans import jobs, service, tiers
from portal.fans.models import FanStanding
from portal.feedback import queries as feedback_queries
from portal.feedback import service as feedback
from portal.feedback import triage
from portal.feedback.models import Visibility
from portal.kernel.notifications import Notification

from .core_fixtures import settings_form, standing, weights_form

# Lines that are their floors: with every active member inside the top 100%, the line is the floor as long as
# someone active scores below it (the filler member of these tests).
FLOORS = {"superfan_percent": 100, "fan_percent": 100, "superfan_floor": 30, "fan_floor": 10}


def _posts(member, count, tag="post"):
    for n in range(count):
        community.create_post(db.session, member, body=f"{tag} {n} by {member.display_name} on {member.id}")


def _tier(member):
    db.session.expire(member)
    return member.tier


def _tier_notes(member):
    return [n.detail for n in db.session.scalars(select(Notification).where(Notification.user_id == member.id,
                                                                            Notification.kind == "tier")
                                                .order_by(Notification.id))]


def _audit(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


@pytest.fixture
def floors(admin, people):
    """Lines at their floors (30 for superfans, 10 for fans), and a filler member scoring 2."""
    service.save_settings(db.session, admin, settings_form(**FLOORS), weights_form())
    filler = people(display_name="Filler")
    post = community.create_post(db.session, admin, body="Welcome, everyone")
    community.add_comment(db.session, post, filler, body="Hello")  # a comment, and a reply: 3 points
    jobs.nightly_pass()
    return filler


def test_lines_are_the_top_shares_of_active_members_with_a_floor(people, admin, clock):
    members = [people(display_name=f"M{k}") for k in range(1, 11)]
    for k, member in enumerate(members, start=1):
        _posts(member, k)  # scores 5, 10, ... 50
    lines = tiers.draw_lines(db.session)
    assert (lines.superfan, lines.fan, lines.active) == (100, 40, 10)  # the floor (100); the third best (40 > 25)
    service.save_settings(db.session, admin, settings_form(superfan_percent=20, superfan_floor=0, fan_percent=50,
                                                           fan_floor=0), weights_form())
    lines = tiers.current_lines(db.session)  # redrawn after the change
    assert (lines.superfan, lines.fan) == (pytest.approx(45), pytest.approx(30))
    # Promotions so far read the lines drawn when the first member scored; start the tiers afresh.
    db.session.execute(update(User).values(tier=Tier.MEMBER))
    db.session.execute(update(FanStanding).values(tier_since=None))
    db.session.commit()
    jobs.nightly_pass()
    assert [_tier(m) for m in members] == [Tier.MEMBER] * 5 + [Tier.FAN] * 3 + [Tier.SUPERFAN] * 2

    # A member with a big score but no event in 100 days is not active: not counted, and not a superfan.
    ghost = people(display_name="Ghost", created_at=clock.now - timedelta(days=400))
    db.session.info["clock"] = clock.now - timedelta(days=150)
    try:
        _posts(ghost, 30, "old")
    finally:
        db.session.info.pop("clock")
    jobs.nightly_pass()
    assert tiers.current_lines(db.session).active == 10
    assert _tier(ghost) is Tier.MEMBER


def test_promotion_is_immediate_with_a_notification_and_an_email_in_the_members_language(floors, people, mailbox):
    camille = people(display_name="Camille", locale="fr")
    _posts(camille, 1)
    assert _tier(camille) is Tier.MEMBER
    _posts(camille, 1, "second")  # 10 points: a fan, at once
    assert _tier(camille) is Tier.FAN
    _posts(camille, 4, "more")  # 30 points: a superfan
    assert _tier(camille) is Tier.SUPERFAN
    assert _tier_notes(camille) == ["fan", "superfan"]
    mails = [m for m in mailbox() if m["To"] == camille.email]
    assert [m["Content-Language"] for m in mails] == ["fr", "fr"]
    with force_locale("fr"):
        assert sorted(m["Subject"] for m in mails) == sorted(str(s) for s in tiers.TIER_SUBJECTS.values())
    assert standing(camille).tier_since is not None


def test_a_promotion_holds_for_the_grace_period_then_demotion_waits_for_ninety_percent(floors, people, admin, clock):
    service.save_settings(db.session, admin, settings_form(**FLOORS), weights_form(post=31))
    steady = people(display_name="Steady")  # 31 points that decay: below 30 at once, below 27 after 18 days
    _posts(steady, 1)
    quitter = people(display_name="Quitter")  # 62 points, then deletes a post and voids the rest
    _posts(quitter, 2)
    assert _tier(steady) is _tier(quitter) is Tier.SUPERFAN
    for item in db.session.scalars(select(Post).where(Post.author_id == quitter.id)).all():
        community.delete_post(db.session, item, quitter)
    service.save_settings(db.session, admin, settings_form(**FLOORS), weights_form(post=5))
    _posts(quitter, 3, "after")  # 15 points: far below the line, above 90% of the fans' line
    history = []
    for day in range(1, 20):
        clock.advance(days=1)
        jobs.nightly_pass()
        history.append((day, _tier(steady), _tier(quitter)))
    quitter_down = next(day for day, _, tier in history if tier is not Tier.SUPERFAN)
    assert quitter_down == 14  # held for the whole grace period, though far below the line
    assert dict((d, t) for d, _, t in history)[14] is Tier.FAN
    steady_down = next(day for day, tier, _ in history if tier is not Tier.SUPERFAN)
    assert steady_down == 18  # below the line from day 1, but not below 27 (90%) before day 18
    assert 31 * 0.5 ** (17 / 90) >= 27 > 31 * 0.5 ** (18 / 90)
    assert dict((d, t) for d, t, _ in history)[18] is Tier.FAN


def test_an_inactive_superfan_is_demoted(floors, people, clock):
    gone = people(display_name="Gone")
    _posts(gone, 8)  # 40 points
    assert _tier(gone) is Tier.SUPERFAN
    clock.advance(days=101)  # no event for 100 days: not active any more
    jobs.nightly_pass()
    assert _tier(gone) is Tier.MEMBER


def test_staff_pin_and_unpin_a_tier_with_a_reason(floors, people, staff, clock):
    pinned = people(display_name="Pinned")
    with pytest.raises(service.FansError) as caught:
        service.pin(db.session, staff, pinned, "superfan", "   ")
    assert "reason" in caught.value.errors
    with pytest.raises(service.FansError):
        service.pin(db.session, staff, pinned, "emperor", "Long-time customer")
    with pytest.raises(PermissionError):
        service.pin(db.session, pinned, pinned, "superfan", "I deserve it")
    assert _tier(pinned) is Tier.MEMBER and _audit("fans.pin") == []

    service.pin(db.session, staff, pinned, "superfan", "Runs our biggest user group")
    assert _tier(pinned) is Tier.SUPERFAN
    assert standing(pinned).pinned and standing(pinned).pin_reason == "Runs our biggest user group"
    assert _audit("fans.pin")[0].details == {"tier": "superfan", "from": "member", "reason": "Runs our biggest user group"}
    assert _tier_notes(pinned) == ["superfan"]
    for _ in range(20):  # no score at all: the pin holds night after night
        clock.advance(days=1)
        jobs.nightly_pass()
    assert _tier(pinned) is Tier.SUPERFAN

    with pytest.raises(service.FansError):
        service.unpin(db.session, staff, pinned, "")
    service.unpin(db.session, staff, pinned, "The group closed")
    assert _audit("fans.unpin")[0].details["reason"] == "The group closed"
    assert not standing(pinned).pinned
    clock.advance(days=13)
    jobs.nightly_pass()
    assert _tier(pinned) is Tier.SUPERFAN  # unpinned, the grace period starts again
    clock.advance(days=1)
    jobs.nightly_pass()
    assert _tier(pinned) is Tier.MEMBER


def test_a_suspension_takes_the_tier_and_the_end_of_it_gives_it_back(floors, people, moderator, clock):
    from portal.community import moderation  # only this test suspends

    sam = people(display_name="Sam")
    _posts(sam, 7)
    assert _tier(sam) is Tier.SUPERFAN
    moderation.suspend(db.session, moderator, sam, days=2, reason="Off-topic flood")
    assert _tier(sam) is Tier.MEMBER
    clock.advance(days=3)
    jobs.nightly_pass()
    assert _tier(sam) is Tier.SUPERFAN


def test_votes_weigh_by_tier_in_the_demand_score(floors, people, admin):
    board = triage.save_board(db.session, admin, None, name="Ideas", slug="ideas", description="",
                              visibility=Visibility.PUBLIC, vote_budget=50, categories="")
    author, voter = people(display_name="Author"), people(display_name="Voter")
    idea, _ = feedback.submit_idea(db.session, board, author, title="A lantern that charges phones")
    feedback.cast_vote(db.session, idea, voter)

    def demand():
        rows = feedback_queries.priorities(db.session, board_id=board.id).rows
        return next(row for row in rows if row.idea.id == idea.id).demand, rows[0].superfans

    assert _tier(author) is Tier.MEMBER  # 5 points for the idea, 1 for... nothing: her own vote
    assert demand() == (2, 0)
    _posts(voter, 6)  # 31 points with the vote: a superfan
    assert _tier(voter) is Tier.SUPERFAN
    assert demand() == (1 + feedback_queries.VOTE_WEIGHTS[Tier.SUPERFAN], 1)


def test_standings_exist_only_for_members_with_events(floors, people):
    quiet = people(display_name="Quiet")
    assert db.session.get(FanStanding, quiet.id) is None
