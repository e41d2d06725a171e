"""The signed CSRF token is signed once per session and reused (cohortapp.csrf_tokens)."""

import itertools
import re

import pytest
from itsdangerous import TimestampSigner

from tests.conftest import login

LESSON = "/c/alpha/cohorts/a1/pages/welcome/diversity-as-advantage"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def clock_moves(monkeypatch):
    """Every signature is made a second after the one before, as on a real day of use."""
    seconds = itertools.count(1_900_000_000)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: next(seconds))


def signed_in(app, email):
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    assert login(client, email, csrf_token=token).status_code == 302
    return client


def token_on(client, path: str = LESSON) -> str:
    tokens = set(TOKEN.findall(client.get(path).get_data(as_text=True)))
    assert len(tokens) == 1, tokens
    return tokens.pop()


def test_a_session_sees_one_signed_token_on_every_page_and_it_works(csrf_on, world, clock_moves):
    learner = signed_in(csrf_on, world.learner)
    first = token_on(learner)
    assert token_on(learner) == first
    assert token_on(learner, "/c/alpha/cohorts/a1/qa/") == first
    assert learner.post("/logout", data={"csrf_token": first}).status_code == 302


def test_with_a_time_limit_every_request_signs_its_own_token(csrf_on, world, clock_moves):
    csrf_on.config["WTF_CSRF_TIME_LIMIT"] = 3600
    try:
        learner = signed_in(csrf_on, world.learner)
        first, second = token_on(learner), token_on(learner)
        assert first != second
        assert learner.post("/logout", data={"csrf_token": first}).status_code == 302
    finally:
        csrf_on.config["WTF_CSRF_TIME_LIMIT"] = None


def test_a_new_session_gets_a_new_token_and_the_old_one_is_refused(
    csrf_on, app, world, clock_moves
):
    client = signed_in(app, world.learner)
    old = token_on(client)
    assert client.post("/logout", data={"csrf_token": old}).status_code == 302
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    login(client, world.learner, csrf_token=token)
    new = token_on(client)
    assert new != old
    assert client.post("/logout", data={"csrf_token": old}).status_code == 400
    assert client.post("/logout", data={"csrf_token": new}).status_code == 302
