"""Who may do what: one table from role to capabilities, and the decorator that checks it.

Roles are resolved in the narrowest context of the request: inside a cohort, a person's role
is their enrolment in that cohort (plus "coordinator" for the city's coordinators); inside a
city, their memberships. Nobody with no role in the context learns that it exists (404);
someone with a role but without the capability gets 403.
"""

from functools import wraps

from flask import abort, g
from flask_login import current_user
from sqlalchemy import select

from cohortapp.extensions import db, login_manager

CAPABILITIES: dict[str, frozenset[str]] = {
    "coordinator": frozenset(
        {
            "city.view",
            "city.manage",
            "cohort.view",
            "lesson.read",
            "progress.view_all",
            "enrol.manage",
            "qa.read",
            "qa.post",
            "qa.moderate",
        }
    ),
    "facilitator": frozenset(
        {
            "city.view",
            "cohort.view",
            "lesson.read",
            "progress.view_all",
            "qa.read",
            "qa.post",
            "qa.moderate",
        }
    ),
    "learner": frozenset(
        {"city.view", "cohort.view", "lesson.read", "lesson.progress", "qa.read", "qa.post"}
    ),
}


def capabilities_of(roles: set[str]) -> frozenset[str]:
    return frozenset().union(*(CAPABILITIES.get(role, frozenset()) for role in roles))


def city_roles(user, city) -> set[str]:
    """The user's roles in a city. Platform admins act as coordinators of every city."""
    from cohortapp.cities.models import Membership

    if not user.is_authenticated:
        return set()
    roles = set(
        db.session.scalars(
            select(Membership.role).where(
                Membership.city_id == city.id, Membership.user_id == user.id
            )
        )
    )
    if user.is_platform_admin:
        roles.add("coordinator")
    return roles


def cohort_roles(user, cohort) -> set[str]:
    """The user's roles in one cohort: their active enrolment, and coordinator if they are one."""
    roles = {"coordinator"} & city_roles(user, cohort.city)
    enrollment = active_enrollment(user, cohort)
    if enrollment is not None:
        roles.add(enrollment.role)
    return roles


def active_enrollment(user, cohort):
    from cohortapp.cohorts.models import Enrollment

    if not user.is_authenticated:
        return None
    cache = g.setdefault("_enrollments", {})
    key = (user.id, cohort.id)
    if key not in cache:
        cache[key] = db.session.scalar(
            select(Enrollment).where(
                Enrollment.cohort_id == cohort.id,
                Enrollment.user_id == user.id,
                Enrollment.removed_at.is_(None),
            )
        )
    return cache[key]


def current_roles() -> set[str]:
    """Roles of the signed-in user in the request's context (cohort, else city), cached."""
    if "_roles" not in g:
        if g.get("cohort") is not None:
            g._roles = cohort_roles(current_user, g.cohort)
        elif g.get("city") is not None:
            g._roles = city_roles(current_user, g.city)
        else:
            g._roles = set()
    return g._roles


def can(capability: str) -> bool:
    return capability in capabilities_of(current_roles())


def require(capability: str):
    """Anonymous -> sign-in page; no role in this city or cohort -> 404; role without it -> 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            roles = current_roles()
            if not roles:
                abort(404)
            if capability not in capabilities_of(roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require_platform_admin(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_platform_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
