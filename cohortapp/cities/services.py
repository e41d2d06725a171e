"""Cities and their people: creating cities, coordinators, members, enrolling by email, notes."""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from flask import current_app
from sqlalchemy import Row, bindparam, func, or_, select

from cohortapp import audit
from cohortapp.auth.models import Invitation, User, find_user_by_email
from cohortapp.cities.models import City, LocalNote, Membership, new_notes_token
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.extensions import db
from cohortapp.lru import RecentlyUsed
from cohortapp.markdown import render_markdown
from cohortapp.sqltypes import utcnow

CITY_FIELDS = ("slug", "name", "country", "default_locale", "locales", "brand_color")


def find_city(slug: str) -> City | None:
    return db.session.scalar(select(City).where(City.slug == slug))


def ensure_membership(city: City, user, role: str) -> Membership:
    membership = db.session.scalar(
        select(Membership).where(
            Membership.city_id == city.id, Membership.user_id == user.id, Membership.role == role
        )
    )
    if membership is None:
        membership = Membership(city_id=city.id, user_id=user.id, role=role)
        db.session.add(membership)
        db.session.flush()
    return membership


def create_city(values: dict, *, actor) -> City:
    city = City(**{field: values[field] for field in CITY_FIELDS})
    db.session.add(city)
    db.session.flush()
    audit.record("city.created", actor=actor, city=city, target=city.slug, name=city.name)
    return city


def update_city(city: City, values: dict, *, actor) -> None:
    # A city's address never changes: links in emails must keep working.
    changes = {field: values[field] for field in CITY_FIELDS if field != "slug" and field in values}
    audit.record_changes(city, changes, "city.updated", actor=actor, city=city)


def set_city_archived(city: City, archived: bool, *, actor) -> None:
    if archived == city.is_archived:
        return
    city.archived_at = utcnow() if archived else None
    action = "city.archived" if archived else "city.restored"
    audit.record(action, actor=actor, city=city, target=city.slug)


def city_coordinators(city: City) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.city_id == city.id, Membership.role == "coordinator")
            .order_by(User.name, User.email)
        )
    )


def remove_membership(city: City, user: User, role: str, *, actor) -> bool:
    membership = db.session.scalar(
        select(Membership).where(
            Membership.city_id == city.id, Membership.user_id == user.id, Membership.role == role
        )
    )
    if membership is None:
        return False
    db.session.delete(membership)
    audit.record(f"{role}.removed", actor=actor, city=city, target=user.email)
    return True


@dataclass(frozen=True)
class EnrolmentOutcome:
    """What enrolling an address did.

    One of: enrolled, restored, invited, appointed, already_enrolled, already_invited.
    """

    status: str

    @property
    def changed(self) -> bool:
        return self.status in {"enrolled", "restored", "invited", "appointed"}


def pending_invitation(city: City, email: str, cohort: Cohort | None, role: str):
    query = select(Invitation).where(
        Invitation.city_id == city.id,
        Invitation.email == User.normalise_email(email),
        Invitation.role == role,
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > utcnow(),
    )
    query = query.where(
        Invitation.cohort_id == cohort.id if cohort is not None else Invitation.cohort_id.is_(None)
    )
    return db.session.scalar(query)


def _invite(
    city: City, email: str, role: str, *, actor, cohort: Cohort | None = None, name: str = ""
) -> EnrolmentOutcome:
    """Invite the address, to the cohort or (without one) to the city, unless it already is."""
    from cohortapp.auth.services import create_invitation

    if pending_invitation(city, email, cohort, role) is not None:
        return EnrolmentOutcome("already_invited")
    invitation, _token = create_invitation(city, email, role, actor=actor, cohort=cohort, name=name)
    detail = (
        {"role": role} if cohort is None else {"cohort": cohort.slug, "role": role, "name": name}
    )
    audit.record("invitation.created", actor=actor, city=city, target=invitation.email, **detail)
    return EnrolmentOutcome("invited")


def enrol_by_email(
    cohort: Cohort, email: str, role: str, *, actor, name: str = ""
) -> EnrolmentOutcome:
    """An existing account is enrolled at once (and told by email); a new address is invited."""
    from cohortapp.cohorts.services import enrollment_of

    user = find_user_by_email(email)
    if user is None:
        return _invite(cohort.city, email, role, actor=actor, cohort=cohort, name=name)
    return enrol_user(cohort, user, role, enrollment_of(cohort, user), actor=actor)


def enrol_user(
    cohort: Cohort, user: User, role: str, existing: Enrollment | None, *, actor
) -> EnrolmentOutcome:
    """Enrol an account (and tell them by email); `existing` is their enrolment in the cohort."""
    from cohortapp.cohorts.services import enroll

    if existing is not None and existing.removed_at is None and existing.role == role:
        return EnrolmentOutcome("already_enrolled")
    status = "restored" if existing is not None and existing.removed_at else "enrolled"
    enroll(cohort, user, role, existing=existing)
    send_enrolment_notice(cohort, user, role)
    audit.record(
        f"enrollment.{status}",
        actor=actor,
        city=cohort.city,
        target=user.email,
        cohort=cohort.slug,
        role=role,
    )
    return EnrolmentOutcome(status)


def send_enrolment_notice(cohort: Cohort, user: User, role: str) -> None:
    from cohortapp.auth.services import preferred_locale
    from cohortapp.mail.services import queue_email
    from cohortapp.urls import absolute_url

    queue_email(
        user.email,
        "enrolled",
        locale=preferred_locale(user, cohort.locale, cohort.city.default_locale),
        user=user,
        cohort=cohort,
        city=cohort.city,
        role=role,
        link=absolute_url(
            "cities.cohorts.home", city_slug=cohort.city.slug, cohort_slug=cohort.slug
        ),
    )


def appoint_coordinator(city: City, email: str, *, actor) -> EnrolmentOutcome:
    user = find_user_by_email(email)
    if user is None:
        return _invite(city, email, "coordinator", actor=actor)
    if "coordinator" in member_roles(city, user):
        return EnrolmentOutcome("already_enrolled")
    ensure_membership(city, user, "coordinator")
    audit.record("coordinator.appointed", actor=actor, city=city, target=user.email)
    return EnrolmentOutcome("appointed")


def member_roles(city: City, user: User) -> set[str]:
    return set(
        db.session.scalars(
            select(Membership.role).where(
                Membership.city_id == city.id, Membership.user_id == user.id
            )
        )
    )


def resend_invitation(invitation: Invitation, *, actor) -> Invitation:
    """Replace the invitation by a fresh one (new link and expiry); the old link stops working."""
    from cohortapp.auth.services import create_invitation

    invitation.revoked_at = utcnow()
    fresh, _token = create_invitation(
        invitation.city,
        invitation.email,
        invitation.role,
        actor=actor,
        cohort=invitation.cohort,
        name=invitation.name,
    )
    audit.record("invitation.resent", actor=actor, city=invitation.city, target=invitation.email)
    return fresh


def revoke_invitation(invitation: Invitation, *, actor) -> None:
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = utcnow()
        audit.record(
            "invitation.revoked", actor=actor, city=invitation.city, target=invitation.email
        )


def open_invitations(city: City, cohort: Cohort | None = None, role: str = "") -> list[Invitation]:
    query = (
        select(Invitation)
        .where(
            Invitation.city_id == city.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .order_by(Invitation.created_at.desc())
    )
    if cohort is not None:
        query = query.where(Invitation.cohort_id == cohort.id)
    if role:
        query = query.where(Invitation.role == role)
    return list(db.session.scalars(query))


def members_query(city: City, search: str = "", role: str = ""):
    """Users with a role in the city, by name, filtered by name or email and by role."""
    member_ids = select(Membership.user_id).where(Membership.city_id == city.id)
    if role:
        member_ids = member_ids.where(Membership.role == role)
    query = select(User).where(User.id.in_(member_ids)).order_by(func.lower(User.name), User.email)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(or_(func.lower(User.name).like(pattern), User.email.like(pattern)))
    return query


def roles_by_user(city: City, user_ids: list[int]) -> dict[int, list[str]]:
    rows = db.session.execute(
        select(Membership.user_id, Membership.role)
        .where(Membership.city_id == city.id, Membership.user_id.in_(user_ids))
        .order_by(Membership.role)
    )
    result: dict[int, list[str]] = {}
    for user_id, role in rows:
        result.setdefault(user_id, []).append(role)
    return result


def cohorts_by_user(city: City, user_ids: list[int]) -> dict[int, list[tuple[Cohort, Enrollment]]]:
    rows = db.session.execute(
        select(Enrollment, Cohort)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(Cohort.city_id == city.id, Enrollment.user_id.in_(user_ids))
        .order_by(Cohort.name)
    )
    result: dict[int, list[tuple[Cohort, Enrollment]]] = {}
    for enrollment, cohort in rows:
        result.setdefault(enrollment.user_id, []).append((cohort, enrollment))
    return result


# Read by lesson pages once per change of the city's notes: plain rows, not ORM objects.
_notes = LocalNote.__table__.c
_CITY_NOTE_TEXTS = select(_notes.page_key, _notes.locale, _notes.body_html).where(
    _notes.city_id == bindparam("city_id")
)
# Cities whose notes each process keeps, read whole, under the city's notes token.
CITIES_KEPT = 500


class StaleNotesError(RuntimeError):
    """Kept notes differ from the database: a change of them did not replace the notes token."""


def init_app(app) -> None:
    app.extensions["city_notes"] = RecentlyUsed()


def local_note_texts(city: City, page_key: str) -> Mapping[str, Row]:
    """The page's notes for reading, by language: each row has locale and body_html.

    Every learner of a city reads the same notes on every page, and they rarely change: they
    are read once per process for the whole city, and kept under the city's notes token."""
    return kept_city_notes(city).get(page_key, {})


def kept_city_notes(city: City) -> Mapping[str, Mapping[str, Row]]:
    kept_notes = current_app.extensions["city_notes"]
    key = (city.id, city.notes_token)
    notes = kept_notes.get(key)
    if notes is None:
        notes = read_city_notes(city)
        kept_notes.put(key, notes, CITIES_KEPT)
    elif current_app.config["CACHE_VERIFY"] and read_city_notes(city) != notes:
        raise StaleNotesError(f"the notes of {city.slug} changed under the same notes token")
    return notes


def read_city_notes(city: City) -> Mapping[str, Mapping[str, Row]]:
    """Every note of the city, read-only: page key -> language -> row."""
    by_page: dict[str, dict[str, Row]] = {}
    for row in db.session.execute(_CITY_NOTE_TEXTS, {"city_id": city.id}):
        by_page.setdefault(row.page_key, {})[row.locale] = row
    return MappingProxyType({key: MappingProxyType(notes) for key, notes in by_page.items()})


def local_notes(city: City, page_key: str) -> dict[str, LocalNote]:
    """The page's notes to edit, by language."""
    notes = db.session.scalars(
        select(LocalNote).where(LocalNote.city_id == city.id, LocalNote.page_key == page_key)
    )
    return {note.locale: note for note in notes}


def pages_with_notes(city: City) -> dict[str, list[str]]:
    rows = db.session.execute(
        select(LocalNote.page_key, LocalNote.locale).where(LocalNote.city_id == city.id)
    )
    result: dict[str, list[str]] = {}
    for page_key, locale in rows:
        result.setdefault(page_key, []).append(locale)
    return result


def save_local_note(
    city: City,
    page_key: str,
    locale: str,
    body: str,
    *,
    actor,
    notes: dict[str, LocalNote] | None = None,
) -> None:
    """Create, change or (with an empty body) delete the note of one page in one language.

    `notes` are the page's notes, from `local_notes`, for a caller who has them already.
    """
    if notes is None:
        notes = local_notes(city, page_key)
    note = notes.get(locale)
    body = body.strip()
    if not body:
        if note is not None:
            db.session.delete(note)
            city.notes_token = new_notes_token()
            audit.record("note.deleted", actor=actor, city=city, target=page_key, locale=locale)
        return
    if note is not None and note.body_md == body:
        return
    city.notes_token = new_notes_token()
    if note is None:
        note = LocalNote(city_id=city.id, page_key=page_key, locale=locale)
        db.session.add(note)
    note.body_md, note.body_html = body, render_markdown(body)
    note.updated_at, note.updated_by_id = utcnow(), actor.id if actor else None
    audit.record("note.saved", actor=actor, city=city, target=page_key, locale=locale)
