import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cohortapp.auth.models import User
from cohortapp.extensions import db
from cohortapp.sqltypes import UTCDateTime, utcnow

CITY_ROLES = ("coordinator", "facilitator", "learner")


def new_notes_token() -> str:
    return secrets.token_hex(16)


class City(db.Model):
    __tablename__ = "cities"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2), default="")
    default_locale: Mapped[str] = mapped_column(String(10), default="en")
    # Comma-separated language codes offered in the city, e.g. "en,fr".
    locales: Mapped[str] = mapped_column(String(100), default="en")
    brand_color: Mapped[str] = mapped_column(String(7), default="#1f5f8b")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Replaced by a new random value in every transaction that changes the city's local notes
    # (cities.services.save_local_note), so it names one state of them: lesson pages keep the
    # notes they read under it. Every city has one: new cities get it here, earlier ones got it
    # from the migration that added it.
    notes_token: Mapped[str | None] = mapped_column(String(32), default=new_notes_token)

    def __repr__(self) -> str:
        return f"<City {self.slug}>"

    @property
    def locale_list(self) -> list[str]:
        codes = [code.strip() for code in self.locales.split(",") if code.strip()]
        return codes or [self.default_locale]

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("city_id", "user_id", "role"),
        CheckConstraint("role IN ('coordinator', 'facilitator', 'learner')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    city: Mapped[City] = relationship()
    user: Mapped[User] = relationship()


class LocalNote(db.Model):
    """A city's own note on a lesson page, in one language: "In <city>: ..."."""

    __tablename__ = "local_notes"
    __table_args__ = (UniqueConstraint("city_id", "page_key", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"))
    page_key: Mapped[str] = mapped_column(String(120))
    locale: Mapped[str] = mapped_column(String(10))
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class EnrolmentImport(db.Model):
    """An uploaded enrolment spreadsheet, kept between its preview and its confirmation."""

    __tablename__ = "enrolment_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
