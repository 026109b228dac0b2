"""Community routes: feeds, posts, comments, likes, follows, hashtags, notifications."""
from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from .. import images
from ..accounts.models import Role, User
from ..errors import apply_errors
from ..extensions import db, limiter
from ..pagecache import anonymous_page
from ..security import role_required, safe_next
from ..timeutil import utcnow
from . import forms, notify, queries, service
from .models import Comment, Post

bp = Blueprint("community", __name__)
login_required = role_required(Role.MEMBER)
staff_required = role_required(Role.STAFF)


def _is_new_member() -> bool:
    return current_user.is_authenticated and current_user.created_at > utcnow() - service.NEW_ACCOUNT_AGE


def _write_limit() -> str:
    """New accounts write less often, as Discourse's trust levels do."""
    return "3 per minute;10 per hour" if _is_new_member() else "10 per minute;120 per hour"


def _back(default: str) -> Any:
    return redirect(safe_next(request.form.get("next") or request.args.get("next")) or default)


def _viewer() -> User | None:
    return current_user if current_user.is_authenticated else None


def _gone() -> Any:
    flash(_("This was deleted or hidden, so it cannot be changed any more."), "warning")


def _back_to_post(item: Post, default: str) -> Any:
    """Back where the member was, unless that is the page of a post they can no longer open (a 404)."""
    target = safe_next(request.form.get("next") or request.args.get("next")) or default
    mine = item.author_id == current_user.id
    opens = item.deleted_at is None and (item.published_at is not None or mine or current_user.is_staff) \
        and (item.hidden_at is None or mine or current_user.is_moderator)
    if not opens and target.partition("#")[0] == url_for("community.post", post_id=item.id):
        target = url_for("community.community")
    return redirect(target)


# -- feeds ---------------------------------------------------------------------


@bp.get("/feed")
@login_required
def feed():
    """Posts of the people I follow, my own, and staff announcements."""
    page = queries.home_feed(db.session, current_user, request.args.get("cursor"))
    return render_template("community/feed.html", page=page, form=forms.PostForm())


@bp.get("/community")
@anonymous_page(lambda: ["community"])
def community():
    """Everyone's posts: the latest, or the trending ones."""
    tab = "trending" if request.args.get("tab") == "trending" else "latest"
    viewer = _viewer()
    page = queries.trending(db.session, viewer) if tab == "trending" else \
        queries.latest(db.session, viewer, request.args.get("cursor"))
    pinned = queries.announcements(db.session, viewer)
    page.liked |= queries.liked_posts(db.session, viewer, [p for p in pinned if p not in page.posts])
    return render_template("community/community.html", page=page, tab=tab, pinned=pinned)


@bp.get("/tags/<name>")
@anonymous_page(lambda name: ["community"])
def hashtag(name: str):
    """Posts with a hashtag."""
    page = queries.hashtag_posts(db.session, name[:50], _viewer(), request.args.get("cursor"))
    return render_template("community/hashtag.html", page=page, name=name[:50].lower())


@bp.get("/questions")
@staff_required
def questions():
    """Questions nobody has answered yet, oldest first."""
    return render_template("community/questions.html", posts=queries.unanswered_questions(db.session))


# -- posts ---------------------------------------------------------------------


@bp.route("/posts/new", methods=["GET", "POST"])
@login_required
@limiter.limit(_write_limit, methods=["POST"])
def new_post():
    """Write a post, with up to four photos."""
    form = forms.PostForm()
    if form.validate_on_submit():
        uploads = [f.stream for f in form.photos.data or [] if isinstance(f, FileStorage) and f.filename]
        try:
            post = service.create_post(db.session, current_user, body=form.body.data or "", photos=uploads,
                                       is_question=form.is_question.data, announcement=form.announcement.data,
                                       publish_at=form.publish_at.data)
        except service.CommunityError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            if post.published_at is None:
                flash(_("Your post is scheduled for %(when)s UTC.", when=format_datetime(post.scheduled_for, "short")), "success")
            else:
                flash(_("Your post is published."), "success")
            return redirect(url_for("community.post", post_id=post.id))
    status = 422 if form.is_submitted() else 200
    return render_template("community/new_post.html", form=form), status


@bp.get("/posts/<int:post_id>")
@anonymous_page(lambda post_id: [f"post:{post_id}"])
def post(post_id: int):
    """A post with its comments."""
    viewer = _viewer()
    item = queries.get_post_or_404(db.session, post_id, viewer)
    thread = queries.thread(db.session, item, viewer)
    liked = queries.liked_posts(db.session, viewer, [item])
    form = forms.CommentForm()
    if item.is_question:
        form.body.label.text = _("Your reply")
    return render_template("community/post.html", post=item, thread=thread, liked=liked, form=form)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    """Rewrite my post."""
    item = queries.get_post_or_404(db.session, post_id, current_user)
    if item.author_id != current_user.id:
        abort(403)
    form = forms.EditForm(body=item.body)
    if form.validate_on_submit():
        try:
            service.edit_post(db.session, item, current_user, body=form.body.data or "")
        except service.CommunityError as error:
            db.session.rollback()
            apply_errors(form, error)
        except service.Gone:
            _gone()
        else:
            flash(_("Your post is updated."), "success")
            return redirect(url_for("community.post", post_id=item.id))
    return render_template("community/edit.html", form=form, item=item, kind="post"), 422 if form.errors else 200


@bp.post("/posts/<int:post_id>/delete")
@login_required
def delete_post(post_id: int):
    """Delete my post."""
    item = queries.get_post_or_404(db.session, post_id, current_user)
    if item.author_id != current_user.id or not forms.ActionForm().validate_on_submit():
        abort(403)
    service.delete_post(db.session, item, current_user)
    flash(_("Your post is deleted."), "info")
    return redirect(url_for("community.feed"))


@bp.post("/posts/<int:post_id>/like")
@login_required
@limiter.limit("60 per minute")
def like_post(post_id: int):
    """Like a post, or take the like back."""
    item = db.session.get(service.Post, post_id)
    if item is None:
        flash(_("This post no longer exists."), "warning")
        return redirect(url_for("community.community"))
    try:
        service.toggle_post_like(db.session, item, current_user)
    except service.Gone:
        db.session.rollback()
        _gone()
    except service.CommunityError as error:
        db.session.rollback()
        flash(str(error), "danger")
    return _back_to_post(item, url_for("community.post", post_id=post_id))


@bp.post("/posts/<int:post_id>/comments")
@login_required
@limiter.limit(_write_limit)
def add_comment(post_id: int):
    """Comment on a post, or reply to a comment."""
    item = db.session.get(service.Post, post_id)
    if item is None or item.deleted_at is not None:
        flash(_("This post was deleted, so it cannot take comments."), "warning")
        return redirect(url_for("community.community"))
    form = forms.CommentForm()
    if not form.validate_on_submit():
        abort(400)
    parent = None
    if form.parent_id.data:
        parent = db.session.get(Comment, int(form.parent_id.data)) \
            if re.fullmatch(r"[0-9]{1,9}", form.parent_id.data) else None
        if parent is None or parent.deleted_at is not None:
            flash(_("The comment you replied to was deleted."), "warning")
            return redirect(url_for("community.post", post_id=post_id))
    try:
        comment = service.add_comment(db.session, item, current_user, body=form.body.data or "", parent=parent)
    except service.Gone:
        db.session.rollback()
        _gone()
        return redirect(url_for("community.post", post_id=post_id) if item.is_visible else url_for("community.community"))
    except service.CommunityError as error:
        db.session.rollback()
        for messages in error.errors.values():
            for message in messages:
                flash(str(message), "danger")
        return redirect(url_for("community.post", post_id=post_id))
    return redirect(url_for("community.post", post_id=post_id, _anchor=f"comment-{comment.id}"))


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id: int):
    """Rewrite my comment."""
    comment = queries.get_comment_or_404(db.session, comment_id)
    if comment.author_id != current_user.id:
        abort(403)
    form = forms.EditForm(body=comment.body)
    if form.validate_on_submit():
        try:
            service.edit_comment(db.session, comment, current_user, body=form.body.data or "")
        except service.CommunityError as error:
            db.session.rollback()
            apply_errors(form, error)
        except service.Gone:
            _gone()
        else:
            flash(_("Your comment is updated."), "success")
            return redirect(url_for("community.post", post_id=comment.post_id, _anchor=f"comment-{comment.id}"))
    return render_template("community/edit.html", form=form, item=comment, kind="comment"), 422 if form.errors else 200


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete_comment(comment_id: int):
    """Delete my comment."""
    comment = queries.get_comment_or_404(db.session, comment_id)
    if comment.author_id != current_user.id or not forms.ActionForm().validate_on_submit():
        abort(403)
    service.delete_comment(db.session, comment, current_user)
    flash(_("Your comment is deleted."), "info")
    return redirect(url_for("community.post", post_id=comment.post_id))


@bp.post("/comments/<int:comment_id>/like")
@login_required
@limiter.limit("60 per minute")
def like_comment(comment_id: int):
    """Like a comment, or take the like back."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        flash(_("This comment no longer exists."), "warning")
        return redirect(url_for("community.community"))
    try:
        service.toggle_comment_like(db.session, comment, current_user)
    except service.Gone:
        db.session.rollback()
        _gone()
    except service.CommunityError as error:
        db.session.rollback()
        flash(str(error), "danger")
    return _back_to_post(comment.post, url_for("community.post", post_id=comment.post_id, _anchor=f"comment-{comment.id}"))


@bp.post("/posts/<int:post_id>/answer/<int:comment_id>")
@login_required
def mark_answer(post_id: int, comment_id: int):
    """Mark a reply as the answer to my question (or, for staff, to any question)."""
    item = queries.get_post_or_404(db.session, post_id, current_user)
    comment = queries.get_comment_or_404(db.session, comment_id)
    try:
        service.mark_answer(db.session, item, comment, current_user)
    except service.Gone:
        _gone()
    except service.CommunityError as error:
        flash(str(error), "danger")
    else:
        flash(_("Marked as the answer."), "success")
    return redirect(url_for("community.post", post_id=post_id, _anchor=f"comment-{comment_id}"))


@bp.post("/posts/<int:post_id>/unanswer")
@login_required
def unmark_answer(post_id: int):
    """Take back the answer mark."""
    item = queries.get_post_or_404(db.session, post_id, current_user)
    try:
        service.unmark_answer(db.session, item, current_user)
    except service.CommunityError as error:
        flash(str(error), "danger")
    return redirect(url_for("community.post", post_id=post_id))


# -- people ----------------------------------------------------------------------


@bp.get("/@<username>")
def handle(username: str):
    """@handle links (mentions) lead to the member's profile."""
    member = db.session.scalar(select(User).where(User.username == username.lower(), User.deleted_at.is_(None)))
    if member is None:
        abort(404)
    return redirect(url_for("accounts.member", user_id=member.id))


@bp.post("/members/<int:user_id>/follow")
@login_required
@limiter.limit("30 per minute")
def follow(user_id: int):
    """Follow a member: their posts come to my feed."""
    member = db.session.get(User, user_id)
    if member is None or not member.is_active:
        abort(404)
    try:
        service.follow(db.session, current_user, member)
    except service.CommunityError as error:
        flash(str(error), "danger")
    except service.Gone:
        _gone()
    else:
        flash(_("You follow %(name)s: their posts will show in your feed.", name=member.public_name), "success")
    return _back(url_for("accounts.member", user_id=user_id))


@bp.post("/members/<int:user_id>/unfollow")
@login_required
def unfollow(user_id: int):
    """Stop following a member."""
    member = db.session.get(User, user_id)
    if member is None:
        abort(404)
    service.unfollow(db.session, current_user, member)
    flash(_("You no longer follow %(name)s.", name=member.public_name), "info")
    return _back(url_for("accounts.member", user_id=user_id))


@bp.get("/media/photos/<name>")
def photo(name: str):
    """A post photo or its thumbnail."""
    return images.send_immutable(service.photo_folder(), name)


# -- notifications -----------------------------------------------------------------


@bp.get("/notifications")
@login_required
def notifications():
    """What happened around me; opening the page marks everything read."""
    before = request.args.get("before", type=int)
    items = notify.notifications_page(db.session, current_user, before=before)
    unread = {n.id for n in items if n.read_at is None}
    if current_user.unread_notifications and unread:
        notify.mark_all_read(db.session, current_user, up_to=max(unread))
    return render_template("community/notifications.html", items=items, unread=unread,
                           next_before=items[-1].id if len(items) == notify.PAGE_SIZE else None)


@bp.get("/notifications/unsubscribe/<token>")
def unsubscribe(token: str):
    """Turn the email digest off from the link in a digest, without signing in."""
    user = notify.unsubscribe(db.session, token)
    if user is None:
        flash(_("This unsubscribe link is not valid."), "danger")
    else:
        flash(_("You will not receive the digest any more. You can turn it back on in your settings."), "success")
    return redirect(url_for("pages.home"))


def profile_section(member: User) -> dict[str, Any]:
    """The posts, follower counts and follow button on a member's profile page."""
    viewer = _viewer()
    followers, following = queries.follow_counts(db.session, member)
    return {
        "template": "community/_profile_section.html",
        "page": queries.member_posts(db.session, member, viewer, request.args.get("cursor")),
        "followers": followers,
        "following": following,
        "is_following": queries.is_following(db.session, viewer, member),
    }
