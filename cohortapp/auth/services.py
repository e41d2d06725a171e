"""Accounts, email tokens and invitations. No request, no flash: routes and the CLI call these."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from cohortapp.auth.models import AuthToken, Invitation, User, find_user_by_email
from cohortapp.extensions import db
from cohortapp.mail.services import queue_email
from cohortapp.sqltypes import utcnow
from cohortapp.tokens import hash_token, new_token
from cohortapp.urls import absolute_url

# Checked against when no account matches, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password")


class TokenError(Exception):
    """A link that cannot be used; `reason` is 'invalid', 'expired' or 'used'."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None or not user.password_hash:
        User(password_hash=_DUMMY_HASH).check_password(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def preferred_locale(user: User | None, *fallbacks: str | None) -> str:
    for candidate in (user.locale if user else None, *fallbacks):
        if candidate:
            return candidate
    return "en"


def issue_auth_token(user: User, purpose: str, lifetime: timedelta, next_path=None) -> str:
    token = new_token()
    db.session.add(
        AuthToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=hash_token(token),
            next_path=next_path,
            expires_at=utcnow() + lifetime,
        )
    )
    return token


def usable_auth_token(token: str, purpose: str, now: datetime | None = None) -> AuthToken:
    """The token's row, or TokenError saying why it cannot be used."""
    now = now or utcnow()
    row = db.session.scalar(
        select(AuthToken).where(
            AuthToken.token_hash == hash_token(token), AuthToken.purpose == purpose
        )
    )
    if row is None:
        raise TokenError("invalid")
    if row.used_at is not None:
        raise TokenError("used")
    if row.expires_at <= now:
        raise TokenError("expired")
    return row


def use_auth_token(row: AuthToken) -> None:
    """Spend a link checked by `usable_auth_token`: it works only once."""
    row.used_at = utcnow()


def request_password_reset(email: str) -> None:
    """Email a reset link when the address has an active account; do nothing visible otherwise."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    token = issue_auth_token(user, "reset", timedelta(hours=hours))
    queue_email(
        user.email,
        "password_reset",
        locale=preferred_locale(user),
        user=user,
        link=absolute_url("auth.reset_password", token=token),
        hours=hours,
    )


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every session of the user, on every device."""
    user.set_password(new_password)
    user.end_all_sessions()


def create_invitation(
    city, email: str, role: str, *, actor: User | None, cohort=None, name: str = ""
) -> tuple[Invitation, str]:
    token = new_token()
    invitation = Invitation(
        city_id=city.id,
        cohort_id=cohort.id if cohort is not None else None,
        email=User.normalise_email(email),
        name=name.strip()[:120],
        role=role,
        token_hash=hash_token(token),
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
        invited_by_id=actor.id if actor is not None else None,
    )
    db.session.add(invitation)
    db.session.flush()
    queue_email(
        invitation.email,
        "invitation",
        locale=preferred_locale(
            find_user_by_email(email),
            cohort.locale if cohort is not None else None,
            city.default_locale,
        ),
        city=city,
        cohort=cohort,
        inviter=actor,
        role=role,
        link=absolute_url("auth.invitation", token=token),
        days=current_app.config["INVITATION_DAYS"],
    )
    return invitation, token


def usable_invitation(token: str, now: datetime | None = None) -> Invitation:
    now = now or utcnow()
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    )
    if invitation is None or invitation.revoked_at is not None or invitation.city.is_archived:
        raise TokenError("invalid")
    if invitation.accepted_at is not None:
        raise TokenError("used")
    if invitation.expires_at <= now:
        raise TokenError("expired")
    return invitation


def accept_invitation(invitation: Invitation, user: User) -> None:
    """Give the user the invited role (and enrolment), once."""
    from cohortapp.cities.services import ensure_membership
    from cohortapp.cohorts.services import enroll

    ensure_membership(invitation.city, user, invitation.role)
    if invitation.cohort is not None:
        enrollment_role = "facilitator" if invitation.role == "facilitator" else "learner"
        enroll(invitation.cohort, user, enrollment_role)
    invitation.accepted_at = utcnow()


def register_invited_user(invitation: Invitation, name: str, password: str) -> User:
    user = User(email=invitation.email, name=name.strip(), locale=None)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    accept_invitation(invitation, user)
    return user


SIGN_IN_LINK_MINUTES = 30


def send_sign_in_link(
    email: str, next_path: str | None = None, *, name: str = "", locale: str | None = None
) -> None:
    """Email a one-time sign-in link. With `name`, an unknown address gets an account first
    (used by join links: owning the address is proven by opening the link). `locale` is the
    language to use when the person has chosen none (the cohort's, for a join link)."""
    user = find_user_by_email(email)
    if user is None and name:
        user = User(email=User.normalise_email(email), name=name.strip())
        db.session.add(user)
        db.session.flush()
    if user is None or not user.is_active:
        return
    token = issue_auth_token(
        user, "signin", timedelta(minutes=SIGN_IN_LINK_MINUTES), next_path=next_path
    )
    queue_email(
        user.email,
        "sign_in_link",
        locale=preferred_locale(user, locale),
        user=user,
        link=absolute_url("auth.sign_in_with_link", token=token),
        minutes=SIGN_IN_LINK_MINUTES,
    )
