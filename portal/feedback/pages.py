"""What both feedback view modules share: the viewer, a board as the viewer may see it, flashed
errors, and the idea page (which staff forms with errors are drawn back into)."""
from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, get_template_attribute, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.exceptions import NotFound as PageNotFound
from wtforms import SelectChoice

from ..accounts.models import User
from ..extensions import db
from ..kernel.fragments import Later
from ..kernel.security import login_redirect, safe_next
from ..kernel.translatable import localized_attr
from . import activity, forms, queries, service, triage
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


def first_error(error: service.FeedbackError) -> str:
    return next((str(m) for messages in error.errors.values() for m in messages), _("That did not work."))


def flash_errors(error: service.FeedbackError) -> None:
    for messages in error.errors.values():
        for message in messages:
            flash(str(message), "danger")


def category_choices(board: Board) -> list[SelectChoice]:
    return [SelectChoice("", _("No category")), *(SelectChoice(str(c.id), localized_attr(c, "name")) for c in board.categories)]


def budget_context(board: Board) -> dict[str, Any]:
    """The board page's budget meter and My votes: two statements for a member, whatever the ideas shown."""
    reader = viewer()
    return {"budget": queries.budget_of(db.session, board, reader),
            "my_votes": Later(lambda: queries.my_votes(db.session, board, reader))}  # read only if drawn


def vote_counted_message(board: Board) -> str:
    left = service.votes_left(db.session, board, current_user)
    if left is None:
        return _("Your vote is counted.")
    if left == 0:
        return _("Your vote is counted. That was your last vote on this board: take one back from My votes to vote "
                 "for another idea.")
    return ngettext("Your vote is counted. You have %(num)s vote left on this board.",
                    "Your vote is counted. You have %(num)s votes left on this board.", left)


def wants_json() -> bool:
    """The page's script asks for JSON (Accept: application/json); a form sent without scripts asks for a page."""
    accept = request.accept_mimetypes
    return accept.best_match(["text/html", "application/json"]) == "application/json" and not accept.accept_html


def _macro(name: str) -> Any:
    """A macro of the board's templates, to draw the same piece of page a form submission would show."""
    return get_template_attribute("feedback/_ui.html", name)


def vote_answer(idea: Idea, message: str | None, category: str) -> Any:
    """After a vote or unvote: for the page's script, the idea's new state and the pieces of page that show it;
    without scripts, the message flashed and a redirect back to the idea's place on the page it came from."""
    ok = category in ("success", "info")
    if not wants_json():
        if message:
            flash(message, category)
        target = safe_next(request.form.get("next")) or url_for("feedback.idea", idea_id=idea.id)
        return redirect(target if "#" in target else f"{target}#idea-{idea.id}")
    db.session.refresh(idea)
    board, here = idea.board, (safe_next(request.form.get("next")) or request.path).split("#")[0]
    budget = queries.budget_of(db.session, board, current_user)
    voted = bool(queries.voted_ideas(db.session, current_user, [idea]))
    return jsonify(
        ok=ok, message=message, category=category, idea_id=idea.id, board_id=board.id, voted=voted, count=idea.vote_count,
        budget=budget.budget, used=budget.used, left=budget.left,
        box=str(_macro("vote_box")(idea, voted, current_user, here, left=budget.left)),
        box_large=str(_macro("vote_box")(idea, voted, current_user, here, large=True, left=budget.left)),
        panel=str(_macro("budget_panel")(board, budget, queries.my_votes(db.session, board, current_user), here)),
        left_line=str(_macro("votes_left_line")(idea, budget, voted, False)),
    ), 200 if ok else 409


def render_idea(idea: Idea, **forms_given: Any) -> str:
    """The idea page; a staff form with errors is passed back in to show them."""
    reader = viewer()
    thread = activity.idea_thread(db.session, idea, reader)
    context: dict[str, Any] = {"idea": idea, "thread": thread, "comment_form": forms.CommentForm(),
                               "budget": queries.budget_of(db.session, idea.board, reader)}
    if reader is not None and reader.is_staff:
        context.update(status_form=forms.StatusForm(), merge_form=forms.MergeForm(),
                       response_form=forms.ResponseForm(response=triage.response_texts(db.session, idea)),
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
