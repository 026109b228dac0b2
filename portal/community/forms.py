"""Community forms: shape checks only; the rules live in service.py."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateTimeLocalField, HiddenField, IntegerField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import Optional

from ..kernel.translatable import LANGUAGE_NAMES, reader_locale, site_locales
from .models import COMMENT_MAX, POST_MAX, Post


class PostForm(FlaskForm):
    body = TextAreaField(_l("Your post"), render_kw={"maxlength": POST_MAX, "rows": 4})
    photos = MultipleFileField(_l("Photos"))
    is_question = BooleanField(_l("This is a question"))
    announcement = BooleanField(_l("Staff announcement (pinned, with the Staff badge)"))
    # A pinned announcement may come with a translation: readers of that language see it instead.
    translation = TextAreaField(_l("Translation of the announcement (optional)"), render_kw={"maxlength": POST_MAX, "rows": 3})
    translation_locale = SelectField(_l("Language of the translation"), validate_choice=False)
    publish_at = DateTimeLocalField(_l("Publish later (UTC)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])

    def __init__(self, *args: object, **kwargs: object):
        super().__init__(*args, **kwargs)
        # The other language than the writer's comes first: that is the one a translation is for.
        codes = sorted(site_locales(), key=lambda code: code == reader_locale())
        self.translation_locale.choices = [SelectChoice(code, LANGUAGE_NAMES.get(code, code)) for code in codes]


class EditForm(FlaskForm):
    body = TextAreaField(_l("Text"), render_kw={"maxlength": POST_MAX, "rows": 6})


class PostEditForm(EditForm):
    """A post's edit form; an announcement's has its translation too, as the composer gives it."""
    translation = TextAreaField(_l("Translation of the announcement (optional)"), render_kw={"maxlength": POST_MAX, "rows": 4})
    translation_locale = SelectField(_l("Language of the translation"), validate_choice=False)

    @classmethod
    def for_post(cls, post: Post) -> "PostEditForm":
        """The form filled with the post (a field the browser does not send keeps this value)."""
        locale, text = next(iter((post.body_i18n or {}).items()), (None, ""))
        form = cls(body=post.body, translation=text, translation_locale=locale)
        if post.is_announcement:
            codes = sorted(site_locales(), key=lambda code: code == reader_locale())
            form.translation_locale.choices = [SelectChoice(code, LANGUAGE_NAMES.get(code, code)) for code in codes]
        else:
            del form.translation, form.translation_locale
        return form

    def texts(self) -> dict[str, str]:
        """What service.edit_post takes: the text, and an announcement's translation (empty: removed)."""
        if "translation" not in self:
            return {"body": self.body.data or ""}
        return {"body": self.body.data or "", "translation": self.translation.data or "",
                "translation_locale": self.translation_locale.data or ""}


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
