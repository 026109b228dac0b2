"""The staff fans view's forms: shape checks only; the rules are in fans.service."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional

from ..fans.service import NOTE_MAX, REASON_MAX, SELECTION_NAME_MAX
from ..fans.tiers import TIER_LABELS
from . import fans_queries


def _id_or_none(value: object) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)  # a ValueError becomes the field's error


class FiltersForm(FlaskForm):
    """The list's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    tier = SelectField(_l("Tier"), validate_choice=False)
    board = SelectField(_l("Activity on board"), coerce=_id_or_none, validate_choice=False)
    category = SelectField(_l("or category"), coerce=_id_or_none, validate_choice=False)
    days = SelectField(_l("In the last"), coerce=int, default=30, validate_choice=False)
    contacted = SelectField(_l("Last contacted"), validate_choice=False)
    joined_after = DateField(_l("Joined on or after"), validators=[Optional()])
    joined_before = DateField(_l("Joined before"), validators=[Optional()])
    sort = SelectField(_l("Sort by"), validate_choice=False)
    selection = IntegerField(validators=[Optional(), NumberRange(min=1)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tier.choices = [SelectChoice("", _l("Every tier")),
                             *(SelectChoice(t.value, label) for t, label in TIER_LABELS.items()),
                             SelectChoice("pinned", _l("Pinned to a tier"))]
        self.contacted.choices = [SelectChoice("", _l("Any time")), SelectChoice("never", _l("Never")),
                                  SelectChoice("30", _l("Not in the last 30 days, or never")),
                                  SelectChoice("90", _l("Not in the last 90 days, or never"))]
        self.sort.choices = [SelectChoice("score", _l("Score")),
                             SelectChoice("contacted", _l("Last contacted (longest ago first)")),
                             SelectChoice("joined", _l("Joined (newest first)"))]
        self.days.choices = [SelectChoice(d, _l("%(num)d days", num=d)) for d in fans_queries.DAY_WINDOWS]

    def filters(self) -> fans_queries.FanFilters:
        """What the form asks for; a field with an error (a date that is not one) filters nothing."""
        def ok(name: str):
            return None if self[name].errors else self[name].data

        tier = ok("tier") or ""
        return fans_queries.FanFilters(
            tier=tier if tier in {choice.value for choice in self.tier.choices} else "",
            board_id=ok("board"), category_id=ok("category"),
            days=ok("days") if ok("days") in fans_queries.DAY_WINDOWS else 30,
            contacted=ok("contacted") if ok("contacted") in ("never", *fans_queries.CONTACT_WINDOWS) else "",
            joined_after=ok("joined_after"), joined_before=ok("joined_before"),
            sort=ok("sort") if ok("sort") in fans_queries.SORTS else "score", selection_id=ok("selection"))


class SelectionForm(FlaskForm):
    name = StringField(_l("Save the ticked members as a selection named"),
                       render_kw={"maxlength": SELECTION_NAME_MAX, "autocomplete": "off"})


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Add a note"), render_kw={"maxlength": NOTE_MAX, "rows": 3})


class PinForm(FlaskForm):
    tier = SelectField(_l("Keep in tier"), validate_choice=False,
                       choices=[SelectChoice(t.value, label) for t, label in TIER_LABELS.items()])
    reason = StringField(_l("Reason (goes into the audit log)"), render_kw={"maxlength": REASON_MAX})


class UnpinForm(FlaskForm):
    reason = StringField(_l("Reason (goes into the audit log)"), render_kw={"maxlength": REASON_MAX})


class VoidForm(FlaskForm):
    starts = DateField(_l("From (first day)"), validators=[Optional()])
    ends = DateField(_l("To (last day)"), validators=[Optional()])
    reason = StringField(_l("Reason (goes into the audit log)"), render_kw={"maxlength": REASON_MAX})
