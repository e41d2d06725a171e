import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from cohortapp.auth.forms import email_field
from cohortapp.cohorts.services import split_domains
from cohortapp.colors import AA_NORMAL_TEXT, HEX_COLOUR, white_text_contrast
from cohortapp.forms import Form
from cohortapp.i18n import LANGUAGES

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def language_choices(codes):
    return [
        SelectChoice(code, LANGUAGES[code].native_name, render_kw={"lang": code})
        for code in codes
        if code in LANGUAGES
    ]


def slug_field(label, description):
    return StringField(
        label,
        validators=[
            DataRequired(_l("Choose a short address.")),
            Length(min=2, max=40, message=_l("Use between 2 and 40 characters.")),
            Regexp(
                SLUG_PATTERN,
                message=_l("Use lower-case letters, digits and dashes only, like spring-2027."),
            ),
        ],
        description=description,
    )


def email_domains(form, field):
    bad = [d for d in split_domains(field.data or "") if not DOMAIN.match(d)]
    if bad:
        raise ValidationError(
            _l("These are not email domains: %(domains)s", domains=", ".join(bad))
        )


class CohortForm(Form):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the cohort a name.")), Length(max=120)]
    )
    slug = slug_field(
        _l("Short address"), _l("Used in the cohort's web address, e.g. spring-2027.")
    )
    locale = SelectField(_l("Language of the cohort"))
    starts_on = DateField(_l("Start date"), validators=[Optional()], description=_l("Optional."))
    ends_on = DateField(_l("End date"), validators=[Optional()], description=_l("Optional."))
    pace_weeks = IntegerField(
        _l("Pace in weeks"),
        validators=[
            Optional(),
            NumberRange(min=1, max=104, message=_l("Enter a number of weeks from 1 to 104.")),
        ],
        description=_l(
            "Optional. Spreads a target date over each module from the start date, so learners see whether they are on track."
        ),
    )
    stall_days = IntegerField(
        _l("Days without activity before a learner counts as stalled"),
        default=14,
        validators=[
            DataRequired(_l("Enter a number of days.")),
            NumberRange(min=1, max=365, message=_l("Enter a number of days from 1 to 365.")),
        ],
    )
    join_domains = StringField(
        _l("Join link limited to these email domains"),
        validators=[Optional(), Length(max=500), email_domains],
        description=_l(
            "Optional, separated by commas, e.g. rivertown.gov.uk. Empty: anyone with the link."
        ),
    )

    def __init__(self, *args, locales=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices(locales)

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date must come after the start date."))

    def validate_pace_weeks(self, field):
        if field.data and not self.starts_on.data:
            raise ValidationError(_l("A pace needs a start date."))


class EnrolForm(Form):
    email = email_field()
    name = StringField(
        _l("Name"),
        validators=[Optional(), Length(max=120)],
        description=_l("Optional: used in the invitation."),
    )
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice("learner", _l("Learner")),
            SelectChoice("facilitator", _l("Facilitator")),
        ],
    )


class ImportForm(Form):
    file = FileField(
        _l("Spreadsheet (CSV)"),
        validators=[FileRequired(_l("Choose a CSV file to upload."))],
        description=_l(
            "Columns: email, name, cohort, role. Save from your spreadsheet program as CSV (UTF-8)."
        ),
    )


class CityForm(Form):
    slug = slug_field(
        _l("Short address"),
        _l("Used in every address of the city, e.g. rivertown. It cannot be changed later."),
    )
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter the city's name.")), Length(max=120)]
    )
    country = StringField(
        _l("Country code"),
        validators=[
            DataRequired(_l("Enter a two-letter country code.")),
            Regexp(r"^[A-Za-z]{2}$", message=_l("Use two letters, like FR or DE.")),
        ],
        description=_l("Two letters, e.g. FR, DE, IT."),
    )
    default_locale = SelectField(_l("Default language"), choices=language_choices(LANGUAGES))
    locales = StringField(
        _l("Languages offered"),
        validators=[DataRequired(_l("Offer at least one language."))],
        description=_l("Language codes separated by commas, e.g. fr,en."),
    )
    brand_color = StringField(
        _l("Brand colour"),
        default="#1f5f8b",
        validators=[
            DataRequired(_l("Choose a colour.")),
            Regexp(HEX_COLOUR, message=_l("Use a colour code like #1f5f8b.")),
        ],
        description=_l("A colour code like #1f5f8b. White text must be readable on it."),
    )

    def validate_locales(self, field):
        codes = [code.strip() for code in (field.data or "").split(",") if code.strip()]
        unknown = [code for code in codes if code not in LANGUAGES]
        if unknown:
            raise ValidationError(
                _l(
                    "Unknown language codes: %(codes)s. Available: %(available)s.",
                    codes=", ".join(unknown),
                    available=", ".join(LANGUAGES),
                )
            )
        field.data = ",".join(dict.fromkeys(codes))

    def validate_default_locale(self, field):
        codes = [code.strip() for code in (self.locales.data or "").split(",")]
        if field.data not in codes:
            raise ValidationError(_l("The default language must be one of the languages offered."))

    def validate_brand_color(self, field):
        if not HEX_COLOUR.match(field.data or ""):
            return
        ratio = white_text_contrast(field.data)
        if ratio < AA_NORMAL_TEXT:
            raise ValidationError(
                _l(
                    "White text on this colour has a contrast of %(ratio)s to 1; at least 4.5 to 1 is needed to be readable (WCAG AA). Choose a darker colour.",
                    ratio=round(ratio, 1),
                )
            )


class CoordinatorForm(Form):
    email = email_field()


def note_form(locales):
    """A form with one text area per language the city offers."""

    class NoteForm(Form):
        pass

    for code in locales:
        setattr(
            NoteForm,
            f"note_{code}",
            TextAreaField(
                _l("Note in %(language)s", language=LANGUAGES[code].native_name),
                validators=[
                    Length(max=5000, message=_l("Keep the note under %(max)s characters."))
                ],
                render_kw={"lang": code},
            ),
        )
    return NoteForm
