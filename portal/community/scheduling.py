"""Scheduled posts: published when their time comes, by a job queued for that time and a
sweep every minute in case a queued job was lost."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..kernel.pagecache import invalidate
from ..kernel.text import render_text
from ..kernel.timeutil import utcnow
from ..kernel.uow import after_commit, commit, use_case
from .models import Post
from .posting import notify_mentions, page_topics
from .search_source import reindex_later


@use_case
def publish_due_posts(session: Session, now: datetime | None = None) -> int:
    """Publish scheduled posts whose time has come; returns how many."""
    now = now or utcnow()
    due = list(session.scalars(select(Post).where(Post.published_at.is_(None), Post.scheduled_for <= now,
                                                  Post.deleted_at.is_(None)).with_for_update(skip_locked=True)))
    for post in due:
        post.published_at = post.scheduled_for
        rendered = render_text(session, post.body)
        post.body_html = rendered.html  # link exactly the members told now (some may have joined or left since)
        notify_mentions(session, post, rendered.mentions, post.author)
        after_commit(session, invalidate, *page_topics(post, rendered.hashtags))
    reindex_later(session, *due)  # findable from now on
    commit(session)
    return len(due)

