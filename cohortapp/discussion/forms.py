from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from cohortapp.forms import Form
from cohortapp.labels import flag_reason_labels

BODY_MAX = 10_000


class QuestionForm(Form):
    title = StringField(
        _l("Your question, in one sentence"),
        validators=[
            DataRequired(_l("Write your question.")),
            Length(min=8, max=200, message=_l("Write between 8 and 200 characters.")),
        ],
    )
    body = TextAreaField(
        _l("Details"),
        validators=[
            Optional(),
            Length(max=BODY_MAX, message=_l("Keep it under %(max)s characters.")),
        ],
        description=_l(
            "Optional. Markdown works: **bold**, lists with -, links as [text](https://...)."
        ),
    )
    page_key = SelectField(_l("About the lesson page"), validators=[Optional()])
    submission_key = HiddenField()
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])


class AnswerForm(Form):
    body = TextAreaField(
        _l("Your answer"),
        validators=[
            DataRequired(_l("Write your answer.")),
            Length(max=BODY_MAX, message=_l("Keep it under %(max)s characters.")),
        ],
        description=_l("Markdown works: **bold**, lists with -, links as [text](https://...)."),
    )
    submission_key = HiddenField()
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])


class FlagForm(Form):
    reason = SelectField(
        _l("Why should a facilitator look at this?"),
        choices=lambda: [
            SelectChoice(reason, label) for reason, label in flag_reason_labels().items()
        ],
    )
    comment = StringField(_l("Comment (optional)"), validators=[Optional(), Length(max=500)])


class ShareForm(Form):
    show_names = BooleanField(_l("Show the names of the people who asked and answered"))
