"""The course outline beside every lesson page, assembled from pieces built once per language.

The outline (42 links) was the costliest part of the lesson page to render in Jinja. Its markup
depends only on the language, apart from the cohort's address, which pages are done and which
is open: so each page's list item is built once per language and process in its four states,
and a request only picks one state per page and puts the cohort's address into the links.
"""

from flask_babel import gettext as _
from markupsafe import Markup, escape

from cohortapp.lessons.content import Course

# Stands for the cohort's pages address in the cached markup; it cannot occur in escaped text.
ADDRESS = "\x00"


def outline_html(course: Course, locale: str, pages_base: str, done: set, current: str) -> Markup:
    """`pages_base` + a page key is the page's address; `current` is the key of the open page."""
    head, items, tail = _pieces(course, locale)
    chosen = [pieces[(key in done, key == current)] if key else pieces for key, pieces in items]
    html = head + "".join(chosen) + tail
    return Markup(html.replace(ADDRESS, str(escape(pages_base))))


def _pieces(course: Course, locale: str):
    """Built in the request's language, whose catalogue does not change while the app runs."""
    cache = course.__dict__.setdefault("_outline_pieces", {})
    if locale not in cache:
        cache[locale] = _build(course, locale, _("Course outline"), _("done:"))
    return cache[locale]


def _build(course: Course, locale: str, outline_label: str, done_label: str):
    titles = course.page_titles(locale)
    head = (
        f'<nav class="outline" aria-label="{escape(outline_label)}">'
        f'<h2 class="outline__title">{escape(course.title(locale))}</h2>'
        '<ol class="outline__modules">'
    )
    items = []
    for module in course.modules:
        title = escape(module.title(locale, course.source_locale))
        items.append(
            (
                None,
                f'<li><span class="outline__module" dir="auto">{title}</span><ol class="outline__pages">',
            )
        )
        for page in module.pages:
            states = {
                (is_done, is_current): _page_item(
                    page.key, titles[page.key], is_done, is_current, done_label
                )
                for is_done in (False, True)
                for is_current in (False, True)
            }
            items.append((page.key, states))
        items.append((None, "</ol></li>"))
    return head, items, "</ol></nav>"


def _page_item(key: str, title: str, is_done: bool, is_current: bool, done_label: str) -> str:
    css = ' class="is-done"' if is_done else ""
    current = ' aria-current="page"' if is_current else ""
    mark = (
        f'<span class="done-mark" aria-hidden="true">✓</span><span class="visually-hidden">{escape(done_label)}</span>'
        if is_done
        else ""
    )
    return (
        f'<li{css}><a href="{ADDRESS}{escape(key)}"{current}>{mark}'
        f'<span dir="auto">{escape(title)}</span></a></li>'
    )
