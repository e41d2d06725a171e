"""Cohort Q&A: questions, answers, votes, follows, flags, moderation and the shared library.

Counters (answers, votes) are changed with single UPDATE statements, so concurrent votes and
answers never lose a count. A form submitted twice carries the same submission key and
creates one post.
"""

from dataclasses import dataclass

from sqlalchemy import Row, bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from cohortapp import audit
from cohortapp.auth.models import User
from cohortapp.cohorts.models import Cohort
from cohortapp.discussion.models import Answer, Flag, Follow, Notification, Question, Vote
from cohortapp.extensions import db
from cohortapp.markdown import render_markdown
from cohortapp.sqltypes import utcnow
from cohortapp.upsert import insert_ignore


class EditConflict(Exception):
    """Someone else saved the post since the form was opened."""


class NotAllowed(Exception):
    """The action is not possible in the post's present state; `code` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def model_for(kind: str):
    return Question if kind == "question" else Answer


# Lists ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionFilter:
    sort: str = "new"  # new | votes
    show: str = "all"  # all | unanswered | mine
    page_key: str = ""
    search: str = ""


def matches(search: str):
    """Title or body contains the words, whatever their case; % and _ are taken literally."""
    words = search.lower()
    return or_(
        func.lower(Question.title).contains(words, autoescape=True),
        func.lower(Question.body_md).contains(words, autoescape=True),
    )


def questions_query(cohort: Cohort, options: QuestionFilter, *, viewer: User, moderator: bool):
    query = select(Question).where(Question.cohort_id == cohort.id)
    if not moderator:
        query = query.where(Question.is_hidden.is_(False))
    if options.show == "unanswered":
        query = query.where(Question.answer_count == 0)
    elif options.show == "mine":
        query = query.where(Question.author_id == viewer.id)
    if options.page_key:
        query = query.where(Question.page_key == options.page_key)
    if options.search:
        query = query.where(matches(options.search))
    order = (
        (Question.vote_count.desc(), Question.created_at.desc())
        if options.sort == "votes"
        else (Question.created_at.desc(),)
    )
    return query.order_by(*order, Question.id.desc())


_questions = Question.__table__.c
_PAGE_QUESTIONS = (
    select(_questions.id, _questions.title, _questions.answer_count)
    .where(
        _questions.cohort_id == bindparam("cohort_id"),
        _questions.page_key == bindparam("page_key"),
        _questions.is_hidden.is_(False),
    )
    .order_by(_questions.vote_count.desc(), _questions.created_at.desc())
    .limit(bindparam("limit"))
)


def page_questions(cohort: Cohort, page_key: str, limit: int = 5) -> tuple[Row, ...]:
    """The page's most voted questions, as rows of id, title and answer_count (a tuple, so
    the lesson page can key its cached list on it)."""
    values = {"cohort_id": cohort.id, "page_key": page_key, "limit": limit}
    return tuple(db.session.execute(_PAGE_QUESTIONS, values))


def my_votes(user: User, kind: str, post_ids: list[int]) -> set[int]:
    if not post_ids:
        return set()
    return set(
        db.session.scalars(
            select(Vote.post_id).where(
                Vote.user_id == user.id, Vote.post_kind == kind, Vote.post_id.in_(post_ids)
            )
        )
    )


def answers_of(question: Question, *, moderator: bool) -> list[Answer]:
    query = (
        select(Answer)
        .options(joinedload(Answer.author))
        .where(Answer.question_id == question.id)
        .order_by(Answer.created_at, Answer.id)
    )
    if not moderator:
        query = query.where(Answer.is_hidden.is_(False))
    return list(db.session.scalars(query))


def has_answered(question: Question, user: User) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(Answer)
            .where(Answer.question_id == question.id, Answer.author_id == user.id)
        )
    )


def is_following(question: Question, user: User) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(Follow)
            .where(Follow.question_id == question.id, Follow.user_id == user.id)
        )
    )


# Writing -------------------------------------------------------------------------------


def _existing(model, author: User, submission_key: str | None):
    if not submission_key:
        return None
    return db.session.scalar(
        select(model).where(model.author_id == author.id, model.submission_key == submission_key)
    )


def _add_once(post, model, author: User, submission_key: str | None):
    """Add `post`, unless a post with the same submission key exists (then return that one)."""
    existing = _existing(model, author, submission_key)
    if existing is not None:
        return existing, False
    try:
        with db.session.begin_nested():
            db.session.add(post)
    except IntegrityError:
        # The same form, submitted at the same moment by a double click, won the race.
        return _existing(model, author, submission_key), False
    return post, True


def ask_question(
    cohort: Cohort, author: User, title: str, body: str, *, page_key=None, submission_key=None
) -> Question:
    question = Question(
        cohort_id=cohort.id,
        author_id=author.id,
        title=title.strip(),
        body_md=body.strip(),
        body_html=render_markdown(body.strip()),
        page_key=page_key or None,
        submission_key=submission_key,
    )
    question, created = _add_once(question, Question, author, submission_key)
    if created:
        db.session.add(Follow(user_id=author.id, question_id=question.id))
    return question


def edit_question(
    question: Question, title: str, body: str, *, page_key: str | None, version: int
) -> None:
    _save_edit(
        Question,
        question,
        version,
        title=title.strip(),
        body_md=body.strip(),
        page_key=page_key or None,
    )


def _save_edit(model, post, version: int, **values) -> None:
    values["body_html"] = render_markdown(values["body_md"])
    changed = db.session.execute(
        update(model)
        .where(model.id == post.id, model.version == version)
        .values(**values, version=model.version + 1, edited_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise EditConflict()
    db.session.refresh(post)


def delete_question(question: Question) -> None:
    if question.answer_count or db.session.scalar(
        select(func.count()).select_from(Answer).where(Answer.question_id == question.id)
    ):
        raise NotAllowed("has_answers")
    db.session.execute(
        delete(Vote).where(Vote.post_kind == "question", Vote.post_id == question.id)
    )
    db.session.execute(
        delete(Flag).where(Flag.post_kind == "question", Flag.post_id == question.id)
    )
    db.session.delete(question)


def post_answer(question: Question, author: User, body: str, *, submission_key=None) -> Answer:
    answer = Answer(
        question_id=question.id,
        author_id=author.id,
        body_md=body.strip(),
        body_html=render_markdown(body.strip()),
        submission_key=submission_key,
    )
    answer, created = _add_once(answer, Answer, author, submission_key)
    if created:
        _count_answer(question, +1)
        notify_followers(question, answer)
    return answer


def _count_answer(question: Question, step: int) -> None:
    db.session.execute(
        update(Question)
        .where(Question.id == question.id)
        .values(answer_count=Question.answer_count + step)
        .execution_options(synchronize_session=False)
    )


def edit_answer(answer: Answer, body: str, *, version: int) -> None:
    _save_edit(Answer, answer, version, body_md=body.strip())


def delete_answer(question: Question, answer: Answer) -> None:
    if question.accepted_answer_id == answer.id:
        raise NotAllowed("accepted")
    db.session.execute(delete(Vote).where(Vote.post_kind == "answer", Vote.post_id == answer.id))
    db.session.execute(delete(Flag).where(Flag.post_kind == "answer", Flag.post_id == answer.id))
    if not answer.is_hidden:
        _count_answer(question, -1)
    db.session.delete(answer)


def toggle_vote(user: User, kind: str, post) -> bool:
    """Vote for a post, or take the vote back. Returns whether the user now votes for it."""
    if post.author_id == user.id:
        raise NotAllowed("own_post")
    model = model_for(kind)
    removed = db.session.execute(
        delete(Vote).where(Vote.user_id == user.id, Vote.post_kind == kind, Vote.post_id == post.id)
    ).rowcount
    if removed:
        step, voted = -1, False
    else:
        values = {"user_id": user.id, "post_kind": kind, "post_id": post.id}
        if not insert_ignore(Vote, values, ["user_id", "post_kind", "post_id"]):
            return True  # a second click at the same moment: already counted once
        step, voted = 1, True
    db.session.execute(
        update(model)
        .where(model.id == post.id)
        .values(vote_count=model.vote_count + step)
        .execution_options(synchronize_session=False)
    )
    return voted


def toggle_follow(user: User, question: Question) -> bool:
    removed = db.session.execute(
        delete(Follow).where(Follow.user_id == user.id, Follow.question_id == question.id)
    ).rowcount
    if removed:
        return False
    insert_ignore(
        Follow, {"user_id": user.id, "question_id": question.id}, ["user_id", "question_id"]
    )
    return True


def accept_answer(question: Question, answer: Answer, *, actor: User) -> bool:
    """Accept the answer, or un-accept it if it is the accepted one. Returns the new state."""
    accepted = question.accepted_answer_id != answer.id
    question.accepted_answer_id = answer.id if accepted else None
    audit.record(
        "qa.answer_accepted" if accepted else "qa.answer_unaccepted",
        actor=actor,
        city=question.cohort.city,
        target=f"answer {answer.id}",
        question=question.id,
    )
    return accepted


def endorse_answer(answer: Answer, question: Question, *, actor: User) -> bool:
    answer.is_endorsed = not answer.is_endorsed
    audit.record(
        "qa.answer_endorsed" if answer.is_endorsed else "qa.answer_unendorsed",
        actor=actor,
        city=question.cohort.city,
        target=f"answer {answer.id}",
        question=question.id,
    )
    return answer.is_endorsed


def flag_post(user: User, cohort: Cohort, kind: str, post, reason: str, comment: str = "") -> bool:
    """Flag a post for the facilitators. Returns False if the user had already flagged it."""
    return insert_ignore(
        Flag,
        {
            "cohort_id": cohort.id,
            "user_id": user.id,
            "post_kind": kind,
            "post_id": post.id,
            "reason": reason,
            "comment": comment.strip()[:500],
        },
        ["user_id", "post_kind", "post_id"],
    )


def set_hidden(kind: str, post, hidden: bool, *, question: Question, actor: User) -> None:
    if post.is_hidden == hidden:
        return
    post.is_hidden = hidden
    if kind == "answer":
        _count_answer(question, -1 if hidden else +1)
    db.session.execute(
        update(Flag)
        .where(Flag.post_kind == kind, Flag.post_id == post.id, Flag.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=actor.id)
    )
    audit.record(
        "qa.hidden" if hidden else "qa.unhidden",
        actor=actor,
        city=question.cohort.city,
        target=f"{kind} {post.id}",
        question=question.id,
    )


def open_flags(cohort: Cohort) -> list[Flag]:
    from sqlalchemy.orm import selectinload

    return list(
        db.session.scalars(
            select(Flag)
            .options(selectinload(Flag.user))
            .where(Flag.cohort_id == cohort.id, Flag.resolved_at.is_(None))
            .order_by(Flag.created_at)
        )
    )


def open_flag_count(cohort: Cohort) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Flag)
        .where(Flag.cohort_id == cohort.id, Flag.resolved_at.is_(None))
    )


def flagged_posts(flags: list[Flag]) -> dict[tuple[str, int], object]:
    posts = {}
    for kind in ("question", "answer"):
        ids = [flag.post_id for flag in flags if flag.post_kind == kind]
        if ids:
            model = model_for(kind)
            for post in db.session.scalars(select(model).where(model.id.in_(ids))):
                posts[(kind, post.id)] = post
    return posts


def dismiss_flag(flag: Flag, *, actor: User, city) -> None:
    if flag.resolved_at is None:
        flag.resolved_at, flag.resolved_by_id = utcnow(), actor.id
        audit.record(
            "qa.flag_dismissed", actor=actor, city=city, target=f"{flag.post_kind} {flag.post_id}"
        )


def set_reflection_prompt(question: Question, value: bool, *, actor: User) -> None:
    if question.is_reflection_prompt != value:
        question.is_reflection_prompt = value
        audit.record(
            "qa.reflection_prompt_on" if value else "qa.reflection_prompt_off",
            actor=actor,
            city=question.cohort.city,
            target=f"question {question.id}",
        )


# The shared library --------------------------------------------------------------------


def share_question(question: Question, *, show_names: bool, actor: User) -> None:
    if question.accepted_answer_id is None:
        raise NotAllowed("no_accepted_answer")
    if question.is_hidden:
        raise NotAllowed("hidden")
    if question.shared_scope == "cohort":
        question.shared_scope = "city"
        question.shared_at = utcnow()
        question.shared_by_id = actor.id
    question.shared_show_names = show_names
    audit.record(
        "library.shared",
        actor=actor,
        city=question.cohort.city,
        target=f"question {question.id}",
        show_names=show_names,
    )


def unshare_question(question: Question, *, actor: User) -> None:
    if question.shared_scope != "cohort":
        question.shared_scope = "cohort"
        audit.record(
            "library.unshared",
            actor=actor,
            city=question.cohort.city,
            target=f"question {question.id}",
        )


def promote_question(question: Question, to_platform: bool, *, actor: User) -> None:
    if question.shared_scope == "cohort":
        raise NotAllowed("not_shared")
    question.shared_scope = "platform" if to_platform else "city"
    audit.record(
        "library.promoted" if to_platform else "library.demoted",
        actor=actor,
        city=question.cohort.city,
        target=f"question {question.id}",
    )


def library_query(*, city=None, page_key: str = "", search: str = ""):
    """Shared questions with an accepted answer: a city's (city and platform scope), or all
    platform-scope ones when no city is given."""
    query = (
        select(Question)
        .join(Cohort, Cohort.id == Question.cohort_id)
        .join(Answer, Answer.id == Question.accepted_answer_id)
        .where(Question.is_hidden.is_(False), Answer.is_hidden.is_(False))
    )
    if city is not None:
        query = query.where(
            Cohort.city_id == city.id, Question.shared_scope.in_(("city", "platform"))
        )
    else:
        query = query.where(Question.shared_scope == "platform")
    if page_key:
        query = query.where(Question.page_key == page_key)
    if search:
        query = query.where(matches(search))
    return query.order_by(Question.shared_at.desc(), Question.id.desc())


def accepted_answers(questions: list[Question]) -> dict[int, Answer]:
    ids = [q.accepted_answer_id for q in questions if q.accepted_answer_id]
    if not ids:
        return {}
    answers = db.session.scalars(
        select(Answer)
        .options(joinedload(Answer.author))
        .where(Answer.id.in_(ids), Answer.is_hidden.is_(False))
    )
    return {answer.id: answer for answer in answers}


# Notifications --------------------------------------------------------------------------


def notify_followers(question: Question, answer: Answer) -> None:
    """Each follower but the answer's author is told: at once, or in their daily digest.

    Not told: those no longer in the cohort, and learners who have not yet answered a
    reflect-first prompt (the email would show them an answer they may not read yet).
    """
    recipients = _followers_to_notify(question, answer)
    link = _question_link(question) if any(not f.wants_digest for f in recipients) else ""
    now = utcnow()
    for follower in recipients:
        notification = Notification(user_id=follower.id, answer_id=answer.id, created_at=now)
        if not follower.wants_digest:
            _email_new_answer(follower, question, answer, link)
            notification.sent_at = now
        db.session.add(notification)


def _followers_to_notify(question: Question, answer: Answer) -> list[User]:
    """The followers to tell, with their roles in the cohort found in a fixed number of queries."""
    from cohortapp.access import capabilities_of, roles_in_cohort
    from cohortapp.cities.models import Membership
    from cohortapp.cohorts.models import Enrollment

    followers = list(
        db.session.scalars(
            select(User)
            .join(Follow, Follow.user_id == User.id)
            .where(Follow.question_id == question.id, User.id != answer.author_id, User.is_active)
        )
    )
    if not followers:
        return []
    cohort = question.cohort
    ids = [follower.id for follower in followers]
    coordinators = set(
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.city_id == cohort.city_id,
                Membership.role == "coordinator",
                Membership.user_id.in_(ids),
            )
        )
    )
    enrollments = {
        enrollment.user_id: enrollment
        for enrollment in db.session.scalars(
            select(Enrollment).where(
                Enrollment.cohort_id == cohort.id,
                Enrollment.user_id.in_(ids),
                Enrollment.removed_at.is_(None),
            )
        )
    }
    answered = (
        set(
            db.session.scalars(
                select(Answer.author_id).distinct().where(Answer.question_id == question.id)
            )
        )
        if question.is_reflection_prompt
        else set()
    )
    recipients = []
    for follower in followers:
        roles = roles_in_cohort(follower, enrollments.get(follower.id), follower.id in coordinators)
        if not roles:
            continue
        if (
            question.is_reflection_prompt
            and "qa.moderate" not in capabilities_of(roles)
            and follower.id not in answered
        ):
            continue
        recipients.append(follower)
    return recipients


def _question_link(question: Question) -> str:
    from cohortapp.urls import absolute_url

    cohort = question.cohort
    return absolute_url(
        "cities.cohorts.discussion.question",
        city_slug=cohort.city.slug,
        cohort_slug=cohort.slug,
        question_id=question.id,
    )


def _email_new_answer(user: User, question: Question, answer: Answer, link: str) -> None:
    from cohortapp.auth.services import preferred_locale
    from cohortapp.mail.services import queue_email

    cohort = question.cohort
    queue_email(
        user.email,
        "new_answer",
        locale=preferred_locale(user, cohort.locale, cohort.city.default_locale),
        user=user,
        question=question,
        answer=answer,
        link=link,
    )


def send_digests(now=None) -> int:
    """One email per person with every answer waiting for their digest. Returns emails sent."""
    from cohortapp.auth.services import preferred_locale
    from cohortapp.mail.services import queue_email

    now = now or utcnow()
    rows = db.session.execute(
        select(Notification, Answer, Question, User)
        .join(Answer, Answer.id == Notification.answer_id)
        .join(Question, Question.id == Answer.question_id)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.sent_at.is_(None),
            Answer.is_hidden.is_(False),
            Question.is_hidden.is_(False),
        )
        .order_by(User.id, Question.id, Answer.id)
    ).all()
    by_user: dict[int, list] = {}
    for notification, answer, question, user in rows:
        by_user.setdefault(user.id, []).append((notification, answer, question, user))
    links: dict[int, str] = {}  # outside a request, each link opens a request context
    for items in by_user.values():
        user = items[0][3]
        questions = {}
        for _n, answer, question, _u in items:
            if question.id not in links:
                links[question.id] = _question_link(question)
            questions.setdefault(question.id, (question, links[question.id], []))[2].append(answer)
        cohort = items[0][2].cohort  # without a chosen language: that of the first cohort
        queue_email(
            user.email,
            "digest",
            locale=preferred_locale(user, cohort.locale, cohort.city.default_locale),
            user=user,
            questions=list(questions.values()),
        )
        for notification, *_rest in items:
            notification.sent_at = now
    return len(by_user)
