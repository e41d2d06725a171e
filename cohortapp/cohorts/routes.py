from datetime import date

from flask import abort, g, render_template
from flask_babel import get_locale
from flask_login import current_user

from cohortapp.access import active_enrollment, current_roles, require
from cohortapp.cohorts import bp
from cohortapp.cohorts.services import find_cohort, module_targets, pace_status
from cohortapp.lessons.services import (
    completed_keys,
    current_course,
    first_unfinished,
    progress_percent,
    progress_rows,
)


@bp.url_value_preprocessor
def load_cohort(endpoint, values):
    cohort = find_cohort(g.city, values.pop("cohort_slug", ""))
    if cohort is None:
        abort(404)
    g.cohort = cohort


@bp.url_defaults
def add_cohort_slug(endpoint, values):
    cohort = g.get("cohort")
    if cohort is not None and "cohort_slug" not in values:
        values["cohort_slug"] = cohort.slug


@bp.get("/")
@require("cohort.view")
def home():
    course = current_course()
    enrollment = active_enrollment(current_user, g.cohort)
    is_learner = enrollment is not None and enrollment.role == "learner"
    done = completed_keys(progress_rows(enrollment), course) if is_learner else set()
    targets = module_targets(g.cohort, course)
    return render_template(
        "cohorts/home.html",
        targets={target.module_slug: target.due_on for target in targets},
        pace=pace_status(targets, done, date.today()) if is_learner else None,
        course=course,
        locale=str(get_locale()),
        done=done,
        is_learner=is_learner,
        enrollment=enrollment,
        percent=progress_percent(len(done), course.total),
        resume=first_unfinished(course, done) if course.pages else None,
        roles=current_roles(),
    )
