"""Community routes: feeds, posts, comments, likes, follows, hashtags, notifications."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from ..accounts.models import Role, User
from ..config import current_settings
from ..extensions import db, limiter
from ..kernel import images
from ..kernel.errors import apply_errors
from ..kernel.fragments import Later
from ..kernel.pagecache import anonymous_page
from ..kernel.security import redirect_back, role_required, safe_next
from ..kernel.timeutil import utcnow
from . import forms, notify, queries, service, social
from .models import Comment, Post
from .posting import NEW_ACCOUNT_AGE, CommunityError, Gone, Missing, ReplyGone

bp = Blueprint("community", __name__)
login_required = role_required(Role.MEMBER)
staff_required = role_required(Role.STAFF)


def _is_new_member() -> bool:
    return current_user.is_authenticated and current_user.created_at > utcnow() - NEW_ACCOUNT_AGE


def _write_limit() -> str:
    """New accounts write less often, as Discourse's trust levels do."""
    return "3 per minute;10 per hour" if _is_new_member() else "10 per minute;120 per hour"


def _viewer() -> User | None:
    return current_user if current_user.is_authenticated else None


def _gone() -> None:
    flash(_("This was deleted or hidden, so it cannot be changed any more."), "warning")


def _flash_errors(error: CommunityError) -> None:
    for messages in error.errors.values():
        for message in messages:
            flash(str(message), "danger")


def _not_there(message: str) -> Any:
    """What a like of something no longer in the database says: the community page, with why."""
    flash(message, "warning")
    return redirect(url_for("community.community"))


def _back_to_post(item: Post, default: str, anchor: str = "") -> Any:
    """Back where the member was (at `anchor` if the form named no place), unless that is the page of a post they
    can no longer open (a 404)."""
    target = safe_next(request.form.get("next") or request.args.get("next")) or default
    if not queries.can_open(item, current_user) and target.partition("#")[0] == url_for("community.post", post_id=item.id):
        return redirect(url_for("community.community"))
    return redirect(target if "#" in target or not anchor else f"{target}#{anchor}")


def _like(post: Post, target: Post | Comment, toggle: Callable[..., bool], missing: str, anchor: str) -> Any:
    """Like or unlike; for the page's script (Accept: application/json) answer the new state and count, without
    scripts go back to the liked post or comment's place on the page, with any problem flashed."""
    liked = problem = None
    try:
        liked = toggle(db.session, target, current_user)
    except Missing:
        return _not_there(missing)
    except Gone:
        problem = _("This was deleted or hidden, so it cannot be changed any more.")
    except CommunityError as error:
        problem = str(error)
    accept = request.accept_mimetypes
    if accept.best_match(["text/html", "application/json"]) == "application/json" and not accept.accept_html:
        db.session.refresh(target)
        return jsonify(ok=problem is None, liked=liked, count=target.like_count, message=problem), 409 if problem else 200
    if problem:
        flash(problem, "warning")
    return _back_to_post(post, url_for("community.post", post_id=post.id), anchor)


def _replied_to(raw: str | None) -> Comment | None:
    """The comment a reply form names; a name that is no comment of ours counts as one that was deleted."""
    if not raw:
        return None
    comment = db.session.get(Comment, int(raw)) if re.fullmatch(r"[0-9]{1,9}", raw) else None
    if comment is None:
        raise ReplyGone()
    return comment


# -- feeds ---------------------------------------------------------------------


@bp.get("/feed")
@login_required
def feed():
    """Posts of the people I follow, my own, and staff announcements."""
    cursor = request.args.get("cursor")
    page = Later(lambda: queries.home_feed(db.session, current_user, cursor))  # read only if drawn
    return render_template("community/feed.html", page=page, cursor=cursor, form=forms.PostForm(),
                           sees=queries.hidden_posts_seen(db.session, current_user))


@bp.get("/community")
@anonymous_page(lambda: ["community"])
def community():
    """Everyone's posts: the latest, or the trending ones."""
    tab = "trending" if request.args.get("tab") == "trending" else "latest"
    viewer, cursor = _viewer(), request.args.get("cursor")
    return render_template("community/community.html", tab=tab, cursor=cursor, sees=queries.hidden_posts_seen(db.session, viewer),
                           listing=Later(lambda: queries.community_stream(db.session, viewer, tab, cursor)))  # read if drawn


@bp.get("/tags/<name>")
@anonymous_page(lambda name: ["community"])
def hashtag(name: str):
    """Posts with a hashtag."""
    viewer, cursor = _viewer(), request.args.get("cursor")
    page = Later(lambda: queries.hashtag_posts(db.session, name[:50], viewer, cursor))  # read only if drawn
    return render_template("community/hashtag.html", page=page, name=name[:50].lower(), cursor=cursor,
                           sees=queries.hidden_posts_seen(db.session, viewer))


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
                                       publish_at=form.publish_at.data, translation=form.translation.data or "",
                                       translation_locale=form.translation_locale.data or "")
        except CommunityError as error:
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
    form = forms.PostEditForm.for_post(item)
    if form.validate_on_submit():
        try:
            service.edit_post(db.session, item, current_user, **form.texts())
        except CommunityError as error:
            apply_errors(form, error)
        except Gone:
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
    item = db.session.get(Post, post_id)
    if item is None:
        return _not_there(_("This post no longer exists."))
    return _like(item, item, social.toggle_post_like, _("This post no longer exists."), f"post-{post_id}")


@bp.post("/posts/<int:post_id>/comments")
@login_required
@limiter.limit(_write_limit)
def add_comment(post_id: int):
    """Comment on a post, or reply to a comment."""
    item = db.session.get(Post, post_id)
    if item is None or item.deleted_at is not None:
        flash(_("This post was deleted, so it cannot take comments."), "warning")
        return redirect(url_for("community.community"))
    form = forms.CommentForm()
    if not form.validate_on_submit():
        abort(400)
    here = url_for("community.post", post_id=post_id)
    try:
        comment = service.add_comment(db.session, item, current_user, body=form.body.data or "",
                                      parent=_replied_to(form.parent_id.data))
    except ReplyGone:
        flash(_("The comment you replied to was deleted."), "warning")
        return redirect(here)
    except Gone:
        _gone()
        return redirect(here if item.is_visible else url_for("community.community"))
    except CommunityError as error:
        _flash_errors(error)
        return redirect(here)
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
        except CommunityError as error:
            apply_errors(form, error)
        except Gone:
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
        return _not_there(_("This comment no longer exists."))
    return _like(comment.post, comment, social.toggle_comment_like, _("This comment no longer exists."),
                 f"comment-{comment_id}")


@bp.post("/posts/<int:post_id>/answer/<int:comment_id>")
@login_required
def mark_answer(post_id: int, comment_id: int):
    """Mark a reply as the answer to my question (or, for staff, to any question)."""
    item = queries.get_post_or_404(db.session, post_id, current_user)
    comment = queries.get_comment_or_404(db.session, comment_id)
    try:
        social.mark_answer(db.session, item, comment, current_user)
    except Gone:
        _gone()
    except CommunityError as error:
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
        social.unmark_answer(db.session, item, current_user)
    except Gone:
        _gone()
    except CommunityError as error:
        flash(str(error), "danger")
    return redirect(url_for("community.post", post_id=post_id))


# -- people ----------------------------------------------------------------------


@bp.get("/@<username>")
def handle(username: str):
    """@handle links (mentions) lead to the member's profile."""
    member = queries.member_by_handle_or_404(db.session, username)
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
        social.follow(db.session, current_user, member)
    except CommunityError as error:
        flash(str(error), "danger")
    except Gone:
        _gone()
    else:
        flash(_("You follow %(name)s: their posts will show in your feed.", name=member.public_name), "success")
    return redirect_back(url_for("accounts.member", user_id=user_id))


@bp.post("/members/<int:user_id>/unfollow")
@login_required
def unfollow(user_id: int):
    """Stop following a member."""
    member = db.session.get(User, user_id)
    if member is None:
        abort(404)
    social.unfollow(db.session, current_user, member)
    flash(_("You no longer follow %(name)s.", name=member.public_name), "info")
    return redirect_back(url_for("accounts.member", user_id=user_id))


@bp.get("/media/photos/<name>")
def photo(name: str):
    """A post photo or its thumbnail, for those who may open the post; cached by others only while it is public."""
    post = queries.post_of_photo_or_404(db.session, name, _viewer())
    return images.send_guarded("photos", name, public=post.is_visible)


# -- notifications -----------------------------------------------------------------


@bp.get("/notifications")
@login_required
def notifications():
    """What happened around me; opening the page marks everything read."""
    opened = notify.open_notifications(db.session, current_user, before=request.args.get("before", type=int))
    return render_template("community/notifications.html", items=opened.items, unread=opened.unread,
                           next_before=opened.next_before)


@bp.get("/notifications/unsubscribe/<token>")
def unsubscribe(token: str):
    """Turn the email digest off from the link in a digest, without signing in."""
    user = notify.unsubscribe(db.session, token, current_settings())
    if user is None:
        flash(_("This unsubscribe link is not valid."), "danger")
    else:
        flash(_("You will not receive the digest any more. You can turn it back on in your settings."), "success")
    return redirect(url_for("pages.home"))

