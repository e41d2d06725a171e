"""Two gunicorn instances behind no load balancer at all, sharing one PostgreSQL and one Redis:
a person signs in on one and goes on on the other, and the sign-in limit counts on both."""

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from cohortapp import create_app
from cohortapp.cohorts.services import enroll
from cohortapp.extensions import db
from tests.conftest import PASSWORD, config_for_tests, free_port
from tests.production.pg import add_open_cohort, add_user, fresh_postgres_database

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def seed(url: str) -> None:
    app = create_app(config_for_tests(url))
    with app.app_context():
        db.create_all()
        enroll(add_open_cohort(), add_user("lee@alpha.example", "Lee"), "learner")
        db.session.commit()
        db.engine.dispose()


@pytest.fixture(scope="module")
def two_instances():
    with fresh_postgres_database("cohortapp_scale") as url:
        database_url = url.render_as_string(hide_password=False)
        seed(database_url)
        env = {
            **os.environ,
            "COHORTAPP_ENV": "development",
            "SECRET_KEY": "shared-by-every-instance",
            "DATABASE_URL": database_url,
            "COHORTAPP_REDIS_URL": "redis://127.0.0.1:6379/4",
            "COHORTAPP_RATELIMIT_PREFIX": f"scale-{uuid.uuid4().hex[:8]}",
            # As behind a load balancer: each test is a different client address.
            "COHORTAPP_PROXY_FIX": "1",
        }
        ports = [free_port(), free_port()]
        processes = [
            subprocess.Popen(
                [str(GUNICORN), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for port in ports
        ]
        try:
            for port in ports:
                wait_until_up(port)
            yield [f"http://127.0.0.1:{port}" for port in ports]
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=20)


def wait_until_up(port: int) -> None:
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:  # refused, reset or timed out while gunicorn starts
            time.sleep(0.2)
    raise AssertionError(f"gunicorn on port {port} did not start")


class Browser:
    """Cookies kept across both instances (same host, other port), as one person's browser."""

    def __init__(self, address: str):
        """`address`: the client as the load balancer reports it (X-Forwarded-For)."""
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.opener.addheaders = [("X-Forwarded-For", address)]

    def get(self, url: str) -> tuple[int, str]:
        try:
            with self.opener.open(url, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, url: str, data: dict, form_page: str | None = None) -> tuple[int, str]:
        _status, page = self.get(form_page or url)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
        fields = {**data, "csrf_token": token.group(1) if token else ""}
        request = urllib.request.Request(
            url, data=urllib.parse.urlencode(fields).encode(), method="POST"
        )
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def test_signed_in_on_one_instance_and_going_on_on_the_other(two_instances):
    first, second = two_instances
    browser = Browser("192.0.2.10")
    status, _page = browser.post(
        f"{first}/login", {"email": "lee@alpha.example", "password": PASSWORD}
    )
    assert status == 200
    status, page = browser.get(f"{second}/c/alpha/cohorts/a1/")
    assert status == 200 and "0% complete" in page
    lesson = "/c/alpha/cohorts/a1/pages/welcome/how-the-course-works"
    status, _page = browser.post(
        f"{first}{lesson}", {"action": "next"}, form_page=f"{first}{lesson}"
    )
    assert status == 200
    status, page = browser.get(f"{second}/c/alpha/cohorts/a1/")
    assert "2% complete" in page, "progress written through one instance is seen through the other"


def test_the_sign_in_limit_counts_attempts_made_on_both_instances(two_instances):
    first, second = two_instances
    browser = Browser("192.0.2.20")
    statuses = [
        browser.post(f"{instance}/login", {"email": "lee@alpha.example", "password": "wrong"})[0]
        for instance in (first, second) * 5
    ]
    assert statuses == [422] * 10
    assert (
        browser.post(f"{first}/login", {"email": "lee@alpha.example", "password": "wrong"})[0]
        == 429
    )
    assert (
        browser.post(f"{second}/login", {"email": "lee@alpha.example", "password": "wrong"})[0]
        == 429
    )
