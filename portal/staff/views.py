"""The staff home: counts and links for what awaits staff."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Role
from ..extensions import db
from ..feedback.models import Idea
from ..kernel.security import role_required
from . import queries, service

bp = Blueprint("staff", __name__, url_prefix="/staff")
staff_required = role_required(Role.STAFF)


@bp.get("")
@staff_required
def home():
    """What awaits staff: questions, reports, new ideas and ideas with new votes."""
    return render_template("staff/home.html", home=queries.staff_home(db.session),
                           target_hours=int(queries.ANSWER_TARGET.total_seconds() // 3600))


@bp.post("/ideas/<int:idea_id>/reviewed")
@staff_required
def mark_reviewed(idea_id: int):
    """"Mark reviewed" on the staff home."""
    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.deleted_at is not None:
        abort(404)
    service.mark_reviewed(db.session, current_user, idea)
    flash(_("“%(title)s” is marked as reviewed.", title=idea.title), "success")
    return redirect(url_for("staff.home"))
