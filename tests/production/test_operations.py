"""Backups, proxies and security headers: what a city's IT department checks before deploying."""

import sqlite3
import threading

from flask import request

from cohortapp import create_app
from cohortapp.auth.models import User
from cohortapp.extensions import db
from tests.conftest import app_db, config_for_tests, login


def test_backup_copies_a_sqlite_database_while_it_is_written_to(tmp_path, make_user):
    source_url = f"sqlite:///{tmp_path / 'live.db'}"
    app = create_app(config_for_tests(source_url))
    with app.app_context():
        db.create_all()
    stop = threading.Event()

    def keep_writing():
        number = 0
        while not stop.is_set():
            with app_db(app) as session:
                session.add(User(email=f"writer{number}@x.example", name="w"))
            number += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.db")])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert "backed up" in result.output
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM users").fetchone()[0] >= 0
    with app.app_context():
        db.engine.dispose()


def test_backup_refuses_to_overwrite_a_file(tmp_path):
    app = create_app(config_for_tests(f"sqlite:///{tmp_path / 'live.db'}"))
    with app.app_context():
        db.create_all()
    (tmp_path / "exists.db").write_text("keep me")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "exists.db")])
    assert result.exit_code != 0 and "exists already" in result.output
    assert (tmp_path / "exists.db").read_text() == "keep me"


def test_backup_explains_pg_dump_for_postgresql():
    # The command refuses before connecting, so any PostgreSQL address will do.
    app = create_app(config_for_tests("postgresql+psycopg://postgres@127.0.0.1:5432/nowhere"))
    result = app.test_cli_runner().invoke(args=["backup", "/tmp/never-written.db"])
    assert result.exit_code != 0 and "pg_dump" in result.output


def test_proxy_fix_trusts_the_load_balancer_headers_only_when_configured(database_url):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "learn.example-city.eu"}
    for hops, expected in ((0, "http://localhost/"), (1, "https://learn.example-city.eu/")):
        app = create_app({**config_for_tests(database_url), "PROXY_FIX": hops})
        app.add_url_rule("/_root_url", "root_url", lambda: request.url_root)
        assert (
            app.test_client().get("/_root_url", headers=headers).get_data(as_text=True) == expected
        )


def test_production_cookies_are_secure_and_http_only(monkeypatch, database_url, world):
    monkeypatch.setenv("COHORTAPP_ENV", "production")
    app = create_app({**config_for_tests(database_url), "SECRET_KEY": "x" * 64})
    client = app.test_client()
    response = login(client, world.learner, remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    remember_cookie = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session_cookie, remember_cookie):
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_every_page_sends_the_security_headers(client, login_as, world):
    for response in (
        client.get("/"),
        client.get("/login"),
        login_as(world.learner).get("/c/alpha/"),
        client.get("/nowhere"),
    ):
        headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "'unsafe-inline'" not in policy and "object-src 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_inline_style_for_the_brand_colour_carries_the_nonce_of_the_policy(login_as, world):
    response = login_as(world.learner).get("/c/alpha/")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-", 1)[1].split("'", 1)[0]
    body = response.get_data(as_text=True)
    assert f'<style nonce="{nonce}">' in body
    assert " style=" not in body and "<script>" not in body
