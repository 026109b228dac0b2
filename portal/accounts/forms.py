"""Account forms: shape checks only; the rules live in the service modules (signup, sessions, profile...)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from .account import BIO_MAX
from .validation import DISPLAY_NAME_MAX


class SignupForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address.")), Length(max=254)])
    display_name = StringField(_l("Display name"), validators=[DataRequired(_l("Enter the name other members will see.")),
                                                               Length(max=DISPLAY_NAME_MAX)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password.")), Length(max=200)])


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=200)])
    remember = BooleanField(_l("Remember me"))
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address.")), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a password.")), Length(max=200)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password."))])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a password.")), Length(max=200)])


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[DataRequired(_l("Enter the name other members will see.")),
                                                               Length(max=DISPLAY_NAME_MAX)])
    bio = TextAreaField(_l("Short bio"), validators=[Length(max=BIO_MAX)])
    avatar = FileField(_l("Avatar"))
    remove_avatar = BooleanField(_l("Remove my avatar"))
    username = StringField(_l("Handle"), validators=[DataRequired(_l("Choose a handle.")), Length(max=30)])


class SettingsForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=[SelectChoice("", _l("Same as my browser")), SelectChoice("en", "English"), SelectChoice("fr", "Français")])
    email_notifications = BooleanField(_l("Email me about replies and activity"))
    digest = SelectField(_l("Email digest of my notifications"),
                         choices=[SelectChoice("off", _l("Never")), SelectChoice("daily", _l("Daily")),
                                  SelectChoice("weekly", _l("Weekly"))])


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Enter your password to confirm."))])


class ResendVerificationForm(FlaskForm):
    pass
