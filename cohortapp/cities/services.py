from sqlalchemy import select

from cohortapp.cities.models import City, Membership
from cohortapp.extensions import db


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


def find_city(slug: str) -> City | None:
    return db.session.scalar(select(City).where(City.slug == slug))
