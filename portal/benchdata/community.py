"""The benchmark's community network: posts and questions with hashtags, comments with one level of replies
(one post with many), accepted answers, likes on posts and comments; every counter set from the rows made."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update

from ..community.models import Comment, CommentLike, Hashtag, Post, PostHashtag, PostLike
from . import texts
from .kit import Bench, spread
from .ledger import Ledger
from .people import People

QUESTIONS = 0.15
REPLIES = 0.3
DELETED_COMMENTS = 0.01
ANSWERED = 0.5
POST_LIKES = 0.7  # the rest of the likes go to comments


@dataclass
class Network:
    """What the later steps read of the posts and comments made."""

    authors: list[int] = field(default_factory=list)  # index: post id - 1
    created: list[datetime] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    comment_post: list[int] = field(default_factory=list)  # index: comment id - 1
    comment_author: list[int] = field(default_factory=list)
    comment_created: list[datetime] = field(default_factory=list)
    comment_deleted: list[bool] = field(default_factory=list)
    busiest: int = 0  # the post with many comments


def build(bench: Bench, people: People, ledger: Ledger) -> Network:
    net = Network()
    with bench.step("posts"):
        _posts(bench, people, ledger, net)
    with bench.step("comments"):
        _comments(bench, people, ledger, net)
    return net


def _posts(bench: Bench, people: People, ledger: Ledger, net: Network) -> None:
    rng = bench.rng
    bench.insert(Hashtag, ({"id": i, "name": name} for i, name in enumerate(texts.HASHTAGS, 1)))
    tag_ids = {name: i for i, name in enumerate(texts.HASHTAGS, 1)}
    posts, tags = [], []
    for post_id, author in enumerate(people.active.many(bench.sizes.posts), 1):
        question = rng.random() < QUESTIONS
        body, names = texts.post_text(rng, people.language[author], question)
        created = bench.moment(people.since(author))
        posts.append({"id": post_id, "author_id": author, "body": body, "body_html": texts.html(body, names),
                      "body_i18n": {}, "body_html_i18n": {}, "is_question": question, "is_announcement": False,
                      "created_at": created, "published_at": created, "like_count": 0, "comment_count": 0})
        tags.extend({"post_id": post_id, "hashtag_id": tag_ids[name]} for name in names)
        net.authors.append(author)
        net.created.append(created)
        # Busy members' posts draw more, and so do some posts for no reason (a lucky photo).
        net.weights.append(math.exp(rng.gauss(0, 1)) / (people.rank[author] + 10))
        ledger.add(author, "question" if question else "post", created, post_id=post_id)
    bench.counts["posts"] = bench.insert(Post, posts)
    bench.counts["questions"] = sum(1 for p in posts if p["is_question"])
    bench.counts["post_hashtags"] = bench.insert(PostHashtag, tags)
    bench.counts["hashtags"] = len(texts.HASHTAGS)
    net.busiest = max(range(len(posts)), key=lambda i: net.weights[i]) + 1
    bench.manifest["_posts"] = posts  # the comment step sets their counters; dropped after


def _comments(bench: Bench, people: People, ledger: Ledger, net: Network) -> None:
    rng, total = bench.rng, bench.sizes.comments
    many = min(1000, max(20, total // 100))
    counts = spread(rng, max(0, total - many), net.weights)
    counts[net.busiest - 1] += many
    posts = bench.manifest.pop("_posts")
    rows, answers = [], []
    for post in posts:
        post_id, author = post["id"], post["author_id"]
        moments = sorted(bench.moment(post["created_at"]) for _ in range(counts[post_id - 1]))
        tops: list[tuple[int, int]] = []  # (comment id, author) of the visible top-level comments
        for when in moments:
            comment_id = len(net.comment_post) + 1
            writer = people.active.one()
            when = max(when, people.since(writer))
            parent = rng.choice(tops) if tops and rng.random() < REPLIES else None
            deleted = rng.random() < DELETED_COMMENTS
            body = texts.comment_text(rng, people.language[writer])
            rows.append({"id": comment_id, "post_id": post_id, "author_id": writer,
                         "parent_id": parent[0] if parent else None, "body": body, "body_html": texts.html(body),
                         "created_at": when, "deleted_at": when + timedelta(hours=1) if deleted else None,
                         "like_count": 0})
            net.comment_post.append(post_id)
            net.comment_author.append(writer)
            net.comment_created.append(when)
            net.comment_deleted.append(deleted)
            if deleted:
                continue  # a deletion takes its events back
            post["comment_count"] += 1
            ledger.add(writer, "comment", when, post_id=post_id, comment_id=comment_id)
            answered = parent[1] if parent else author
            if answered != writer:
                ledger.add(writer, "reply", when, post_id=post_id, comment_id=comment_id, other_user_id=answered)
            if parent is None:
                tops.append((comment_id, writer))
        if post["is_question"] and rng.random() < ANSWERED:
            other = next(((cid, uid) for cid, uid in tops if uid != author), None)
            if other is not None:
                answers.append({"post": post_id, "answer": other[0]})
                ledger.add(other[1], "answer_accepted", min(bench.now, net.comment_created[other[0] - 1] + timedelta(hours=2)),
                           post_id=post_id, comment_id=other[0])
    bench.counts["comments"] = bench.insert(Comment, rows)
    bench.counts["answered_questions"] = len(answers)
    table = Post.__table__
    for start in range(0, len(answers), 5000):
        bench.session.execute(update(table).where(table.c.id == bindparam("post")).values(answer_id=bindparam("answer")),
                              answers[start:start + 5000])
    # The counters the comments made (likes come next, with their own statements).
    counted = [{"post": p["id"], "count": p["comment_count"]} for p in posts if p["comment_count"]]
    for start in range(0, len(counted), 5000):
        bench.session.execute(update(table).where(table.c.id == bindparam("post"))
                              .values(comment_count=bindparam("count")), counted[start:start + 5000])


def likes(bench: Bench, people: People, ledger: Ledger, net: Network) -> None:
    """Likes on posts and on visible comments, by the long tail, never one's own; then the like counts."""
    rng, total = bench.rng, bench.sizes.likes
    on_posts = round(total * POST_LIKES)
    most = max(0, len(people.ids) - 2)
    post_counts = [min(most, n) for n in spread(rng, on_posts, net.weights)]
    comment_weights = [0.0 if gone else net.weights[post - 1] for post, gone in
                       zip(net.comment_post, net.comment_deleted, strict=True)]
    comment_counts = [min(most, n) for n in spread(rng, total - on_posts, comment_weights)] if comment_weights else []

    def liked(target_ids, counts, authors, created, key):
        rows = []
        for target, count in zip(target_ids, counts, strict=True):
            if not count:
                continue
            author = authors(target)
            for liker in people.active.distinct(count, exclude=(author,)):
                when = bench.moment(max(created(target), people.since(liker)))
                rows.append({"user_id": liker, key: target, "created_at": when})
                ledger.offer("likes", [ledger.event(liker, "like_given", when, other_user_id=author, **{key: target}),
                                       ledger.event(author, "like_received", when, other_user_id=liker, **{key: target})])
        return rows

    post_rows = liked(range(1, len(net.authors) + 1), post_counts, lambda p: net.authors[p - 1],
                      lambda p: net.created[p - 1], "post_id")
    comment_rows = liked(range(1, len(net.comment_post) + 1), comment_counts, lambda c: net.comment_author[c - 1],
                         lambda c: net.comment_created[c - 1], "comment_id")
    bench.counts["post_likes"] = bench.insert(PostLike, post_rows)
    bench.counts["comment_likes"] = bench.insert(CommentLike, comment_rows)
    bench.counts["likes"] = bench.counts["post_likes"] + bench.counts["comment_likes"]
    _set_counts(bench, Post, post_rows, "post_id")
    _set_counts(bench, Comment, comment_rows, "comment_id")


def _set_counts(bench: Bench, model, rows: list[dict], key: str) -> None:
    counts: dict[int, int] = {}
    for row in rows:
        counts[row[key]] = counts.get(row[key], 0) + 1
    table = model.__table__
    values = [{"target": target, "count": count} for target, count in counts.items()]
    for start in range(0, len(values), 5000):
        bench.session.execute(update(table).where(table.c.id == bindparam("target"))
                              .values(like_count=bindparam("count")), values[start:start + 5000])
