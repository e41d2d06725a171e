"""Cohorts and enrolments: creating, opening and closing cohorts, enrolling, join links, pace."""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, bindparam, exists, select

from cohortapp import audit
from cohortapp.auth.models import User
from cohortapp.cities.models import City, Membership
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.extensions import db
from cohortapp.sqltypes import utcnow

COHORT_FIELDS = (
    "name",
    "slug",
    "locale",
    "starts_on",
    "ends_on",
    "pace_weeks",
    "stall_days",
    "join_domains",
)


def find_cohort(city, slug: str) -> Cohort | None:
    return db.session.scalar(select(Cohort).where(Cohort.city_id == city.id, Cohort.slug == slug))


# Every request inside a cohort needs the city, the cohort, the person's active enrolment and
# whether they coordinate the city: one statement, built once, instead of five. It also reads
# the user the session names, so that Flask-Login's loader finds them in the session's identity
# map (see cohortapp.login) instead of asking the database again.
_COHORT_WITH_ACCESS = (
    select(
        City,
        Cohort,
        Enrollment,
        exists()
        .where(
            Membership.city_id == City.id,
            Membership.user_id == bindparam("user_id"),
            Membership.role == "coordinator",
        )
        .label("is_coordinator"),
        User,
    )
    .join(Cohort, Cohort.city_id == City.id)
    .outerjoin(
        Enrollment,
        and_(
            Enrollment.cohort_id == Cohort.id,
            Enrollment.user_id == bindparam("user_id"),
            Enrollment.removed_at.is_(None),
        ),
    )
    .outerjoin(User, User.id == bindparam("user_id"))
    .where(City.slug == bindparam("city_slug"), Cohort.slug == bindparam("cohort_slug"))
)


@dataclass(frozen=True)
class CohortAccess:
    city: City
    cohort: Cohort
    enrollment: Enrollment | None
    is_coordinator: bool
    # Not yet checked by Flask-Login: never to be used as the signed-in person. Held here because
    # the session's identity map keeps only objects that something refers to.
    unverified_user: User | None


def find_cohort_with_access(city_slug: str, cohort_slug: str, user_id: int | None):
    """The cohort at this address with what `user_id` may do there, or None."""
    row = db.session.execute(
        _COHORT_WITH_ACCESS,
        {"city_slug": city_slug, "cohort_slug": cohort_slug, "user_id": user_id},
    ).first()
    return CohortAccess(*row) if row is not None else None


def city_cohorts(city) -> list[Cohort]:
    return list(
        db.session.scalars(
            select(Cohort).where(Cohort.city_id == city.id).order_by(Cohort.starts_on, Cohort.name)
        )
    )


def slug_taken(city, slug: str, *, except_id: int | None = None) -> bool:
    cohort = find_cohort(city, slug)
    return cohort is not None and cohort.id != except_id


def split_domains(text: str) -> list[str]:
    """The email domains in a list separated by commas or semicolons, in order, without "@"."""
    domains = (d.strip().lower().lstrip("@") for d in text.replace(";", ",").split(","))
    return [d for d in domains if d]


def normalise_domains(text: str) -> str:
    return ",".join(sorted(set(split_domains(text))))


def create_cohort(city, values: dict, *, actor) -> Cohort:
    cohort = Cohort(city_id=city.id, city=city, status="draft", **_cohort_values(values))
    db.session.add(cohort)
    db.session.flush()
    audit.record("cohort.created", actor=actor, city=city, target=cohort.slug, name=cohort.name)
    return cohort


def update_cohort(cohort: Cohort, values: dict, *, actor) -> None:
    audit.record_changes(
        cohort, _cohort_values(values), "cohort.updated", actor=actor, city=cohort.city
    )


def _cohort_values(values: dict) -> dict:
    result = {field: values[field] for field in COHORT_FIELDS if field in values}
    if "join_domains" in result:
        result["join_domains"] = normalise_domains(result["join_domains"] or "")
    return result


def set_cohort_status(cohort: Cohort, status: str, *, actor) -> None:
    if status == cohort.status:
        return
    previous, cohort.status = cohort.status, status
    audit.record(
        f"cohort.{status}", actor=actor, city=cohort.city, target=cohort.slug, previous=previous
    )


def new_join_code(cohort: Cohort, *, actor) -> str:
    cohort.join_code = secrets.token_urlsafe(9)
    audit.record("cohort.join_link_issued", actor=actor, city=cohort.city, target=cohort.slug)
    return cohort.join_code


def disable_join_link(cohort: Cohort, *, actor) -> None:
    cohort.join_code = None
    audit.record("cohort.join_link_disabled", actor=actor, city=cohort.city, target=cohort.slug)


def find_cohort_by_join_code(code: str) -> Cohort | None:
    if not code:
        return None
    return db.session.scalar(select(Cohort).where(Cohort.join_code == code))


def email_domain_allowed(cohort: Cohort, email: str) -> bool:
    if not cohort.join_domains:
        return True
    domain = email.rsplit("@", 1)[-1].lower()
    return domain in cohort.join_domains.split(",")


def enrollment_of(cohort: Cohort, user) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment).where(Enrollment.cohort_id == cohort.id, Enrollment.user_id == user.id)
    )


_LOOK_UP = object()  # `enroll` called without `existing`: look the enrolment up


def enroll(cohort: Cohort, user, role: str = "learner", *, existing=_LOOK_UP) -> Enrollment:
    """Enrol, or restore a removed enrolment with its progress. Also makes the user a member.

    `existing` is the user's enrolment in the cohort (or None), for a caller who has it already.
    """
    from cohortapp.cities.services import ensure_membership

    ensure_membership(cohort.city, user, role)
    enrollment = enrollment_of(cohort, user) if existing is _LOOK_UP else existing
    if enrollment is None:
        enrollment = Enrollment(cohort_id=cohort.id, user_id=user.id, role=role)
        db.session.add(enrollment)
    else:
        enrollment.removed_at = None
        enrollment.role = role
    db.session.flush()
    return enrollment


def remove_enrollment(enrollment: Enrollment, *, actor) -> None:
    """Removal keeps every progress row; enrolling the person again restores it."""
    if enrollment.removed_at is not None:
        return
    enrollment.removed_at = utcnow()
    cohort = enrollment.cohort
    audit.record(
        "enrollment.removed",
        actor=actor,
        city=cohort.city,
        target=enrollment.user.email,
        cohort=cohort.slug,
        role=enrollment.role,
    )


@dataclass(frozen=True)
class ModuleTarget:
    module_slug: str
    page_keys: tuple[str, ...]
    due_on: date


def module_targets(cohort: Cohort, course) -> list[ModuleTarget]:
    """A target date per module, spread over the pace by each module's share of the pages."""
    if not cohort.pace_weeks or not cohort.starts_on or not course.total:
        return []
    days = cohort.pace_weeks * 7
    targets, pages_so_far = [], 0
    for module in course.modules:
        pages_so_far += len(module.pages)
        offset = round(days * pages_so_far / course.total)
        targets.append(
            ModuleTarget(
                module.slug,
                tuple(page.key for page in module.pages),
                cohort.starts_on + timedelta(days=offset),
            )
        )
    return targets


def pace_status(targets: list[ModuleTarget], done: set[str], today: date) -> str | None:
    """'on_track' or 'behind' (a module whose date has passed is unfinished); None without pace."""
    if not targets:
        return None
    for target in targets:
        if target.due_on < today and not set(target.page_keys) <= done:
            return "behind"
    return "on_track"
