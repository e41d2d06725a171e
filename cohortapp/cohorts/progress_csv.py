"""The learners' progress as a spreadsheet, for one cohort or a whole city."""

from flask_babel import gettext as _

from cohortapp.cohorts import dashboard
from cohortapp.cohorts.models import Cohort
from cohortapp.labels import learner_status_label, pace_label
from cohortapp.lessons.content import Course
from cohortapp.spreadsheet import csv_text


def progress_csv(cohorts: dict[int, Cohort], course: Course, now) -> str:
    rows = dashboard.learner_rows(list(cohorts), course)
    dashboard.add_page_detail(rows, course, cohorts)
    return learners_csv(rows, cohorts, now)


def learners_csv(rows, cohorts: dict[int, Cohort], now) -> str:
    header = [
        _("Cohort"),
        _("Name"),
        _("Email"),
        _("Progress (%)"),
        _("Current page"),
        _("Status"),
        _("Last activity"),
        _("Reflections"),
        _("Checks answered"),
        _("Right first time (%)"),
        _("Questions"),
        _("Answers"),
        _("Pace"),
    ]
    body = []
    for row in rows:
        cohort = cohorts[row.cohort_id]
        stalled = row.is_stalled(cohort.stall_days, now)
        status = learner_status_label("stalled" if stalled else row.status)
        body.append(
            [
                cohort.name,
                row.name,
                row.email,
                row.percent,
                row.current_page,
                status,
                row.last_activity.strftime("%Y-%m-%d %H:%M") if row.last_activity else "",
                row.reflections,
                row.checks,
                "" if row.first_try_rate is None else row.first_try_rate,
                row.questions,
                row.answers,
                pace_label(row.pace),
            ]
        )
    return csv_text([header, *body])
