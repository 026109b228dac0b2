"""Counters stay exact when many members act at once through the real server.

Gunicorn with several worker processes serves this test's own database; threads
send like toggles from many members at the same moment; afterwards the stored
counts must equal the rows, and the rows what the members last asked for.
"""
from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from flask import session as flask_session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select

from portal.accounts import service as accounts
from portal.community import service
from portal.community.models import CommentLike, Post, PostLike
from portal.extensions import db
from portal.fans.models import EngagementEvent
from portal.timeutil import utcnow

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
    process.wait(timeout=20)


def _signed_in(app, user) -> tuple[str, str]:
    """A session cookie and CSRF token for `user`, as the login form would have made them."""
    token = accounts.start_session(db.session, user, remember=False)
    with app.app_context(), app.test_request_context():  # a fresh g: Flask-WTF caches the token there
        flask_session["_user_id"] = token
        flask_session["_fresh"] = True
        csrf = generate_csrf()
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(flask_session))
    return f"{app.config['SESSION_COOKIE_NAME']}={cookie}", csrf


def _post(url: str, cookie: str, csrf: str) -> int:
    request = urllib.request.Request(url, data=f"csrf_token={csrf}".encode(), method="POST",
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
    old = utcnow() - timedelta(days=30)
    author = make_member(created_at=old)
    with app.test_request_context():
        post = service.create_post(db.session, author, body="Like me, all at once")
        comment = service.add_comment(db.session, post, author, body="And me")
    members = [make_member(created_at=old) for _ in range(MEMBERS)]
    credentials = [_signed_in(app, m) for m in members]
    rng = random.Random(7)
    toggles = {m.id: rng.randint(1, 4) for m in members}  # odd: ends liked, even: ends not liked
    work = [(m.id, i) for m in members for i in range(toggles[m.id])]
    rng.shuffle(work)
    by_id = dict(zip([m.id for m in members], credentials, strict=True))

    post_url, comment_url = f"{server}/posts/{post.id}/like", f"{server}/comments/{comment.id}/like"

    def fire(item: tuple[int, int]) -> list[int]:
        cookie, csrf = by_id[item[0]]
        return [_post(post_url, cookie, csrf), _post(comment_url, cookie, csrf)]

    # Each member's toggles are sequential in spirit but race with everyone else's.
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = [s for pair in pool.map(fire, work) for s in pair]
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
    old = utcnow() - timedelta(days=30)
    author = make_member(created_at=old)
    with app.test_request_context():
        post = service.create_post(db.session, author, body="Toggle me")
    members = [make_member(created_at=old) for _ in range(MEMBERS)]
    credentials = dict(zip([m.id for m in members], [_signed_in(app, m) for m in members], strict=True))
    rng = random.Random(11)
    toggles = {m.id: rng.randint(1, 4) for m in members}

    url = f"{server}/posts/{post.id}/like"

    def member_run(member_id: int) -> list[int]:
        cookie, csrf = credentials[member_id]
        return [_post(url, cookie, csrf) for _ in range(toggles[member_id])]

    with ThreadPoolExecutor(max_workers=MEMBERS) as pool:
        statuses = [s for run in pool.map(member_run, list(toggles)) for s in run]
    assert set(statuses) == {302}
    db.session.expire_all()
    expected = sum(1 for count in toggles.values() if count % 2)
    rows = db.session.scalar(select(func.count()).select_from(PostLike).where(PostLike.post_id == post.id))
    assert rows == expected
    assert db.session.get(Post, post.id).like_count == expected
