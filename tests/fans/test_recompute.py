"""A full recompute gives exactly the numbers the incremental path kept, after a random mix of actions, undos,
weight changes and nights (a seeded property test through the real community and feedback services)."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.community import moderation, social
from portal.community import service as community
from portal.community.models import Comment, Post
from portal.community.posting import Gone
from portal.extensions import db
from portal.fans import jobs, rules, scoring, service
from portal.fans.models import EngagementEvent, FanStanding
from portal.feedback import service as feedback
from portal.feedback import triage
from portal.feedback.models import Idea, IdeaComment, IdeaStatus, Visibility
from portal.kernel.errors import ValidationError

from .core_fixtures import formula, scored_days, settings_form, snapshot, weights_form

REFUSED = (ValidationError, Gone, PermissionError, LookupError, feedback.VotingClosed)


class World:
    def __init__(self, rng, members, moderator, staff, admin, board, clock):
        self.rng, self.members, self.moderator, self.staff, self.admin = rng, members, moderator, staff, admin
        self.board, self.clock, self.n = board, clock, 0

    def pick(self, model, *conditions):
        rows = list(db.session.scalars(select(model).where(*conditions).order_by(model.id)))
        return self.rng.choice(rows) if rows else None

    def someone(self):
        return self.rng.choice(self.members)

    def text(self):
        self.n += 1
        return f"Words number {self.n} about our tents"

    # -- the actions -----------------------------------------------------------------------------
    def post(self):
        community.create_post(db.session, self.someone(), body=self.text(), is_question=self.rng.random() < 0.3)

    def comment(self):
        post = self.pick(Post, Post.deleted_at.is_(None), Post.hidden_at.is_(None))
        if post:
            parent = self.pick(Comment, Comment.post_id == post.id, Comment.deleted_at.is_(None),
                               Comment.hidden_at.is_(None)) if self.rng.random() < 0.4 else None
            community.add_comment(db.session, post, self.someone(), body=self.text(), parent=parent)

    def like(self):
        if self.rng.random() < 0.6:
            if post := self.pick(Post, Post.deleted_at.is_(None)):
                social.toggle_post_like(db.session, post, self.someone())
        elif comment := self.pick(Comment, Comment.deleted_at.is_(None)):
            social.toggle_comment_like(db.session, comment, self.someone())

    def answer(self):
        post = self.pick(Post, Post.is_question.is_(True), Post.deleted_at.is_(None))
        if post and (comment := self.pick(Comment, Comment.post_id == post.id, Comment.author_id != post.author_id)):
            if post.answer_id == comment.id:
                social.unmark_answer(db.session, post, post.author)
            else:
                social.mark_answer(db.session, post, comment, post.author)

    def delete(self):
        if self.rng.random() < 0.5:
            if post := self.pick(Post, Post.deleted_at.is_(None)):
                community.delete_post(db.session, post, post.author)
        elif comment := self.pick(Comment, Comment.deleted_at.is_(None)):
            community.delete_comment(db.session, comment, comment.author)

    def hide(self):
        if self.rng.random() < 0.5:
            if post := self.pick(Post, Post.deleted_at.is_(None)):
                (moderation.restore if post.hidden_at else moderation.hide)(db.session, self.moderator, post=post)
        elif comment := self.pick(Comment, Comment.deleted_at.is_(None)):
            (moderation.restore if comment.hidden_at else moderation.hide)(db.session, self.moderator, comment=comment)

    def suspend(self):
        member = self.someone()
        if member.is_suspended:
            moderation.lift_suspension(db.session, self.moderator, member)
        else:
            moderation.suspend(db.session, self.moderator, member, days=self.rng.randint(1, 2), reason="Testing")

    def follow(self):
        a, b = self.rng.sample(self.members, 2)
        (social.unfollow if self.rng.random() < 0.3 else social.follow)(db.session, a, b)

    def idea(self):
        feedback.submit_idea(db.session, self.board, self.someone(), title=self.text())

    def vote(self):
        if idea := self.pick(Idea, Idea.deleted_at.is_(None)):
            voter = self.someone()
            if not feedback.cast_vote(db.session, idea, voter):
                feedback.withdraw_vote(db.session, idea, voter)

    def status(self):
        if idea := self.pick(Idea, Idea.deleted_at.is_(None), Idea.hidden_at.is_(None)):
            new = self.rng.choice([IdeaStatus.PLANNED, IdeaStatus.DONE, IdeaStatus.OPEN, IdeaStatus.IN_PROGRESS])
            if new is not idea.status:
                triage.change_status(db.session, idea, self.staff, status=new, explanation="Because")

    def idea_comment(self):
        if self.rng.random() < 0.3 and (gone := self.pick(IdeaComment, IdeaComment.deleted_at.is_(None))):
            feedback.delete_comment(db.session, gone, gone.author)
        elif idea := self.pick(Idea, Idea.deleted_at.is_(None), Idea.hidden_at.is_(None)):
            feedback.add_comment(db.session, idea, self.someone(), body=self.text())

    def idea_hide_or_delete(self):
        if idea := self.pick(Idea, Idea.deleted_at.is_(None)):
            if self.rng.random() < 0.3:
                feedback.delete_idea(db.session, idea, idea.author)
            else:
                triage.set_hidden(db.session, idea, self.moderator, idea.hidden_at is None)

    def reweigh(self):
        new = {kind: self.rng.choice([0, 0.5, 1, 2, 5, 12.25]) for kind in rules.KINDS}
        changes = {"daily_cap": self.rng.choice([6, 15, 200]), "pair_cap": self.rng.choice([1, 3])}
        if self.rng.random() < 0.3:
            changes["half_life_days"] = self.rng.choice([7, 30, 90])
        service.save_settings(db.session, self.admin, settings_form(**changes), weights_form(**new))

    def void(self):
        member = self.someone()
        day = self.clock.now.date() - timedelta(days=self.rng.randint(0, 2))
        service.void_period(db.session, self.moderator, member, starts=day, ends=day, reason="Ring of likes")

    ACTIONS = {"post": 8, "comment": 10, "like": 16, "answer": 3, "delete": 3, "hide": 3, "suspend": 1, "follow": 3,
               "idea": 4, "vote": 8, "status": 3, "idea_comment": 4, "idea_hide_or_delete": 2, "reweigh": 1, "void": 1}

    def act(self):
        name = self.rng.choices(list(self.ACTIONS), weights=list(self.ACTIONS.values()))[0]
        try:
            getattr(self, name)()
        except REFUSED:
            db.session.rollback()  # a rule said no (a suspended member, a closed idea): nothing changed
        return name


def _check_against_recompute():
    kept = snapshot()
    day = next(iter(scored_days()))
    for uid, numbers in kept.items():
        assert numbers == formula(uid, as_of=day), f"member {uid} off the ledger"
    scoring.recompute(db.session)
    db.session.expire_all()
    assert snapshot() == kept


@pytest.mark.parametrize("seed", [7, 2024])
def test_recompute_equals_the_incremental_path(seed, people, moderator, staff, admin, clock):
    rng = random.Random(seed)
    members = [people(display_name=f"Fan {n}") for n in range(7)]
    members.append(people(display_name="Newcomer", created_at=clock.now - timedelta(hours=20)))
    board = triage.save_board(db.session, admin, None, name="Ideas", slug="ideas", description="",
                              visibility=Visibility.PUBLIC, vote_budget=1000, categories="")
    world = World(rng, members, moderator, staff, admin, board, clock)
    done = []
    for _day in range(5):
        for _ in range(45):
            done.append(world.act())
            clock.advance(hours=0.25)
        for uid, numbers in snapshot().items():  # before the night: each standing as of the day it is stored at
            assert numbers == formula(uid, as_of=db.session.get(FanStanding, uid).scored_day)
        clock.to_day(clock.day + 1, hour=3)  # the night
        assert len(scored_days()) <= 2  # today's new standings, and those of the last night
        jobs.nightly_pass()
        assert scored_days() == {clock.day}
        _check_against_recompute()
        clock.to_day(clock.day, hour=9)
        for _ in range(10):
            done.append(world.act())
        _check_against_recompute()  # within a day, before the next night
    assert {"like", "post", "vote", "delete", "hide"} <= set(done)
    assert snapshot(), "nobody scored: the mix did nothing"
    marks = set(db.session.execute(select(EngagementEvent.limited, EngagementEvent.voided)).all())
    assert {limited for limited, _ in marks} >= {None, "self"}
    assert {voided for _, voided in marks} >= {None, "hidden"}


def test_the_recompute_command_gives_the_same_numbers(people, runner, clock):
    alice, bob = people(), people()
    post = community.create_post(db.session, alice, body="Counted twice, once each way")
    social.toggle_post_like(db.session, post, bob)
    community.add_comment(db.session, post, bob, body="Nice")
    kept = snapshot()
    result = runner.invoke(args=["portal", "recompute-scores"])
    assert result.exit_code == 0, result.output
    assert "Recomputed 2 scores" in result.output
    db.session.expire_all()
    assert snapshot() == kept
