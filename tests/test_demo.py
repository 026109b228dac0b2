"""`flask portal demo` builds the same believable community every time, once, in one transaction,
through the features' registered builders, with counters, ledger and news that follow its rows."""
import ast
from datetime import timedelta
from pathlib import Path

import pytest
from flask import render_template_string
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from portal import demo
from portal.accounts import passwords
from portal.accounts.models import AuditEvent, Role, Tier, User
from portal.community.models import Comment, CommentLike, Follow, Post, PostLike
from portal.config import load, settings_of
from portal.demo import pictures
from portal.extensions import db
from portal.fans import rules, tiers
from portal.fans.models import EngagementEvent, FanBadge, FanNote, FanSelection, FanSelectionMember, FanStanding
from portal.feedback import ledger
from portal.feedback import service as feedback
from portal.feedback.models import Board, Idea, IdeaComment, IdeaEvent, IdeaEventKind, IdeaNotice, IdeaStatus, Vote, VoteBudget
from portal.feedback.queries import listed
from portal.kernel import images, tasks
from portal.kernel.notifications import Notification
from portal.kernel.site import SiteSetting, site_settings
from portal.search import sources_of
from portal.search.service import search, similar

PORTAL = Path(__file__).resolve().parent.parent / "portal"


def test_demo_loads_a_community_once_and_prints_working_sign_ins(runner, client):
    first = runner.invoke(args=["portal", "demo"])
    assert first.exit_code == 0, first.output
    assert "Demo community loaded." in first.output
    count = db.session.scalar(select(func.count(User.id)))
    assert count >= demo.MEMBER_COUNT
    roles = dict(db.session.execute(select(User.role, func.count(User.id)).group_by(User.role)).all())
    assert roles[Role.ADMIN] == 1 and roles[Role.STAFF] >= 2 and roles[Role.MODERATOR] >= 1
    assert db.session.scalar(select(func.count(AuditEvent.id))) >= 4
    assert site_settings(db.session).name == "Fernhill Community"
    assert db.session.scalar(select(func.count(Post.id))) >= 200, "a lively network"
    likes = select(func.count()).select_from(PostLike).where(PostLike.post_id == Post.id).scalar_subquery()
    comments = select(func.count()).select_from(Comment).where(Comment.post_id == Post.id).scalar_subquery()
    assert db.session.scalar(select(func.count(Post.id)).where((Post.like_count != likes) | (Post.comment_count != comments))) == 0
    comment_likes = select(func.count()).select_from(CommentLike).where(CommentLike.comment_id == Comment.id).scalar_subquery()
    assert db.session.scalar(select(func.count()).select_from(CommentLike)) >= 100, "threads show liked comments too"
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.like_count != comment_likes)) == 0
    unread = select(func.count()).select_from(Notification).where(Notification.user_id == User.id,
                                                                  Notification.read_at.is_(None)).scalar_subquery()
    assert db.session.scalar(select(func.count(User.id)).where(User.unread_notifications != unread)) == 0
    check_community_ledger_and_news(db.session)
    check_fans(db.session)

    again = runner.invoke(args=["portal", "demo"])
    assert "already loaded" in again.output
    assert db.session.scalar(select(func.count(User.id))) == count

    for _role, email, password in demo.SIGN_INS:
        assert email in first.output and password in first.output
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, f"{email} cannot sign in with the printed password"
        client.post("/logout")


def test_demo_is_the_same_people_every_time(app):
    demo.load(db.session)
    names = db.session.scalars(select(User.email).order_by(User.id)).all()
    for table in reversed(db.metadata.sorted_tables):  # children before parents
        if table.name == "posts":
            db.session.execute(table.update().values(answer_id=None))
        db.session.execute(table.delete())
    db.session.commit()
    demo.load(db.session)
    assert db.session.scalars(select(User.email).order_by(User.id)).all() == names


def test_demo_feedback_board_counters_match_its_rows(app):
    demo.load(db.session)
    session = db.session
    ideas = session.scalars(select(Idea)).all()
    assert len(ideas) >= 250 and {board.visibility.value for board in session.scalars(select(Board))} == \
        {"public", "members", "superfans"}
    assert {i.status for i in ideas if i.is_listed} == set(IdeaStatus), "every status on show"
    votes = dict(session.execute(select(Vote.idea_id, func.count(Vote.id)).group_by(Vote.idea_id)).all())
    assert sum(votes.values()) >= 4000
    assert max(votes.values()) >= 100 and sum(v >= 100 for v in votes.values()) < 15, "a few runaway favourites"
    assert [i.id for i in ideas if i.vote_count != votes.get(i.id, 0)] == []
    comments = dict(session.execute(select(IdeaComment.idea_id, func.count(IdeaComment.id))
                                    .where(IdeaComment.deleted_at.is_(None)).group_by(IdeaComment.idea_id)).all())
    assert sum(comments.values()) >= 300
    assert [i.id for i in ideas if i.comment_count != comments.get(i.id, 0)] == []
    for board in session.scalars(select(Board)):
        assert board.idea_count == session.scalar(select(func.count(Idea.id)).where(Idea.board_id == board.id, listed()))
    for idea in ideas:
        assert idea.trending == pytest.approx(ledger.recount_heat(session, idea.id), rel=1e-9) or not idea.is_listed
    for table in (Vote, IdeaComment):
        early = select(func.count(table.id)).join(Idea, Idea.id == table.idea_id).where(table.created_at < Idea.created_at)
        assert session.scalar(early) == 0, f"{table.__name__} before its idea"

    # Budgets: the stored count is the recount, never over the limit, and every member with votes has a row.
    budgets = {(b.user_id, b.board_id): b for b in session.scalars(select(VoteBudget))}
    limits = dict(session.execute(select(Board.id, Board.vote_budget)).all())
    for (user_id, board_id), budget in budgets.items():
        assert budget.used == feedback.recount_budget(session, board_id, user_id), (user_id, board_id)
        assert limits[board_id] is None or budget.used <= limits[board_id]
    voters = session.execute(select(Vote.user_id, Idea.board_id).join(Idea, Idea.id == Vote.idea_id)
                             .where(Vote.user_id.is_not(None)).distinct()).all()
    assert set(voters) <= set(budgets)
    alex = session.scalar(select(User).where(User.email == demo.SIGN_INS[3][1]))
    product = session.scalar(select(Board).where(Board.slug == "product-ideas"))
    # Alex's tier is what his score reaches (the fans builder draws it): never a superfan, so his board list is a member's.
    assert alex.tier is not Tier.SUPERFAN and 0 < feedback.votes_left(session, product, alex) < product.vote_budget
    assert session.scalar(select(func.count(User.id)).where(User.tier == Tier.SUPERFAN)) >= 10

    # Merged duplicates: no votes left behind, their comments and a timeline entry on the original.
    merged = [i for i in ideas if i.merged_into_id is not None]
    assert len(merged) >= 8 and all(votes.get(i.id, 0) == 0 and i.comment_count == 0 for i in merged)
    merge_events = session.scalars(select(IdeaEvent).where(IdeaEvent.kind == IdeaEventKind.MERGED)).all()
    assert {(e.idea_id, e.merged_idea_id) for e in merge_events} == {(i.merged_into_id, i.id) for i in merged}
    assert session.scalar(select(func.count(IdeaComment.id)).where(IdeaComment.merged_from_id.is_not(None))) > 0

    # Status changes: each non-open idea's timeline walks to its status; most carry an official response.
    for idea in ideas:
        steps = session.scalars(select(IdeaEvent).where(IdeaEvent.idea_id == idea.id, IdeaEvent.kind == IdeaEventKind.STATUS)
                                .order_by(IdeaEvent.created_at)).all()
        assert [s.old_status for s in steps] == ([IdeaStatus.OPEN] + [s.status for s in steps])[:len(steps)]
        assert (steps[-1].status if steps else IdeaStatus.OPEN) is idea.status
        assert idea.status_changed_at == (steps[-1].created_at if steps else None)
    closed = [i for i in ideas if i.status in (IdeaStatus.DONE, IdeaStatus.DECLINED)]
    assert sum(bool(i.response_html) for i in closed) > len(closed) / 2

    # Engagement events and notifications follow the rows.
    kinds = dict(session.execute(select(EngagementEvent.kind, func.count(EngagementEvent.id))
                                 .where(EngagementEvent.idea_id.is_not(None)).group_by(EngagementEvent.kind)).all())
    assert kinds == {"idea_posted": len(ideas), "idea_comment": sum(comments.values()),
                     "idea_vote": session.scalar(select(func.count(Vote.id)).where(Vote.user_id.is_not(None)))}
    news = set(session.scalars(select(Notification.kind).where(Notification.user_id == alex.id,
                                                               Notification.read_at.is_(None))))
    assert {IdeaNotice.STATUS, IdeaNotice.COMMENT, IdeaNotice.MERGED} <= news

    # The search index was built with the demo.
    hits = search(session, sources_of(), "ideas", None, "wide fit boots").hits
    assert "Wide-fit version of the Ridge boots" in [hit.item.title for hit in hits]
    found = similar(session, sources_of(), "ideas", None, "Ridge boots in wide sizes")
    assert "Wide-fit version of the Ridge boots" in [i.title for i in found]


def check_community_ledger_and_news(session):
    """The community's engagement events and everyone's news follow the rows (one load serves two tests)."""

    def count(query):
        return session.scalar(query)

    kinds = dict(session.execute(select(EngagementEvent.kind, func.count(EngagementEvent.id))
                                 .where(EngagementEvent.idea_id.is_(None)).group_by(EngagementEvent.kind)).all())
    own = (count(select(func.count()).select_from(PostLike).join(Post, Post.id == PostLike.post_id)
                 .where(PostLike.user_id == Post.author_id))
           + count(select(func.count()).select_from(CommentLike).join(Comment, Comment.id == CommentLike.comment_id)
                   .where(CommentLike.user_id == Comment.author_id)))
    liked = count(select(func.count()).select_from(PostLike)) + count(select(func.count()).select_from(CommentLike))
    assert kinds == {
        "post": count(select(func.count(Post.id)).where(Post.is_question.is_(False))),
        "question": count(select(func.count(Post.id)).where(Post.is_question.is_(True))),
        "comment": count(select(func.count(Comment.id))),
        "answer_accepted": count(select(func.count(Post.id)).where(Post.answer_id.is_not(None))),
        "follower_gained": count(select(func.count()).select_from(Follow)),
        "like_given": liked, "like_received": liked - own,
    }
    # Each event is dated by its contribution, as if it had been written then.
    assert count(select(func.count(EngagementEvent.id)).join(Post, Post.id == EngagementEvent.post_id)
                 .where(EngagementEvent.kind.in_(["post", "question"]), EngagementEvent.created_at != Post.created_at)) == 0
    assert count(select(func.count(EngagementEvent.id)).join(Vote, (Vote.idea_id == EngagementEvent.idea_id)
                                                             & (Vote.user_id == EngagementEvent.user_id))
                 .where(EngagementEvent.kind == "idea_vote", EngagementEvent.created_at != Vote.created_at)) == 0
    assert count(select(func.min(EngagementEvent.created_at))) < count(select(func.min(Post.created_at)))

    # News: ids follow time (pages list by id), and each member has read up to a moment, as the page marks them.
    times = session.scalars(select(Notification.created_at).order_by(Notification.id)).all()
    assert len(times) > 3000 and times == sorted(times)
    last_read = select(func.max(Notification.id)).where(Notification.user_id == User.id, Notification.read_at.is_not(None))
    first_unread = select(func.min(Notification.id)).where(Notification.user_id == User.id, Notification.read_at.is_(None))
    assert count(select(func.count(User.id)).where(last_read.scalar_subquery() > first_unread.scalar_subquery())) == 0
    alex = session.scalar(select(User).where(User.email == demo.SIGN_INS[3][1]))
    waiting = set(session.scalars(select(Notification.kind).where(Notification.user_id == alex.id,
                                                                  Notification.read_at.is_(None))))
    assert {"reply", "mention", "like"} <= waiting
    assert count(select(func.count(Post.id)).where(Post.published_at.is_(None), Post.scheduled_for.is_not(None))) == 1


def check_fans(session):
    """Tiers come from the scores: about a dozen superfans above the line, one member just below it, one
    superfan demoted after the grace period, one member caught by the like cap (one load serves two tests)."""
    settings, lines = rules.settings(session), tiers.current_lines(session)
    standings = {s.user_id: s for s in session.scalars(select(FanStanding))}
    liked = tiers.givers(session, list(standings))
    members = session.scalars(select(User).where(User.role == Role.MEMBER, User.id.in_(list(standings)))).all()
    score = {m.id: tiers.tier_score(standings[m.id], liked.get(m.id, 0), settings) for m in members}
    superfans = [m for m in members if m.tier is Tier.SUPERFAN]
    assert 10 <= len(superfans) <= 14
    assert all(score[m.id] >= lines.superfan and not standings[m.id].pinned for m in superfans), "their ledgers explain it"
    assert len([m for m in members if m.tier is Tier.FAN]) >= 20
    below = max(score[m.id] for m in members if m.tier is not Tier.SUPERFAN)
    assert 0.9 * lines.superfan <= below < lines.superfan, "someone stands just below the superfan line"
    demoted = [m for m in members if m.tier is not Tier.SUPERFAN and session.scalar(
        select(FanBadge.id).where(FanBadge.user_id == m.id, FanBadge.badge == "superfan"))]
    assert len(demoted) == 1
    since = standings[demoted[0].id].tier_since
    told = session.scalars(select(Notification.created_at).where(Notification.user_id == demoted[0].id,
                                                                 Notification.kind == "tier",
                                                                 Notification.detail == "superfan")).all()
    assert len(told) == 1 and since - told[0] > timedelta(days=settings.grace_days), "promoted, then past the grace"
    assert score[demoted[0].id] < 0.9 * lines.superfan
    assert session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "fans.void",
                                                                  AuditEvent.target_user_id == demoted[0].id)) == 1
    capped = session.execute(select(EngagementEvent.kind, func.count()).where(EngagementEvent.limited == "pair_cap")
                             .group_by(EngagementEvent.kind)).all()
    assert dict(capped) == {"like_given": 2, "like_received": 2}
    assert session.scalar(select(func.count(FanNote.id))) >= 2
    testers = session.scalar(select(FanSelection).where(FanSelection.name == "Launch testers"))
    assert testers is not None and session.scalar(select(func.count()).select_from(FanSelectionMember)
                                                  .where(FanSelectionMember.selection_id == testers.id)) >= 5
    assert session.scalar(select(func.count()).where(FanStanding.last_contacted_at.is_not(None))) >= 10
    assert session.scalar(select(func.count(func.distinct(FanBadge.badge)))) >= 4


def test_demo_builders_are_the_features_and_load_is_one_transaction(app, monkeypatch):
    builders = demo.builders()
    assert [b.__module__ for b in builders] == ["portal.demo.accounts", "portal.demo.community", "portal.demo.feedback",
                                                "portal.demo.fans"], "the fans builder reads what the others wrote"

    def broken(built):
        raise RuntimeError("a builder failed half-way")

    monkeypatch.setattr(demo, "builders", lambda app=None: [*builders[:2], broken])
    settings_before = db.session.scalar(select(func.count()).select_from(SiteSetting))  # the migrations' own
    with pytest.raises(RuntimeError):
        demo.load(db.session)
    assert db.session.scalar(select(func.count(User.id))) == 0, "nothing of a half-built demo is kept"
    assert db.session.scalar(select(func.count(Post.id))) == 0
    assert db.session.scalar(select(func.count()).select_from(SiteSetting)) == settings_before
    assert [*images.folder("avatars").glob("*"), *images.folder("photos").glob("*")] == [], "nor its uploads"


def test_no_feature_imports_the_demo():
    """Features name their builder by string: the demo depends on them, never the other way."""
    for path in PORTAL.rglob("*.py"):
        if path.is_relative_to(PORTAL / "demo") or path == PORTAL / "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                package = node.module in (None, "portal")  # `from .. import demo`, `from portal import demo`
                assert "demo" not in (node.module or "").split("."), path
                assert not (package and any(alias.name == "demo" for alias in node.names)), path
            elif isinstance(node, ast.Import):
                assert not any("demo" in alias.name.split(".") for alias in node.names), path


# -- the demo inbox forgets a deleted member ----------------------------------------------------------


@pytest.fixture
def demo_mode(app_config):
    """The app starts in demo mode (asked for before `app`)."""
    app_config["DEMO_MODE"] = True


def test_a_deleted_members_mail_is_erased_from_the_demo_inbox(demo_mode, app, make_member, login, mailbox):
    """Whoever signs up next with the address of a deleted member must not read that member's mail."""
    lea = make_member(display_name="Léa First", email="lea@example.com")
    other = make_member(display_name="Other Member", email="other@example.com")
    for address in (lea.email, other.email):
        passwords.request_password_reset(db.session, settings_of(app), address)
    assert len(mailbox()) == 2
    browser = login(lea)
    assert "Reset your password" in browser.get("/account/inbox").get_data(as_text=True)

    deleted = browser.post("/account/delete", data={"password": "correct horse battery staple"})
    assert deleted.status_code == 302

    assert [m["To"] for m in mailbox()] == ["other@example.com"], "the other member's mail stays"
    newcomer = make_member(display_name="Léa Second", email="lea@example.com")
    inbox = login(newcomer).get("/account/inbox")
    assert inbox.status_code == 200 and "Reset your password" not in inbox.get_data(as_text=True)


def test_the_deleted_members_mail_is_erased_in_the_background(demo_mode, app, make_member, login, mailbox):
    """Reading every message of the outbox is no work for the request that deletes the account: it queues it."""
    lea = make_member(display_name="Léa First", email="lea@example.com")
    passwords.request_password_reset(db.session, settings_of(app), lea.email)
    assert len(mailbox()) == 1
    queue = tasks.queue_of(app)
    queue.immediate = False  # as in production: a consumer runs the queue
    try:
        browser = login(lea)
        assert browser.post("/account/delete", data={"password": "correct horse battery staple"}).status_code == 302
        assert len(mailbox()) == 1 and queue.pending_count() == 1, "queued, not done during the request"
        queue.execute(queue.dequeue())
    finally:
        queue.immediate = True
    assert mailbox() == []


# -- the demo reads as a real community -------------------------------------------------------------


def test_the_demo_reads_as_a_real_community(app, client, monkeypatch):
    """Nobody posts a text someone else posted, replies come after what they answer, and drawn avatars
    carry letters only ("MF" for "Morgan (Fernhill)", never "M(")."""
    drawn: list[str] = []
    draw = pictures.avatar
    monkeypatch.setattr(pictures, "avatar", lambda rng, letters: drawn.append(letters) or draw(rng, letters))

    demo.load(db.session)

    bodies = [body.split(" cc @")[0] for body in db.session.scalars(select(Post.body))]
    repeated = {body for body in bodies if bodies.count(body) > 1}
    assert repeated == set(), f"{len(repeated)} texts posted more than once"
    parent = aliased(Comment)
    early = db.session.scalar(select(func.count(Comment.id)).join(parent, parent.id == Comment.parent_id)
                              .where(Comment.created_at < parent.created_at))
    assert early == 0, "replies older than the comment they answer"
    assert drawn and all(letters.isalpha() for letters in drawn), drawn
    assert "MF" in drawn  # the admin, Morgan (Fernhill)


@pytest.mark.parametrize(("name", "letters"), [("Morgan (Fernhill)", "M"), ("(Priya)", "P"), ("Léa Rossi", "L"),
                                                ("42", "?")])
def test_an_avatar_without_a_picture_shows_a_letter(app, make_member, name, letters):
    person = make_member(display_name=name)
    with app.test_request_context():
        drawn = render_template_string('{% from "_avatar.html" import avatar %}{{ avatar(user) }}', user=person)
    assert f'aria-hidden="true">{letters}</span>' in drawn


# -- links in mail ----------------------------------------------------------------------------------


def test_base_url_follows_the_port_when_it_is_not_set():
    assert load(environ={"PORT": "5077"})["BASE_URL"] == "http://127.0.0.1:5077"
    assert load(environ={})["BASE_URL"] == "http://127.0.0.1:5000"
    assert load(environ={"PORT": "5077", "BASE_URL": "https://fans.example.com/"})["BASE_URL"] == "https://fans.example.com"


def test_a_request_to_another_host_than_base_url_is_logged_once(app, client, caplog):
    with caplog.at_level("WARNING"):
        client.get("/", base_url="http://127.0.0.1:5077")
        client.get("/", base_url="http://127.0.0.1:5077")
    warnings = [r for r in caplog.records if "BASE_URL" in r.getMessage()]
    assert len(warnings) == 1 and "127.0.0.1:5077" in warnings[0].getMessage()
