"""Every model, imported once so that Alembic and create_all() see the whole schema."""

from cohortapp.audit import AuditEvent
from cohortapp.auth.models import AuthToken, Invitation, User
from cohortapp.cities.models import City, EnrolmentImport, LocalNote, Membership
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.lessons.models import PageProgress, Response
from cohortapp.mail.models import OutboxMessage

__all__ = [
    "AuditEvent",
    "AuthToken",
    "City",
    "Cohort",
    "Enrollment",
    "EnrolmentImport",
    "Invitation",
    "LocalNote",
    "Membership",
    "OutboxMessage",
    "PageProgress",
    "Response",
    "User",
]
