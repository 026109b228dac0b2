"""Community forms: shape checks only; the rules live in service.py."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateTimeLocalField, HiddenField, IntegerField, TextAreaField
from wtforms.validators import Optional

from .models import COMMENT_MAX, POST_MAX


class PostForm(FlaskForm):
    body = TextAreaField(_l("Your post"), render_kw={"maxlength": POST_MAX, "rows": 4})
    photos = MultipleFileField(_l("Photos"))
    is_question = BooleanField(_l("This is a question"))
    announcement = BooleanField(_l("Staff announcement (pinned, with the Staff badge)"))
    publish_at = DateTimeLocalField(_l("Publish later (UTC)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])


class EditForm(FlaskForm):
    body = TextAreaField(_l("Text"), render_kw={"maxlength": POST_MAX, "rows": 6})


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), render_kw={"maxlength": COMMENT_MAX, "rows": 2})
    parent_id = HiddenField()


class ReportForm(FlaskForm):
    reason = TextAreaField(_l("What is wrong?"), render_kw={"maxlength": 500, "rows": 2})


class SuspendForm(FlaskForm):
    days = IntegerField(_l("Days"), default=7, validators=[Optional()])
    reason = TextAreaField(_l("Reason shown to the member"), render_kw={"maxlength": 500, "rows": 3})


class ActionForm(FlaskForm):
    """An empty form: a button that changes something, protected by the CSRF token."""
