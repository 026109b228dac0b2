"""Moderation routes (their own blueprint): the report queue, hiding and restoring, suspensions, reporting."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Role, User
from ..extensions import db, limiter
from ..kernel.errors import apply_errors
from ..kernel.security import redirect_back, role_required
from . import forms, moderation, queries
from .models import Comment, Post, Report
from .posting import CommunityError, Gone

bp = Blueprint("moderation", __name__)
login_required = role_required(Role.MEMBER)
moderator_required = role_required(Role.MODERATOR)


@bp.get("/moderation")
@moderator_required
def moderation_queue():
    """Reported posts and comments waiting for a moderator, oldest first."""
    return render_template("community/moderation.html", reports=moderation.open_reports(db.session),
                           action=forms.ActionForm())


def _report(post: Post | None = None, comment: Comment | None = None):
    """The report form for a post or comment the member may see, and its sending."""
    back = url_for("community.post", post_id=post.id if post else comment.post_id)
    form = forms.ReportForm()
    if form.validate_on_submit():
        try:
            moderation.report(db.session, current_user, reason=form.reason.data or "", post=post, comment=comment)
        except CommunityError as error:
            apply_errors(form, error)
        except Gone:
            flash(_("This was deleted already."), "info")
            return redirect(back)
        else:
            flash(_("Thank you. A moderator will look at it soon."), "success")
            return redirect(back)
    return render_template("community/report.html", form=form, post=post, comment=comment, back=back), \
        422 if form.errors else 200


@bp.route("/posts/<int:post_id>/report", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def report_post(post_id: int):
    """Tell the moderators what is wrong with a post."""
    return _report(post=queries.get_post_or_404(db.session, post_id, current_user))


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def report_comment(comment_id: int):
    """Tell the moderators what is wrong with a comment."""
    return _report(comment=queries.get_visible_comment_or_404(db.session, comment_id, current_user))


def _target(kind: str, target_id: int) -> tuple[Post | None, Comment | None]:
    post = db.session.get(Post, target_id) if kind == "posts" else None
    comment = db.session.get(Comment, target_id) if kind == "comments" else None
    if (post or comment) is None or not forms.ActionForm().validate_on_submit():
        abort(404)
    return post, comment


@bp.post("/moderation/<any(posts, comments):kind>/<int:target_id>/hide")
@moderator_required
def hide(kind: str, target_id: int):
    """Hide a post or comment from everyone but its author and the moderators."""
    post, comment = _target(kind, target_id)
    moderation.hide(db.session, current_user, post=post, comment=comment)
    flash(_("Hidden. Its author still sees it, marked as hidden."), "success")
    return redirect_back(url_for("moderation.moderation_queue"))


@bp.post("/moderation/<any(posts, comments):kind>/<int:target_id>/restore")
@moderator_required
def restore(kind: str, target_id: int):
    """Show a hidden post or comment again."""
    post, comment = _target(kind, target_id)
    moderation.restore(db.session, current_user, post=post, comment=comment)
    flash(_("Restored: everyone sees it again."), "success")
    return redirect_back(url_for("moderation.moderation_queue"))


@bp.post("/moderation/reports/<int:report_id>/dismiss")
@moderator_required
def dismiss(report_id: int):
    """Keep the reported content and close the report."""
    item = db.session.get(Report, report_id)
    if item is None or not forms.ActionForm().validate_on_submit():
        abort(404)
    moderation.dismiss(db.session, current_user, item)
    flash(_("Report closed; the content stays."), "info")
    return redirect(url_for("moderation.moderation_queue"))


@bp.route("/moderation/members/<int:user_id>/suspend", methods=["GET", "POST"])
@moderator_required
def suspend(user_id: int):
    """Stop a member from writing for a while, with a reason they will see."""
    member = db.session.get(User, user_id)
    if member is None or not member.is_active:
        abort(404)
    form = forms.SuspendForm()
    if form.validate_on_submit():
        try:
            moderation.suspend(db.session, current_user, member, days=form.days.data, reason=form.reason.data or "")
        except CommunityError as error:
            apply_errors(form, error)
        else:
            flash(_("%(name)s is suspended until %(date)s.", name=member.public_name,
                    date=format_datetime(member.suspended_until, "short")), "success")
            return redirect(url_for("accounts.member", user_id=member.id))
    return render_template("community/suspend.html", form=form, member=member,
                           posts=queries.member_posts(db.session, member, current_user).posts[:5]), 422 if form.errors else 200


@bp.post("/moderation/members/<int:user_id>/unsuspend")
@moderator_required
def unsuspend(user_id: int):
    """End a suspension early."""
    member = db.session.get(User, user_id)
    if member is None or not forms.ActionForm().validate_on_submit():
        abort(404)
    moderation.lift_suspension(db.session, current_user, member)
    flash(_("%(name)s can write again.", name=member.display_name), "success")
    return redirect(url_for("accounts.member", user_id=member.id))
