"""Rate limits on sign-in, password reset, sign-in links and join codes, shared through Redis."""

import uuid

import pytest

from cohortapp import create_app
from tests.conftest import config_for_tests


def limited_app(database_url, storage="memory://", prefix=None):
    return create_app(
        {
            **config_for_tests(database_url),
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": storage,
            "RATELIMIT_KEY_PREFIX": prefix or f"test-{uuid.uuid4().hex[:8]}",
        }
    )


def wrong_sign_in(client, **headers):
    return client.post(
        "/login", data={"email": "someone@alpha.example", "password": "not it"}, headers=headers
    )


def test_too_many_sign_in_attempts_get_a_translated_429(app, database_url):
    client = limited_app(database_url).test_client()
    statuses = [wrong_sign_in(client).status_code for _ in range(10)]
    assert statuses == [422] * 10
    refused = wrong_sign_in(client, **{"Accept-Language": "fr"})
    assert refused.status_code == 429
    body = refused.get_data(as_text=True)
    assert '<html lang="fr"' in body and "Trop de tentatives" in body
    assert "Retry-After" in refused.headers


@pytest.mark.parametrize(
    ("path", "data", "allowed"),
    [
        ("/password/forgot", {"email": "a@alpha.example"}, 5),
        ("/login/link", {"email": "a@alpha.example"}, 5),
        ("/join/not-a-code", {}, 10),
    ],
)
def test_reset_sign_in_link_and_join_requests_are_limited(app, database_url, path, data, allowed):
    client = limited_app(database_url).test_client()
    for _ in range(allowed):
        assert client.post(path, data=data).status_code != 429
    assert client.post(path, data=data).status_code == 429


def test_join_code_guessing_by_get_is_limited(app, database_url):
    client = limited_app(database_url).test_client()
    statuses = [client.get(f"/join/guess-{n}").status_code for n in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429


# Sharing the counts between app processes through Redis: tests/production/test_scale_out.py.
