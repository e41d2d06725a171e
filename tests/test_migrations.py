"""The migrations build the same schema as the models, on SQLite and on PostgreSQL."""

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from cohortapp import create_app
from cohortapp.extensions import db
from tests.conftest import config_for_tests


@pytest.fixture
def fresh_database_url(tmp_path):
    """An empty database of the kind the suite runs on, dropped afterwards."""
    base = os.environ.get("COHORTAPP_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"cohortapp_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_migrations_build_exactly_the_models_schema(fresh_database_url):
    app = create_app(config_for_tests(fresh_database_url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []


def test_migrations_go_down_to_nothing_and_up_again(fresh_database_url):
    app = create_app(config_for_tests(fresh_database_url))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "page_progress" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_flask_db_upgrade_command_works(fresh_database_url):
    app = create_app(config_for_tests(fresh_database_url))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert "users" in inspect(db.engine).get_table_names()
        db.engine.dispose()


FIRST_REVISION = "e545f6b74ea8"
SEED_AT_FIRST_REVISION = [
    "INSERT INTO cities (id, slug, name, country, default_locale, locales, brand_color, created_at)"
    " VALUES (1, 'oldtown', 'Old Town', 'DE', 'en', 'en', '#1f5f8b', '2026-01-01 10:00:00')",
    "INSERT INTO users (id, email, name, password_hash, is_platform_admin, is_active, session_version,"
    " created_at) VALUES (1, 'early@oldtown.example', 'Early Bird', 'x', false, true, 1, '2026-01-01 10:00:00')",
    "INSERT INTO memberships (id, city_id, user_id, role, created_at)"
    " VALUES (1, 1, 1, 'learner', '2026-01-01 10:00:00')",
    "INSERT INTO cohorts (id, city_id, slug, name, locale, status, join_domains, stall_days, created_at)"
    " VALUES (1, 1, 'first', 'First cohort', 'en', 'open', '', 14, '2026-01-01 10:00:00')",
    "INSERT INTO enrollments (id, cohort_id, user_id, role, enrolled_at)"
    " VALUES (1, 1, 1, 'learner', '2026-01-02 10:00:00')",
    "INSERT INTO invitations (id, city_id, cohort_id, email, role, token_hash, created_at, expires_at)"
    " VALUES (1, 1, 1, 'later@oldtown.example', 'learner', 'abc', '2026-01-01 10:00:00', '2026-02-01 10:00:00')",
    "INSERT INTO outbox_messages (id, to_address, subject, body_text, body_html, created_at,"
    " next_attempt_at, attempts) VALUES (1, 'early@oldtown.example', 'Hi', 'Hello', '', "
    "'2026-01-01 10:00:00', '2026-01-01 10:00:00', 0)",
    "INSERT INTO audit_events (id, at, actor_id, city_id, action, target, detail)"
    " VALUES (1, '2026-01-01 10:00:00', 1, 1, 'city.created', 'oldtown', '{}')",
]


def test_a_database_seeded_at_the_first_migration_upgrades_to_head_without_losing_rows(
    fresh_database_url,
):
    app = create_app(config_for_tests(fresh_database_url))
    with app.app_context():
        upgrade(revision=FIRST_REVISION)
        with db.engine.begin() as conn:
            for statement in SEED_AT_FIRST_REVISION:
                conn.execute(text(statement))
        upgrade()
        with db.engine.connect() as conn:
            counts = {
                table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                for table in (
                    "cities",
                    "users",
                    "memberships",
                    "cohorts",
                    "enrollments",
                    "invitations",
                    "outbox_messages",
                    "audit_events",
                )
            }
            invitation_name = conn.execute(text("SELECT name FROM invitations")).scalar()
            digest = conn.execute(text("SELECT wants_digest FROM users")).scalar()
            reminded = conn.execute(text("SELECT last_reminded_at FROM enrollments")).scalar()
        db.engine.dispose()
    assert set(counts.values()) == {1}, counts
    assert invitation_name == "" and not digest and reminded is None
    client = app.test_client()
    assert (
        client.post("/login", data={"email": "early@oldtown.example", "password": "x"}).status_code
        == 422
    )
