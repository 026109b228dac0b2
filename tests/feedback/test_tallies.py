"""Each idea's demand figures are kept with its votes and always equal a count of the vote rows."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select, update

from portal.accounts.models import Tier, User
from portal.extensions import db
from portal.feedback import queries, service, tallies, triage
from portal.feedback.models import Idea, IdeaStatus, Vote
from portal.feedback.service import VotingClosed
from portal.kernel.timeutil import utcnow
from portal.kernel.uow import commit, pending

from .helpers import set_status


def figures(idea: Idea) -> tuple[int, int, int, int, int]:
    db.session.refresh(idea)
    return idea.vote_count, idea.voter_count, idea.recent_votes, idea.superfan_votes, idea.demand


def test_a_vote_and_its_withdrawal_add_and_take_back_the_same_figures(make_idea, make_member, superfan):
    idea = make_idea("Lighter tent poles")  # its author's vote: a member's
    assert figures(idea) == (1, 1, 1, 0, 1)
    service.cast_vote(db.session, idea, superfan)
    assert figures(idea) == (2, 2, 2, 1, 1 + 3)
    service.withdraw_vote(db.session, idea, superfan)
    assert figures(idea) == (1, 1, 1, 0, 1)


def test_a_customer_without_email_is_a_vote_but_not_a_voter(make_idea, staff):
    idea = make_idea()
    triage.vote_on_behalf(db.session, idea, staff, name="Kim", source="phone")
    triage.vote_on_behalf(db.session, idea, staff, email="jo@shop.example.com", name="Jo")
    assert figures(idea) == (3, 2, 3, 0, 3)


def test_a_tier_change_moves_the_members_votes_to_their_new_weight(make_idea, make_member):
    voter = make_member()
    first, second = make_idea(), make_idea()
    for idea in (first, second):
        service.cast_vote(db.session, idea, voter)
    voter.tier = Tier.SUPERFAN
    commit(db.session)  # a service's commit: the tier job runs after it (inline in tests)
    assert figures(first)[3:] == (1, 1 + 3) and figures(second)[3:] == (1, 1 + 3)
    assert set(db.session.scalars(select(Vote.tier).where(Vote.user_id == voter.id))) == {Tier.SUPERFAN}
    voter.tier = Tier.FAN
    commit(db.session)
    assert figures(first)[3:] == (0, 1 + 2)
    assert tallies.mismatches(db.session) == []


def test_a_rolled_back_tier_change_changes_no_vote(make_idea, make_member):
    voter = make_member()
    idea = make_idea()
    service.cast_vote(db.session, idea, voter)
    voter.tier = Tier.SUPERFAN
    assert [fn for fn, _args, _kwargs in pending(db.session)] == [tallies.follow_tier]
    db.session.rollback()
    assert pending(db.session) == []  # the job went with the transaction
    commit(db.session)
    assert figures(idea)[3:] == (0, 2)


def test_a_vote_cast_while_its_voter_was_promoted_takes_the_new_tier(make_idea, make_member):
    """Another request promoted the voter (and its tier job ran) after this one read them: the vote's own
    commit finds the difference and moves it."""
    idea, voter = make_idea(), make_member()
    db.session.execute(update(User).where(User.id == voter.id).values(tier=Tier.SUPERFAN)
                       .execution_options(synchronize_session=False))  # the voter object here still says member
    service.cast_vote(db.session, idea, voter)
    assert figures(idea)[3:] == (1, 1 + 3)
    assert tallies.stale_tiers(db.session) == []


def test_the_nightly_window_leaves_votes_older_than_30_days_out(make_idea, make_member):
    idea = make_idea()
    voter = make_member()
    service.cast_vote(db.session, idea, voter)
    db.session.execute(update(Vote).where(Vote.user_id == voter.id).values(created_at=utcnow() - timedelta(days=31)))
    db.session.commit()
    assert figures(idea)[2] == 2  # counted as recent when it was cast, until the window moves
    tallies.move_window(db.session)
    assert figures(idea)[2] == 1
    service.withdraw_vote(db.session, idea, voter)  # an old vote leaves the recent figure alone
    assert figures(idea) == (1, 1, 1, 0, 1)
    assert tallies.mismatches(db.session) == []


def test_a_merge_counts_the_moved_votes_once_per_voter(make_idea, make_member, staff, superfan):
    duplicate, original = make_idea("Pockets on the rain jacket"), make_idea("A rain jacket with pockets")
    both = make_member()
    for voter in (both, superfan):
        service.cast_vote(db.session, duplicate, voter)
    service.cast_vote(db.session, original, both)
    triage.merge_ideas(db.session, duplicate, original, staff)
    assert figures(original) == (4, 4, 4, 1, 1 + 1 + 1 + 3)  # both authors, the member once, the superfan
    assert figures(duplicate) == (0, 0, 0, 0, 0)
    assert tallies.mismatches(db.session) == []


def test_a_random_mix_of_votes_keeps_every_figure_equal_to_its_rows(board, make_idea, make_member, staff):
    rng = random.Random(5)
    ideas = [make_idea() for _ in range(4)]
    people = [make_member(tier=rng.choice(list(Tier))) for _ in range(8)]
    for step in range(120):
        idea, person = rng.choice(ideas), rng.choice(people)
        action = rng.random()
        try:
            if action < 0.5:
                service.cast_vote(db.session, idea, person)
            elif action < 0.8:
                service.withdraw_vote(db.session, idea, person)
            elif action < 0.9:
                person.tier = rng.choice(list(Tier))
                commit(db.session)
            else:
                triage.vote_on_behalf(db.session, idea, staff, name=f"Customer {step}", source="phone")
        except (service.FeedbackError, VotingClosed, service.NoVotesLeft):
            db.session.rollback()
        if step == 60:
            set_status(ideas[0], staff, IdeaStatus.DONE)  # closed: its votes stay, figures too
    assert tallies.mismatches(db.session) == [] and tallies.stale_tiers(db.session) == []
    page = queries.priorities(db.session, status="all")
    assert sum(row.votes for row in page.rows) == db.session.scalar(select(db.func.count(Vote.id)))
