"""Account routes: thin wrappers around service.py."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.datastructures import FileStorage

from .. import images
from ..errors import apply_errors
from ..extensions import db, limiter
from ..pagecache import anonymous_page
from ..security import role_required, safe_next
from . import forms, service
from .models import Role, User

bp = Blueprint("accounts", __name__)
# Other features add what they show on a member's profile: a function (member) -> template context
# with a "template" key. The app factory wires them, so accounts never imports them.
PROFILE_SECTIONS: list[Callable[[User], dict[str, Any]]] = []
login_required = role_required(Role.MEMBER)

AUTH_LIMIT = "10 per minute;60 per hour"


def _token_message(reason: str) -> str:
    return {
        "expired": _("This link has expired. Ask for a new one below."),
        "used": _("This link was already used. If you need to, ask for a new one."),
    }.get(reason, _("This link is not valid. Check that you copied all of it, or ask for a new one."))


def _sign_in(user: User, remember: bool) -> None:
    service.start_session(db.session, user, remember=remember, user_agent=request.user_agent.string)
    login_user(user, remember=remember)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def signup():
    """Create an account; the member is signed in but must confirm the email to post."""
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = forms.SignupForm()
    if form.validate_on_submit():
        try:
            user = service.register(db.session, email=form.email.data, display_name=form.display_name.data,
                                    password=form.password.data, locale=_browser_locale())
        except service.AccountError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            _sign_in(user, remember=False)
            flash(_("Welcome to %(site)s! We sent a confirmation link to %(email)s.", site=_site_name(), email=user.email), "success")
            return redirect(url_for("accounts.settings"))
    return render_template("accounts/signup.html", form=form), 200 if request.method == "GET" or not form.errors else 422


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def login():
    """Sign in with email and password."""
    target = safe_next(request.args.get("next") or request.form.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("pages.home"))
    form = forms.LoginForm(next=target or "")
    if form.validate_on_submit():
        try:
            user = service.authenticate(db.session, form.email.data, form.password.data)
        except service.InvalidCredentials:
            form.password.errors = [_("That email and password do not match an account.")]
        else:
            _sign_in(user, remember=form.remember.data)
            flash(_("Welcome back, %(name)s.", name=user.display_name), "success")
            return redirect(target or url_for("pages.home"))
    return render_template("accounts/login.html", form=form), 200 if request.method == "GET" or not form.errors else 422


@bp.post("/logout")
@login_required
def logout():
    """End this browser's session on the server too."""
    service.end_session(db.session, current_user.session_token)
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("pages.home"))


@bp.get("/verify/<token>")
def verify(token: str):
    """Confirm an email address from the link we mailed."""
    try:
        service.verify_email(db.session, token)
    except service.TokenError as error:
        flash(_token_message(error.reason), "warning" if error.reason == "used" else "danger")
    else:
        flash(_("Thank you, your email address is confirmed."), "success")
    return redirect(url_for("accounts.settings") if current_user.is_authenticated else url_for("accounts.login"))


@bp.post("/verify/resend")
@login_required
@limiter.limit("3 per 10 minutes")
def resend_verification():
    """Send the confirmation link again."""
    if current_user.is_verified:
        flash(_("Your email address is already confirmed."), "info")
    elif forms.ResendVerificationForm().validate_on_submit():
        service.send_verification(current_user)
        flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("accounts.settings"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether the account exists or not."""
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        service.request_password_reset(db.session, form.email.data)
        flash(_("If an account uses %(email)s, a link to reset its password is on its way. It works once, for %(minutes)s minutes.",
                email=form.email.data, minutes=current_app.config["RESET_TOKEN_MINUTES"]), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def reset_password(token: str):
    """Choose a new password from a reset link."""
    try:
        service.check_reset_token(db.session, token)
    except service.TokenError as error:
        flash(_token_message(error.reason), "danger")
        return redirect(url_for("accounts.forgot_password"))
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        try:
            service.reset_password(db.session, token, form.password.data)
        except service.AccountError as error:
            db.session.rollback()
            apply_errors(form, error)
        except service.TokenError as error:
            flash(_token_message(error.reason), "danger")
            return redirect(url_for("accounts.forgot_password"))
        else:
            if current_user.is_authenticated:
                logout_user()
            flash(_("Your password is changed, and every other session is signed out. Sign in with the new one."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 200 if request.method == "GET" or not form.errors else 422


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Edit name, bio and avatar."""
    form = forms.ProfileForm(obj=current_user)
    if form.validate_on_submit():
        upload = form.avatar.data
        try:
            service.update_profile(db.session, current_user, display_name=form.display_name.data, bio=form.bio.data or "",
                                   username=form.username.data,
                                   avatar=upload.stream if isinstance(upload, FileStorage) and upload.filename else None,
                                   remove_avatar=form.remove_avatar.data)
        except service.AccountError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form), 200 if request.method == "GET" or not form.errors else 422


@bp.route("/account/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Language and email preferences, and the email confirmation status."""
    form = forms.SettingsForm(locale=current_user.locale or "", email_notifications=current_user.email_notifications,
                              digest=current_user.digest.value)
    if form.validate_on_submit():
        try:
            service.update_settings(db.session, current_user, locale=form.locale.data or None,
                                    email_notifications=form.email_notifications.data, digest=form.digest.data)
        except service.AccountError as error:
            apply_errors(form, error)
        else:
            flash(_("Your settings are saved."), "success")
            return redirect(url_for("accounts.settings"))
    return render_template("accounts/settings.html", form=form, resend=forms.ResendVerificationForm()), \
        200 if request.method == "GET" or not form.errors else 422


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; every other browser is signed out."""
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        try:
            service.change_password(db.session, current_user, current=form.current_password.data, new=form.new_password.data)
        except service.AccountError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            flash(_("Your password is changed. Your other sessions are signed out."), "success")
            return redirect(url_for("accounts.change_password"))
    sessions = service.active_sessions(db.session, current_user)
    return render_template("accounts/password.html", form=form, sessions=sessions), \
        200 if request.method == "GET" or not form.errors else 422


@bp.get("/account/export")
@login_required
def export():
    """Download everything Tribune holds about me, as JSON."""
    data = service.export_data(db.session, current_user)
    body = json.dumps(data, indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="tribune-my-data.json"', "Cache-Control": "no-store"})


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete():
    """Erase my account after confirming with my password."""
    if current_user.is_admin:
        flash(_("An admin account cannot delete itself. Ask another admin to take over first."), "warning")
        return redirect(url_for("accounts.settings"))
    form = forms.DeleteAccountForm()
    if form.validate_on_submit():
        try:
            service.delete_account(db.session, current_user, password=form.password.data)
        except service.AccountError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            logout_user()
            flash(_("Your account is deleted. What you posted stays, signed “deleted member”."), "info")
            return redirect(url_for("pages.home"))
    return render_template("accounts/delete.html", form=form), 200 if request.method == "GET" or not form.errors else 422


@bp.get("/members/<int:user_id>")
@anonymous_page(lambda user_id: [f"member:{user_id}"])
def member(user_id: int):
    """A member's public profile."""
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        abort(404)
    return render_template("accounts/member.html", member=user, sections=[section(user) for section in PROFILE_SECTIONS])


@bp.get("/media/avatars/<name>")
def avatar(name: str):
    """A member's avatar."""
    return images.send_immutable(service.avatar_folder(), name)


@bp.get("/account/inbox")
@login_required
def demo_inbox():
    """Demo mode: read the mail Tribune sent you, since the outbox is not a real inbox."""
    from ..admin import service as admin_service

    if not current_app.config["DEMO_MODE"] or current_app.config["MAIL_BACKEND"] != "outbox":
        abort(404)
    messages = admin_service.outbox_messages(recipient=current_user.email)
    return render_template("admin/outbox.html", messages=messages, mine=True)


def _browser_locale() -> str | None:
    from ..config import SUPPORTED_LOCALES

    return request.accept_languages.best_match(SUPPORTED_LOCALES)


def _site_name() -> str:
    from ..admin.service import site_settings

    return site_settings(db.session).name

