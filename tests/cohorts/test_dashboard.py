"""Dashboards and reminders, checked against figures computed by hand on a small cohort."""

import csv
import io
import re
from datetime import timedelta

import pytest

from cohortapp.auth.models import User
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.discussion.models import Answer, Question
from cohortapp.extensions import db
from cohortapp.lessons.content import load_course
from cohortapp.lessons.models import PageProgress, Response
from cohortapp.lessons.services import refresh_progress_summary
from cohortapp.mail.models import OutboxMessage
from cohortapp.sqltypes import utcnow
from tests.conftest import app_db

DASHBOARD = "/c/alpha/cohorts/a1/dashboard"


@pytest.fixture
def course(app):
    return load_course(app.config["CONTENT_DIR"])


def enrollment_of(session, email) -> Enrollment:
    return session.scalar(
        db.select(Enrollment).join(User, User.id == Enrollment.user_id).where(User.email == email)
    )


def seed_progress(session, enrollment, course, pages_done, *, idle_days, visited_extra=True):
    last = utcnow() - timedelta(days=idle_days)
    for index, page in enumerate(course.pages[: pages_done + (1 if visited_extra else 0)]):
        done = index < pages_done
        session.add(
            PageProgress(
                enrollment_id=enrollment.id,
                page_key=page.key,
                first_seen_at=last - timedelta(hours=1),
                completed_at=last if done else None,
            )
        )


def answer(session, enrollment, page_key, right_first, idle_days):
    at = utcnow() - timedelta(days=idle_days)
    session.add(
        Response(
            enrollment_id=enrollment.id,
            page_key=page_key,
            kind="check",
            choice="a",
            first_choice="a",
            first_choice_correct=right_first,
            attempts=1,
            created_at=at,
            updated_at=at,
        )
    )


@pytest.fixture
def cohort(app, world, make_user, add_role, course):
    """a1: not-started (enrolled 20 days ago), midway (5 pages, 2 days ago), finished
    (1 day ago), stalled (10 pages, 30 days ago, 1 question and 2 answers)."""
    for email, name in (
        ("n1@alpha.example", "Nadia Notstarted"),
        ("m1@alpha.example", "Mo Midway"),
        ("f1@alpha.example", "Fay Finished"),
        ("s1@alpha.example", "Sam Stalled"),
    ):
        make_user(email, name)
        add_role(email, "alpha", "learner", "a1")
    checks = [
        p.key
        for p in course.pages
        if p.texts["en"].activity and p.texts["en"].activity.kind == "check"
    ]
    with app_db(app) as session:
        for email in (
            "learner@alpha.example",
        ):  # the world's learner is not part of this cohort's story
            enrollment_of(session, email).removed_at = utcnow()
        enrollment_of(session, "n1@alpha.example").enrolled_at = utcnow() - timedelta(days=20)
        for email in ("m1@alpha.example", "f1@alpha.example", "s1@alpha.example"):
            enrollment_of(session, email).enrolled_at = utcnow() - timedelta(days=60)
        midway = enrollment_of(session, "m1@alpha.example")
        seed_progress(session, midway, course, 5, idle_days=2)
        answer(session, midway, checks[0], True, 2)
        answer(session, midway, checks[1], False, 2)
        answer(session, midway, checks[2], True, 2)
        session.add(
            Response(
                enrollment_id=midway.id,
                page_key=course.pages[1].key,
                kind="reflection",
                body="Our library could host it.",
                updated_at=utcnow() - timedelta(days=2),
            )
        )
        finished = enrollment_of(session, "f1@alpha.example")
        seed_progress(session, finished, course, course.total, idle_days=1, visited_extra=False)
        finished.completed_at = utcnow() - timedelta(days=1)
        stalled = enrollment_of(session, "s1@alpha.example")
        seed_progress(session, stalled, course, 10, idle_days=30)
        answer(session, stalled, checks[0], False, 30)
        cohort = session.scalar(db.select(Cohort).where(Cohort.slug == "a1"))
        old = utcnow() - timedelta(days=30)
        question = Question(
            cohort_id=cohort.id,
            author_id=stalled.user_id,
            title="Stalled's question",
            body_md="",
            body_html="",
            created_at=old,
            answer_count=2,
        )
        session.add(question)
        session.flush()
        for _ in range(2):
            session.add(
                Answer(
                    question_id=question.id,
                    author_id=stalled.user_id,
                    body_md="x",
                    body_html="x",
                    created_at=old,
                )
            )
        session.add(
            Question(
                cohort_id=cohort.id,
                author_id=midway.user_id,
                title="Unanswered one",
                body_md="",
                body_html="",
                created_at=old,
            )
        )
    refresh_summaries(app, course)
    return world


def refresh_summaries(app, course):
    """The rows above were written directly, not through the player: recount the summaries."""
    with app_db(app) as session:
        refresh_progress_summary(session.scalars(db.select(Enrollment.id)).all(), course)


def figures(body: str) -> dict[str, str]:
    return {
        dt.strip(): dd.strip()
        for dt, dd in re.findall(r"<dt>([^<]+)</dt><dd>(?:<a[^>]*>)?([^<]+)", body)
    }


def test_headline_figures_match_the_hand_computed_ones(login_as, cohort):
    body = login_as(cohort.facilitator).get(DASHBOARD).get_data(as_text=True)
    assert figures(body) == {
        "Enrolled": "4",
        "Not started": "1",
        "In progress": "2",
        "Completed": "1",
        "Median progress": "17%",  # median of 0, 11, 23 and 100
        "Active in the last 7 days": "2",
        "Stalled": "2",
        "Open questions without an answer": "1",
    }


def learner_table(body: str) -> dict[str, list[str]]:
    table = body.split("Learners and their progress", 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        cells = [
            re.sub(r"<[^>]+>", " ", c).split()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        rows[" ".join(cells[0][:2])] = [" ".join(c) for c in cells[1:]]
    return rows


def test_learner_rows_show_progress_page_checks_and_posts(login_as, cohort):
    rows = learner_table(login_as(cohort.facilitator).get(DASHBOARD).get_data(as_text=True))
    assert rows["Mo Midway"][:2] == ["11%", "Page 6 / 42"]
    assert rows["Mo Midway"][3:6] == ["1", "3 (67%)", "1 / 0"]
    assert rows["Sam Stalled"][:2] == ["23%", "Page 11 / 42"]
    assert rows["Sam Stalled"][4:6] == ["1 (0%)", "1 / 2"]
    assert rows["Fay Finished"][:2] == ["100%", "Page 42 / 42"]
    assert rows["Nadia Notstarted"][:3] == ["0%", "Page 1 / 42", "never"]


def test_the_dashboard_shows_the_figure_the_learner_sees(app, login_as, cohort):
    learner = login_as("m1@alpha.example")
    seen = re.findall(
        r"(\d+)% complete", learner.get("/c/alpha/cohorts/a1/").get_data(as_text=True)
    )
    rows = learner_table(login_as(cohort.facilitator).get(DASHBOARD).get_data(as_text=True))
    assert seen == ["11"] and rows["Mo Midway"][0] == "11%"


@pytest.mark.parametrize(
    ("status", "names"),
    [
        ("stalled", {"Nadia Notstarted", "Sam Stalled"}),
        ("not_started", {"Nadia Notstarted"}),
        ("completed", {"Fay Finished"}),
        ("in_progress", {"Mo Midway", "Sam Stalled"}),
    ],
)
def test_learners_can_be_filtered(login_as, cohort, status, names):
    body = login_as(cohort.facilitator).get(f"{DASHBOARD}?status={status}").get_data(as_text=True)
    assert set(learner_table(body)) == names


def test_learners_can_be_sorted_by_progress(login_as, cohort):
    body = login_as(cohort.facilitator).get(f"{DASHBOARD}?sort=progress").get_data(as_text=True)
    assert list(learner_table(body)) == [
        "Fay Finished",
        "Sam Stalled",
        "Mo Midway",
        "Nadia Notstarted",
    ]


def test_module_grid_gives_a_text_label_for_every_cell(login_as, cohort):
    body = login_as(cohort.facilitator).get(DASHBOARD).get_data(as_text=True)
    grid = body.split("Pages completed in each module", 1)[1].split("</table>", 1)[0]
    assert "grid__cell--done" in grid and "5 of 5 ✓" in grid
    assert "0 of 6" in grid  # colour never stands alone: every cell says its numbers


def test_funnel_counts_who_reached_each_page(login_as, cohort, course):
    body = login_as(cohort.facilitator).get(DASHBOARD).get_data(as_text=True)
    funnel = body.split('id="funnel-title"', 1)[1].split("</table>", 1)[0]
    counts = dict(re.findall(r'<th scope="row">(\d+)\. [^<]*</th><td>(\d+)</td>', funnel))
    assert counts["1"] == "3" and counts["6"] == "3" and counts["11"] == "2" and counts["12"] == "1"
    assert "<title" in funnel and "<desc" in funnel


def test_checks_show_the_share_right_the_first_time(login_as, cohort, course):
    body = login_as(cohort.facilitator).get(DASHBOARD).get_data(as_text=True)
    checks = body.split('id="checks-title"', 1)[1].split("</table>", 1)[0]
    first_check = next(
        p for p in course.pages if p.texts["en"].activity and p.texts["en"].activity.kind == "check"
    )
    assert f"{first_check.number}. " in checks
    assert "50% (1 of 2)" in checks  # Mo right, Sam wrong


def test_learner_detail_shows_reflections_and_posts(app, login_as, cohort):
    with app_db(app) as session:
        midway = enrollment_of(session, "m1@alpha.example").id
    body = login_as(cohort.facilitator).get(f"{DASHBOARD}/learners/{midway}").get_data(as_text=True)
    assert "Our library could host it." in body and "Unanswered one" in body


def test_learners_get_403_and_another_cohorts_facilitator_404(
    login_as, cohort, make_user, add_role
):
    assert login_as("m1@alpha.example").get(DASHBOARD).status_code == 403
    make_user("fac2@alpha.example")
    add_role("fac2@alpha.example", "alpha", "facilitator", "a2")
    other = login_as("fac2@alpha.example")
    assert other.get(DASHBOARD).status_code == 404
    assert other.get("/c/alpha/cohorts/a2/dashboard").status_code == 200


def csv_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_export_neutralises_spreadsheet_formulas(app, login_as, cohort):
    with app_db(app) as session:
        session.scalar(
            db.select(User).where(User.email == "m1@alpha.example")
        ).name = '=HYPERLINK("http://x")'
        session.scalar(db.select(User).where(User.email == "f1@alpha.example")).name = "+cmd"
        session.scalar(db.select(User).where(User.email == "s1@alpha.example")).name = "@SUM(A1)"
        session.scalar(db.select(User).where(User.email == "n1@alpha.example")).name = "-2+3"
    response = login_as(cohort.facilitator).get(f"{DASHBOARD}.csv")
    assert response.mimetype == "text/csv"
    rows = csv_rows(response)
    names = {row[1] for row in rows[1:]}
    assert names == {'\'=HYPERLINK("http://x")', "'+cmd", "'@SUM(A1)", "'-2+3"}
    by_email = {row[2]: row for row in rows[1:]}
    assert by_email["m1@alpha.example"][3:6] == ["11", "6", "in progress"]


def test_city_csv_has_every_learner_of_the_city(login_as, cohort):
    rows = csv_rows(login_as(cohort.coordinator).get("/c/alpha/manage/dashboard.csv"))
    assert {row[2] for row in rows[1:]} == {
        "n1@alpha.example",
        "m1@alpha.example",
        "f1@alpha.example",
        "s1@alpha.example",
        "learner2@alpha.example",
    }


def outbox(app):
    with app_db(app) as session:
        return list(session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_reminders_go_to_stalled_learners_at_most_every_three_days(app, login_as, cohort):
    facilitator = login_as(cohort.facilitator)
    facilitator.post(f"{DASHBOARD}/remind", data={"enrollment": "all"})
    assert sorted(m.to_address for m in outbox(app)) == ["n1@alpha.example", "s1@alpha.example"]
    response = facilitator.post(
        f"{DASHBOARD}/remind", data={"enrollment": "all"}, follow_redirects=True
    )
    assert "2 learners were reminded less than 3 days ago" in response.get_data(as_text=True)
    assert len(outbox(app)) == 2
    with app_db(app) as session:
        for enrollment in session.scalars(
            db.select(Enrollment).where(Enrollment.last_reminded_at.is_not(None))
        ):
            enrollment.last_reminded_at -= timedelta(days=3, minutes=1)
    facilitator.post(f"{DASHBOARD}/remind", data={"enrollment": "all"})
    assert len(outbox(app)) == 4


def test_reminder_link_signs_the_learner_in_where_they_stopped(app, cohort, course):
    runner = app.test_cli_runner()
    runner.invoke(args=["reminders", "send"])
    message = next(m for m in outbox(app) if m.to_address == "s1@alpha.example")
    assert "page 11 of 42" in message.body_text
    link = re.search(r"http://cohort\.test(/login/link/\S+)", message.body_text).group(1)
    client = app.test_client()
    assert client.get(link).status_code == 200  # shows a button: mail scanners cannot use it up
    response = client.post(link)
    assert response.headers["Location"] == f"/c/alpha/cohorts/a1/pages/{course.pages[10].key}"
    assert client.get(response.headers["Location"]).status_code == 200
    assert client.__class__(app).post(link).status_code == 410


def test_reminders_dry_run_lists_but_sends_nothing(app, cohort):
    result = app.test_cli_runner().invoke(args=["reminders", "send", "--dry-run"])
    assert result.exit_code == 0
    assert (
        "would remind: s1@alpha.example" in result.output
        and "would remind: n1@alpha.example" in result.output
    )
    assert "2 reminder(s) would be sent" in result.output
    assert outbox(app) == []
    with app_db(app) as session:
        assert (
            session.scalar(
                db.select(db.func.count())
                .select_from(Enrollment)
                .where(Enrollment.last_reminded_at.is_not(None))
            )
            == 0
        )


def test_reminder_is_written_in_the_learners_language(app, cohort):
    with app_db(app) as session:
        session.scalar(db.select(User).where(User.email == "s1@alpha.example")).locale = "fr"
    app.test_cli_runner().invoke(args=["reminders", "send"])
    message = next(m for m in outbox(app) if m.to_address == "s1@alpha.example")
    assert message.subject == "Votre cours vous attend"


def test_coordinator_sees_every_cohort_side_by_side_and_an_anonymous_comparison(
    app, login_as, cohort, make_user, add_role
):
    make_user("b2@beta.example")
    add_role("b2@beta.example", "beta", "learner", "b1")
    with app_db(app) as session:
        enrollment_of(session, "b2@beta.example").completed_at = utcnow()
    body = login_as(cohort.coordinator).get("/c/alpha/manage/").get_data(as_text=True)
    assert "Alpha One" in body and "Alpha Two" in body
    assert "Alpha City: 20% of learners have completed the course." in body  # 1 of 5
    assert "without their names: 50%." in body  # beta: 1 of 2
    assert "Beta" not in body.split("Compared with other cities", 1)[1]
    assert "<polyline" in body


def test_platform_admin_sees_each_city_figures(login_as, cohort):
    body = login_as(cohort.admin).get("/admin/").get_data(as_text=True)
    alpha = body.split("Alpha City", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td>([^<]*)</td>", alpha)[3:6] == ["5", "1", "20%"]


def test_dashboard_runs_the_same_number_of_queries_for_5_and_300_learners(
    app, login_as, world, course, count_queries
):
    facilitator = login_as(world.facilitator)

    def add_learners(count, start):
        with app_db(app) as session:
            cohort = session.scalar(db.select(Cohort).where(Cohort.slug == "a1"))
            for number in range(start, start + count):
                user = User(
                    email=f"bulk{number}@alpha.example", name=f"Bulk {number}", password_hash="x"
                )
                session.add(user)
                session.flush()
                enrollment = Enrollment(cohort_id=cohort.id, user_id=user.id, role="learner")
                session.add(enrollment)
                session.flush()
                seed_progress(session, enrollment, course, number % 40, idle_days=number % 20)
        refresh_summaries(app, course)

    add_learners(5, 0)
    facilitator.get(DASHBOARD)
    with count_queries() as few:
        assert facilitator.get(DASHBOARD).status_code == 200
    add_learners(295, 5)
    with count_queries() as many:
        assert facilitator.get(DASHBOARD).status_code == 200
    assert len(few) == len(many), "\n".join(many)


def test_progress_refresh_command_recounts_summaries_written_around_the_player(app, world, course):
    with app_db(app) as session:
        enrollment = enrollment_of(session, world.learner)
        seed_progress(session, enrollment, course, 3, idle_days=2)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["progress", "refresh"])
    assert result.exit_code == 0
    assert "recounted the progress of" in result.output
    with app_db(app) as session:
        enrollment = enrollment_of(session, world.learner)
        assert (enrollment.pages_completed, enrollment.pages_reached) == (3, 4)
        assert enrollment.last_page_at is not None
