"""Session cookies are verified once and remembered (cohortapp.sessions), never more loosely."""

import time

from cohortapp.lessons.content import load_course
from tests.lessons.test_player import first_page_with, page_path

COHORT_HOME = "/c/alpha/cohorts/a1/"
SAVED = "Your reflection is saved."


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_remembered_cookie_keeps_the_person_signed_in(app, login_as, world):
    learner = login_as(world.learner)
    assert learner.get(COHORT_HOME).status_code == 200
    cookie = session_cookie(learner)
    for _visit in range(3):
        assert learner.get(COHORT_HOME).status_code == 200
    assert session_cookie(learner) == cookie
    assert app.session_interface.verified.get(cookie) is not None


def test_a_changed_cookie_is_refused_even_after_the_real_one_was_remembered(login_as, world):
    learner = login_as(world.learner)
    cookie = session_cookie(learner)
    assert learner.get(COHORT_HOME).status_code == 200
    forged = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    learner.set_cookie("session", forged)
    response = learner.get(COHORT_HOME)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_remembered_cookie_expires_like_any_other(app, login_as, world, monkeypatch):
    learner = login_as(world.learner)
    for _visit in range(2):  # the second sends the cookie the first set, and it is remembered
        assert learner.get(COHORT_HOME).status_code == 200
    assert app.session_interface.verified.get(session_cookie(learner)) is not None
    lifetime = app.permanent_session_lifetime.total_seconds()
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + lifetime + 60)
    response = learner.get(COHORT_HOME)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_flashed_messages_are_not_shared_between_requests_that_send_one_cookie(
    app, login_as, world
):
    learner = login_as(world.learner)
    course = load_course(app.config["CONTENT_DIR"])
    path = page_path(first_page_with(course, "reflection"))
    learner.post(path, data={"action": "save", "reflection": "First thoughts."})
    with_one_message = session_cookie(learner)
    learner.post(path, data={"action": "save", "reflection": "Second thoughts."})
    learner.set_cookie("session", with_one_message)  # the same cookie sent again
    page = learner.get(path).get_data(as_text=True)
    assert page.count(SAVED) == 1
    assert app.session_interface.verified.get(with_one_message) is None
