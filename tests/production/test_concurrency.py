"""Concurrent requests on PostgreSQL: nothing duplicated, nothing lost, conflicts detected."""

import threading

import pytest

from cohortapp import create_app
from cohortapp.auth.models import User
from cohortapp.cities.services import ensure_membership
from cohortapp.cohorts.models import Cohort
from cohortapp.cohorts.services import enroll
from cohortapp.discussion.models import Answer, Question, Vote
from cohortapp.discussion.services import ask_question, post_answer
from cohortapp.extensions import db
from cohortapp.lessons.models import PageProgress
from tests.conftest import app_db, config_for_tests, login
from tests.production.pg import add_open_cohort, add_user, fresh_postgres_database

LEARNERS = 21


@pytest.fixture(scope="module")
def pg_app():
    with fresh_postgres_database("cohortapp_concurrency") as url:
        app = create_app(
            {
                **config_for_tests(url.render_as_string(hide_password=False)),
                "SQLALCHEMY_ENGINE_OPTIONS": {
                    "pool_size": 10,
                    "max_overflow": 50,
                    "pool_pre_ping": True,
                },
            }
        )
        with app.app_context():
            db.create_all()
            cohort = add_open_cohort()
            facilitator = add_user("fac@alpha.example", "Fac")
            enroll(cohort, facilitator, "facilitator")
            ensure_membership(cohort.city, facilitator, "facilitator")
            for number in range(LEARNERS):
                learner = add_user(f"l{number}@alpha.example", f"Learner {number}")
                enroll(cohort, learner, "learner")
            question = ask_question(cohort, facilitator, "A question everyone answers", "")
            db.session.commit()
            app.config["QUESTION_ID"] = question.id
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def signed_in(app, email):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def run_together(calls):
    """Start every call at the same moment; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_fifty_concurrent_completions_leave_one_progress_row(pg_app):
    client = signed_in(pg_app, "l0@alpha.example")
    path = "/c/alpha/cohorts/a1/pages/welcome/how-the-course-works"
    statuses = run_together([lambda: client.post(path, data={"action": "next"}).status_code] * 50)
    assert statuses == [302] * 50
    with app_db(pg_app) as session:
        rows = session.scalars(
            db.select(PageProgress).where(PageProgress.page_key == "welcome/how-the-course-works")
        ).all()
        assert len(rows) == 1 and rows[0].completed_at is not None


def test_twenty_concurrent_answers_are_all_kept_and_counted(pg_app):
    question_id = pg_app.config["QUESTION_ID"]
    clients = [signed_in(pg_app, f"l{n}@alpha.example") for n in range(1, 21)]
    path = f"/c/alpha/cohorts/a1/qa/{question_id}/answers"
    statuses = run_together(
        [
            (
                lambda c=c, n=n: (
                    c.post(
                        path, data={"body": f"Answer number {n}", "submission_key": f"k{n}"}
                    ).status_code
                )
            )
            for n, c in enumerate(clients)
        ]
    )
    assert statuses == [302] * 20
    with app_db(pg_app) as session:
        assert (
            session.scalar(
                db.select(db.func.count())
                .select_from(Answer)
                .where(Answer.question_id == question_id)
            )
            == 20
        )
        assert session.get(Question, question_id).answer_count == 20


def test_twenty_concurrent_votes_are_all_counted(pg_app):
    with app_db(pg_app) as session:
        question = session.get(Question, pg_app.config["QUESTION_ID"])
        answer = post_answer(
            question,
            session.scalar(db.select(User).where(User.email == "fac@alpha.example")),
            "To vote on",
        )
        session.flush()
        answer_id = answer.id
    clients = [signed_in(pg_app, f"l{n}@alpha.example") for n in range(1, 21)]
    path = f"/c/alpha/cohorts/a1/qa/answers/{answer_id}/vote"
    statuses = run_together([(lambda c=c: c.post(path).status_code) for c in clients])
    assert statuses == [302] * 20
    with app_db(pg_app) as session:
        assert session.get(Answer, answer_id).vote_count == 20
        assert (
            session.scalar(
                db.select(db.func.count())
                .select_from(Vote)
                .where(Vote.post_id == answer_id, Vote.post_kind == "answer")
            )
            == 20
        )


def test_a_double_submitted_answer_creates_one_post(pg_app):
    question_id = pg_app.config["QUESTION_ID"]
    client = signed_in(pg_app, "l5@alpha.example")
    path = f"/c/alpha/cohorts/a1/qa/{question_id}/answers"
    with app_db(pg_app) as session:
        before = session.scalar(db.select(db.func.count()).select_from(Answer))
    statuses = run_together(
        [
            lambda: (
                client.post(
                    path, data={"body": "Once only", "submission_key": "same-key"}
                ).status_code
            )
        ]
        * 8
    )
    assert set(statuses) == {302}
    with app_db(pg_app) as session:
        assert session.scalar(db.select(db.func.count()).select_from(Answer)) == before + 1


def test_concurrent_edits_of_one_post_are_detected_not_overwritten(pg_app):
    with app_db(pg_app) as session:
        author = session.scalar(db.select(User).where(User.email == "l7@alpha.example"))
        cohort = session.scalar(db.select(Cohort))
        question = ask_question(cohort, author, "Edited from two tabs", "first text")
        session.flush()
        question_id = question.id
    tab1, tab2 = signed_in(pg_app, "l7@alpha.example"), signed_in(pg_app, "l7@alpha.example")
    path = f"/c/alpha/cohorts/a1/qa/{question_id}/edit"
    first = tab1.post(
        path, data={"title": "Edited from two tabs", "body": "text from tab one", "version": "1"}
    )
    second = tab2.post(
        path, data={"title": "Edited from two tabs", "body": "text from tab two", "version": "1"}
    )
    assert first.status_code == 302
    assert second.status_code == 409
    assert "text from tab two" in second.get_data(as_text=True)
    with app_db(pg_app) as session:
        assert session.get(Question, question_id).body_md == "text from tab one"
