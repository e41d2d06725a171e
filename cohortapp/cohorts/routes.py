from datetime import date

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from cohortapp.access import active_enrollment, current_roles, require
from cohortapp.cohorts import bp, reminders
from cohortapp.cohorts import dashboard as dashboard_data
from cohortapp.cohorts.models import Enrollment
from cohortapp.cohorts.progress_csv import progress_csv
from cohortapp.cohorts.services import module_targets, pace_status
from cohortapp.discussion.models import Answer, Question
from cohortapp.extensions import db
from cohortapp.lessons.models import Response as LessonResponse
from cohortapp.lessons.routes import pages_base
from cohortapp.lessons.services import (
    completed_keys,
    current_course,
    first_unfinished,
    progress_percent,
    progress_rows,
)
from cohortapp.pagination import ListPage
from cohortapp.spreadsheet import csv_response
from cohortapp.sqltypes import utcnow


@bp.url_value_preprocessor
def drop_cohort_slug(endpoint, values):
    # The cities blueprint has already loaded g.cohort from this slug, with the person's roles.
    values.pop("cohort_slug", None)


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
        pages_base=pages_base(course.pages[0]) if course.pages else "",
        done=done,
        is_learner=is_learner,
        enrollment=enrollment,
        percent=progress_percent(len(done), course.total),
        resume=first_unfinished(course, done) if course.pages else None,
        roles=current_roles(),
    )


# Dashboards --------------------------------------------------------------------------------

SORTS = {
    "name": (lambda row: row.name.lower(), False),
    "progress": (lambda row: row.percent, True),
    "activity": (lambda row: row.idle_since, False),
}
FILTERS = ("all", "stalled", *dashboard_data.STATUSES)


def chosen(name: str, allowed, default: str) -> str:
    value = request.args.get(name, default)
    return value if value in allowed else default


def stalled_first(rows, now):
    """The stalled learners, longest idle first: the page lists the first few."""
    stalled = dashboard_data.stalled_rows(rows, g.cohort.stall_days, now)
    return sorted(stalled, key=lambda row: row.idle_since)


def filter_rows(rows, status: str, stall_days: int, now):
    if status == "stalled":
        return dashboard_data.stalled_rows(rows, stall_days, now)
    if status in dashboard_data.STATUSES:
        return [row for row in rows if row.status == status]
    return rows


@bp.get("/dashboard")
@require("progress.view_all")
def dashboard():
    course = current_course()
    now = utcnow()
    rows = dashboard_data.learner_rows([g.cohort.id], course)
    status = chosen("status", FILTERS, "all")
    sort = chosen("sort", SORTS, "name")
    key, reverse = SORTS[sort]
    shown = sorted(filter_rows(rows, status, g.cohort.stall_days, now), key=key, reverse=reverse)
    page = ListPage(shown, request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"])
    dashboard_data.add_page_detail(page.items, course, {g.cohort.id: g.cohort})
    return render_template(
        "cohorts/dashboard.html",
        course=course,
        headline=dashboard_data.headline(rows, g.cohort.stall_days, now),
        page=page,
        status=status,
        sort=sort,
        now=now,
        stalled=stalled_first(rows, now),
        funnel_bars=funnel_bars(course, dashboard_data.page_funnel(g.cohort.id, course)),
        check_bars=check_bars(course, dashboard_data.check_results(g.cohort.id, course)),
        unanswered=dashboard_data.unanswered_questions(g.cohort.id),
        can_remind=reminders.can_remind,
    )


def page_title(course, key: str) -> str:
    page = course.page(key)
    text, _fallback = course.text(page, str(get_locale()))
    return text.title if text else key


def funnel_bars(course, funnel) -> list[tuple[str, int, str]]:
    return [
        (f"{number}. {page_title(course, key)}", count, str(count)) for number, key, count in funnel
    ]


def check_bars(course, checks) -> list[tuple[str, int, str]]:
    bars = []
    for key, answered, right in checks:
        percent = round(100 * right / answered) if answered else 0
        shown = _(
            "%(percent)s%% (%(right)s of %(answered)s)",
            percent=percent,
            right=right,
            answered=answered,
        )
        bars.append((f"{course.page(key).number}. {page_title(course, key)}", percent, shown))
    return bars


@bp.get("/dashboard.csv")
@require("progress.view_all")
def dashboard_csv():
    text = progress_csv({g.cohort.id: g.cohort}, current_course(), utcnow())
    return csv_response(text, f"{g.city.slug}-{g.cohort.slug}-progress.csv")


def enrollment_or_404(enrollment_id: int) -> Enrollment:
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.cohort_id != g.cohort.id or enrollment.role != "learner":
        abort(404)
    return enrollment


@bp.get("/dashboard/learners/<int:enrollment_id>")
@require("progress.view_all")
def learner(enrollment_id):
    enrollment = enrollment_or_404(enrollment_id)
    course = current_course()
    # The page shows the row's progress and last activity only: no page detail is needed.
    rows = dashboard_data.learner_rows([g.cohort.id], course, enrollment_id=enrollment.id)
    done = completed_keys(progress_rows(enrollment), course)
    responses = {
        r.page_key: r
        for r in db.session.scalars(
            select(LessonResponse).where(LessonResponse.enrollment_id == enrollment.id)
        )
    }
    questions = list(
        db.session.scalars(
            select(Question)
            .where(Question.cohort_id == g.cohort.id, Question.author_id == enrollment.user_id)
            .order_by(Question.created_at.desc())
        )
    )
    answers = list(
        db.session.execute(
            select(Answer, Question)
            .join(Question, Question.id == Answer.question_id)
            .where(Question.cohort_id == g.cohort.id, Answer.author_id == enrollment.user_id)
            .order_by(Answer.created_at.desc())
        ).all()
    )
    return render_template(
        "cohorts/learner.html",
        enrollment=enrollment,
        row=rows[0] if rows else None,
        course=course,
        done=done,
        responses=responses,
        questions=questions,
        answers=answers,
    )


@bp.post("/dashboard/remind")
@require("progress.view_all")
def remind():
    if not g.cohort.is_open:
        flash(_("Reminders are sent only for open cohorts."), "error")
        return redirect(url_for(".dashboard"))
    course = current_course()
    now = utcnow()
    target = request.form.get("enrollment", "all")
    stalled = reminders.stalled(g.cohort, course, now)
    if target != "all":
        stalled = [row for row in stalled if str(row.enrollment_id) == target]
        if not stalled:
            flash(_("This learner is not stalled: no reminder was sent."), "info")
            return redirect(url_for(".dashboard", status="stalled"))
    actor = current_user._get_current_object()
    sent = sum(reminders.remind(g.cohort, row, course, now=now, actor=actor) for row in stalled)
    db.session.commit()
    skipped = len(stalled) - sent
    flash(ngettext("%(num)s reminder sent.", "%(num)s reminders sent.", sent), "success")
    if skipped:
        flash(
            ngettext(
                "%(num)s learner was reminded less than 3 days ago and was not sent another.",
                "%(num)s learners were reminded less than 3 days ago and were not sent another.",
                skipped,
            ),
            "info",
        )
    return redirect(url_for(".dashboard", status="stalled"))
