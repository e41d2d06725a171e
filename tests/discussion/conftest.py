"""Fixtures and helpers of the cohort Q&A tests: signed-in clients and the forms they post."""

import html
import re
import uuid

import pytest

from cohortapp.audit import AuditEvent
from cohortapp.auth.models import User
from cohortapp.cohorts.models import Cohort
from cohortapp.extensions import db
from cohortapp.mail.models import OutboxMessage
from tests.conftest import app_db

QA = "/c/alpha/cohorts/a1/qa"
QA_A2 = "/c/alpha/cohorts/a2/qa"
LESSON_KEY = "welcome/how-the-course-works"
LESSON_URL = "/c/alpha/cohorts/a1/pages/" + LESSON_KEY
OTHER_LESSON_KEY = "welcome/the-intercultural-city"
CLASSMATE = "classmate@alpha.example"


@pytest.fixture
def learner(login_as, world):
    return login_as(world.learner)


@pytest.fixture
def facilitator(login_as, world):
    return login_as(world.facilitator)


@pytest.fixture
def classmate(login_as, make_user, add_role, world):
    """A second learner of cohort a1."""
    make_user(CLASSMATE, "Cam Classmate")
    add_role(CLASSMATE, "alpha", "learner", "a1")
    return login_as(CLASSMATE)


@pytest.fixture
def other_learner(login_as, world):
    """Alpha's learner of cohort a2: same city, another cohort."""
    return login_as(world.other_learner)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def ask(
    client,
    title="How do we start the intercultural profile?",
    body="",
    *,
    page_key="",
    submission_key=None,
    base=QA,
):
    data = {
        "title": title,
        "body": body,
        "page_key": page_key,
        "submission_key": submission_key or uuid.uuid4().hex,
    }
    return client.post(f"{base}/ask", data=data)


def post_answer(
    client, question_id, body="Start with the council's statement.", *, submission_key=None, base=QA
):
    data = {"body": body, "submission_key": submission_key or uuid.uuid4().hex}
    return client.post(f"{base}/{question_id}/answers", data=data)


def created_question(response) -> int:
    assert response.status_code == 302, text_of(response)
    return int(re.search(r"/qa/(\d+)$", response.headers["Location"]).group(1))


def created_answer(response) -> int:
    assert response.status_code == 302, text_of(response)
    return int(re.search(r"#answer-(\d+)$", response.headers["Location"]).group(1))


def asked(client, title="How do we start the intercultural profile?", **extra) -> int:
    return created_question(ask(client, title, **extra))


def answered(client, question_id, body="Start with the council's statement.", **extra) -> int:
    return created_answer(post_answer(client, question_id, body, **extra))


def flashed(client, response) -> str:
    """The page a redirect leads to, with its flash messages."""
    assert response.status_code == 302, text_of(response)
    return text_of(client.get(response.headers["Location"]))


def listed_titles(body: str) -> list[str]:
    """The question titles of a list page (cohort Q&A or library), in order."""
    return [
        html.unescape(title)
        for title in re.findall(r'class="question-item__title"><a href="[^"]*">([^<]*)</a>', body)
    ]


def rows(app, model, *where) -> list:
    with app_db(app) as session:
        return list(session.scalars(db.select(model).where(*where).order_by(model.id)))


def row(app, model, row_id):
    with app_db(app) as session:
        return session.get(model, row_id)


def user_id(app, email) -> int:
    with app_db(app) as session:
        return session.scalar(db.select(User.id).where(User.email == email))


def set_cohort(app, slug="a1", **values) -> None:
    with app_db(app) as session:
        cohort = session.scalar(db.select(Cohort).where(Cohort.slug == slug))
        for name, value in values.items():
            setattr(cohort, name, value)


def set_user(app, email, **values) -> None:
    with app_db(app) as session:
        user = session.scalar(db.select(User).where(User.email == email))
        for name, value in values.items():
            setattr(user, name, value)


def audit_events(app) -> list[tuple[str, str, str]]:
    """(action, actor's email, target) of every audit event, oldest first."""
    with app_db(app) as session:
        return [
            (event.action, event.actor.email if event.actor else "", event.target)
            for event in session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))
        ]


def outbox(app) -> list[OutboxMessage]:
    return rows(app, OutboxMessage)
