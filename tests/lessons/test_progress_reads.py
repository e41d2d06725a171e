"""The lesson page's reads of a learner's progress, kept under the enrolment's progress token."""

import pytest
from sqlalchemy import select

from cohortapp.cohorts.models import Enrollment
from cohortapp.extensions import db
from cohortapp.lessons.models import PageProgress
from cohortapp.lessons.services import (
    StaleReadError,
    complete_page,
    progress_rows,
    refresh_progress_summary,
)
from cohortapp.sqltypes import utcnow
from tests.conftest import app_db
from tests.lessons.test_player import complete, first_page_with, page_path, percent_shown


def enrolment_of(email: str):
    from cohortapp.auth.models import User

    return db.session.scalar(
        select(Enrollment).join(User, User.id == Enrollment.user_id).where(User.email == email)
    )


def token_of(app, email: str) -> str | None:
    with app_db(app):
        return enrolment_of(email).progress_token


def reads_of_progress(statements) -> list[str]:
    return [s for s in statements if "FROM page_progress" in s or "FROM responses" in s]


def test_every_write_of_progress_or_answers_gives_a_new_token(app, learner, world, course):
    tokens = [token_of(app, world.learner)]
    learner.get(page_path(course.pages[0]))  # a first visit
    tokens.append(token_of(app, world.learner))
    complete(learner, course.pages[0])
    tokens.append(token_of(app, world.learner))
    page = first_page_with(course, "reflection")
    learner.post(page_path(page), data={"action": "save", "reflection": "Markets."})
    tokens.append(token_of(app, world.learner))
    assert None not in tokens[1:]
    assert len(set(tokens)) == len(tokens)


def test_a_second_view_reads_no_progress_and_still_shows_every_change(
    app, learner, world, course, count_queries, monkeypatch
):
    page = first_page_with(course, "check")
    path = page_path(page)
    learner.get(path)
    learner.get(path)
    monkeypatch.setitem(app.config, "CACHE_VERIFY", False)  # the check reads again, on purpose
    with count_queries() as statements:
        body = learner.get(path).get_data(as_text=True)
    monkeypatch.undo()
    assert reads_of_progress(statements) == []
    assert percent_shown(body) == ["0"]
    choice = page.texts["en"].activity.correct
    learner.post(path, data={"action": "answer", "choice": choice})
    assert "Your answer is correct." in learner.get(path).get_data(as_text=True)
    complete(learner, page)
    assert percent_shown(learner.get(path).get_data(as_text=True)) == ["2"]


def test_a_read_kept_in_one_request_is_renewed_after_a_write_in_the_same_request(
    app, world, course
):
    with app.test_request_context("/"), app_db(app):
        enrollment = enrolment_of(world.learner)
        refresh_progress_summary([enrollment.id], course)
        db.session.commit()
        db.session.refresh(enrollment)
        assert enrollment.progress_token is not None
        assert course.pages[5].key not in progress_rows(enrollment)
        complete_page(enrollment, course.pages[5].key, course)
        assert progress_rows(enrollment)[course.pages[5].key] is True


def test_the_suites_check_catches_a_write_that_keeps_the_token(app, learner, world, course):
    path = page_path(course.pages[0])
    learner.get(path)
    learner.get(path)
    with app_db(app) as session:  # a write that does not go through the lesson services
        enrollment = enrolment_of(world.learner)
        session.add(
            PageProgress(
                enrollment_id=enrollment.id,
                page_key=course.pages[7].key,
                first_seen_at=utcnow(),
                completed_at=utcnow(),
            )
        )
    with pytest.raises(StaleReadError):
        learner.get(path)
