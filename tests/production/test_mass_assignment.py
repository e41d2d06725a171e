"""No form lets anyone set what it does not show: roles, cities, cohorts, ids, admin rights."""

from cohortapp.auth.models import User
from cohortapp.cities.models import City, Membership
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.discussion.models import Answer, Question
from cohortapp.extensions import db
from tests.conftest import app_db
from tests.test_route_matrix import MATRIX, POST_DATA, ROLES, build_path, routes

FOREIGN_FIELDS = {
    "role": "coordinator",
    "is_platform_admin": "1",
    "is_active": "0",
    "session_version": "99",
    "city_id": "999",
    "city": "beta",
    "cohort_id": "999",
    "cohort": "b1",
    "user_id": "1",
    "author_id": "1",
    "enrollment_id": "1",
    "status": "closed",
    "shared_scope": "platform",
    "is_hidden": "1",
    "vote_count": "1000",
    "answer_count": "1000",
    "accepted_answer_id": "1",
    "brand_color": "#ffff00",
    "password_hash": "x",
    "email": "intruder@evil.example",
}


def snapshot(app):
    """Everything the foreign fields could try to change."""
    with app_db(app) as session:
        return {
            "users": sorted(
                session.execute(
                    db.select(
                        User.email, User.is_platform_admin, User.is_active, User.session_version > 5
                    )
                ).all()
            ),
            "memberships": sorted(
                session.execute(
                    db.select(Membership.city_id, Membership.user_id, Membership.role)
                ).all()
            ),
            "enrollments": sorted(
                session.execute(
                    db.select(Enrollment.cohort_id, Enrollment.user_id, Enrollment.role)
                ).all()
            ),
            "cities": sorted(
                session.execute(
                    db.select(City.slug, City.brand_color, City.archived_at.is_(None))
                ).all()
            ),
            "cohorts": sorted(session.execute(db.select(Cohort.slug, Cohort.city_id)).all()),
            "questions": sorted(
                session.execute(
                    db.select(
                        Question.cohort_id,
                        Question.author_id,
                        Question.shared_scope != "platform",
                        Question.vote_count < 1000,
                    )
                ).all()
            ),
            "answers": sorted(
                session.execute(db.select(Answer.author_id, Answer.vote_count < 1000)).all()
            ),
        }


# What some actions change by design (not through a foreign field): left out of their check.
CHANGED_BY_DESIGN = {
    "cities.cohorts.discussion.unshare": {"questions"},
    "cities.library.promote": {"questions"},
}


def role_that_may(method, endpoint):
    """A signed-in role that the matrix lets through (2xx or 3xx, not 4xx), if any."""
    for role in ROLES:
        if role != "anonymous" and MATRIX[(method, endpoint)][role] < 400:
            return role
    return None


def test_foreign_fields_posted_to_every_form_change_nothing_they_name(app, world, clients):
    for method, rule in routes(app):
        if method != "POST" or rule.endpoint in {"auth.logout", "auth.logout_everywhere"}:
            continue
        role = role_that_may(method, rule.endpoint)
        if role is None:
            continue
        path = build_path(app, rule)
        before = snapshot(app)
        data = {**FOREIGN_FIELDS, **POST_DATA.get(rule.endpoint, {})}
        clients(role).post(path, data=data)
        after = snapshot(app)
        for key in CHANGED_BY_DESIGN.get(rule.endpoint, ()):
            before.pop(key), after.pop(key)
        assert after == before, (
            f"POST {path} as {role} changed {[k for k in before if before[k] != after[k]]}"
        )
