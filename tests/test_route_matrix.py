"""Every route, every role: the status each gets. A route missing here fails the test.

Roles: anonymous; learner, facilitator and coordinator of city alpha (cohort a1); the
coordinator of city beta; the platform admin. Expected statuses are per (method, endpoint).
"""

from cohortapp.auth.models import User
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.discussion.models import Answer, Flag, Question
from cohortapp.extensions import db
from tests.conftest import app_db

ROLES = ("anonymous", "learner", "facilitator", "coordinator", "coordinator_b", "admin")
SIGN_IN = 302  # anonymous visitors are sent to the sign-in page

# Values used to build each URL: they name real objects of city alpha.
URL_VALUES = {
    "city_slug": "alpha",
    "cohort_slug": "a1",
    "module": "welcome",
    "page": "how-the-course-works",
    "token": "no-such-token",
    "filename": "css/app.css",
    "cohort": "a1",
    "slug": "alpha",
    "code": "no-such-code",
    "user_id": 999999,
    "enrollment_id": 999999,
    "invitation_id": 999999,
    "import_id": 999999,
}

# Form data sent with POST requests (CSRF is checked in its own test).
POST_DATA = {
    "home.set_language": {"lang": "fr", "next": "/"},
    "cities.cohorts.lessons.act": {"action": "next"},
    "auth.account": {"name": "", "locale": "en"},
    "cities.manage.cohort_status": {"status": "open"},
    "cities.manage.edit_cohort": {"name": ""},
    "cities.cohorts.discussion.edit_question": {"title": ""},
    "cities.cohorts.discussion.edit_answer": {"body": ""},
    "cities.manage.join_link": {"action": "issue"},
}


def same(status):
    return dict.fromkeys(ROLES, status)


def signed_in(status, anonymous=SIGN_IN):
    return {**same(status), "anonymous": anonymous}


def city_alpha(member, outsider=404):
    """Members of alpha (and the platform admin) get `member`; beta's coordinator gets 404."""
    return {**signed_in(member), "coordinator_b": outsider}


def admin_only(status):
    return {**signed_in(403), "admin": status}


def moderators(status):
    """The cohort's facilitator, the city's coordinator and the platform admin; learners 403."""
    return {**city_alpha(status), "learner": 403}


def coordinator_only(status):
    """Alpha's coordinator and the platform admin; other members of alpha 403; beta's 404."""
    return {**city_alpha(403), "coordinator": status, "admin": status}


MATRIX = {
    ("GET", "static"): same(200),
    ("GET", "home.index"): same(200),
    ("GET", "home.healthz"): same(200),
    ("POST", "home.set_language"): same(302),
    ("GET", "auth.login"): {**same(302), "anonymous": 200},
    ("POST", "auth.login"): {**same(302), "anonymous": 422},
    ("POST", "auth.logout"): same(302),
    ("POST", "auth.logout_everywhere"): same(302),
    ("GET", "auth.forgot_password"): same(200),
    ("POST", "auth.forgot_password"): same(422),
    ("GET", "auth.reset_password"): same(404),
    ("POST", "auth.reset_password"): same(404),
    ("GET", "auth.invitation"): same(404),
    ("POST", "auth.invitation"): same(404),
    ("GET", "auth.account"): signed_in(200),
    ("POST", "auth.account"): signed_in(422),
    ("GET", "auth.change_password_page"): signed_in(200),
    ("POST", "auth.change_password_page"): signed_in(422),
    ("GET", "admin.index"): {**signed_in(403), "admin": 200},
    ("GET", "cities.home"): city_alpha(200),
    ("GET", "cities.cohorts.home"): city_alpha(200),
    ("GET", "cities.cohorts.lessons.page"): city_alpha(200),
    ("POST", "cities.cohorts.lessons.act"): {**city_alpha(403), "learner": 302},
    ("GET", "auth.request_sign_in_link"): same(200),
    ("POST", "auth.request_sign_in_link"): same(422),
    ("GET", "auth.sign_in_with_link"): same(404),
    ("POST", "auth.sign_in_with_link"): same(404),
    ("GET", "auth.join"): same(404),
    ("POST", "auth.join"): same(404),
    # Platform admin pages (city "alpha"; the ids of missing objects give 404 to the admin).
    ("GET", "admin.new_city"): admin_only(200),
    ("POST", "admin.new_city"): admin_only(422),
    ("GET", "admin.city"): admin_only(200),
    ("POST", "admin.city"): admin_only(422),
    ("POST", "admin.archive"): admin_only(302),
    ("POST", "admin.appoint"): admin_only(422),
    ("POST", "admin.remove_coordinator"): admin_only(404),
    ("GET", "admin.translations"): admin_only(200),
    # The coordinator's pages of city alpha (cohort a1; missing objects give 404).
    ("GET", "cities.manage.index"): coordinator_only(200),
    ("GET", "cities.manage.new_cohort"): coordinator_only(200),
    ("POST", "cities.manage.new_cohort"): coordinator_only(422),
    ("GET", "cities.manage.edit_cohort"): coordinator_only(200),
    ("POST", "cities.manage.edit_cohort"): coordinator_only(422),
    ("GET", "cities.manage.cohort"): coordinator_only(200),
    ("POST", "cities.manage.cohort_status"): coordinator_only(302),
    ("POST", "cities.manage.enrol"): coordinator_only(422),
    ("POST", "cities.manage.remove"): coordinator_only(404),
    ("POST", "cities.manage.join_link"): coordinator_only(302),
    ("POST", "cities.manage.resend"): coordinator_only(404),
    ("POST", "cities.manage.revoke"): coordinator_only(404),
    ("GET", "cities.manage.people"): coordinator_only(200),
    ("GET", "cities.manage.new_import"): coordinator_only(200),
    ("POST", "cities.manage.new_import"): coordinator_only(422),
    ("GET", "cities.manage.show_import"): coordinator_only(404),
    ("POST", "cities.manage.apply_import"): coordinator_only(404),
    ("GET", "cities.manage.rejected_rows"): coordinator_only(404),
    ("GET", "cities.manage.notes"): coordinator_only(200),
    ("GET", "cities.manage.edit_note"): coordinator_only(200),
    ("POST", "cities.manage.edit_note"): coordinator_only(302),
    ("GET", "cities.manage.audit_log"): coordinator_only(200),
    ("GET", "cities.manage.translations"): coordinator_only(200),
    # Cohort Q&A of a1: a fresh question by the learner, answered by the facilitator, flagged.
    ("GET", "cities.cohorts.discussion.index"): city_alpha(200),
    ("GET", "cities.cohorts.discussion.ask"): city_alpha(200),
    ("POST", "cities.cohorts.discussion.ask"): city_alpha(422),
    ("GET", "cities.cohorts.discussion.question"): city_alpha(200),
    ("POST", "cities.cohorts.discussion.answer"): city_alpha(422),
    ("GET", "cities.cohorts.discussion.edit_question"): {**city_alpha(403), "learner": 200},
    ("POST", "cities.cohorts.discussion.edit_question"): {**city_alpha(403), "learner": 422},
    ("POST", "cities.cohorts.discussion.delete_question"): {**city_alpha(403), "learner": 302},
    ("GET", "cities.cohorts.discussion.edit_answer"): {**city_alpha(403), "facilitator": 200},
    ("POST", "cities.cohorts.discussion.edit_answer"): {**city_alpha(403), "facilitator": 422},
    ("POST", "cities.cohorts.discussion.delete_answer"): {**city_alpha(403), "facilitator": 302},
    ("POST", "cities.cohorts.discussion.vote_question"): city_alpha(302),
    ("POST", "cities.cohorts.discussion.vote_answer"): city_alpha(302),
    ("POST", "cities.cohorts.discussion.follow"): city_alpha(302),
    ("POST", "cities.cohorts.discussion.accept"): city_alpha(302),
    ("POST", "cities.cohorts.discussion.endorse"): moderators(302),
    ("POST", "cities.cohorts.discussion.flag_question"): city_alpha(302),
    ("POST", "cities.cohorts.discussion.flag_answer"): city_alpha(302),
    ("POST", "cities.cohorts.discussion.hide_question"): moderators(302),
    ("POST", "cities.cohorts.discussion.hide_answer"): moderators(302),
    ("GET", "cities.cohorts.discussion.flags"): moderators(200),
    ("POST", "cities.cohorts.discussion.dismiss_flag"): moderators(302),
    ("POST", "cities.cohorts.discussion.reflection_prompt"): moderators(302),
    ("POST", "cities.cohorts.discussion.share"): moderators(302),
    ("POST", "cities.cohorts.discussion.unshare"): moderators(302),
    # Libraries: the fresh question is shared to the platform.
    ("GET", "cities.library.index"): city_alpha(200),
    ("GET", "cities.library.item"): city_alpha(200),
    ("POST", "cities.library.promote"): admin_only(302),
    ("GET", "platform_library.index_all"): signed_in(200),
    ("GET", "platform_library.item_all"): signed_in(200),
    # Dashboards: the cohort's facilitator, the city's coordinator and the admin.
    ("GET", "cities.cohorts.dashboard"): moderators(200),
    ("GET", "cities.cohorts.dashboard_csv"): moderators(200),
    ("GET", "cities.cohorts.learner"): moderators(200),
    ("POST", "cities.cohorts.remind"): moderators(302),
    ("GET", "cities.manage.city_csv"): coordinator_only(200),
}


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule


def test_every_route_is_in_the_matrix(app):
    missing = {(m, r.endpoint) for m, r in routes(app)} - set(MATRIX)
    assert not missing, f"routes missing from the access matrix: {sorted(missing)}"
    stale = set(MATRIX) - {(m, r.endpoint) for m, r in routes(app)}
    assert not stale, f"matrix entries for routes that no longer exist: {sorted(stale)}"


def fresh_discussion(app) -> dict:
    """A question by alpha's learner in a1, answered by the facilitator, flagged, and shared."""
    with app_db(app) as session:
        cohort = session.scalar(db.select(Cohort).where(Cohort.slug == "a1"))
        learner, facilitator = (
            session.scalar(db.select(User.id).where(User.email == email))
            for email in ("learner@alpha.example", "facilitator@alpha.example")
        )
        question = Question(
            cohort_id=cohort.id,
            author_id=learner,
            title="A question in the matrix",
            body_md="b",
            body_html="<p>b</p>",
            answer_count=1,
        )
        session.add(question)
        session.flush()
        answer = Answer(
            question_id=question.id, author_id=facilitator, body_md="a", body_html="<p>a</p>"
        )
        session.add(answer)
        session.flush()
        question.accepted_answer_id = answer.id
        question.shared_scope = "platform"
        flag = Flag(
            cohort_id=cohort.id,
            user_id=learner,
            post_kind="answer",
            post_id=answer.id,
            reason="spam",
        )
        session.add(flag)
        session.flush()
        return {"question_id": question.id, "answer_id": answer.id, "flag_id": flag.id}


def learner_enrollment_id(app) -> int:
    with app_db(app) as session:
        return session.scalar(
            db.select(Enrollment.id)
            .join(User, User.id == Enrollment.user_id)
            .where(User.email == "learner@alpha.example")
        )


def build_path(app, rule) -> str:
    values = {name: URL_VALUES[name] for name in rule.arguments if name in URL_VALUES}
    if "enrollment_id" in rule.arguments and rule.endpoint == "cities.cohorts.learner":
        values["enrollment_id"] = learner_enrollment_id(app)
    if {"question_id", "answer_id", "flag_id"} & set(rule.arguments):
        fresh = fresh_discussion(app)
        values.update({name: fresh[name] for name in rule.arguments if name in fresh})
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def test_each_role_gets_the_expected_status_on_every_route(app, clients):
    failures = []
    for method, rule in routes(app):
        for role in ROLES:
            path = build_path(app, rule)
            expected = MATRIX[(method, rule.endpoint)][role]
            client = clients(role)  # fresh each time: some routes sign the user out
            data = POST_DATA.get(rule.endpoint, {})
            response = client.open(path, method=method, data=data)
            if response.status_code != expected:
                failures.append(
                    f"{method} {path} as {role}: {response.status_code}, expected {expected}"
                )
    assert not failures, "\n".join(failures)


def test_every_post_without_a_csrf_token_is_refused(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for method, rule in routes(app):
            if method != "POST":
                continue
            path = build_path(app, rule)
            response = app.test_client().post(path, data=POST_DATA.get(rule.endpoint, {}))
            assert response.status_code == 400, f"POST {path} accepted without a CSRF token"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
