"""Which language a request is served in, and the helpers the language switcher needs."""

from dataclasses import dataclass

import flask_babel
from flask import g, request, session
from flask_babel import format_date, format_datetime, format_decimal, format_percent, gettext
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str
    rtl: bool = False


LANGUAGES = {
    lang.code: lang
    for lang in (
        Language("en", "English"),
        Language("fr", "Français"),
        Language("de", "Deutsch"),
        Language("es", "Español"),
        Language("it", "Italiano"),
        Language("uk", "Українська"),
        Language("ar", "العربية", rtl=True),
    )
}
DEFAULT_LOCALE = "en"
SESSION_KEY = "lang"


def is_supported(code: str | None) -> bool:
    return bool(code) and code in LANGUAGES


def offered_languages() -> tuple[Language, ...]:
    """The languages the switcher offers: the city's when inside a city, else all."""
    city = g.get("city")
    codes = city.locale_list if city is not None else list(LANGUAGES)
    return tuple(LANGUAGES[code] for code in codes if code in LANGUAGES)


def select_locale() -> str:
    """explicit choice (?lang=, remembered) -> user preference -> cohort -> city -> browser -> en"""
    asked = request.args.get("lang")
    if is_supported(asked):
        session[SESSION_KEY] = asked
        return asked
    for candidate in _preference_chain():
        if is_supported(candidate):
            return candidate
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LOCALE


def _preference_chain():
    yield session.get(SESSION_KEY)
    if g.get("database_down"):
        return
    if current_user and current_user.is_authenticated:
        yield current_user.locale
    cohort = g.get("cohort")
    if cohort is not None:
        yield cohort.locale
    city = g.get("city")
    if city is not None:
        yield city.default_locale


def text_direction(locale_code: str) -> str:
    language = LANGUAGES.get(str(locale_code))
    return "rtl" if language and language.rtl else "ltr"


def register_template_helpers(app) -> None:
    from cohortapp.access import can
    from cohortapp.labels import (
        flag_reason_label,
        import_reason_label,
        import_status_label,
        learner_status_label,
        pace_label,
        role_label,
        status_label,
    )

    app.jinja_env.filters["role_label"] = role_label
    app.jinja_env.globals.update(
        can=can,
        flag_reason_label=flag_reason_label,
        role_label=role_label,
        status_label=status_label,
        import_status_label=import_status_label,
        import_reason_label=import_reason_label,
        pace_label=pace_label,
        learner_status_label=learner_status_label,
        text_direction=text_direction,
        offered_languages=offered_languages,
    )
    app.jinja_env.filters.update(
        date=lambda value, fmt="medium": format_date(value, fmt) if value else "",
        datetime=lambda value, fmt="medium": format_datetime(value, fmt) if value else "",
        number=lambda value: format_decimal(value),
        percent=lambda value: format_percent(value),
        add_percent=lambda value: gettext("%(percent)s%%", percent=value),
    )
    install_template_gettext(app)


TRANSLATIONS_KEY = "_translations"


def install_template_gettext(app) -> None:
    """Templates translate through the catalogue looked up once per render.

    Flask-Babel's template functions look the request's language and catalogue up again for
    each sentence, which was a sixth of the lesson page's time. A context processor, which runs
    once per render (inside `force_locale` too, for emails), now hands the catalogue and the
    language's code (`locale_code`) to the template; macros imported without context fall back
    to Flask-Babel's lookup. The functions below behave as Jinja's "newstyle" gettext (the
    sentence is always a format string, escaped in HTML templates) in one call per sentence:
    Jinja's own wrappers took three.
    """

    @app.context_processor
    def language_of_this_render():
        return {
            TRANSLATIONS_KEY: flask_babel.get_translations(),
            "locale_code": str(flask_babel.get_locale()),
        }

    app.jinja_env.newstyle_gettext = True
    app.jinja_env.globals.update(
        _=_template_gettext,
        gettext=_template_gettext,
        ngettext=_template_ngettext,
        pgettext=_template_pgettext,
        npgettext=_template_npgettext,
    )


def _translations_of(context):
    translations = context.get(TRANSLATIONS_KEY)
    return translations if translations is not None else flask_babel.get_translations()


def _formatted(context, translated: str, variables: dict):
    if context.eval_ctx.autoescape:
        translated = Markup(translated)
    return translated % variables


@pass_context
def _template_gettext(context, string, /, **variables):
    return _formatted(context, _translations_of(context).ugettext(string), variables)


@pass_context
def _template_ngettext(context, singular, plural, num, /, **variables):
    variables.setdefault("num", num)
    translated = _translations_of(context).ungettext(singular, plural, num)
    return _formatted(context, translated, variables)


@pass_context
def _template_pgettext(context, message_context, string, /, **variables):
    variables.setdefault("context", message_context)
    translated = _translations_of(context).upgettext(message_context, string)
    return _formatted(context, translated, variables)


@pass_context
def _template_npgettext(context, message_context, singular, plural, num, /, **variables):
    variables.setdefault("context", message_context)
    variables.setdefault("num", num)
    translated = _translations_of(context).unpgettext(message_context, singular, plural, num)
    return _formatted(context, translated, variables)


def remember_language(code: str) -> None:
    """Keep an explicit choice for this browser, and on the account when signed in."""
    session[SESSION_KEY] = code
    if current_user.is_authenticated:
        current_user.locale = code
