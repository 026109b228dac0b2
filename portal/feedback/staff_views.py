"""Feedback routes for staff and admins: statuses, responses, merges, votes on behalf,
estimates, hiding, the prioritisation view with its CSV export, and boards.

A blueprint of its own, nested in the feedback blueprint by the package (endpoints
feedback.staff.*); its templates are still in templates/feedback.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..accounts.models import Role
from ..extensions import db
from ..kernel.errors import apply_errors
from ..kernel.security import role_required, safe_next
from . import boards, forms, pages, queries, service, triage
from . import estimates as bulk_estimates  # `estimates` is the name of the per-idea view below
from .models import STATUS_LABELS, Board, Idea
from .queries import PriorityRow

bp = Blueprint("staff", __name__)
staff_required = role_required(Role.STAFF)
moderator_required = role_required(Role.MODERATOR)
admin_required = role_required(Role.ADMIN)


def _idea(idea_id: int) -> Idea:
    """The idea the staff tool acts on: a merged one is a 404 here (its page redirects to the original)."""
    item = queries.get_idea_or_404(db.session, idea_id, current_user)
    if item.merged_into_id is not None:
        abort(404)
    return item


def _to_idea(item: Idea, anchor: str | None = None) -> Any:
    return redirect(url_for("feedback.idea", idea_id=item.id, _anchor=anchor))


@bp.post("/ideas/<int:idea_id>/status")
@staff_required
def change_status(idea_id: int):
    """Move an idea to a new status, with a public explanation; subscribers are told."""
    item = _idea(idea_id)
    form = forms.StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        event = triage.change_status(db.session, item, current_user, status=form.status.data or "",
                                     explanation=form.explanation.data or "", pin=form.pin.data)
    except service.FeedbackError as error:
        apply_errors(form, error)
        return pages.render_idea(item, status_form=form, open_panel="status"), 422
    flash(_("The idea is now “%(status)s”. Everyone who follows it is told.", status=event.status.label), "success")
    return _to_idea(item)


@bp.post("/ideas/<int:idea_id>/response")
@staff_required
def post_response(idea_id: int):
    """Pin an official response above the comments (empty: take it down)."""
    item = _idea(idea_id)
    form = forms.ResponseForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        triage.post_response(db.session, item, current_user, text=form.response.data or "")
    except service.FeedbackError as error:
        apply_errors(form, error)
        return pages.render_idea(item, response_form=form, open_panel="response"), 422
    flash(_("The official response is pinned.") if item.response_html else _("The official response is removed."), "success")
    return _to_idea(item)


def _idea_number(text: str | None) -> int | None:
    """An idea number typed as "42", "#42" or pasted as the idea's address."""
    match = re.search(r"(?:^#?|/ideas/)([0-9]{1,9})(?:$|[/?#])", (text or "").strip())
    return int(match.group(1)) if match else None


@bp.post("/ideas/<int:idea_id>/merge")
@staff_required
def merge(idea_id: int):
    """Merge this idea, a duplicate, into another one."""
    item = _idea(idea_id)
    form = forms.MergeForm()
    if not form.validate_on_submit():
        abort(400)
    original = queries.idea_by_number(db.session, _idea_number(form.original.data))
    try:
        triage.merge_ideas(db.session, item, original, current_user, explanation=form.explanation.data or "")
    except service.FeedbackError as error:
        if "original_id" in error.errors:
            error.errors["original"] = error.errors.pop("original_id")
        apply_errors(form, error)
        return pages.render_idea(item, merge_form=form, open_panel="merge"), 422
    flash(_("Merged into this idea. Voters of the duplicate are told; a member who voted for both counts once."), "success")
    return _to_idea(original)


@bp.post("/ideas/<int:idea_id>/on-behalf")
@staff_required
def vote_on_behalf(idea_id: int):
    """Count the vote of a customer who asked by email, phone or social media."""
    item = _idea(idea_id)
    form = forms.OnBehalfForm()
    if not form.validate_on_submit():
        return pages.render_idea(item, behalf_form=form, open_panel="behalf"), 422
    try:
        triage.vote_on_behalf(db.session, item, current_user, email=form.email.data or "", name=form.name.data or "",
                              source=form.source.data or "", note=form.note.data or "")
    except service.VotingClosed:
        flash(_("Voting is closed for this idea."), "warning")
        return _to_idea(item)
    except service.FeedbackError as error:
        apply_errors(form, error)
        return pages.render_idea(item, behalf_form=form, open_panel="behalf"), 422
    flash(_("The customer's vote is counted."), "success")
    return _to_idea(item, "voters")


@bp.post("/ideas/<int:idea_id>/estimates")
@staff_required
def estimates(idea_id: int):
    """Set impact and effort, which give the priority score."""
    item = _idea(idea_id)
    form = forms.EstimateForm()
    back = safe_next(request.form.get("next")) or url_for("feedback.idea", idea_id=item.id)
    if not form.validate_on_submit():
        flash(_("Choose impact and effort from 1 to 5, or “–” for none. Nothing was changed."), "danger")
        return redirect(back)
    # Only what the form sent changes (the priorities table sends one of the two); the other keeps its value.
    sent = {name: form[name].data for name in ("impact", "effort") if name in request.form}
    try:
        triage.set_estimates(db.session, item, current_user, **sent)
    except service.FeedbackError as error:
        pages.flash_errors(error)
    else:
        flash(_("Impact and effort are saved."), "success")
    return redirect(back)


@bp.post("/ideas/<int:idea_id>/hide")
@moderator_required
def hide(idea_id: int):
    """Hide an idea from the board (its votes return to the voters), or show it again."""
    item = _idea(idea_id)
    hidden = request.form.get("hidden") == "1"
    triage.set_hidden(db.session, item, current_user, hidden)
    flash(_("The idea is hidden from the board.") if hidden else _("The idea is back on the board."), "info")
    return _to_idea(item)


# -- prioritisation ---------------------------------------------------------------


def _priority_filters() -> dict[str, Any]:
    args = request.args
    status = args.get("status", queries.ACTIVE)
    return {
        "board_id": queries.id_number(args.get("board")),
        "category_id": queries.id_number(args.get("category")),
        "status": status if status in ("all", queries.ACTIVE, *STATUS_LABELS) else queries.ACTIVE,
        "sort": args.get("sort") if args.get("sort") in queries.PRIORITY_SORTS else "demand",
        "review": args.get("review") if args.get("review") in queries.PRIORITY_REVIEWS else "",
    }


@bp.get("/staff/priorities")
@staff_required
def priorities():
    """The most requested ideas, with votes, voters, recent and superfan votes, demand and priority."""
    filters = _priority_filters()
    page = queries.priorities(db.session, page=queries.page_number(request.args.get("page")), **filters)
    return render_template("feedback/priorities.html", page=page, filters=filters,
                           boards=queries.visible_boards(db.session, current_user),
                           categories=queries.all_categories(db.session))


@bp.post("/staff/priorities")
@staff_required
def save_estimates():
    """Save impact and effort for every row changed on the priorities page: one save, one transaction."""
    back = safe_next(request.form.get("next")) or url_for("feedback.staff.priorities")
    try:
        changes = bulk_estimates.parse(request.form.to_dict())
        saved = bulk_estimates.save_estimates(db.session, current_user, changes,
                                         board_id=queries.id_number(request.form.get("board")))
    except service.FeedbackError as error:
        pages.flash_errors(error)
    else:
        flash(ngettext("Impact and effort are saved for %(num)d idea.", "Impact and effort are saved for %(num)d ideas.",
                       saved) if saved else _("Nothing to save: no impact or effort was changed."),
              "success" if saved else "info")
    return redirect(back)


CSV_HEADER = ["id", "title", "board", "category", "status", "votes", "unique_voters", "votes_30_days", "superfan_votes",
              "demand", "comments", "impact", "effort", "priority", "created", "url"]


@bp.get("/staff/priorities.csv")
@staff_required
def priorities_csv():
    """The same table, every row, as a spreadsheet."""
    page = queries.priorities(db.session, page=None, **_priority_filters())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows(_csv_row(row) for row in page.rows)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=tribune-priorities.csv"})


def _csv_row(row: PriorityRow) -> list[Any]:
    idea = row.idea
    return [idea.id, _spreadsheet_safe(idea.title), _spreadsheet_safe(idea.board.name),
            _spreadsheet_safe(idea.category.name) if idea.category else "",
            idea.status.value, row.votes, row.voters, row.recent, row.superfans, row.demand,
            idea.comment_count, idea.impact or "", idea.effort or "", idea.priority or "",
            idea.created_at.date().isoformat(), url_for("feedback.idea", idea_id=idea.id, _external=True)]


def _spreadsheet_safe(text: str) -> str:
    """A title starting with = + - @ would run as a formula in a spreadsheet."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


# -- boards (admin) ----------------------------------------------------------------


@bp.get("/admin/boards")
@admin_required
def admin_boards():
    """Every board, to create and change them."""
    return render_template("feedback/admin_boards.html", boards=queries.visible_boards(db.session, current_user))


@bp.route("/admin/boards/new", methods=["GET", "POST"], defaults={"board_id": None})
@bp.route("/admin/boards/<int:board_id>", methods=["GET", "POST"])
@admin_required
def edit_board(board_id: int | None):
    """Create a board, or change its name, address, visibility, vote budget and categories."""
    found = db.session.get(Board, board_id) if board_id else None
    if board_id and found is None:
        abort(404)
    # Not obj=found: the texts come in each language and the categories one per line, not as objects.
    form = forms.BoardForm(data=boards.board_form_data(found))
    if form.validate_on_submit():
        try:
            saved = boards.save_board(db.session, current_user, found, name=form.name.data, slug=form.slug.data or "",
                                      description=form.description.data, visibility=form.visibility.data or "",
                                      vote_budget=form.vote_budget.data, categories=form.categories.data,
                                      position=form.position.data or 0)
        except service.FeedbackError as error:
            apply_errors(form, error)
        else:
            flash(_("The board “%(name)s” is saved.", name=saved.name), "success")
            return redirect(url_for("feedback.staff.admin_boards"))
    return render_template("feedback/edit_board.html", form=form, board=found), 422 if form.errors else 200
