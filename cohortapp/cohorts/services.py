from sqlalchemy import select

from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.extensions import db


def enroll(cohort: Cohort, user, role: str = "learner") -> Enrollment:
    """Enrol, or restore a removed enrolment with its progress. Also makes the user a member."""
    from cohortapp.cities.services import ensure_membership

    ensure_membership(cohort.city, user, role)
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.cohort_id == cohort.id, Enrollment.user_id == user.id)
    )
    if enrollment is None:
        enrollment = Enrollment(cohort_id=cohort.id, user_id=user.id, role=role)
        db.session.add(enrollment)
    else:
        enrollment.removed_at = None
        enrollment.role = role
    db.session.flush()
    return enrollment


def find_cohort(city, slug: str) -> Cohort | None:
    return db.session.scalar(select(Cohort).where(Cohort.city_id == city.id, Cohort.slug == slug))
