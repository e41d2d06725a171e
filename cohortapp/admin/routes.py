from flask import render_template
from sqlalchemy import func, select

from cohortapp.access import require_platform_admin
from cohortapp.admin import bp
from cohortapp.cities.models import City, Membership
from cohortapp.cohorts.models import Cohort
from cohortapp.extensions import db


@bp.get("/")
@require_platform_admin
def index():
    return render_template("admin/index.html", cities=cities_with_counts())


def cities_with_counts():
    members = (
        select(Membership.city_id, func.count(func.distinct(Membership.user_id)).label("n"))
        .group_by(Membership.city_id)
        .subquery()
    )
    cohorts = (
        select(Cohort.city_id, func.count(Cohort.id).label("n")).group_by(Cohort.city_id).subquery()
    )
    return db.session.execute(
        select(City, func.coalesce(members.c.n, 0), func.coalesce(cohorts.c.n, 0))
        .outerjoin(members, members.c.city_id == City.id)
        .outerjoin(cohorts, cohorts.c.city_id == City.id)
        .order_by(City.name)
    ).all()
