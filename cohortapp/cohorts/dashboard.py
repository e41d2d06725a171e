"""Cohort and city progress figures, computed with a fixed number of queries.

Every figure for every learner comes from a handful of GROUP BY queries, whatever the number of
learners; the rest is arithmetic in Python. The progress figure is the one the learner sees.
"""

import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, case, func, select

from cohortapp.auth.models import User
from cohortapp.cohorts.models import Cohort, Enrollment
from cohortapp.cohorts.services import module_targets, pace_status
from cohortapp.discussion.models import Answer, Question
from cohortapp.extensions import db
from cohortapp.lessons.content import Course
from cohortapp.lessons.models import PageProgress, Response
from cohortapp.lessons.services import progress_percent
from cohortapp.sqltypes import utcnow

STATUSES = ("not_started", "in_progress", "completed")

# The learners every figure counts: enrolled as learners and not removed.
ACTIVE_LEARNER = and_(Enrollment.role == "learner", Enrollment.removed_at.is_(None))


@dataclass
class LearnerRow:
    enrollment_id: int
    cohort_id: int
    user_id: int
    name: str
    email: str
    enrolled_at: datetime
    completed_pages: int = 0
    total_pages: int = 0
    furthest_page: int = 0
    pages_reached: int = 0
    module_done: list[int] = field(default_factory=list)
    last_activity: datetime | None = None
    reflections: int = 0
    checks: int = 0
    checks_first_right: int = 0
    questions: int = 0
    answers: int = 0
    pace: str | None = None
    last_reminded_at: datetime | None = None

    @property
    def percent(self) -> int:
        return progress_percent(self.completed_pages, self.total_pages)

    @property
    def status(self) -> str:
        if self.completed_pages >= self.total_pages > 0:
            return "completed"
        return "in_progress" if self.pages_reached else "not_started"

    @property
    def first_try_rate(self) -> int | None:
        return round(100 * self.checks_first_right / self.checks) if self.checks else None

    @property
    def current_page(self) -> int:
        """The page the learner is on: the furthest page opened, else the first."""
        return max(self.furthest_page, 1)

    @property
    def idle_since(self) -> datetime:
        """The learner's last activity, else when they enrolled."""
        return self.last_activity or self.enrolled_at

    def is_stalled(self, stall_days: int, now: datetime) -> bool:
        if self.status == "completed":
            return False
        return self.idle_since < now - timedelta(days=stall_days)


def stalled_rows(rows: list[LearnerRow], stall_days: int, now: datetime) -> list[LearnerRow]:
    return [row for row in rows if row.is_stalled(stall_days, now)]


def learner_rows(
    cohort_ids: list[int], course: Course, *, enrollment_id: int | None = None
) -> list[LearnerRow]:
    """One row per active learner of the cohorts, with every figure the dashboards show;
    only the given enrolment's row when `enrollment_id` is given."""
    if not cohort_ids:
        return []
    conditions = [Enrollment.cohort_id.in_(cohort_ids), ACTIVE_LEARNER]
    if enrollment_id is not None:
        conditions.append(Enrollment.id == enrollment_id)
    enrollments = db.session.execute(
        select(
            Enrollment.id,
            Enrollment.cohort_id,
            Enrollment.user_id,
            User.name,
            User.email,
            Enrollment.enrolled_at,
            Enrollment.last_reminded_at,
            Enrollment.pages_completed,
            Enrollment.pages_reached,
            Enrollment.reflections_written,
            Enrollment.checks_answered,
            Enrollment.checks_right_first,
            Enrollment.last_page_at,
            Enrollment.last_response_at,
        )
        .join(User, User.id == Enrollment.user_id)
        .where(*conditions)
    ).all()
    rows = {
        e.id: LearnerRow(
            enrollment_id=e.id,
            cohort_id=e.cohort_id,
            user_id=e.user_id,
            name=e.name or e.email,
            email=e.email,
            enrolled_at=e.enrolled_at,
            total_pages=course.total,
            module_done=[0] * len(course.modules),
            last_reminded_at=e.last_reminded_at,
            completed_pages=e.pages_completed,
            pages_reached=e.pages_reached,
            reflections=e.reflections_written,
            checks=e.checks_answered,
            checks_first_right=e.checks_right_first,
            last_activity=_latest(e.last_page_at, e.last_response_at),
        )
        for e in enrollments
    }
    if not rows:
        return []
    _add_posts(
        rows, cohort_ids, only_user_id=None if enrollment_id is None else enrollments[0].user_id
    )
    return sorted(rows.values(), key=lambda row: row.name.lower())


def _active_learner_ids(cohort_ids):
    return select(Enrollment.id).where(Enrollment.cohort_id.in_(cohort_ids), ACTIVE_LEARNER)


def add_page_detail(
    rows: list[LearnerRow],
    course: Course,
    cohorts: dict[int, Cohort],
    today: date | None = None,
) -> None:
    """The furthest page, pages per module and pace of the given rows (those shown on screen):
    one query for the pages, whatever the number of rows. `cohorts` holds at least the rows'
    cohorts, by id."""
    by_id = {row.enrollment_id: row for row in rows}
    if not by_id:
        return
    number = {page.key: page.number for page in course.pages}
    module_index = {
        page.key: index for index, module in enumerate(course.modules) for page in module.pages
    }
    pages = select(
        PageProgress.enrollment_id, PageProgress.page_key, PageProgress.completed_at.is_not(None)
    ).where(PageProgress.enrollment_id.in_(list(by_id)))
    for enrollment_id, page_key, done in db.session.execute(pages):
        row = by_id[enrollment_id]
        if page_key not in number:
            continue
        row.furthest_page = max(row.furthest_page, number[page_key])
        if done:
            row.module_done[module_index[page_key]] += 1
    _add_pace(by_id, cohorts, course, today or date.today())


def _add_posts(rows, cohort_ids, only_user_id: int | None = None) -> None:
    """Questions and answers per learner (`only_user_id`: that author's only)."""
    by_user_cohort = {(row.user_id, row.cohort_id): row for row in rows.values()}
    questions = select(
        Question.author_id, Question.cohort_id, func.count(), func.max(Question.created_at)
    ).where(Question.cohort_id.in_(cohort_ids))
    answers = (
        select(Answer.author_id, Question.cohort_id, func.count(), func.max(Answer.created_at))
        .join(Question, Question.id == Answer.question_id)
        .where(Question.cohort_id.in_(cohort_ids))
    )
    if only_user_id is not None:
        questions = questions.where(Question.author_id == only_user_id)
        answers = answers.where(Answer.author_id == only_user_id)
    questions = questions.group_by(Question.author_id, Question.cohort_id)
    answers = answers.group_by(Answer.author_id, Question.cohort_id)
    for field_name, statement in (("questions", questions), ("answers", answers)):
        for user_id, cohort_id, count, latest in db.session.execute(statement):
            row = by_user_cohort.get((user_id, cohort_id))
            if row is not None:
                setattr(row, field_name, count)
                row.last_activity = _latest(row.last_activity, _aware(latest))


def _add_pace(rows, cohorts, course, today) -> None:
    targets = {cid: module_targets(cohort, course) for cid, cohort in cohorts.items()}
    for row in rows.values():
        cohort_targets = targets.get(row.cohort_id) or []
        if not cohort_targets:
            continue
        done_modules = {
            module.slug
            for module, count in zip(course.modules, row.module_done, strict=True)
            if count >= len(module.pages)
        }
        # pace_status wants page keys; a finished module stands for all its pages.
        done_keys = {
            key
            for target in cohort_targets
            if target.module_slug in done_modules
            for key in target.page_keys
        }
        row.pace = pace_status(cohort_targets, done_keys, today)


def _aware(value):
    """Timestamps from aggregates, as aware UTC datetimes on every database."""
    if value is None:
        return None
    if isinstance(value, str):  # some SQLite aggregates come back as text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _latest(*values):
    present = [v for v in values if v is not None]
    return max(present) if present else None


@dataclass
class Headline:
    enrolled: int
    not_started: int
    in_progress: int
    completed: int
    median_percent: int
    active_7_days: int
    stalled: int

    @property
    def completion_rate(self) -> int:
        return round(100 * self.completed / self.enrolled) if self.enrolled else 0


def headline(rows: list[LearnerRow], stall_days: int, now: datetime | None = None) -> Headline:
    now = now or utcnow()
    week_ago = now - timedelta(days=7)
    return Headline(
        enrolled=len(rows),
        not_started=sum(1 for r in rows if r.status == "not_started"),
        in_progress=sum(1 for r in rows if r.status == "in_progress"),
        completed=sum(1 for r in rows if r.status == "completed"),
        median_percent=round(statistics.median([r.percent for r in rows])) if rows else 0,
        active_7_days=sum(1 for r in rows if r.last_activity and r.last_activity >= week_ago),
        stalled=len(stalled_rows(rows, stall_days, now)),
    )


def page_funnel(cohort_id: int, course: Course) -> list[tuple[int, str, int]]:
    """(page number, page key, learners who reached it) for every page, in course order."""
    counts = dict(
        db.session.execute(
            select(PageProgress.page_key, func.count())
            .where(PageProgress.enrollment_id.in_(_active_learner_ids([cohort_id])))
            .group_by(PageProgress.page_key)
        ).all()
    )
    return [(page.number, page.key, counts.get(page.key, 0)) for page in course.pages]


def check_results(cohort_id: int, course: Course) -> list[tuple[str, int, int]]:
    """(page key, learners who answered, of whom right first time) for every check page."""
    results = {
        key: (answered, int(right or 0))
        for key, answered, right in db.session.execute(
            select(
                Response.page_key,
                func.count(),
                func.sum(case((Response.first_choice_correct.is_(True), 1), else_=0)),
            )
            .where(
                Response.enrollment_id.in_(_active_learner_ids([cohort_id])),
                Response.kind == "check",
            )
            .group_by(Response.page_key)
        )
    }
    checks = []
    for page in course.pages:
        text = page.texts.get(course.source_locale)
        if text and text.activity and text.activity.kind == "check":
            answered, right = results.get(page.key, (0, 0))
            checks.append((page.key, answered, right))
    return checks


def unanswered_questions(cohort_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Question)
        .where(
            Question.cohort_id == cohort_id,
            Question.answer_count == 0,
            Question.is_hidden.is_(False),
        )
    )


def weekly_completions(
    cohort_ids: list[int], weeks: int = 12, today: date | None = None
) -> list[tuple[date, int]]:
    """(week start, learners completed by the end of that week) for the last `weeks` weeks."""
    today = today or date.today()
    first_monday = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    dates = (
        [
            _aware(value).date()
            for value in db.session.scalars(
                select(Enrollment.completed_at).where(
                    Enrollment.cohort_id.in_(cohort_ids),
                    ACTIVE_LEARNER,
                    Enrollment.completed_at.is_not(None),
                )
            )
        ]
        if cohort_ids
        else []
    )
    series = []
    for week in range(weeks):
        start = first_monday + timedelta(weeks=week)
        end = start + timedelta(days=7)
        series.append((start, sum(1 for d in dates if d < end)))
    return series


def city_completion_rates() -> dict[int, tuple[int, int]]:
    """(learners, completed) per city, every active city: for the platform and the comparison."""
    from cohortapp.cities.models import City

    rows = db.session.execute(
        select(
            Cohort.city_id,
            func.count(Enrollment.id),
            func.sum(case((Enrollment.completed_at.is_not(None), 1), else_=0)),
        )
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .join(City, City.id == Cohort.city_id)
        .where(ACTIVE_LEARNER, City.archived_at.is_(None))
        .group_by(Cohort.city_id)
    )
    return {city_id: (int(total), int(done or 0)) for city_id, total, done in rows}
