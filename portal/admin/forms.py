"""Admin forms: shape checks only."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..accounts.models import Role
from ..accounts.roles import GRANTABLE_ROLES
from ..kernel.translatable import TranslatedField

ROLE_LABELS = {Role.MEMBER: _l("Member"), Role.MODERATOR: _l("Moderator"), Role.STAFF: _l("Staff"), Role.ADMIN: _l("Admin")}


SITE_FIELD_LABELS = {"name": _l("Site name"), "tagline": _l("Tagline"), "tagline_i18n": _l("Tagline translations"),
                     "primary": _l("Main colour"), "accent": _l("Accent colour"), "logo": _l("Logo")}


def site_field_label(key: str) -> str:
    return str(SITE_FIELD_LABELS.get(key, key))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in GRANTABLE_ROLES])


class SiteForm(FlaskForm):
    name = StringField(SITE_FIELD_LABELS["name"], validators=[DataRequired(_l("Enter the site name.")), Length(max=60)])
    tagline = TranslatedField(_l("Tagline"), maxlength=140)
    primary = StringField(_l("Main colour"), validators=[DataRequired(_l("Choose a colour."))])
    accent = StringField(_l("Accent colour"), validators=[DataRequired(_l("Choose a colour."))])
    logo = FileField(_l("Logo"))
    remove_logo = BooleanField(_l("Remove the logo"))
