"""The audit log: every state change made by an admin, coordinator or facilitator."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cohortapp.auth.models import User
from cohortapp.extensions import db
from cohortapp.sqltypes import UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    city_id: Mapped[int | None] = mapped_column(
        ForeignKey("cities.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(255), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


def record(action: str, *, actor, city=None, target: str = "", **detail: Any) -> AuditEvent:
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        city_id=city.id if city is not None else None,
        target=target,
        detail=detail,
    )
    db.session.add(event)
    return event


def record_changes(item, values: dict, action: str, *, actor, city) -> None:
    """Set each value that differs on `item` (a city or a cohort) and audit the changes, if any."""
    changed = {}
    for field, value in values.items():
        if getattr(item, field) != value:
            changed[field] = str(value)
            setattr(item, field, value)
    if changed:
        record(action, actor=actor, city=city, target=item.slug, **changed)
