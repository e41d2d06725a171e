from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cohortapp.auth.models import User
from cohortapp.cities.models import City
from cohortapp.extensions import db
from cohortapp.sqltypes import UTCDateTime, utcnow

COHORT_STATUSES = ("draft", "open", "closed")
ENROLLMENT_ROLES = ("learner", "facilitator")


class Cohort(db.Model):
    __tablename__ = "cohorts"
    __table_args__ = (
        UniqueConstraint("city_id", "slug"),
        CheckConstraint("status IN ('draft', 'open', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    locale: Mapped[str] = mapped_column(String(10), default="en")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    join_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    # Comma-separated email domains allowed to use the join link; empty means any.
    join_domains: Mapped[str] = mapped_column(String(500), default="")
    pace_weeks: Mapped[int | None] = mapped_column(Integer)
    stall_days: Mapped[int] = mapped_column(Integer, default=14)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    city: Mapped[City] = relationship()

    def __repr__(self) -> str:
        return f"<Cohort {self.slug}>"

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"


class Enrollment(db.Model):
    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("cohort_id", "user_id"),
        CheckConstraint("role IN ('learner', 'facilitator')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="learner")
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Removal is a timestamp: progress is never deleted, and enrolling again restores it.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A summary of the learner's page and response rows, recounted each time they change
    # (lessons.services.refresh_progress_summary), so that dashboards read one row per learner.
    pages_completed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    pages_reached: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reflections_written: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    checks_answered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    checks_right_first: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_page_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cohort: Mapped[Cohort] = relationship()
    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.removed_at is None
