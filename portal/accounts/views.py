"""Account routes: each parses the request, calls one service function, and renders or redirects."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage

from ..config import SUPPORTED_LOCALES, current_settings
from ..extensions import db, limiter
from ..kernel import features, images, ratelimits
from ..kernel.errors import apply_errors
from ..kernel.pagecache import anonymous_page
from ..kernel.security import role_required, safe_next
from . import account, forms, passwords, queries, registration, sessions
from .models import Role
from .tokens import TokenError
from .validation import AccountError, normalise_email

bp = Blueprint("accounts", __name__)
login_required = role_required(Role.MEMBER)

AUTH_LIMIT = "10 per minute;60 per hour"
# Sign-in counts failures only. Tightly per account tried from one address: the guesser is stopped,
# and the owner, signing in from anywhere else, is not locked out by them. Loosely per account from
# every address: many addresses guessing one password are slowed down (one address alone, at most
# 40 failures an hour, never reaches it). Per address, generously, so one person behind a shared
# address does not lock out the rest.
SIGN_IN_ACCOUNT_FROM_ADDRESS_LIMIT = "10 per 15 minutes"
SIGN_IN_ACCOUNT_LIMIT = "50 per hour"
SIGN_IN_ADDRESS_LIMIT = "60 per minute;300 per hour"
# Sign-up and reset forms mail the address typed (its owner, when it is taken): not a way to flood someone's inbox.
MAILS_PER_EMAIL_LIMIT = "5 per hour"
# An avatar is decoded and re-encoded on a worker: per member, and per address for many accounts at once.
UPLOAD_ACCOUNT_LIMIT = "5 per 10 minutes;20 per day"
UPLOAD_ADDRESS_LIMIT = "20 per 10 minutes"


def typed_account() -> str:
    """The account the form's email names, as sign-in and sign-up find it: `victim@ｅxample.com`
    and `VICTIM@example.com` are the same member, so they share one counter. An address that does
    not validate is only trimmed and lower-cased (sign-in looks it up that way too)."""
    raw = request.form.get("email") or ""
    try:
        email = normalise_email(raw)
    except ValueError:
        email = raw.strip().lower()
    return email[:254]


def tried_account() -> str:
    """Per account tried (the sign-up and reset forms mail that address); per address without one."""
    email = typed_account()
    return f"account:{email}" if email else get_remote_address()


def tried_account_from_address() -> str:
    """Per account tried and the address trying it: one guesser stops there, and locks no one else out."""
    email = typed_account()
    return f"account:{email}|from:{get_remote_address()}" if email else get_remote_address()


def _token_message(reason: str) -> str:
    return {
        "expired": _("This link has expired. Ask for a new one below."),
        "used": _("This link was already used. If you need to, ask for a new one."),
    }.get(reason, _("This link is not valid. Check that you copied all of it, or ask for a new one."))


def _status(form: FlaskForm) -> int:
    """200 for the form itself, 422 when it comes back with errors."""
    return 200 if request.method == "GET" or not form.errors else 422


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
@limiter.limit(MAILS_PER_EMAIL_LIMIT, methods=["POST"], key_func=tried_account)
def signup():
    """Join. The answer is the same whether the address is new or a member's (who is mailed instead)."""
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = forms.SignupForm()
    if form.validate_on_submit():
        try:
            registration.register(db.session, current_settings(), email=form.email.data, display_name=form.display_name.data,
                                  password=form.password.data, locale=_browser_locale())
        except AccountError as error:
            apply_errors(form, error)
        else:
            session["signup_email"] = form.email.data.strip()
            return redirect(url_for("accounts.signup_sent"))
    return render_template("accounts/signup.html", form=form), _status(form)


@bp.get("/signup/sent")
def signup_sent():
    """'Check your email': what every sign-up is told, so it says nothing of who is a member."""
    return render_template("accounts/signup_sent.html", email=session.get("signup_email"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_ACCOUNT_FROM_ADDRESS_LIMIT, methods=["POST"], key_func=tried_account_from_address,
               deduct_when=ratelimits.failed)
@limiter.limit(SIGN_IN_ACCOUNT_LIMIT, methods=["POST"], key_func=tried_account, deduct_when=ratelimits.failed)
@limiter.limit(SIGN_IN_ADDRESS_LIMIT, methods=["POST"], deduct_when=ratelimits.failed)
def login():
    """Sign in with email and password."""
    target = safe_next(request.args.get("next") or request.form.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("pages.home"))
    form = forms.LoginForm(next=target or "")
    if form.validate_on_submit():
        try:
            user = sessions.sign_in(db.session, current_settings(), email=form.email.data, password=form.password.data,
                                    remember=form.remember.data, user_agent=request.user_agent.string)
        except sessions.InvalidCredentials:
            form.password.errors = [_("That email and password do not match an account.")]
        else:
            login_user(user, remember=form.remember.data)
            flash(_("Welcome back, %(name)s.", name=user.display_name), "success")
            return redirect(target or url_for("pages.home"))
    return render_template("accounts/login.html", form=form), _status(form)


@bp.post("/logout")
@login_required
def logout():
    """End this browser's session on the server too."""
    sessions.end_session(db.session, current_user.session_token)
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("pages.home"))


@bp.get("/verify/<token>")
def verify(token: str):
    """Confirm an email address from the link we mailed."""
    try:
        registration.verify_email(db.session, current_settings(), token)
    except TokenError as error:
        flash(_token_message(error.reason), "warning" if error.reason == "used" else "danger")
    else:
        flash(_("Thank you, your email address is confirmed."), "success")
    return redirect(url_for("accounts.settings") if current_user.is_authenticated else url_for("accounts.login"))


@bp.post("/verify/resend")
@login_required
@limiter.limit("3 per 10 minutes")
def resend_verification():
    """Send the confirmation link again."""
    if forms.ResendVerificationForm().validate_on_submit():
        try:
            registration.resend_verification(current_settings(), current_user)
        except registration.AlreadyVerified:
            flash(_("Your email address is already confirmed."), "info")
        else:
            flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("accounts.settings"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
@limiter.limit(MAILS_PER_EMAIL_LIMIT, methods=["POST"], key_func=tried_account)
def forgot_password():
    """Ask for a reset link; the answer is the same whether the account exists or not."""
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        config = current_settings()
        passwords.request_password_reset(db.session, config, form.email.data)
        flash(_("If an account uses %(email)s, a link to reset its password is on its way. It works once, for %(minutes)s minutes.",
                email=form.email.data, minutes=config.reset_token_minutes), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def reset_password(token: str):
    """Choose a new password from a reset link."""
    form = forms.ResetPasswordForm()
    try:
        if not form.validate_on_submit():
            passwords.check_reset_token(db.session, current_settings(), token)  # a spent link shows no form
        else:
            passwords.reset_password(db.session, current_settings(), token, form.password.data)
            if current_user.is_authenticated:
                logout_user()
            flash(_("Your password is changed, and every other session is signed out. Sign in with the new one."), "success")
            return redirect(url_for("accounts.login"))
    except TokenError as error:
        flash(_token_message(error.reason), "danger")
        return redirect(url_for("accounts.forgot_password"))
    except AccountError as error:
        apply_errors(form, error)
    return render_template("accounts/reset_password.html", form=form), _status(form)


def _no_upload() -> bool:
    """A profile form saved without a new avatar costs nothing to decode: only uploads are limited."""
    return not any(upload.filename for upload in request.files.values())


def _uploaded(data: object) -> object | None:
    return data.stream if isinstance(data, FileStorage) and data.filename else None


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
@limiter.limit(UPLOAD_ACCOUNT_LIMIT, methods=["POST"], exempt_when=_no_upload)  # the default key: the member
@limiter.limit(UPLOAD_ADDRESS_LIMIT, methods=["POST"], exempt_when=_no_upload, key_func=get_remote_address)
def profile():
    """Edit name, bio and avatar: what others see, so only once the address is confirmed and not while suspended."""
    form = forms.ProfileForm(obj=current_user)
    locked = account.profile_refusal(current_user)
    if locked is None and form.validate_on_submit():
        try:
            account.update_profile(db.session, current_user, display_name=form.display_name.data, bio=form.bio.data or "",
                                   username=form.username.data, avatar=_uploaded(form.avatar.data),
                                   remove_avatar=form.remove_avatar.data)
        except account.ProfileLocked as refused:
            locked = refused.args[0]
        except AccountError as error:
            apply_errors(form, error)
        else:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.profile"))
    status = 403 if locked is not None and request.method == "POST" else _status(form)
    return render_template("accounts/profile.html", form=form, locked=locked), status


@bp.route("/account/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Language and email preferences, and the email confirmation status."""
    form = forms.SettingsForm(locale=current_user.locale or "", email_notifications=current_user.email_notifications,
                              digest=current_user.digest.value)
    if form.validate_on_submit():
        try:
            account.update_settings(db.session, current_user, locale=form.locale.data or None,
                                    email_notifications=form.email_notifications.data, digest=form.digest.data)
        except AccountError as error:
            apply_errors(form, error)
        else:
            flash(_("Your settings are saved."), "success")
            return redirect(url_for("accounts.settings"))
    return render_template("accounts/settings.html", form=form, resend=forms.ResendVerificationForm()), _status(form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; every other browser is signed out."""
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        try:
            passwords.change_password(db.session, current_user, current=form.current_password.data, new=form.new_password.data)
        except AccountError as error:
            apply_errors(form, error)
        else:
            flash(_("Your password is changed. Your other sessions are signed out."), "success")
            return redirect(url_for("accounts.change_password"))
    # Read for the page only (the form above, or its errors): the change redirects before it.
    sessions_here = sessions.active_sessions(db.session, current_user)
    return render_template("accounts/password.html", form=form, sessions=sessions_here), _status(form)


@bp.get("/account/export")
@login_required
def export():
    """Download everything Tribune holds about me, as JSON."""
    data = account.export_data(db.session, current_user, features.registry().data_exporters)
    body = json.dumps(data, indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="tribune-my-data.json"', "Cache-Control": "no-store"})


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete():
    """Erase my account after confirming with my password."""
    form = forms.DeleteAccountForm()
    try:
        if not form.validate_on_submit():
            account.check_can_delete(current_user)  # a member who may not delete is not shown the form
        else:
            account.delete_account(db.session, current_user, password=form.password.data)
            logout_user()
            flash(_("Your account is deleted. What you posted stays, signed “deleted member”."), "info")
            return redirect(url_for("pages.home"))
    except account.DeletionRefused as refused:
        flash(str(refused), "warning")
        return redirect(url_for("accounts.settings"))
    except AccountError as error:
        apply_errors(form, error)
    return render_template("accounts/delete.html", form=form), _status(form)


@bp.get("/members/<int:user_id>")
@anonymous_page(lambda user_id: [f"member:{user_id}"])
def member(user_id: int):
    """A member's public profile."""
    user = queries.public_member(db.session, user_id)
    if user is None:
        abort(404)
    return render_template("accounts/member.html", member=user, sections=[section(user) for section in features.registry().profile_sections])


@bp.get("/media/avatars/<name>")
def avatar(name: str):
    """A member's avatar."""
    return images.send_immutable("avatars", name)


@bp.get("/account/inbox")
@login_required
def demo_inbox():
    """Demo mode: read the mail Tribune sent you, since the outbox is not a real inbox."""
    try:
        messages = queries.demo_inbox(current_settings(), current_user)
    except queries.InboxClosed:
        abort(404)
    return render_template("admin/outbox.html", messages=messages, mine=True)


def _browser_locale() -> str | None:
    return request.accept_languages.best_match(SUPPORTED_LOCALES)
