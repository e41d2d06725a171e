"""Fixtures shared by every test: the app, a clean database per test, clients and builders.

The suite runs on SQLite by default and on PostgreSQL when COHORTAPP_TEST_DATABASE_URL is set.
No test holds an application context open while it makes requests: Flask would reuse it, and
requests would share `g` and the database session with the test.
"""

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import event, text

from cohortapp import create_app
from cohortapp.auth.models import User
from cohortapp.cities.models import City
from cohortapp.cities.services import ensure_membership
from cohortapp.cohorts.models import Cohort
from cohortapp.cohorts.services import enroll
from cohortapp.extensions import db

PASSWORD = "correct horse battery"


def free_port() -> int:
    """A local TCP port nothing listens on, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def config_for_tests(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "BASE_URL": "http://cohort.test",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "MAIL_SERVER": None,
        "CACHE_VERIFY": True,
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("COHORTAPP_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(config_for_tests(database_url))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def empty_all_tables() -> None:
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(table.name for table in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def clean_database(request):
    yield
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        with app.app_context():
            db.session.remove()
            empty_all_tables()


@pytest.fixture
def client(app):
    return app.test_client()


@contextmanager
def app_db(app) -> Iterator:
    """Work with the database outside a request, committing at the end.

    Objects stay readable after the block (no expiry on commit), as plain snapshots.
    """
    with app.app_context():
        db.session().expire_on_commit = False
        yield db.session
        db.session.commit()


@pytest.fixture
def make_user(app):
    def make(email, name="Test Person", *, password=PASSWORD, **extra) -> int:
        with app_db(app) as session:
            user = User(email=email, name=name, **extra)
            user.set_password(password)
            session.add(user)
            session.flush()
            return user.id

    return make


@pytest.fixture
def make_city(app):
    def make(slug, name=None, **extra) -> int:
        with app_db(app) as session:
            values = {"default_locale": "en", "locales": "en,fr", **extra}
            city = City(slug=slug, name=name or slug.title(), **values)
            session.add(city)
            session.flush()
            return city.id

    return make


@pytest.fixture
def make_cohort(app):
    def make(city_slug, slug, name=None, **extra) -> int:
        with app_db(app) as session:
            city = session.scalar(db.select(City).where(City.slug == city_slug))
            values = {
                "status": "open",
                "locale": city.default_locale,
                "starts_on": date(2026, 1, 5),
            }
            values.update(extra)
            cohort = Cohort(city_id=city.id, city=city, slug=slug, name=name or slug, **values)
            session.add(cohort)
            session.flush()
            return cohort.id

    return make


@pytest.fixture
def add_role(app):
    """Make a user a member of a city, or enrol them in a cohort (learner or facilitator)."""

    def add(email, city_slug, role, cohort_slug=None):
        with app_db(app) as session:
            user = session.scalar(db.select(User).where(User.email == email))
            city = session.scalar(db.select(City).where(City.slug == city_slug))
            if cohort_slug is None:
                ensure_membership(city, user, role)
            else:
                cohort = session.scalar(
                    db.select(Cohort).where(Cohort.city_id == city.id, Cohort.slug == cohort_slug)
                )
                enroll(cohort, user, role)

    return add


@dataclass
class World:
    """Two cities. Alpha has cohorts a1 (learner, facilitator) and a2 (other_learner)."""

    admin: str = "admin@test.example"
    coordinator: str = "coordinator@alpha.example"
    facilitator: str = "facilitator@alpha.example"
    learner: str = "learner@alpha.example"
    other_learner: str = "learner2@alpha.example"
    coordinator_b: str = "coordinator@beta.example"
    learner_b: str = "learner@beta.example"


@pytest.fixture
def world(make_user, make_city, make_cohort, add_role) -> World:
    w = World()
    make_user(w.admin, "Ada Admin", is_platform_admin=True)
    make_city("alpha", "Alpha City")
    make_city("beta", "Beta Ville", default_locale="fr", locales="fr,en")
    make_cohort("alpha", "a1", "Alpha One")
    make_cohort("alpha", "a2", "Alpha Two")
    make_cohort("beta", "b1", "Beta Un")
    for email, name in (
        (w.coordinator, "Cora Coordinator"),
        (w.facilitator, "Fran Facilitator"),
        (w.learner, "Lee Learner"),
        (w.other_learner, "Olu Other"),
        (w.coordinator_b, "Bea Coordinatrice"),
        (w.learner_b, "Bruno Apprenant"),
    ):
        make_user(email, name)
    add_role(w.coordinator, "alpha", "coordinator")
    add_role(w.facilitator, "alpha", "facilitator", "a1")
    add_role(w.learner, "alpha", "learner", "a1")
    add_role(w.other_learner, "alpha", "learner", "a2")
    add_role(w.coordinator_b, "beta", "coordinator")
    add_role(w.learner_b, "beta", "learner", "b1")
    return w


def login(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


@pytest.fixture
def login_as(app):
    """A fresh client signed in as the given email."""

    def signed_in(email):
        client = app.test_client()
        response = login(client, email)
        assert response.status_code == 302, f"could not sign in as {email}"
        return client

    return signed_in


@pytest.fixture
def count_queries(app):
    """Counts SQL statements run inside the `with` block."""

    @contextmanager
    def counting():
        with app.app_context():
            engine = db.engine
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def clients(app, world):
    """A fresh client signed in as one of the roles of the route matrix (or anonymous)."""
    emails = {
        "learner": world.learner,
        "facilitator": world.facilitator,
        "coordinator": world.coordinator,
        "coordinator_b": world.coordinator_b,
        "admin": world.admin,
    }

    def client_for(role):
        client = app.test_client()
        if role != "anonymous":
            assert login(client, emails[role]).status_code == 302
        return client

    return client_for
