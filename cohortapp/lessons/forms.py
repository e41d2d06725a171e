from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import Length

from cohortapp.forms import Form

REFLECTION_MAX = 10_000


class PageActionForm(Form):
    """One form per lesson page: the activity's answer and which button was pressed."""

    action = HiddenField()
    reflection = TextAreaField(
        _l("Your reflection"),
        validators=[
            Length(max=REFLECTION_MAX, message=_l("Keep your reflection under %(max)s characters."))
        ],
        description=_l("Only you, your facilitators and your city coordinator can read it."),
    )
    choice = RadioField(_l("Your answer"), choices=[], validate_choice=False)
