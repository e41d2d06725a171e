"""The signed CSRF token a page carries: signed once per session and process, then reused.

Flask-WTF signs the session's secret token again on every request that shows a form (a
timestamp, JSON, zlib and an HMAC): a twentieth of a lesson page's work. With
WTF_CSRF_TIME_LIMIT = None (config.py) Flask-WTF never reads the time inside a token, so a
token signed earlier for the same session is exactly as valid as a new one, and is shown again.
With a time limit set, every request signs its own, as Flask-WTF does.
"""

from flask import Flask, current_app, g, session
from flask_wtf.csrf import generate_csrf

from cohortapp.lru import RecentlyUsed

# Flask-WTF's name for the token, in the session (raw) and in `g` (signed, for one request).
FIELD = "csrf_token"
SIGNED_TOKENS_KEPT = 10_000


def init_app(app: Flask) -> None:
    app.extensions["signed_csrf_tokens"] = RecentlyUsed()
    # Flask-WTF offers its generate_csrf both ways; registered after it, these take its place.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})


def csrf_token() -> str:
    """The request's signed token, as Flask-WTF's generate_csrf gives it."""
    if FIELD in g:
        return g.get(FIELD)
    if current_app.config["WTF_CSRF_TIME_LIMIT"] is not None:
        return generate_csrf()
    signed = current_app.extensions["signed_csrf_tokens"]
    raw = session.get(FIELD)
    token = signed.get(raw) if raw else None
    if token is None:
        token = generate_csrf()
        signed.put(session[FIELD], token, SIGNED_TOKENS_KEPT)
    else:
        # Where Flask-WTF keeps the request's token: its forms then show this one too.
        setattr(g, FIELD, token)
    return token
