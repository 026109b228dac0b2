"""The request's edge: what every request must pass before a view sees it, and what every answer carries.

- Text with control characters is refused with a 400 page in the reader's language, before any
  view, query or mail sees it: PostgreSQL cannot store a NUL (psycopg raises DataError, a 500),
  and SQLite would store it and mail it. Tab, newline and carriage return stay allowed (multi-line
  text); every other C0 control, DEL and lone surrogates (which no database or mail encodes) are
  refused, in path parameters, query strings, form fields and their names, upload file names and
  JSON bodies.
- Pages for a signed-in member hold personal data: they are sent `Cache-Control: private, no-store`,
  so no shared cache or back button keeps them, unless the view chose its own policy (images).
"""
from __future__ import annotations

import re
from typing import Any

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import BadRequest

NOT_ALLOWED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
PERSONAL = "private, no-store"


class ControlCharacters(BadRequest):
    """What was sent holds characters no text may hold."""


def has_control_characters(value: Any) -> bool:
    """Whether a string, or any string inside a JSON value, holds a refused character."""
    if isinstance(value, str):
        return NOT_ALLOWED.search(value) is not None
    if isinstance(value, dict):
        return any(has_control_characters(k) or has_control_characters(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_control_characters(item) for item in value)
    return False


def _sent_texts() -> list[Any]:
    texts: list[Any] = [*(request.view_args or {}).values(), request.path]
    for values in (request.args, request.form):
        for key, items in values.lists():
            texts.extend([key, *items])
    for key, upload in request.files.items(multi=True):
        texts.extend([key, upload.filename or ""])
    if request.is_json:
        texts.append(request.get_json(silent=True))
    return texts


def reject_control_characters() -> None:
    if any(has_control_characters(text) for text in _sent_texts()):
        raise ControlCharacters()


def refused(_error: ControlCharacters) -> Any:
    return render_template("errors/error.html", code=400, title=_("Characters not allowed"),
                           message=_("What you sent contains characters that are not allowed (such as invisible "
                                     "control characters). Remove them and try again. Nothing was saved.")), 400


def private_pages(response: Any) -> Any:
    """Signed-in members' pages are theirs alone: no cache keeps them."""
    if request.endpoint == "static" or "Cache-Control" in response.headers:
        return response
    if current_user and current_user.is_authenticated:
        response.headers["Cache-Control"] = PERSONAL
    return response


def init_app(app: Flask) -> None:
    """Call first, before the extensions: the check runs before any other before-request hook."""
    app.before_request(reject_control_characters)
    app.after_request(private_pages)
    app.register_error_handler(ControlCharacters, refused)
