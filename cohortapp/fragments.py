"""`{% cached key, ... %}...{% endcached %}`: parts of a page rendered once, then reused.

Most of a page's markup repeats from one request to the next: one person's account links, one
page's language switcher, a lesson's heading and pager in one language. A cached fragment is
rendered the first time its key is seen and reused afterwards. The key is everything the
fragment shows: the template lists it after the tag, and the fragment's place in the template,
the request's language and the prefix the app is served under are always added. So a fragment
is never stale, only unused: a renamed cohort or a new question makes a new key. (The course
itself is read once per process, so a page's key stands for its text.)

A fragment never keeps anyone's CSRF token or the request's style nonce: they are swapped for
markers when it is stored, and the current request's are put back each time it is used. The
cache keeps the FRAGMENT_CACHE_SIZE most recently used fragments per process, and is off while
templates reload (development with the debugger), so that an edited template shows at once.
With CACHE_VERIFY (on in the test suite) every reuse is compared with a fresh
rendering, so a key that misses something fails the test that shows it.
"""

import secrets

from flask import current_app, g, has_request_context, request
from flask_babel import get_locale
from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

from cohortapp.csrf_tokens import csrf_token
from cohortapp.lru import RecentlyUsed

# Random per process, so that no text a person writes (a search, a title) can contain them.
CSRF_MARKER = f"csrf-{secrets.token_hex(16)}"
NONCE_MARKER = f"nonce-{secrets.token_hex(16)}"


# The template context's name for the prefix the app is served under (request.script_root),
# looked up once per render rather than once per fragment.
PREFIX_NAME = "_served_prefix"


def served_prefix() -> dict[str, str]:
    """A context processor: every fragment's key needs the prefix."""
    return {PREFIX_NAME: request.script_root if has_request_context() else ""}


class FragmentKeyError(RuntimeError):
    """A cached fragment differs from a fresh rendering: its key misses something it shows."""


class FragmentCache(Extension):
    tags = {"cached"}

    def __init__(self, environment):
        super().__init__(environment)
        environment.extend(fragment_cache=RecentlyUsed())

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        key = [nodes.Const(f"{parser.name}:{lineno}")]
        while parser.stream.current.type != "block_end":
            if len(key) > 1:
                parser.stream.expect("comma")
            key.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcached",), drop_needle=True)
        render = self.call_method("_render", [nodes.ContextReference(), nodes.Tuple(key, "load")])
        return nodes.CallBlock(render, [], [], body).set_lineno(lineno)

    def _render(self, context, key: tuple, caller) -> Markup:
        if self.environment.auto_reload:
            return caller()
        # The language, and the prefix the app is served under (in every address it builds).
        # Macros imported without the context lack both; they are looked up then.
        locale = context.get("locale_code") or str(get_locale())
        prefix = context.get(PREFIX_NAME)
        if prefix is None:
            prefix = served_prefix()[PREFIX_NAME]
        place = key[0]
        key = (locale, prefix, *key)
        fragments = self.environment.fragment_cache
        stored = fragments.get(key)
        if stored is None:
            stored = _without_request_values(Markup(caller()))
            fragments.put(key, stored, current_app.config["FRAGMENT_CACHE_SIZE"])
        elif current_app.config["CACHE_VERIFY"]:
            _check_against_fresh_rendering(stored, caller, place)
        return _with_request_values(stored)


def _check_against_fresh_rendering(stored: Markup, caller, place: str) -> None:
    """The test suite's guard (CACHE_VERIFY): every reuse must equal a fresh rendering."""
    if _without_request_values(Markup(caller())) != stored:
        raise FragmentKeyError(f"the cached fragment at {place} needs more in its key")


def _without_request_values(html: Markup) -> Markup:
    csrf_token, nonce = g.get("csrf_token"), g.get("csp_nonce")
    if csrf_token:
        html = html.replace(csrf_token, CSRF_MARKER)
    if nonce:
        html = html.replace(nonce, NONCE_MARKER)
    return html


def _with_request_values(html: Markup) -> Markup:
    if CSRF_MARKER in html:
        html = html.replace(CSRF_MARKER, csrf_token())
    if NONCE_MARKER in html:
        html = html.replace(NONCE_MARKER, g.get("csp_nonce", ""))
    return html
