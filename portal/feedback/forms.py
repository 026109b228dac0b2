"""Feedback forms: shape checks only; the rules live in service.py and triage.py."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from ..kernel.translatable import TranslatedField
from .models import COMMENT_MAX, DESCRIPTION_MAX, EXPLANATION_MAX, STATUS_LABELS, TITLE_MAX, VISIBILITY_LABELS, VoteSource


def _int_or_none(value: object) -> int | None:
    """An empty choice is None; anything else must be a number (WTForms turns the ValueError into a field error)."""
    if value in (None, "", "None"):
        return None
    return int(value)


class IdeaForm(FlaskForm):
    title = StringField(_l("Your idea, in one sentence"), render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"})
    description = TextAreaField(_l("Details (optional)"), render_kw={"maxlength": DESCRIPTION_MAX, "rows": 6})
    category_id = SelectField(_l("Category"), coerce=_int_or_none, validate_choice=False)


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), render_kw={"maxlength": COMMENT_MAX, "rows": 3})


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), choices=[SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()], validate_choice=False)
    explanation = TranslatedField(_l("Public explanation"), textarea=True, maxlength=EXPLANATION_MAX, rows=4)
    # Off by default: the explanation is already on the timeline, pinned it would show twice.
    pin = BooleanField(_l("Also pin it as the official response"), default=False)


class ResponseForm(FlaskForm):
    response = TranslatedField(_l("Official response"), textarea=True, maxlength=EXPLANATION_MAX, rows=4)


class MergeForm(FlaskForm):
    original = StringField(_l("Merge into idea number (or its address)"), render_kw={"inputmode": "numeric"})
    explanation = TextAreaField(_l("Note for the voters (optional)"), id="merge-explanation",
                                render_kw={"maxlength": EXPLANATION_MAX, "rows": 2})


class OnBehalfForm(FlaskForm):
    email = EmailField(_l("Customer's email"), validators=[Optional()])
    name = StringField(_l("Customer's name"), render_kw={"maxlength": 80})
    source = SelectField(_l("Asked by"), validate_choice=False)
    note = StringField(_l("Note (what they said)"), render_kw={"maxlength": 300})

    def __init__(self, *args: object, **kwargs: object):
        super().__init__(*args, **kwargs)
        # Labels read in the viewer's language, at request time.
        self.source.choices = [SelectChoice(s.value, s.label) for s in VoteSource if s is not VoteSource.WEB]


class EstimateForm(FlaskForm):
    impact = SelectField(_l("Impact"), coerce=_int_or_none, validate_choice=False)
    effort = SelectField(_l("Effort"), coerce=_int_or_none, validate_choice=False)

    def __init__(self, *args: object, **kwargs: object):
        super().__init__(*args, **kwargs)
        scale = [SelectChoice("", "–"), *(SelectChoice(str(n)) for n in range(1, 6))]
        self.impact.choices = scale
        self.effort.choices = scale


class BoardForm(FlaskForm):
    name = TranslatedField(_l("Name"), maxlength=80)
    slug = StringField(_l("Address"), render_kw={"maxlength": 40})
    description = TranslatedField(_l("Description"), textarea=True, maxlength=500, rows=3)
    visibility = SelectField(_l("Who sees it"), choices=[SelectChoice(v.value, label) for v, label in VISIBILITY_LABELS.items()], validate_choice=False)
    vote_budget = IntegerField(_l("Votes per member on open ideas (empty: no limit)"), validators=[Optional()])
    position = IntegerField(_l("Position in the list"), default=0, validators=[Optional()])
    categories = TranslatedField(_l("Categories, one per line"), textarea=True, rows=5)
