"""Every model, imported once so that Alembic and create_all() see the whole schema."""

from cohortapp.audit import AuditEvent
from cohortapp.auth.models import AuthToken, Invitation, User
from cohortapp.cities.models import City, EnrolmentImport, LocalNote, Membership
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.discussion.models import Answer, Flag, Follow, Notification, Question, Vote
from cohortapp.lessons.models import PageProgress, Response
from cohortapp.mail.models import OutboxMessage

__all__ = [
    "Answer",
    "AuditEvent",
    "AuthToken",
    "City",
    "Cohort",
    "Enrollment",
    "EnrolmentImport",
    "Flag",
    "Follow",
    "Invitation",
    "LocalNote",
    "Membership",
    "Notification",
    "OutboxMessage",
    "PageProgress",
    "Question",
    "Response",
    "User",
    "Vote",
]
