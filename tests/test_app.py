import pytest

from cohortapp import create_app
from cohortapp.extensions import db
from tests.conftest import config_for_tests


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.setenv("COHORTAPP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app({"SECRET_KEY": None})


def test_production_starts_with_secret_key_and_sends_hsts(monkeypatch, database_url):
    monkeypatch.setenv("COHORTAPP_ENV", "production")
    app = create_app({**config_for_tests(database_url), "SECRET_KEY": "s" * 64})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert "max-age" in response.headers["Strict-Transport-Security"]
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("COHORTAPP_ENV", "staging-typo")
    with pytest.raises(RuntimeError, match="COHORTAPP_ENV"):
        create_app()


def test_healthz_reports_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def unreachable_database_app(tmp_path):
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'nowhere.db'}"
    return create_app(config_for_tests(url))


def test_healthz_answers_503_when_database_is_unreachable(tmp_path):
    response = unreachable_database_app(tmp_path).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unavailable"}


def test_pages_answer_a_friendly_503_when_database_is_unreachable(tmp_path):
    response = unreachable_database_app(tmp_path).test_client().get("/c/alpha/")
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "briefly unavailable" in body
    assert "Traceback" not in body


def test_security_headers_forbid_framing_and_inline_scripts(client):
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_page_gets_the_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_landing_page_invites_to_sign_in(client):
    body = client.get("/").get_data(as_text=True)
    assert "The intercultural city step by step" in body
    assert 'href="/login"' in body


def test_pooled_connections_are_tested_before_use_on_a_database_server_only(app, tmp_path):
    postgres = create_app(config_for_tests("postgresql+psycopg://postgres@127.0.0.1:1/none"))
    sqlite = create_app(config_for_tests(f"sqlite:///{tmp_path / 'file.db'}"))
    assert postgres.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}
    assert sqlite.config["SQLALCHEMY_ENGINE_OPTIONS"] == {}
    with app.app_context():
        engine = db.engine
    assert engine.pool._pre_ping is (engine.dialect.name != "sqlite")
