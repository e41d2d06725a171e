from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from cohortapp.auth.passwords import MIN_LENGTH, password_problem
from cohortapp.forms import Form
from cohortapp.i18n import LANGUAGES

PASSWORD_MESSAGES = {
    "too_short": _l("Use at least %(count)s characters.", count=MIN_LENGTH),
    "too_common": _l("This password is too easy to guess. Try a short sentence instead."),
}


def acceptable_password(form, field):
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(PASSWORD_MESSAGES[problem])


def strip_whitespace(value):
    return value.strip() if isinstance(value, str) else value


def email_field(label=None):
    return EmailField(
        label or _l("Email address"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Enter your email address.")),
            Email(
                _l("Enter a valid email address, like name@example.org."),
                check_deliverability=False,
            ),
            Length(max=254),
        ],
    )


def name_field(description=""):
    return StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=120)],
        description=description,
    )


def new_password_fields():
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password.")), acceptable_password],
        description=_l(
            "At least %(count)s characters. A short sentence works well.", count=MIN_LENGTH
        ),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )
    return password, confirm


class LoginForm(Form):
    email = email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()


class ForgotPasswordForm(Form):
    email = email_field()


class ResetPasswordForm(Form):
    password, confirm = new_password_fields()


class AcceptInvitationForm(Form):
    name = name_field(_l("As your colleagues will see it in your cohort."))
    password, confirm = new_password_fields()


class AccountForm(Form):
    name = name_field()
    wants_digest = BooleanField(
        _l("Send me one email a day about new answers, instead of one email per answer")
    )
    locale = SelectField(
        _l("Language"),
        choices=[
            SelectChoice(code, language.native_name, render_kw={"lang": code})
            for code, language in LANGUAGES.items()
        ],
    )


class ChangePasswordForm(Form):
    # Required only of accounts that have a password (not of those made through a join link).
    current_password = PasswordField(_l("Current password"))
    password, confirm = new_password_fields()


class SignInLinkForm(Form):
    email = email_field()
    next = HiddenField()


class JoinForm(Form):
    name = name_field()
    email = email_field(_l("Your work email address"))
