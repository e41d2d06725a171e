from functools import cache

from babel import support
from flask import render_template
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


class Form(FlaskForm):
    """Every form of the app: WTForms' own messages in the reader's language.

    Flask-WTF reads WTForms' catalogue from disk on every request; it never changes while the
    app runs, so it is read once per language and process.
    """

    class Meta:
        def get_translations(self, form):
            return wtforms_translations(str(get_locale()))


@cache
def wtforms_translations(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def render_form(template: str, form, **context):
    """Render a page with its form; 422 when the form has errors, so it comes back filled."""
    status = 422 if form.errors else 200
    return render_template(template, form=form, **context), status
