"""The score: Σ weight × 0.5^(age / half-life), kept in each event's transaction, decayed nightly, shown as of today."""
from __future__ import annotations

import pytest

from portal.community import service as community
from portal.extensions import db
from portal.fans import jobs, rules, scoring, service
from portal.fans.models import EngagementEvent

from .core_fixtures import formula, ledger, points, settings_form, snapshot, standing, weights_form


def test_score_is_the_decayed_sum_of_the_events(people, clock):
    alice = people()
    first_day = clock.day
    post = community.create_post(db.session, alice, body="Our first trip with the new tent")  # 5 points
    clock.advance(days=30)
    community.add_comment(db.session, post, alice, body="A few photos more")  # 2 points, no reply to herself
    clock.advance(days=60)
    community.create_post(db.session, alice, body="Ninety days later, still dry")  # 5 points
    kept = standing(alice)
    assert kept.scored_day == first_day  # no nightly pass yet: stored as of the first event's day
    assert (kept.score, kept.like_score, kept.lifetime) == formula(alice, as_of=first_day)
    assert kept.lifetime == 12_000
    expected = 5 * 0.5 + 2 * 0.5 ** (60 / 90) + 5  # as of today, 90 days after the first post
    assert points(alice) == pytest.approx(expected, rel=1e-5)

    jobs.nightly_pass()
    kept = standing(alice)
    assert kept.scored_day == clock.day
    assert (kept.score, kept.like_score, kept.lifetime) == formula(alice, as_of=clock.day)
    assert points(alice) == pytest.approx(expected, rel=1e-5)

    clock.advance(days=90)  # a half-life later, with no new event: the page shows half, the night stores it
    assert points(alice) == pytest.approx(expected / 2, rel=1e-5)
    jobs.nightly_pass()
    assert standing(alice).score == formula(alice, as_of=clock.day)[0]
    assert scoring.points_of(standing(alice).score) == pytest.approx(expected / 2, rel=1e-5)


def test_events_recorded_in_the_past_decay_from_their_own_day(people, clock):
    """A replay (the demo) sets the session's clock: the events carry that day, and their points decay from it."""
    bob = people(created_at=clock.now.replace(year=clock.now.year - 2))
    db.session.info["clock"] = clock.now.replace(year=clock.now.year - 1)
    try:
        community.create_post(db.session, bob, body="An old post, replayed")
    finally:
        db.session.info.pop("clock")
    event = ledger(bob)[0]
    assert event.day == clock.day - (clock.now - clock.now.replace(year=clock.now.year - 1)).days
    assert standing(bob).scored_day == clock.day
    assert points(bob) == pytest.approx(5 * 0.5 ** ((clock.day - event.day) / 90), rel=1e-5)


def test_nightly_decay_keeps_every_member_on_the_formula(people, clock):
    members = [people() for _ in range(4)]
    for n, member in enumerate(members):
        for _ in range(n + 1):
            community.create_post(db.session, member, body=f"Post {clock.now} by {member.id}")
            clock.advance(days=7)
    for _ in range(3):
        clock.advance(days=1)
        jobs.nightly_pass()
        for member in members:
            assert standing(member).scored_day == clock.day
            assert snapshot()[member.id] == formula(member, as_of=clock.day)


def test_weights_apply_from_the_change_on_and_the_ledger_keeps_each_events_weight(people, clock, admin):
    carol = people()
    community.create_post(db.session, carol, body="Before the change")
    service.save_settings(db.session, admin, settings_form(), weights_form(post=12.5))
    community.create_post(db.session, carol, body="After the change")
    assert [(e.weight, e.points) for e in ledger(carol, "post")] == [(5000, 5000), (12500, 12500)]
    assert standing(carol).lifetime == 17_500
    scoring.recompute(db.session)
    assert standing(carol).lifetime == 17_500  # a recompute reads the ledger: old events keep their old weight


def test_a_new_half_life_rescores_everyone(people, clock, admin):
    dan = people()
    community.create_post(db.session, dan, body="A post to decay")
    clock.advance(days=20)
    assert service.save_settings(db.session, admin, settings_form(half_life_days=10), weights_form()) is True
    kept = standing(dan)
    assert kept.scored_day == clock.day
    assert kept.score == formula(dan, as_of=clock.day, half_life=10)[0]
    assert points(dan) == pytest.approx(5 * 0.25, rel=1e-5)


@pytest.mark.parametrize(("field", "value"), [("post", "-1"), ("post", "lots"), ("post", "1000.5"), ("post", "nan")])
def test_bad_weights_are_refused_and_change_nothing(people, admin, field, value):
    with pytest.raises(service.FansError) as caught:
        service.save_settings(db.session, admin, settings_form(), weights_form(**{field: value}))
    assert f"weight-{field}" in caught.value.errors
    rules.forget()
    assert rules.weights(db.session)["post"] == 5


@pytest.mark.parametrize(("field", "value"), [("superfan_percent", "101"), ("fan_percent", "-3"),
                                              ("half_life_days", "0"), ("pair_cap", "1.5"), ("daily_cap", "")])
def test_bad_settings_are_refused_and_change_nothing(people, admin, field, value):
    with pytest.raises(service.FansError) as caught:
        service.save_settings(db.session, admin, settings_form(**{field: value}), weights_form())
    assert field in caught.value.errors
    rules.forget()
    assert rules.settings(db.session) == rules.Settings()


def test_only_admins_change_the_weights(people, staff):
    with pytest.raises(PermissionError):
        service.save_settings(db.session, staff, settings_form(), weights_form(post=50))
    assert rules.weights(db.session)["post"] == 5


def test_one_write_to_the_standing_per_contribution(people, count_queries):
    erin = people()
    community.create_post(db.session, erin, body="Warm-up post")
    post = community.create_post(db.session, erin, body="Second post")
    with count_queries() as counter:
        community.add_comment(db.session, post, erin, body="A comment on my own post")
    writes = [s for s in counter.statements if s.lstrip().upper().startswith("UPDATE FAN_STANDINGS")
              and "SET scored_day=fan_standings.scored_day" not in s]
    assert len(writes) == 1  # besides the row locks (no-op updates): the new score
    assert db.session.scalar(db.select(db.func.count()).select_from(EngagementEvent)
                             .where(EngagementEvent.user_id == erin.id)) == 3
