"""The course as the app sees it, and the rules of progress through it."""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Row, bindparam, func, select, update

from cohortapp.extensions import db
from cohortapp.lessons.content import Activity, Course, Page, get_course
from cohortapp.lessons.models import PageProgress, Response
from cohortapp.sqltypes import utcnow
from cohortapp.upsert import insert_ignore, insert_or_update


def current_course() -> Course:
    return get_course(current_app.config["CONTENT_DIR"])


@dataclass(frozen=True)
class LocaleStatus:
    locale: str
    present: int
    missing: int
    outdated: int
    broken: int
    total: int

    @property
    def complete(self) -> bool:
        return self.present == self.total and not self.outdated and not self.broken


def translation_status(course: Course) -> list[LocaleStatus]:
    statuses = []
    for locale in course.locales:
        broken = {p.path for p in course.problems if p.locale == locale}
        present = sum(1 for page in course.pages if locale in page.texts)
        outdated = sum(1 for page in course.pages if course.is_outdated(page, locale))
        statuses.append(
            LocaleStatus(
                locale=locale,
                present=present,
                missing=course.total - present - len(broken),
                outdated=outdated,
                broken=len(broken),
                total=course.total,
            )
        )
    return statuses


def translation_report(course: Course) -> dict:
    """What the translation status page shows: each language's counts and page by page."""
    statuses = translation_status(course)
    pages = {status.locale: page_statuses(course, status.locale) for status in statuses}
    return {"statuses": statuses, "pages": pages}


def page_statuses(course: Course, locale: str) -> list[tuple[str, str]]:
    """(page key, 'ok' | 'missing' | 'outdated' | 'broken') for one locale."""
    broken_paths = {p.path for p in course.problems if p.locale == locale}
    rows = []
    for page in course.pages:
        if locale in page.texts:
            rows.append((page.key, "outdated" if course.is_outdated(page, locale) else "ok"))
        elif any(path.endswith(f"/{locale}/{page.key}.md") for path in broken_paths):
            rows.append((page.key, "broken"))
        else:
            rows.append((page.key, "missing"))
    return rows


def progress_percent(completed: int, total: int) -> int:
    """The one progress figure shown everywhere: whole percent, 100 only when all is done."""
    if total <= 0:
        return 0
    return min(100, completed * 100 // total)


# Statements read on every lesson page are built once; each request only binds its values.
# They select table columns, not mapped classes: plain rows skip the ORM's loading work, which
# cost as much as the query itself.
_progress = PageProgress.__table__.c
_responses = Response.__table__.c
# Whether a page is completed, not when: reading the times cost more than the query.
_PAGES_SEEN = select(_progress.page_key, _progress.completed_at.is_not(None)).where(
    _progress.enrollment_id == bindparam("enrollment_id")
)
_RESPONSE = select(
    _responses.kind, _responses.body, _responses.choice, _responses.updated_at
).where(
    _responses.enrollment_id == bindparam("enrollment_id"),
    _responses.page_key == bindparam("page_key"),
)


def progress_rows(enrollment) -> dict[str, bool]:
    """The pages the learner has opened, each with whether it is completed."""
    if enrollment is None:
        return {}
    return pages_seen(enrollment.id)


def pages_seen(enrollment_id: int) -> dict[str, bool]:
    """progress_rows by enrolment id, for callers that do not hold the enrolment."""
    return dict(db.session.execute(_PAGES_SEEN, {"enrollment_id": enrollment_id}).all())


def completed_keys(rows: dict[str, bool], course: Course) -> set[str]:
    return {key for key, completed in rows.items() if completed and key in course.by_key}


def first_unfinished(course: Course, done: set[str]) -> Page:
    return next((page for page in course.pages if page.key not in done), course.pages[0])


def record_visit(enrollment, page_key: str) -> None:
    insert_ignore(
        PageProgress,
        {"enrollment_id": enrollment.id, "page_key": page_key, "first_seen_at": utcnow()},
        ["enrollment_id", "page_key"],
    )


def complete_page(enrollment, page_key: str, course: Course) -> None:
    """Idempotent: a refresh, a double click or a second tab leaves one row and one time."""
    now = utcnow()
    record_visit(enrollment, page_key)
    db.session.execute(
        update(PageProgress)
        .where(
            PageProgress.enrollment_id == enrollment.id,
            PageProgress.page_key == page_key,
            PageProgress.completed_at.is_(None),
        )
        .values(completed_at=now)
    )
    refresh_progress_summary([enrollment.id], course)
    db.session.refresh(enrollment, ["pages_completed"])
    if enrollment.completed_at is None and enrollment.pages_completed >= course.total:
        enrollment.completed_at = now


def save_reflection(enrollment, page_key: str, body: str, course: Course) -> None:
    now = utcnow()
    insert_or_update(
        Response,
        {
            "enrollment_id": enrollment.id,
            "page_key": page_key,
            "kind": "reflection",
            "body": body,
            "created_at": now,
            "updated_at": now,
        },
        ["enrollment_id", "page_key"],
        {"body": body, "updated_at": now},
    )
    refresh_progress_summary([enrollment.id], course)


def answer_check(
    enrollment, page_key: str, activity: Activity, choice: str, course: Course
) -> None:
    """Keep the latest answer; the first answer and whether it was right are kept for ever."""
    now = utcnow()
    correct = choice == activity.correct
    table = Response.__table__
    insert_or_update(
        Response,
        {
            "enrollment_id": enrollment.id,
            "page_key": page_key,
            "kind": "check",
            "choice": choice,
            "first_choice": choice,
            "first_choice_correct": correct,
            "attempts": 1,
            "created_at": now,
            "updated_at": now,
        },
        ["enrollment_id", "page_key"],
        {"choice": choice, "attempts": table.c.attempts + 1, "updated_at": now},
    )
    refresh_progress_summary([enrollment.id], course)


def response_for(enrollment, page_key: str) -> Row | None:
    """The learner's answer on the page, read-only: kind, body, choice and updated_at."""
    if enrollment is None:
        return None
    values = {"enrollment_id": enrollment.id, "page_key": page_key}
    return db.session.execute(_RESPONSE, values).first()


# Enrolments recounted per UPDATE: keeps the list of ids far below SQLite's variable limit.
SUMMARY_BATCH = 500


def refresh_progress_summary(enrollment_ids, course: Course) -> None:
    """Recount the summary columns of the enrolments from their page and response rows.

    A recount, not an increment: exact whatever the order of concurrent requests, and safe to
    run again (`flask progress refresh` does it for everyone after the course changes)."""
    ids = list(enrollment_ids)
    for start in range(0, len(ids), SUMMARY_BATCH):
        _recount_summary(ids[start : start + SUMMARY_BATCH], course)


def _recount_summary(enrollment_ids: list[int], course: Course) -> None:
    from cohortapp.cohorts.models import Enrollment

    pages = PageProgress.enrollment_id == Enrollment.id
    in_course = PageProgress.page_key.in_(course.by_key)
    responses = Response.enrollment_id == Enrollment.id

    def count(*conditions):
        return select(func.count()).where(*conditions).scalar_subquery()

    db.session.execute(
        update(Enrollment)
        .where(Enrollment.id.in_(enrollment_ids))
        .values(
            pages_completed=count(pages, in_course, PageProgress.completed_at.is_not(None)),
            pages_reached=count(pages, in_course),
            reflections_written=count(responses, Response.kind == "reflection"),
            checks_answered=count(responses, Response.kind == "check"),
            checks_right_first=count(
                responses, Response.kind == "check", Response.first_choice_correct.is_(True)
            ),
            last_page_at=select(
                func.max(func.coalesce(PageProgress.completed_at, PageProgress.first_seen_at))
            )
            .where(pages)
            .scalar_subquery(),
            last_response_at=select(func.max(Response.updated_at))
            .where(responses)
            .scalar_subquery(),
        )
        .execution_options(synchronize_session=False)
    )
