from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from cohortapp.access import require_platform_admin
from cohortapp.admin import bp
from cohortapp.auth.models import User
from cohortapp.cities.forms import CityForm, CoordinatorForm
from cohortapp.cities.models import City, Membership
from cohortapp.cities.services import (
    appoint_coordinator,
    city_coordinators,
    create_city,
    find_city,
    open_invitations,
    remove_membership,
    set_city_archived,
    update_city,
)
from cohortapp.cohorts.models import Cohort
from cohortapp.extensions import db
from cohortapp.forms import render_form
from cohortapp.labels import enrolment_outcome_message
from cohortapp.lessons.services import current_course, translation_report


def actor():
    return current_user._get_current_object()


@bp.get("/")
@require_platform_admin
def index():
    from cohortapp.cohorts.dashboard import city_completion_rates

    return render_template(
        "admin/index.html", cities=cities_with_counts(), rates=city_completion_rates()
    )


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
        .order_by(City.archived_at.is_not(None), City.name)
    ).all()


def city_values(form: CityForm) -> dict:
    return {
        "slug": form.slug.data,
        "name": form.name.data.strip(),
        "country": form.country.data.upper(),
        "default_locale": form.default_locale.data,
        "locales": form.locales.data,
        "brand_color": form.brand_color.data.lower(),
    }


@bp.route("/cities/new", methods=["GET", "POST"])
@require_platform_admin
def new_city():
    form = CityForm(locales="en", default_locale="en")
    if form.validate_on_submit():
        if find_city(form.slug.data) is not None:
            form.slug.errors.append(
                _("A city already uses this address (addresses are never reused).")
            )
        else:
            city = create_city(city_values(form), actor=actor())
            db.session.commit()
            flash(_("%(city)s is created. Now appoint its coordinator.", city=city.name), "success")
            return redirect(url_for(".city", slug=city.slug))
    return render_form("admin/city_form.html", form, city=None)


def city_or_404(slug: str) -> City:
    city = find_city(slug)
    if city is None:
        abort(404)
    return city


@bp.route("/cities/<slug>/", methods=["GET", "POST"])
@require_platform_admin
def city(slug):
    item = city_or_404(slug)
    form = CityForm(obj=item)
    form.slug.data = item.slug  # the address never changes
    if form.validate_on_submit():
        update_city(item, city_values(form), actor=actor())
        db.session.commit()
        flash(_("The city is saved."), "success")
        return redirect(url_for(".city", slug=item.slug))
    return render_city_page(item, form, CoordinatorForm())


def render_city_page(item: City, form: CityForm, coordinator_form: CoordinatorForm):
    html = render_template(
        "admin/city_form.html",
        form=form,
        city=item,
        coordinator_form=coordinator_form,
        coordinators=city_coordinators(item),
        invitations=open_invitations(item, role="coordinator"),
    )
    return html, 422 if form.errors or coordinator_form.errors else 200


@bp.post("/cities/<slug>/archive")
@require_platform_admin
def archive(slug):
    item = city_or_404(slug)
    archived = request.form.get("archived") == "1"
    set_city_archived(item, archived, actor=actor())
    db.session.commit()
    if archived:
        flash(
            _(
                "%(city)s is archived: its people no longer have access. Nothing was deleted.",
                city=item.name,
            ),
            "success",
        )
    else:
        flash(_("%(city)s is active again.", city=item.name), "success")
    return redirect(url_for(".city", slug=item.slug))


@bp.post("/cities/<slug>/coordinators")
@require_platform_admin
def appoint(slug):
    item = city_or_404(slug)
    form = CoordinatorForm()
    if not form.validate_on_submit():
        return render_city_page(item, CityForm(obj=item, formdata=None), form)
    email = form.email.data.lower()
    outcome = appoint_coordinator(item, email, actor=actor())
    db.session.commit()
    flash(
        enrolment_outcome_message(outcome.status, email), "success" if outcome.changed else "info"
    )
    return redirect(url_for(".city", slug=item.slug) + "#coordinators")


@bp.post("/cities/<slug>/coordinators/<int:user_id>/remove")
@require_platform_admin
def remove_coordinator(slug, user_id):
    item = city_or_404(slug)
    user = db.session.get(User, user_id)
    if user is None or not remove_membership(item, user, "coordinator", actor=actor()):
        abort(404)
    db.session.commit()
    flash(
        _(
            "%(name)s is no longer a coordinator of %(city)s.",
            name=user.display_name,
            city=item.name,
        ),
        "success",
    )
    return redirect(url_for(".city", slug=item.slug) + "#coordinators")


@bp.get("/translations")
@require_platform_admin
def translations():
    return render_template("translation_status.html", **translation_report(current_course()))
