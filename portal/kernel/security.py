"""Who may use a route, and where a `next` link may send someone."""
from __future__ import annotations

import functools
from typing import Any, Callable, Protocol
from urllib.parse import urlsplit

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user


class Role(Protocol):
    """A member's role as accounts defines it: each includes the ones below it."""

    def includes(self, other: Any) -> bool: ...


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target


def redirect_back(default: str) -> Any:
    """Back where the form said the member was (`next`), if that is on this site; else to `default`."""
    return redirect(safe_next(request.form.get("next") or request.args.get("next")) or default)


def login_redirect() -> Any:
    flash(_("Please sign in to continue."), "info")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def role_required(role: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Anonymous visitors are sent to sign in; members without the role get 403."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_redirect()
            if not current_user.role.includes(role):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_role = role  # type: ignore[attr-defined]
        return wrapped

    return decorator


def verified_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Members must have confirmed their email before they write anything."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_redirect()
        if not current_user.is_verified:
            flash(_("Confirm your email address first: we sent you a link."), "warning")
            return redirect(url_for("accounts.settings"))
        return view(*args, **kwargs)

    return wrapped


CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
