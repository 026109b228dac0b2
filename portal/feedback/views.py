"""Feedback routes for everyone: boards, ideas, votes, comments, subscriptions, roadmap, changelog.
The staff's routes are the nested blueprint in `staff_views` (endpoints feedback.staff.*)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Role
from ..extensions import db, limiter
from ..kernel.errors import apply_errors
from ..kernel.fragments import Later
from ..kernel.pagecache import anonymous_page
from ..kernel.security import login_redirect, role_required
from . import forms, pages, queries, service
from .models import STATUS_LABELS, Board, Idea, IdeaStatus, Visibility
from .pages import SETTINGS, viewer

bp = Blueprint("feedback", __name__)
bp.register_error_handler(service.NotFound, pages.not_found)
login_required = role_required(Role.MEMBER)


@bp.get("/boards")
@anonymous_page(lambda: ["boards", SETTINGS])
def boards():
    """Every board the viewer may see, with its newest ideas."""
    return render_template("feedback/boards.html", boards=queries.visible_boards(db.session, viewer()))


@bp.get("/boards/<slug>")
@anonymous_page(lambda slug: [f"board:{slug}", SETTINGS])
def board(slug: str):
    """A board's ideas: trending, top, new or recently updated, by status and category."""
    found = pages.board_for_viewer(slug)
    if not isinstance(found, Board):
        return found
    sort = request.args.get("sort") if request.args.get("sort") in queries.SORTS else "trending"
    status = request.args.get("status", queries.ACTIVE)
    if status not in ("all", queries.ACTIVE, *STATUS_LABELS):
        status = queries.ACTIVE
    category_id = queries.id_number(request.args.get("category"))
    if category_id and category_id not in {c.id for c in found.categories}:
        category_id = None
    page = Later(lambda: queries.list_ideas(db.session, found, viewer(), sort=sort, status=status, category_id=category_id,
                                            page=queries.page_number(request.args.get("page"))))  # read only if drawn
    return render_template("feedback/board.html", board=found, page=page, sort=sort, status=status,
                           category_id=category_id, topics=(f"board:{found.slug}", SETTINGS), **pages.budget_context(found))


@bp.route("/boards/<slug>/new", methods=["GET", "POST"])
@login_required
@limiter.limit("5 per minute;30 per hour", methods=["POST"])
def new_idea(slug: str):
    """Post an idea; similar ones are suggested while the title is typed."""
    found = pages.board_for_viewer(slug)
    if not isinstance(found, Board):
        return found
    form = forms.IdeaForm()
    form.category_id.choices = pages.category_choices(found)
    if form.validate_on_submit():
        try:
            idea, voted = service.submit_idea(db.session, found, current_user, title=form.title.data or "",
                                              description=form.description.data or "", category_id=form.category_id.data)
        except service.FeedbackError as error:
            apply_errors(form, error)
        else:
            if voted:
                flash(_("Your idea is posted, with your vote."), "success")
            else:
                flash(_("Your idea is posted. You have no votes left on this board, so it starts without yours."), "info")
            return redirect(url_for("feedback.idea", idea_id=idea.id))
    status = 422 if form.is_submitted() else 200
    return render_template("feedback/new_idea.html", board=found, form=form), status


@bp.get("/ideas/<int:idea_id>")
@anonymous_page(lambda idea_id: [f"idea:{idea_id}", SETTINGS])
def idea(idea_id: int):
    """An idea with its votes, status timeline, official response and comments."""
    if not current_user.is_authenticated:
        # As on the board itself: a visitor following a link to a members' idea is asked to sign in.
        found = db.session.get(Idea, idea_id)
        if found is not None and found.deleted_at is None and found.board.visibility is Visibility.MEMBERS:
            return login_redirect()
    item = queries.get_idea_or_404(db.session, idea_id, viewer())
    if item.merged_into_id is not None:
        flash(_("This idea was merged into the one below: its votes and comments are here now."), "info")
        return redirect(url_for("feedback.idea", idea_id=item.merged_into_id), 301)
    return pages.render_idea(item)


@bp.route("/ideas/<int:idea_id>/edit", methods=["GET", "POST"])
@login_required
def edit_idea(idea_id: int):
    """Correct my idea's title, details or category (staff may edit any)."""
    item = queries.get_idea_or_404(db.session, idea_id, current_user)
    if not service.may_change(item, current_user):
        abort(403)
    form = forms.IdeaForm(obj=item)
    form.category_id.choices = pages.category_choices(item.board)
    if form.validate_on_submit():
        try:
            service.edit_idea(db.session, item, current_user, title=form.title.data or "",
                              description=form.description.data or "", category_id=form.category_id.data)
        except service.FeedbackError as error:
            apply_errors(form, error)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("feedback.idea", idea_id=item.id))
    return render_template("feedback/edit_idea.html", form=form, idea=item), 422 if form.errors else 200


@bp.post("/ideas/<int:idea_id>/delete")
@login_required
def delete_idea(idea_id: int):
    """Delete my idea (staff may delete any); its votes return to the voters."""
    item = queries.get_idea_or_404(db.session, idea_id, current_user)
    if not service.may_change(item, current_user):
        abort(403)
    slug = item.board.slug
    service.delete_idea(db.session, item, current_user)
    flash(_("The idea is deleted, and its votes are back in the voters' budgets."), "info")
    return redirect(url_for("feedback.board", slug=slug))


@bp.post("/ideas/<int:idea_id>/vote")
@login_required
@limiter.limit("30 per minute;300 per hour")
def vote(idea_id: int):
    """Add my vote to an idea, within the board's budget (JSON for the page's script, else back to the idea's place)."""
    item = queries.get_idea_or_404(db.session, idea_id, current_user)
    try:
        counted = service.cast_vote(db.session, item, current_user)
    except service.VotingClosed:
        return pages.vote_answer(item, _("Voting is closed for this idea."), "warning")
    except service.NoVotesLeft as error:
        return pages.vote_answer(item, _("You have used all %(n)s of your votes on this board. Take one back from "
                                         "My votes, or wait until one of those ideas is done or declined: its votes "
                                         "come back to you.", n=error.budget), "warning")
    except service.FeedbackError as error:
        return pages.vote_answer(item, pages.first_error(error), "danger")
    return pages.vote_answer(item, pages.vote_counted_message(item.board) if counted else None, "success")


@bp.post("/ideas/<int:idea_id>/unvote")
@login_required
@limiter.limit("30 per minute;300 per hour")
def unvote(idea_id: int):
    """Take my vote back; it returns to my budget."""
    item = queries.get_idea_or_404(db.session, idea_id, current_user)
    try:
        removed = service.withdraw_vote(db.session, item, current_user)
    except service.VotingClosed:
        return pages.vote_answer(item, _("Voting is closed for this idea, so votes stay as they are."), "warning")
    return pages.vote_answer(item, _("Your vote is removed and back in your budget.") if removed else None, "info")


@bp.post("/ideas/<int:idea_id>/comments")
@login_required
@limiter.limit("10 per minute;120 per hour")
def comment(idea_id: int):
    """Comment on an idea."""
    item = queries.get_idea_or_404(db.session, idea_id, current_user)
    form = forms.CommentForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        added = service.add_comment(db.session, item, current_user, body=form.body.data or "")
    except service.FeedbackError as error:
        apply_errors(form, error)
        return pages.render_idea(item, comment_form=form), 422
    return redirect(url_for("feedback.idea", idea_id=item.id, _anchor=f"comment-{added.id}"))


@bp.post("/ideas/comments/<int:comment_id>/delete")
@login_required
def delete_comment(comment_id: int):
    """Delete my comment (moderators may delete any)."""
    found = queries.get_comment_or_404(db.session, comment_id, current_user)
    if not service.may_delete_comment(found, current_user):
        abort(403)
    idea_id = found.idea_id
    service.delete_comment(db.session, found, current_user)
    flash(_("The comment is deleted."), "info")
    return redirect(url_for("feedback.idea", idea_id=idea_id))


@bp.post("/ideas/<int:idea_id>/subscription")
@login_required
def subscription(idea_id: int):
    """Follow an idea's news, or stop."""
    item = queries.get_idea_or_404(db.session, idea_id, current_user)
    subscribed = request.form.get("subscribed") == "1"
    service.set_subscription(db.session, item, current_user, subscribed)
    flash(_("You will hear when this idea moves.") if subscribed else
          _("You will no longer hear about this idea."), "info")
    return redirect(url_for("feedback.idea", idea_id=idea_id))


@bp.get("/roadmap")
@anonymous_page(lambda: ["roadmap", SETTINGS])
def roadmap():
    """What is planned, in progress and recently done."""
    return render_template("feedback/roadmap.html", columns=queries.roadmap(db.session, viewer()))


@bp.get("/roadmap/<status>")
@anonymous_page(lambda status: ["roadmap", SETTINGS])
def roadmap_column(status: str):
    """Every idea of one roadmap column (the roadmap itself shows the first few), a page at a time."""
    if status not in {s.value for s in queries.ROADMAP_COLUMNS}:
        abort(404)
    page = queries.roadmap_column(db.session, viewer(), IdeaStatus(status), queries.page_number(request.args.get("page")))
    return render_template("feedback/roadmap_column.html", status=IdeaStatus(status), page=page)


@bp.get("/changelog")
@anonymous_page(lambda: ["roadmap", SETTINGS])
def changelog():
    """Done ideas, newest first, with the explanation that closed each."""
    page = queries.changelog(db.session, viewer(), queries.page_number(request.args.get("page")))
    return render_template("feedback/changelog.html", page=page)
