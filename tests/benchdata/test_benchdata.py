"""The benchmark builder (scale 0.01, the CI smoke scale) and bench-check, on the test's own database."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, time

import pytest
from flask import Flask
from sqlalchemy import delete, select, text, update

from portal import benchdata
from portal.benchdata.check import differences
from portal.benchdata.texts import HASHTAGS
from portal.community.models import Hashtag, Post
from portal.extensions import db
from portal.fans.models import EngagementEvent, FanStanding
from portal.kernel.timeutil import utcnow

# Today's first moment: the same for every build of a test (the scores and tiers are as of today).
NOW = datetime.combine(utcnow().date(), time())


@pytest.fixture
def built(app: Flask) -> dict:
    """The scale 0.01 community, built into the test's (migrated, empty) database."""
    return benchdata.build(db.session, "0.01", seed=7, now=NOW)


def checksum() -> str:
    """A digest of a few tables' rows, in id order: the same data gives the same digest."""
    digest = hashlib.sha256()
    for query in ("SELECT id, email, display_name, locale, role, tier, created_at FROM users ORDER BY id",
                  "SELECT id, author_id, body, is_question, like_count, comment_count, created_at FROM posts ORDER BY id",
                  "SELECT idea_id, user_id, created_at FROM idea_votes ORDER BY id",
                  "SELECT user_id, kind, points, day, post_id, idea_id FROM engagement_events ORDER BY id",
                  "SELECT user_id, score, lifetime FROM fan_standings ORDER BY user_id"):
        for row in db.session.execute(text(query)):
            digest.update(repr(tuple(str(value) for value in row)).encode())
    return digest.hexdigest()


def wipe() -> None:
    """Every row gone (the schema stays), as in the freshly migrated database."""
    for table in reversed(db.metadata.sorted_tables):
        if table.name == "posts":
            db.session.execute(update(table).values(answer_id=None))
        db.session.execute(delete(table))
    db.session.commit()


def test_scale_001_has_the_sizes_of_its_scale(built: dict):
    counts = built["counts"]
    assert counts["members"] == 100
    assert counts["posts"] == 500
    assert counts["comments"] == 1_500
    assert counts["likes"] == counts["post_likes"] + counts["comment_likes"] == 5_000
    assert counts["ideas"] == 200
    assert counts["idea_comments"] == 400
    assert counts["engagement_events"] == db.session.query(EngagementEvent).count() == 10_000
    # Votes stay within each member's budget; at this size the long tail runs out of voters a little.
    assert 4_000 <= counts["votes"] <= 5_000
    assert counts["fan_standings"] == db.session.query(FanStanding).count() > 90
    assert counts["tier_superfan"] >= 1 and counts["tier_fan"] > counts["tier_superfan"]
    assert counts["budgets_recounted"] == 0
    assert counts["indexed_ideas"] > 0 and counts["indexed_posts"] > 0


def test_new_rows_get_the_next_ids(built: dict):
    """The builder chose the ids; what members add next continues after them (PostgreSQL's sequences too)."""
    tag = Hashtag(name="brandnew")
    post = Post(author_id=1, body="A new post", body_html="<p>A new post</p>", published_at=utcnow())
    db.session.add_all([tag, post])
    db.session.commit()
    assert tag.id == len(HASHTAGS) + 1
    assert post.id == built["counts"]["posts"] + 1


def test_the_manifest_names_what_the_load_needs(built: dict):
    assert built["scale"] == "0.01" and built["seed"] == 7 and built["password"]
    assert len(built["members"]) == len(set(built["members"])) == 94  # every member who is not staff or a moderator
    assert built["member_follows"] >= 20
    assert built["profile"].startswith("/members/")
    assert built["board"] == built["boards"][0] and len(built["boards"]) == 5
    assert built["superfan"] and built["staff"] != built["admin"]
    assert db.session.scalar(text("SELECT count(*) FROM idea_comments WHERE idea_id = :i"),
                             {"i": built["idea_with_comments"]}) == 100
    assert db.session.get(Post, built["post_with_comments"]).comment_count >= 15
    assert built["vote_ideas"] and built["like_posts"]
    assert set(built["build_seconds"]) >= {"total", "members", "posts", "votes", "scores", "search_index"}
    json.dumps(built)  # written as JSON by the command


def test_every_counter_matches_its_rows(built: dict, app: Flask):
    assert differences(db.session) == []
    result = app.test_cli_runner().invoke(args=["portal", "bench-check"])
    assert result.exit_code == 0, result.output
    assert "All counters match the rows." in result.output


def test_bench_check_names_a_tampered_counter(built: dict, app: Flask):
    post_id = built["like_posts"][0]
    db.session.execute(update(Post).where(Post.id == post_id).values(like_count=Post.like_count + 3))
    standing = db.session.scalar(select(FanStanding).order_by(FanStanding.lifetime.desc()).limit(1))
    standing.score += 1
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["portal", "bench-check"])
    assert result.exit_code == 1
    assert f"posts {post_id}: like_count stored" in result.output
    assert f"fan_standings {standing.user_id}: score stored" in result.output
    assert "All counters match" not in result.output


def test_the_same_seed_builds_the_same_data(app: Flask):
    benchdata.build(db.session, "0.01", seed=3, now=NOW)
    first = checksum()
    wipe()
    benchdata.build(db.session, "0.01", seed=3, now=NOW)
    assert checksum() == first
    wipe()
    benchdata.build(db.session, "0.01", seed=4, now=NOW)
    assert checksum() != first


def test_an_unknown_scale_is_refused(app: Flask):
    result = app.test_cli_runner().invoke(args=["portal", "bench-data", "--scale", "3"])
    assert result.exit_code != 0
    assert "Unknown scale '3': choose one of 0.01, 0.1, 1, 10." in result.output


def test_a_database_it_did_not_make_is_refused(app: Flask):
    result = app.test_cli_runner().invoke(args=["portal", "bench-data", "--scale", "0.01"])
    assert result.exit_code != 0
    assert "has tables but was not made by bench-data" in result.output
    assert db.session.scalar(text("SELECT count(*) FROM users")) == 0


def test_a_second_build_is_refused(built: dict, app: Flask):
    result = app.test_cli_runner().invoke(args=["portal", "bench-data", "--scale", "0.1"])
    assert result.exit_code != 0
    assert "already built at scale 0.01; use a fresh database" in result.output
    assert db.session.scalar(text("SELECT count(*) FROM users")) == 100
