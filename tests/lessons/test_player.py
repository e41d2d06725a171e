"""The lesson player, through the test client as a learner uses it."""

import html
import re
import threading

import pytest

from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.extensions import db
from cohortapp.lessons.content import load_course
from cohortapp.lessons.models import PageProgress, Response
from tests.conftest import app_db
from tests.lessons.test_content import valid_pages, write_course

BASE = "/c/alpha/cohorts/a1/pages/"


@pytest.fixture
def course(app):
    return load_course(app.config["CONTENT_DIR"])


@pytest.fixture
def learner(login_as, world):
    return login_as(world.learner)


def page_path(page) -> str:
    return BASE + page.key


def text_of(response) -> str:
    return response.get_data(as_text=True)


def percent_shown(body: str) -> list[str]:
    return re.findall(r"(\d+)% complete", body)


def first_page_with(course, kind):
    return next(
        p for p in course.pages if p.texts["en"].activity and p.texts["en"].activity.kind == kind
    )


def first_page_without_activity(course):
    return next(p for p in course.pages if p.texts["en"].activity is None)


def progress_rows(app, email="learner@alpha.example"):
    with app_db(app) as session:
        return list(
            session.scalars(
                db.select(PageProgress)
                .join(Enrollment, Enrollment.id == PageProgress.enrollment_id)
                .join(Enrollment.user)
                .where(Enrollment.user.has(email=email))
            )
        )


def response_row(app, page_key):
    with app_db(app) as session:
        return session.scalar(db.select(Response).where(Response.page_key == page_key))


def complete(client, page, **data):
    return client.post(page_path(page), data={"action": "next", **data})


def test_page_shows_position_progress_outline_and_records_the_visit(app, learner, course):
    page = course.pages[0]
    body = text_of(learner.get(page_path(page)))
    assert "Page 1 / 42" in body
    assert percent_shown(body) == ["0"]
    assert page.texts["en"].title in body
    assert 'aria-current="page"' in body
    rows = progress_rows(app)
    assert [(r.page_key, r.completed_at) for r in rows] == [(page.key, None)]


def outline_items(body: str) -> list[tuple[str, bool, bool, str]]:
    """(link, done, current, title) for each page of the outline, in order."""
    outline = body[body.index('<nav class="outline"') :]
    return [
        (href, bool(done), bool(current), html.unescape(title))
        for done, href, current, title in re.findall(
            r'<li( class="is-done")?><a href="([^"]+)"( aria-current="page")?>.*?<span dir="auto">([^<]*)</span></a></li>',
            outline,
        )
    ]


def test_outline_links_every_page_and_marks_done_and_current(app, learner, course):
    first, third = course.pages[0], course.pages[2]
    complete(learner, first)
    items = outline_items(text_of(learner.get(page_path(third))))
    assert [href for href, *_ in items] == [page_path(page) for page in course.pages]
    assert [title for *_, title in items] == [page.texts["en"].title for page in course.pages]
    assert [(done, current) for _, done, current, _ in items[:4]] == [
        (True, False),
        (False, False),
        (False, True),
        (False, False),
    ]
    assert sum(done for _, done, _, _ in items) == 1


def test_outline_is_in_the_readers_language_and_the_cohorts_address(app, login_as, world, course):
    coordinator = login_as(world.coordinator)
    body = text_of(coordinator.get(page_path(course.pages[0]) + "?lang=fr"))
    items = outline_items(body)
    assert [title for *_, title in items] == [page.texts["fr"].title for page in course.pages]
    assert all(href.startswith(BASE) for href, *_ in items)
    assert '<nav class="outline" aria-label="Plan du cours">' in body


def test_next_completes_the_page_and_moves_on(app, learner, course):
    first, second = course.pages[0], course.pages[1]
    response = complete(learner, first)
    assert response.status_code == 302 and response.headers["Location"] == page_path(second)
    body = text_of(learner.get(page_path(second)))
    assert "Page 2 / 42" in body and percent_shown(body) == ["2"]


def test_the_same_progress_figure_appears_everywhere(app, learner, course):
    for page in course.pages[:5]:
        if page.texts["en"].activity and page.texts["en"].activity.kind == "check":
            learner.post(
                page_path(page),
                data={"action": "answer", "choice": page.texts["en"].activity.correct},
            )
        complete(learner, page)
    expected = str(5 * 100 // 42)
    assert percent_shown(text_of(learner.get(page_path(course.pages[5])))) == [expected]
    assert percent_shown(text_of(learner.get("/c/alpha/cohorts/a1/"))) == [expected]
    assert percent_shown(text_of(learner.get("/"))) == [expected]


def test_completing_twice_double_clicks_and_back_button_change_nothing(app, learner, course):
    page = course.pages[0]
    complete(learner, page)
    first_time = progress_rows(app)[0].completed_at
    for _ in range(3):
        complete(learner, page)
    learner.get(page_path(page))
    rows = [r for r in progress_rows(app) if r.page_key == page.key]
    assert len(rows) == 1 and rows[0].completed_at == first_time


def test_concurrent_completions_of_one_page_leave_one_row_and_no_error(
    app, login_as, world, course
):
    page = first_page_without_activity(course)
    clients = [login_as(world.learner) for _ in range(8)]
    statuses, barrier = [], threading.Barrier(len(clients))

    def hit(client):
        barrier.wait()
        statuses.append(complete(client, page).status_code)

    threads = [threading.Thread(target=hit, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * len(clients)
    rows = [r for r in progress_rows(app) if r.page_key == page.key]
    assert len(rows) == 1 and rows[0].completed_at is not None


def test_a_check_must_be_answered_before_next(app, learner, course):
    page = first_page_with(course, "check")
    response = complete(learner, page)
    assert response.status_code == 422
    assert "Answer the question before going on." in text_of(response)
    assert not [r for r in progress_rows(app) if r.completed_at]


def test_answering_shows_the_explanation_of_every_option(app, learner, course):
    page = first_page_with(course, "check")
    activity = page.texts["en"].activity
    wrong = next(o for o in activity.options if o.id != activity.correct)
    response = learner.post(page_path(page), data={"action": "answer", "choice": wrong.id})
    assert response.status_code == 302
    body = text_of(learner.get(page_path(page)))
    assert "Your answer is not the best one." in body
    for option in activity.options:
        assert option.feedback.replace("'", "&#39;").replace('"', "&#34;")[:40] in body
    assert complete(learner, page).status_code == 302


def test_first_answer_is_kept_for_the_statistics_when_corrected(app, learner, course):
    page = first_page_with(course, "check")
    activity = page.texts["en"].activity
    wrong = next(o.id for o in activity.options if o.id != activity.correct)
    learner.post(page_path(page), data={"action": "answer", "choice": wrong})
    learner.post(page_path(page), data={"action": "answer", "choice": activity.correct})
    row = response_row(app, page.key)
    assert (row.choice, row.first_choice, row.first_choice_correct, row.attempts) == (
        activity.correct,
        wrong,
        False,
        2,
    )
    assert "Your answer is correct." in text_of(learner.get(page_path(page)))


def test_choosing_an_answer_then_next_keeps_it_and_shows_the_explanation(app, learner, course):
    page = first_page_with(course, "check")
    activity = page.texts["en"].activity
    response = complete(learner, page, choice=activity.correct)
    assert response.status_code == 302 and response.headers["Location"].endswith("#activity")
    assert response_row(app, page.key).choice == activity.correct
    assert not [r for r in progress_rows(app) if r.completed_at]


def test_an_invalid_choice_is_refused_with_a_message(learner, course):
    page = first_page_with(course, "check")
    response = learner.post(page_path(page), data={"action": "answer", "choice": "zz"})
    assert response.status_code == 422 and "Choose one of the answers." in text_of(response)


def test_reflection_is_saved_kept_and_editable(app, learner, course):
    page = first_page_with(course, "reflection")
    learner.post(
        page_path(page), data={"action": "save", "reflection": "Our libraries could host it."}
    )
    assert "Our libraries could host it." in text_of(learner.get(page_path(page)))
    learner.post(
        page_path(page), data={"action": "save", "reflection": "Our libraries and markets."}
    )
    assert response_row(app, page.key).body == "Our libraries and markets."
    assert "Our libraries and markets." in text_of(learner.get(page_path(page)))


def test_next_on_a_reflection_page_saves_what_was_typed(app, learner, course):
    page = first_page_with(course, "reflection")
    assert complete(learner, page, reflection="Typed, then Next.").status_code == 302
    assert response_row(app, page.key).body == "Typed, then Next."


def test_too_long_reflection_comes_back_with_the_text_and_a_message(learner, course):
    page = first_page_with(course, "reflection")
    long_text = "word " * 2500
    response = learner.post(page_path(page), data={"action": "save", "reflection": long_text})
    assert response.status_code == 422
    assert "under 10000 characters" in text_of(response) or "under 10,000 characters" in text_of(
        response
    )
    assert "word word word" in text_of(response)


def test_resume_goes_to_the_first_unfinished_page(learner, course):
    complete(learner, course.pages[0])
    body = text_of(learner.get("/c/alpha/cohorts/a1/"))
    assert f'href="{page_path(course.pages[1])}"' in body and "Resume: page 2" in body


def test_finishing_every_page_completes_the_course(app, learner, course):
    for page in course.pages:
        activity = page.texts["en"].activity
        if activity and activity.kind == "check":
            learner.post(page_path(page), data={"action": "answer", "choice": activity.correct})
        response = complete(learner, page)
    assert response.headers["Location"] == "/c/alpha/cohorts/a1/"
    home = text_of(learner.get("/c/alpha/cohorts/a1/"))
    assert "You have completed the course. Well done!" in home
    assert percent_shown(home) == ["100"]
    with app_db(app) as session:
        assert (
            session.scalar(
                db.select(Enrollment.completed_at)
                .join(Enrollment.user)
                .where(Enrollment.user.has(email="learner@alpha.example"))
            )
            is not None
        )


def test_page_is_shown_in_french_when_the_learner_chooses_french(learner, course):
    page = course.pages[0]
    body = text_of(learner.get(page_path(page) + "?lang=fr"))
    assert page.texts["fr"].title in body
    assert "not yet available in your language" not in body


def test_missing_translation_falls_back_to_the_source_with_a_notice(app, learner, tmp_path):
    root = write_course(tmp_path / "content", valid_pages())
    app.config["CONTENT_DIR"] = str(root)
    try:
        body = text_of(learner.get(BASE + "one/first?lang=fr"))
    finally:
        app.config["CONTENT_DIR"] = str(app.root_path.rsplit("/", 1)[0] + "/content")
    assert "First page" in body and 'lang="en"' in body
    assert "Page 1 / 2" in body


def test_a_broken_page_is_unavailable_not_an_error(app, learner, tmp_path):
    root = write_course(tmp_path / "content", {**valid_pages(), "en/one/second.md": "broken"})
    original = app.config["CONTENT_DIR"]
    app.config["CONTENT_DIR"] = str(root)
    try:
        response = learner.get(BASE + "one/second")
        working = learner.get(BASE + "one/first")
    finally:
        app.config["CONTENT_DIR"] = original
    assert response.status_code == 503 and "temporarily unavailable" in text_of(response)
    assert working.status_code == 200


def test_unknown_page_is_not_found(learner):
    assert learner.get(BASE + "welcome/no-such-page").status_code == 404


def test_learner_of_another_cohort_in_the_same_city_gets_404(login_as, world, course):
    other = login_as(world.other_learner)
    assert other.get(page_path(course.pages[0])).status_code == 404
    assert complete(other, course.pages[0]).status_code == 404


def test_facilitator_reads_pages_without_recording_progress(app, login_as, world, course):
    facilitator = login_as(world.facilitator)
    body = text_of(facilitator.get(page_path(course.pages[0])))
    assert "progress is recorded only for learners" in body
    assert complete(facilitator, course.pages[0]).status_code == 403
    assert progress_rows(app, world.facilitator) == []


def test_closed_cohort_is_read_only(app, learner, course):
    with app_db(app) as session:
        session.scalar(db.select(Cohort).where(Cohort.slug == "a1")).status = "closed"
    body = text_of(learner.get(page_path(course.pages[0])))
    assert "This cohort is not open" in body and 'value="next"' not in body
    response = complete(learner, course.pages[0])
    assert response.status_code == 302
    assert progress_rows(app) == []


def test_the_signed_in_person_is_read_with_the_cohort_not_on_their_own(
    login_as, world, course, count_queries
):
    learner = login_as(world.learner)
    path = page_path(course.pages[3])
    learner.get(path)
    with count_queries() as statements:
        assert learner.get(path).status_code == 200
    of_users_alone = [s for s in statements if s.lstrip().startswith("SELECT users.")]
    assert of_users_alone == [], statements
    assert "users.session_version" in statements[0], "the cohort's statement reads the person"


def test_lesson_page_runs_a_bounded_number_of_queries(
    app, login_as, world, course, count_queries, make_user, add_role
):
    learner = login_as(world.learner)
    path = page_path(course.pages[3])
    learner.get(path)
    with count_queries() as few:
        learner.get(path)
    for number in range(30):
        email = f"extra{number}@alpha.example"
        make_user(email)
        add_role(email, "alpha", "learner", "a1")
    for page in course.pages[:20]:
        activity = page.texts["en"].activity
        if activity and activity.kind == "check":
            learner.post(page_path(page), data={"action": "answer", "choice": activity.correct})
        complete(learner, page)
    learner.get(path)
    with count_queries() as many:
        learner.get(path)
    assert len(many) == len(few) <= 10, many


def test_the_pages_addresses_keep_the_prefix_the_app_is_served_under(learner, course):
    page, previous = course.pages[3], course.pages[2]
    response = learner.get(page_path(page), base_url="http://localhost/learn")
    body = text_of(response)
    assert f'action="/learn{BASE}{page.key}"' in body
    assert f'href="/learn{BASE}{previous.key}" rel="prev"' in body
    assert f'href="/learn{BASE}{course.pages[0].key}"' in body  # the outline
