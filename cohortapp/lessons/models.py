from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cohortapp.extensions import db
from cohortapp.sqltypes import UTCDateTime, utcnow


class PageProgress(db.Model):
    """A learner's trace on one page: when they first opened it and when they completed it."""

    __tablename__ = "page_progress"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "page_key"),
        # Covers the dashboards' aggregates, so they never read the table itself.
        Index(
            "ix_page_progress_dashboard",
            "enrollment_id",
            "page_key",
            "completed_at",
            "first_seen_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    page_key: Mapped[str] = mapped_column(String(120))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Response(db.Model):
    """A learner's reflection or knowledge-check answer on one page (one per page)."""

    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "page_key"),
        CheckConstraint("kind IN ('reflection', 'check')", name="kind"),
        Index(
            "ix_responses_dashboard",
            "enrollment_id",
            "kind",
            "page_key",
            "first_choice_correct",
            "updated_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    page_key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text, default="")
    choice: Mapped[str | None] = mapped_column(String(10))
    # The first answer decides the "correct first time" figures on the dashboards.
    first_choice: Mapped[str | None] = mapped_column(String(10))
    first_choice_correct: Mapped[bool | None] = mapped_column(Boolean)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
