"""Site-wide pages: the landing page ("my cohorts"), the language switcher and the health check."""

from flask import Blueprint, abort, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy import select, text
from sqlalchemy.orm import contains_eager

from cohortapp.cities.models import City, Membership
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.extensions import db
from cohortapp.i18n import is_supported, remember_language
from cohortapp.urls import redirect_to_next

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return render_template("home/landing.html")
    from cohortapp.lessons.services import current_course, progress_percent

    enrollments = my_enrollments(current_user)
    total = current_course().total
    # The enrolment's progress summary, as the dashboards read it: no count of progress rows.
    percents = {e.id: progress_percent(e.pages_completed, total) for e in enrollments}
    return render_template(
        "home/my_cohorts.html", enrollments=enrollments, percents=percents, cities=my_cities()
    )


def my_enrollments(user) -> list[Enrollment]:
    return list(
        db.session.scalars(
            select(Enrollment)
            .join(Enrollment.cohort)
            .join(Cohort.city)
            .options(contains_eager(Enrollment.cohort).contains_eager(Cohort.city))
            .where(
                Enrollment.user_id == user.id,
                Enrollment.removed_at.is_(None),
                City.archived_at.is_(None),
                Cohort.status != "draft",
            )
            .order_by(City.name, Cohort.starts_on.desc(), Cohort.name)
        )
    )


def my_cities() -> list[tuple[City, list[str]]]:
    """Cities where the user holds a role, with those roles, for the 'your cities' list."""
    rows = db.session.execute(
        select(City, Membership.role)
        .join(Membership, Membership.city_id == City.id)
        .where(Membership.user_id == current_user.id, City.archived_at.is_(None))
        .order_by(City.name, Membership.role)
    ).all()
    cities: dict[int, tuple[City, list[str]]] = {}
    for city, role in rows:
        cities.setdefault(city.id, (city, []))[1].append(role)
    return list(cities.values())


@bp.post("/language")
def set_language():
    code = request.form.get("lang", "")
    if not is_supported(code):
        abort(400)
    remember_language(code)
    db.session.commit()
    target = request.form.get("next", "")
    return redirect_to_next(target)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "unavailable"
        db.session.rollback()
        return jsonify(status="unavailable", database="unavailable"), 503
    return jsonify(status="ok", database="ok")
