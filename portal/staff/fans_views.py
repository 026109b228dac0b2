"""The staff fans view: the top fans with filters, saved selections, the CSV export, and each fan's history.

Routes on the staff blueprint (endpoints staff.fans, staff.fan, ...); the rules are in fans.service.
"""
from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ..accounts.models import Role, User
from ..extensions import db
from ..fans import rules, service
from ..fans.models import FanSelection
from ..fans.tiers import TIER_LABELS
from ..feedback import queries as feedback_queries
from ..kernel.errors import apply_errors
from ..kernel.security import role_required
from ..kernel.translatable import localized_attr
from . import fans_forms, fans_queries
from .views import bp, staff_required

# A fan's page and the void of points from a period are also the moderators' (from the moderation queue).
moderator_required = role_required(Role.MODERATOR)

TIERS = {tier.value: label for tier, label in TIER_LABELS.items()}


def _filters() -> tuple[fans_forms.FiltersForm, fans_queries.FanFilters, FanSelection | None]:
    """The filters of the query string; an unknown selection is a 404."""
    form = fans_forms.FiltersForm(formdata=request.args)
    form.validate()
    filters = form.filters()
    selection = db.session.get(FanSelection, filters.selection_id) if filters.selection_id else None
    if filters.selection_id and selection is None:
        abort(404)
    form.board.choices = [SelectChoice("", _("Any board")), *(
        SelectChoice(b.id, localized_attr(b, "name")) for b in feedback_queries.visible_boards(db.session, current_user))]
    form.category.choices = [SelectChoice("", _("Any category")), *(
        SelectChoice(c.id, f"{localized_attr(c, 'name')} ({localized_attr(c.board, 'name')})")
        for c in fans_queries.categories(db.session))]
    return form, filters, selection


def _render_list(selection_form: fans_forms.SelectionForm | None = None, status: int = 200) -> Any:
    form, filters, selection = _filters()
    page = fans_queries.fans(db.session, filters, page=feedback_queries.page_number(request.args.get("page")))
    return render_template("staff/fans.html", form=form, filters=filters, page=page, selection=selection,
                           selection_form=selection_form or fans_forms.SelectionForm(),
                           selections=fans_queries.selections(db.session), tiers=TIERS,
                           ticked={int(v) for v in request.form.getlist("member") if v.isdigit()}), status


@bp.get("/fans")
@staff_required
def fans():
    """The top fans, filtered by tier, activity on a board or category, last contact and joining date."""
    return _render_list()


@bp.get("/fans.csv")
@staff_required
def fans_csv():
    """The filtered list, every row, as a spreadsheet."""
    _form, filters, _selection = _filters()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(fans_queries.CSV_HEADER)
    writer.writerows(fans_queries.csv_row(row) for row in fans_queries.fans(db.session, filters, page=None).rows)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=tribune-fans.csv"})


@bp.post("/fans/selections")
@staff_required
def save_fan_selection():
    """Save the ticked members under a name: an audience the newsletter and previews can use."""
    form = fans_forms.SelectionForm()
    ids = [int(v) for v in request.form.getlist("member") if v.isdigit()]
    if form.validate_on_submit():
        try:
            saved = service.save_selection(db.session, current_user, form.name.data or "", ids)
        except service.FansError as error:
            apply_errors(form, error)
        else:
            flash(_("The selection “%(name)s” is saved.", name=saved.name), "success")
            return redirect(url_for("staff.fans", selection=saved.id))
    return _render_list(form, 422)


@bp.post("/fans/selections/<int:selection_id>/delete")
@staff_required
def delete_fan_selection(selection_id: int):
    """Delete a saved selection (the members stay as they are)."""
    selection = db.session.get(FanSelection, selection_id)
    if selection is None:
        abort(404)
    name = selection.name
    service.delete_selection(db.session, current_user, selection)
    flash(_("The selection “%(name)s” is deleted.", name=name), "info")
    return redirect(url_for("staff.fans"))


# -- one fan --------------------------------------------------------------------------------------

def _member(user_id: int) -> User:
    member = fans_queries.member_or_none(db.session, user_id)
    if member is None:
        abort(404)
    return member


def _render_fan(member: User, status: int = 200, **forms: Any) -> Any:
    forms = {"note_form": fans_forms.NoteForm(), "pin_form": fans_forms.PinForm(prefix="pin"),
             "unpin_form": fans_forms.UnpinForm(prefix="unpin"), "void_form": fans_forms.VoidForm(prefix="void"),
             **forms}
    if status == 200:
        forms["pin_form"].tier.data = forms["pin_form"].tier.data or member.tier.value
    return render_template("staff/fan.html", fan=fans_queries.history(db.session, member), tiers=TIERS,
                           kinds=rules.KINDS, limits=rules.LIMITS, voids=rules.VOIDS, **forms), status


@bp.get("/fans/<int:user_id>")
@moderator_required
def fan(user_id: int):
    """A fan's history: standing, tier, latest events, badges, staff notes, and the pins and voids."""
    return _render_fan(_member(user_id))


def _act(member: User, form_name: str, form: Any, action: Any, done: str) -> Any:
    """Run a staff action from a form on the fan's page; errors go beside the fields, the page comes back."""
    if form.validate_on_submit():
        try:
            action(form)
        except service.FansError as error:
            apply_errors(form, error)
        else:
            flash(done, "success")
            return redirect(url_for("staff.fan", user_id=member.id))
    return _render_fan(member, 422, **{form_name: form})


@bp.post("/fans/<int:user_id>/notes")
@staff_required
def add_fan_note(user_id: int):
    """Write down something about a fan (they find it in their data export)."""
    member = _member(user_id)
    return _act(member, "note_form", fans_forms.NoteForm(),
                lambda f: service.add_note(db.session, current_user, member, f.body.data or ""), _("The note is added."))


@bp.post("/fans/<int:user_id>/pin")
@staff_required
def pin_fan(user_id: int):
    """Keep a member in a tier whatever their score, with a reason."""
    member = _member(user_id)
    return _act(member, "pin_form", fans_forms.PinForm(prefix="pin"),
                lambda f: service.pin(db.session, current_user, member, f.tier.data, f.reason.data or ""),
                _("The tier is pinned."))


@bp.post("/fans/<int:user_id>/unpin")
@staff_required
def unpin_fan(user_id: int):
    """Let the member's tier follow their score again, with a reason."""
    member = _member(user_id)
    return _act(member, "unpin_form", fans_forms.UnpinForm(prefix="unpin"),
                lambda f: service.unpin(db.session, current_user, member, f.reason.data or ""),
                _("The tier is no longer pinned: it follows the score again."))


@bp.post("/fans/<int:user_id>/void")
@moderator_required
def void_fan_points(user_id: int):
    """Void the points a member earned in a period, with a reason."""
    member = _member(user_id)
    return _act(member, "void_form", fans_forms.VoidForm(prefix="void"),
                lambda f: service.void_period(db.session, current_user, member, starts=f.starts.data,
                                              ends=f.ends.data, reason=f.reason.data or ""),
                _("The points of that period are voided."))
