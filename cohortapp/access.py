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
    is_coordinator = "coordinator" in city_roles(user, cohort.city)
    return roles_in_cohort(user, active_enrollment(user, cohort), is_coordinator)


def roles_in_cohort(user, enrollment, is_coordinator: bool) -> set[str]:
    roles = set()
    if user.is_authenticated and (is_coordinator or user.is_platform_admin):
        roles.add("coordinator")
    if enrollment is not None:
        roles.add(enrollment.role)
    return roles


def remember_cohort_access(user, access) -> None:
    """Keep what the request's cohort query found, so roles are not looked up again."""
    if user.is_authenticated:
        g.setdefault("_enrollments", {})[(user.id, access.cohort.id)] = access.enrollment
    g._roles = roles_in_cohort(user, access.enrollment, access.is_coordinator)


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
