"""Counters stay exact when many members act at once through the real server.

Gunicorn with several worker processes serves this test's own database; threads
send like toggles, or votes and unvotes, from many members at the same moment;
afterwards the stored counts must equal the rows, and the rows what the members
last asked for (within their vote budgets).
"""
from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import session as flask_session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select

from portal.accounts import sessions
from portal.community import service
from portal.community.models import CommentLike, Post, PostLike
from portal.config import settings_of
from portal.extensions import db
from portal.fans.models import EngagementEvent
from portal.feedback import service as feedback
from portal.feedback import tallies, triage
from portal.feedback.models import Idea, IdeaStatus, Visibility, Vote, VoteBudget
from portal.kernel.timeutil import utcnow

ROOT = Path(__file__).resolve().parent.parent
MEMBERS = 24


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(app, app_config, tmp_path):
    """Gunicorn, three workers, on this test's database."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": app_config["DATABASE_URL"], "INSTANCE_PATH": app_config["INSTANCE_PATH"],
           "SECRET_KEY": app_config["SECRET_KEY"], "RATELIMIT_ENABLED": "false", "JOBS_IMMEDIATE": "true"}
    process = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "--workers", "3", "--threads", "4",
                                "--bind", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/privacy", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("gunicorn did not start: " + process.stderr.read().decode()[-2000:])
    yield base
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:  # a request still hanging: the assertions above have said why
        process.kill()
        process.wait()


def _signed_in(app, user) -> tuple[str, str]:
    """A session cookie and CSRF token for `user`, as the login form would have made them."""
    token = sessions.start_session(db.session, settings_of(app), user, remember=False)
    with app.app_context(), app.test_request_context():  # a fresh g: Flask-WTF caches the token there
        flask_session["_user_id"] = token
        flask_session["_fresh"] = True
        csrf = generate_csrf()
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(flask_session))
    return f"{app.config['SESSION_COOKIE_NAME']}={cookie}", csrf


def _established(make_member, how_many: int) -> list:
    """Members whose accounts are a month old (past the new-account limits)."""
    old = utcnow() - timedelta(days=30)
    return [make_member(created_at=old) for _ in range(how_many)]


def _credentials(app, members) -> dict[int, tuple[str, str]]:
    """Each member's session cookie and CSRF token, by member id."""
    return {m.id: _signed_in(app, m) for m in members}


def _all_at_once(send: Callable[[Any], list[int]], work: Iterable[Any], threads: int) -> list[int]:
    """Send every item of work from a pool of threads; the status codes of every request."""
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return [status for statuses in pool.map(send, work) for status in statuses]


def _post(url: str, cookie: str, csrf: str, data: dict[str, str] | None = None) -> int:
    body = urllib.parse.urlencode({"csrf_token": csrf, **(data or {})}).encode()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    opener = urllib.request.build_opener(NoRedirect())
    try:
        return opener.open(request, timeout=60).status
    except urllib.error.HTTPError as error:
        return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_concurrent_likes_and_unlikes_are_counted_exactly(app, server, make_member):
    author, *members = _established(make_member, MEMBERS + 1)
    with app.test_request_context():
        post = service.create_post(db.session, author, body="Like me, all at once")
        comment = service.add_comment(db.session, post, author, body="And me")
    by_id = _credentials(app, members)
    rng = random.Random(7)
    toggles = {m.id: rng.randint(1, 4) for m in members}  # odd: ends liked, even: ends not liked
    work = [(m.id, i) for m in members for i in range(toggles[m.id])]
    rng.shuffle(work)

    post_url, comment_url = f"{server}/posts/{post.id}/like", f"{server}/comments/{comment.id}/like"

    def fire(item: tuple[int, int]) -> list[int]:
        cookie, csrf = by_id[item[0]]
        return [_post(post_url, cookie, csrf), _post(comment_url, cookie, csrf)]

    # Each member's toggles are sequential in spirit but race with everyone else's.
    statuses = _all_at_once(fire, work, threads=12)
    assert set(statuses) == {302}, statuses

    db.session.expire_all()
    stored = db.session.get(Post, post.id).like_count
    rows = db.session.scalar(select(func.count()).select_from(PostLike).where(PostLike.post_id == post.id))
    comment_rows = db.session.scalar(select(func.count()).select_from(CommentLike).where(CommentLike.comment_id == comment.id))
    db.session.refresh(comment)
    assert stored == rows, "the stored like count drifted from the likes"
    assert comment.like_count == comment_rows
    # Toggles of one member may arrive in any order, so only the totals are certain:
    # the count equals the rows, never more than one like per member, and the ledger agrees.
    assert 0 <= rows <= MEMBERS
    events = db.session.scalar(select(func.count(EngagementEvent.id)).where(
        EngagementEvent.kind == "like_given", EngagementEvent.post_id == post.id))
    assert events == rows, "one like_given event per like that exists"


def test_sequential_toggles_land_where_each_member_left_them(app, server, make_member):
    """Same load, but each member's own toggles in order: the final state is exactly known."""
    author, *members = _established(make_member, MEMBERS + 1)
    with app.test_request_context():
        post = service.create_post(db.session, author, body="Toggle me")
    credentials = _credentials(app, members)
    rng = random.Random(11)
    toggles = {m.id: rng.randint(1, 4) for m in members}

    url = f"{server}/posts/{post.id}/like"

    def member_run(member_id: int) -> list[int]:
        cookie, csrf = credentials[member_id]
        return [_post(url, cookie, csrf) for _ in range(toggles[member_id])]

    statuses = _all_at_once(member_run, list(toggles), threads=MEMBERS)
    assert set(statuses) == {302}
    db.session.expire_all()
    expected = sum(1 for count in toggles.values() if count % 2)
    rows = db.session.scalar(select(func.count()).select_from(PostLike).where(PostLike.post_id == post.id))
    assert rows == expected
    assert db.session.get(Post, post.id).like_count == expected


BUDGET = 3


def test_concurrent_votes_and_unvotes_stay_exact_and_within_each_budget(app, server, make_member, admin, staff):
    """Members vote and unvote on five ideas of a board with a budget of three, several requests
    of each member racing each other (two tabs) and everyone else's, while staff close one idea."""
    authors = _established(make_member, 5)
    members = _established(make_member, MEMBERS)
    with app.test_request_context():
        board = triage.save_board(db.session, admin, None, name="Race board", slug="race", description="",
                                  visibility=Visibility.PUBLIC, vote_budget=BUDGET, categories="")
        ideas = [feedback.submit_idea(db.session, board, author, title=f"Raced idea number {n}")[0]
                 for n, author in enumerate(authors)]
    credentials = _credentials(app, [*members, staff])
    rng = random.Random(13)
    work: list[tuple[int, str, dict[str, str] | None]] = [
        (m.id, f"/ideas/{rng.choice(ideas).id}/{rng.choice(('vote', 'vote', 'unvote'))}", None)
        for m in members for _ in range(8)]
    rng.shuffle(work)
    closing = (staff.id, f"/ideas/{ideas[0].id}/status", {"status": "done", "explanation": "Shipped mid-race."})
    work.insert(len(work) // 3, closing)

    def fire(item: tuple[int, str, dict[str, str] | None]) -> list[int]:
        user_id, path, data = item
        cookie, csrf = credentials[user_id]
        return [_post(server + path, cookie, csrf, data)]

    statuses = _all_at_once(fire, work, threads=12)

    assert set(statuses) == {302}, statuses  # refusals (no votes left, voting closed) are flashed, not errors
    db.session.expire_all()
    assert db.session.get(Idea, ideas[0].id).status is IdeaStatus.DONE
    for idea in ideas:
        rows = db.session.scalar(select(func.count(Vote.id)).where(Vote.idea_id == idea.id))
        events = db.session.scalar(select(func.count(EngagementEvent.id)).where(
            EngagementEvent.kind == "idea_vote", EngagementEvent.idea_id == idea.id))
        assert db.session.get(Idea, idea.id).vote_count == rows, "the stored vote count drifted from the votes"
        assert events == rows, "one idea_vote event per vote that exists"
    used = dict(db.session.execute(select(VoteBudget.user_id, VoteBudget.used).where(VoteBudget.board_id == board.id)).all())
    for member in members:
        counted = feedback.recount_budget(db.session, board.id, member.id)
        assert used.get(member.id, 0) == counted, f"member {member.id}: budget says {used.get(member.id)}, votes {counted}"
        assert counted <= BUDGET
    assert BUDGET in used.values(), "no member reached the budget: the race did not test it"
    assert tallies.mismatches(db.session) == [], "an idea's demand figures drifted from its votes"
