from flask import abort, g, render_template
from flask_login import current_user
from sqlalchemy import select

from cohortapp.access import current_roles, remember_cohort_access, require
from cohortapp.cities import bp
from cohortapp.cities.services import find_city
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.cohorts.services import find_cohort_with_access
from cohortapp.extensions import db
from cohortapp.login import session_user_id


@bp.url_value_preprocessor
def load_city(endpoint, values):
    city_slug = values.pop("city_slug", "")
    if "cohort_slug" in values:
        city = load_cohort_with_access(city_slug, values["cohort_slug"])
    else:
        city = find_city(city_slug)
    if city is None or (city.is_archived and not _is_platform_admin()):
        abort(404)
    g.city = city


def load_cohort_with_access(city_slug: str, cohort_slug: str):
    """A cohort's page: the city, cohort, the person and their roles come in one query.

    The query runs for the user the session names before Flask-Login checks them, so that the
    check needs no query of its own; when the check does not confirm that user (deactivated,
    signed out everywhere), it runs again for whoever is signed in."""
    named = session_user_id()
    access = find_cohort_with_access(city_slug, cohort_slug, named)
    signed_in = _user_id()  # while `access` holds the person, Flask-Login finds them loaded
    if access is not None and signed_in != named:
        access = find_cohort_with_access(city_slug, cohort_slug, signed_in)
    if access is None:
        abort(404)
    g.cohort = access.cohort
    remember_cohort_access(current_user, access)
    return access.city


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _is_platform_admin() -> bool:
    return current_user.is_authenticated and current_user.is_platform_admin


@bp.url_defaults
def add_city_slug(endpoint, values):
    city = g.get("city")
    if city is not None and "city_slug" not in values:
        values["city_slug"] = city.slug


@bp.get("/")
@require("city.view")
def home():
    return render_template("cities/home.html", cohorts=visible_cohorts(), roles=current_roles())


def visible_cohorts() -> list[Cohort]:
    """Every cohort for coordinators; for others, the cohorts they are enrolled in."""
    query = (
        select(Cohort).where(Cohort.city_id == g.city.id).order_by(Cohort.starts_on, Cohort.name)
    )
    if "coordinator" not in current_roles():
        query = query.join(Enrollment).where(
            Enrollment.user_id == current_user.id,
            Enrollment.removed_at.is_(None),
            Cohort.status != "draft",
        )
    return list(db.session.scalars(query))
