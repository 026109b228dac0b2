"""Admin pages: site identity, roles, the audit log, and the outbox; each route calls one service function."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts import roles
from ..accounts.models import Role, User
from ..config import current_settings
from ..extensions import db
from ..kernel import images
from ..kernel import outbox as mail_outbox
from ..kernel.errors import ValidationError, apply_errors
from ..kernel.security import role_required
from ..kernel.site import site_settings
from ..kernel.translatable import joined
from . import audit as audit_log
from . import forms, service

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_required = role_required(Role.ADMIN)


@bp.get("/")
@admin_required
def index():
    """The admin home: members by role and the latest audit entries."""
    return redirect(url_for("admin.members"))


@bp.get("/members")
@admin_required
def members():
    """Find members and change their role."""
    query = request.args.get("q", "")[:100]
    role = request.args.get("role", "")
    if role not in {r.value for r in Role}:
        role = ""
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)
    rows, total = service.list_members(db.session, query=query, role=role, page=page)
    pages = max(1, -(-total // service.MEMBERS_PER_PAGE))
    return render_template("admin/members.html", members=rows, total=total, page=page, pages=pages, query=query,
                           role=role, role_labels=forms.ROLE_LABELS, roles=list(Role),
                           role_choices=[(choice.value, str(choice.label)) for choice in forms.RoleForm().role.choices])


@bp.post("/members/<int:user_id>/role")
@admin_required
def set_role(user_id: int):
    """Grant or revoke the moderator and staff roles."""
    target = db.session.get(User, user_id)
    if target is None:
        abort(404)
    form = forms.RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the roles offered."), "danger")
    else:
        try:
            roles.set_role(db.session, actor=current_user, target=target, role=Role(form.role.data))
        except roles.RoleChangeRefused as refused:
            flash(str(refused), "danger")
        else:
            flash(_("New role for %(name)s: %(role)s.", name=target.display_name, role=forms.ROLE_LABELS[target.role]), "success")
    return redirect(request.referrer if (request.referrer or "").startswith(request.host_url) else url_for("admin.members"))


@bp.get("/audit")
@admin_required
def audit():
    """Who changed what, newest first, as sentences; filtered by who acted and by action, 50 a page."""
    action = request.args.get("action", "")
    action = action if action in audit_log.ACTIONS else ""
    actor_id = request.args.get("actor", 0, type=int) or None
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)
    log = audit_log.audit_page(db.session, actor_id=actor_id, action=action, page=page, role_labels=forms.ROLE_LABELS,
                               field_label=forms.site_field_label)
    return render_template("admin/audit.html", log=log, actions=audit_log.ACTIONS, action=action, actor_id=actor_id)


@bp.route("/site", methods=["GET", "POST"])
@admin_required
def site():
    """Name, tagline, colours and logo."""
    current = site_settings(db.session)
    form = forms.SiteForm(name=current.name, tagline=joined(current.tagline, current.tagline_i18n), primary=current.primary,
                          accent=current.accent)
    if form.validate_on_submit():
        upload = form.logo.data
        try:
            service.update_site(db.session, actor=current_user, name=form.name.data, tagline=form.tagline.data,
                                primary=form.primary.data, accent=form.accent.data,
                                logo=upload.stream if upload and upload.filename else None, remove_logo=form.remove_logo.data)
        except service.SiteChangeRefused:
            abort(403)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("The site settings are saved."), "success")
            return redirect(url_for("admin.site"))
    return render_template("admin/site.html", form=form), 200 if request.method == "GET" or not form.errors else 422


@bp.get("/outbox")
@admin_required
def outbox():
    """Mail written to instance/outbox when no SMTP server is configured."""
    if current_settings().mail_backend != "outbox":
        flash(_("Mail goes to the SMTP server, so the outbox is empty."), "info")
    return render_template("admin/outbox.html", messages=mail_outbox.outbox_messages(), mine=False)


@bp.get("/outbox/<name>")
@admin_required
def outbox_message(name: str):
    """One message from the outbox."""
    message = mail_outbox.outbox_message(name)
    if message is None:
        abort(404)
    return render_template("admin/outbox_message.html", message=message)


logo_bp = Blueprint("site", __name__)


@logo_bp.get("/media/logos/<name>")
def logo(name: str):
    """The site logo; its name changes with every upload."""
    return images.send_immutable("logos", name)


@logo_bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon (the logo once there is one)."""
    site = site_settings(db.session)
    target = url_for("site.logo", name=site.logo) if site.logo else url_for("static", filename="favicon.svg")
    return redirect(target)  # 302: the icon changes when the logo does


@logo_bp.get("/theme.css")
def theme():
    """The admin's colours as CSS variables (a file, since the CSP allows no inline style)."""
    site = site_settings(db.session)
    css = render_template("theme.css", site=site)
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable" if request.args.get("v") == site.version \
        else "no-cache"
    return response
