"""Reminders to stalled learners: a translated email with a one-time link back to where they
stopped. A learner gets at most one reminder every three days, however often it is asked for."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from cohortapp import audit
from cohortapp.auth.models import User
from cohortapp.auth.services import issue_auth_token, preferred_locale
from cohortapp.cohorts.dashboard import LearnerRow, learner_rows, stalled_rows
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.extensions import db
from cohortapp.lessons.content import Course
from cohortapp.lessons.services import completed_keys, first_unfinished, pages_seen
from cohortapp.mail.services import queue_email
from cohortapp.sqltypes import utcnow
from cohortapp.urls import absolute_url

REMINDER_GAP = timedelta(days=3)
LINK_LIFETIME = timedelta(days=7)


@dataclass(frozen=True)
class ReminderOutcome:
    row: LearnerRow
    sent: bool  # False: reminded less than three days ago (or a dry run)


def stalled(cohort: Cohort, course: Course, now: datetime | None = None) -> list[LearnerRow]:
    now = now or utcnow()
    return stalled_rows(learner_rows([cohort.id], course), cohort.stall_days, now)


def can_remind(row: LearnerRow, now: datetime) -> bool:
    return row.last_reminded_at is None or row.last_reminded_at <= now - REMINDER_GAP


def remind(cohort: Cohort, row: LearnerRow, course: Course, *, now=None, actor=None) -> bool:
    """Send one reminder unless one went out in the last three days. Returns whether it did."""
    now = now or utcnow()
    claimed = db.session.execute(
        update(Enrollment)
        .where(
            Enrollment.id == row.enrollment_id,
            or_(
                Enrollment.last_reminded_at.is_(None),
                Enrollment.last_reminded_at <= now - REMINDER_GAP,
            ),
        )
        .values(last_reminded_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return False
    user = db.session.get(User, row.user_id)
    page = first_unfinished(course, completed_keys(pages_seen(row.enrollment_id), course))
    target = absolute_url(
        "cities.cohorts.lessons.page",
        city_slug=cohort.city.slug,
        cohort_slug=cohort.slug,
        module=page.module_slug,
        page=page.slug,
    )
    path = target.removeprefix(absolute_url("home.index").rstrip("/"))
    token = issue_auth_token(user, "signin", LINK_LIFETIME, next_path=path)
    queue_email(
        user.email,
        "reminder",
        locale=preferred_locale(user, cohort.locale, cohort.city.default_locale),
        user=user,
        cohort=cohort,
        page_number=page.number,
        total=course.total,
        percent=row.percent,
        link=absolute_url("auth.sign_in_with_link", token=token),
        days=LINK_LIFETIME.days,
    )
    audit.record(
        "reminder.sent", actor=actor, city=cohort.city, target=user.email, cohort=cohort.slug
    )
    return True


def remind_stalled(
    cohort: Cohort, course: Course, *, dry_run=False, now=None, actor=None
) -> list[ReminderOutcome]:
    now = now or utcnow()
    outcomes = []
    for row in stalled(cohort, course, now):
        if dry_run:
            outcomes.append(ReminderOutcome(row, can_remind(row, now)))
        else:
            outcomes.append(ReminderOutcome(row, remind(cohort, row, course, now=now, actor=actor)))
    return outcomes


def open_cohorts() -> list[Cohort]:
    from cohortapp.cities.models import City

    return list(
        db.session.scalars(
            select(Cohort)
            .join(City, City.id == Cohort.city_id)
            .where(Cohort.status == "open", City.archived_at.is_(None))
        )
    )
