"""What both feedback view modules share: the viewer, a board as the viewer may see it, flashed
errors, and the idea page (which staff forms with errors are drawn back into)."""
from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, render_template
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound as PageNotFound
from wtforms import SelectChoice

from ..accounts.models import User
from ..extensions import db
from ..kernel.security import login_redirect
from . import forms, queries, service
from .models import Board, Idea, Visibility

SETTINGS = "feedback-settings"  # the page-cache topic of boards' names, visibility and categories, changed by admins


def viewer() -> User | None:
    return current_user if current_user.is_authenticated else None


def board_for_viewer(slug: str) -> Board | Any:
    """The board, a sign-in page for visitors on a members' board, or a 404 where the viewer may not look."""
    board = queries.get_board_or_404(db.session, slug)
    if not queries.can_see_board(viewer(), board):
        if not current_user.is_authenticated and board.visibility is Visibility.MEMBERS:
            return login_redirect()
        abort(404)
    return board


def flash_errors(error: service.FeedbackError) -> None:
    for messages in error.errors.values():
        for message in messages:
            flash(str(message), "danger")


def category_choices(board: Board) -> list[SelectChoice]:
    return [SelectChoice("", _("No category")), *(SelectChoice(str(c.id), c.name) for c in board.categories)]


def render_idea(idea: Idea, **forms_given: Any) -> str:
    """The idea page; a staff form with errors is passed back in to show them."""
    reader = viewer()
    thread = queries.idea_thread(db.session, idea, reader)
    context: dict[str, Any] = {"idea": idea, "thread": thread, "comment_form": forms.CommentForm(),
                               "votes_left": service.votes_left(db.session, idea.board, reader)}
    if reader is not None and reader.is_staff:
        context.update(status_form=forms.StatusForm(), response_form=forms.ResponseForm(), merge_form=forms.MergeForm(),
                       behalf_form=forms.OnBehalfForm(), estimate_form=forms.EstimateForm(impact=idea.impact,
                                                                                          effort=idea.effort))
    context.update(forms_given)
    if "status_form" in context:  # the current status is not a change
        form = context["status_form"]
        form.status.choices = [c for c in form.status.choices if c.value != idea.status.value]
    return render_template("feedback/idea.html", **context)


def not_found(error: service.NotFound) -> Any:
    """A service found the board or idea out of the member's reach: the same 404 page as a view's own check."""
    return current_app.handle_http_exception(PageNotFound())
