"""A PostgreSQL database of its own for a test module, whatever database the suite runs on,
and the rows its tests start from."""

import os
import uuid
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cohortapp.auth.models import User
from cohortapp.cities.models import City
from cohortapp.cohorts.models import Cohort
from cohortapp.extensions import db
from tests.conftest import PASSWORD

SERVER = os.environ.get(
    "COHORTAPP_TEST_POSTGRES_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def fresh_postgres_database(prefix: str = "cohortapp_test"):
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(SERVER).set(database=name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def add_open_cohort() -> Cohort:
    """City alpha with its open cohort a1, inside an application context."""
    city = City(slug="alpha", name="Alpha", locales="en")
    db.session.add(city)
    db.session.flush()
    cohort = Cohort(city_id=city.id, city=city, slug="a1", name="A1", status="open")
    db.session.add(cohort)
    db.session.flush()
    return cohort


def add_user(email: str, name: str) -> User:
    """An account with the tests' password, inside an application context."""
    user = User(email=email, name=name)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    return user
