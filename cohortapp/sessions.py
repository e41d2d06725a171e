"""Flask's sessions in a signed cookie, each cookie verified and decoded once per process.

A browser sends the same session cookie with every request until the session changes.
Checking its signature and decoding it again each time was a twentieth of a lesson page's
work, so a cookie that passed the check is remembered with what it holds until its age runs
out (Flask's PERMANENT_SESSION_LIFETIME, as in Flask's own check). The remembered cookie is
the whole signed value: a changed or forged cookie is never found and goes through the full
check. Only sessions of plain values (text, numbers, flags) are remembered, so that no list
(flashed messages) is shared between requests.
"""

import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

from cohortapp.lru import RecentlyUsed

COOKIES_KEPT = 10_000
PLAIN = (str, int, float, bool, type(None))


class RememberingSessionInterface(SecureCookieSessionInterface):
    def __init__(self):
        self.verified = RecentlyUsed()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        cookie = request.cookies.get(self.get_cookie_name(app))
        remembered = self.verified.get(cookie) if cookie else None
        if remembered is not None and time.time() < remembered[1]:
            return self.session_class(remembered[0])
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(isinstance(value, PLAIN) for value in data.values()):
            expires = signed_at.timestamp() + max_age
            self.verified.put(cookie, (dict(data), expires), COOKIES_KEPT)
        return self.session_class(data)
